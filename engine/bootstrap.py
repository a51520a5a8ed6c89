"""The composition root: build an `Engine` from settings and a clock. Nothing is built at import."""

from __future__ import annotations

from engine.clock import Clock, SystemClock
from engine.config import EngineSettings
from engine.deadlines import DeadlineSettings
from engine.logsafety import quiet_payload_loggers
from engine.service import Engine
from engine.store.database import Store


def build_engine(
    settings: EngineSettings | None = None,
    clock: Clock | None = None,
    deadlines: DeadlineSettings | None = None,
    migrate: bool = True,
) -> Engine:
    quiet_payload_loggers()
    settings = settings or EngineSettings()
    deadlines = deadlines or deadline_settings(settings)
    clock = clock or SystemClock()
    store = Store(
        settings.database_url, pool_size=settings.pool_size, sqlite_synchronous=settings.sqlite_synchronous
    )
    if migrate:
        store.migrate()
    return Engine(store, clock, settings, deadlines)


def deadline_settings(settings: EngineSettings) -> DeadlineSettings:
    """The municipality's deadline settings from the environment (the law's numbers stay fixed)."""
    return DeadlineSettings(
        receipt_reporter_types=frozenset(
            t.strip() for t in settings.receipt_reporter_types.split(",") if t.strip()
        ),
        receipt_working_days=settings.receipt_working_days,
        follow_up_default_months=settings.follow_up_default_months,
        supervision_interval_months=settings.supervision_interval_months,
        investigation_warning_months=settings.investigation_warning_months,
        reminder_days_before=settings.reminder_days_before,
    )
