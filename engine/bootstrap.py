"""The composition root: build an `Engine` from settings and a clock. Nothing is built at import."""

from __future__ import annotations

from engine.clock import Clock, SystemClock
from engine.config import EngineSettings
from engine.deadlines import DEFAULT_SETTINGS, DeadlineSettings
from engine.logsafety import quiet_payload_loggers
from engine.service import Engine
from engine.store.database import Store


def build_engine(
    settings: EngineSettings | None = None,
    clock: Clock | None = None,
    deadlines: DeadlineSettings = DEFAULT_SETTINGS,
    migrate: bool = True,
) -> Engine:
    quiet_payload_loggers()
    settings = settings or EngineSettings()
    clock = clock or SystemClock()
    store = Store(
        settings.database_url, pool_size=settings.pool_size, sqlite_synchronous=settings.sqlite_synchronous
    )
    if migrate:
        store.migrate()
    return Engine(store, clock, settings, deadlines)
