"""Rows of `start_timer`: the schedule of timer start events of deployed process definitions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, or_, select

from engine.store.filters import equal_where_given
from engine.store.tables import StartTimer

PENDING, FIRED, CANCELLED, FAILED = "pending", "fired", "cancelled", "failed"


def add(session: Session, rows: Sequence[StartTimer]) -> None:
    session.add_all(rows)


def cancel_other_versions(
    session: Session, process_key: str, municipality: str, keep_definition_id: str, now: datetime
) -> int:
    """End the pending rows of the other versions of `process_key` in `municipality`."""
    rows = session.exec(
        select(StartTimer).where(
            StartTimer.process_key == process_key,
            StartTimer.municipality == municipality,
            col(StartTimer.status).in_([PENDING, FAILED]),
            StartTimer.definition_id != keep_definition_id,
        )
    ).all()
    for row in rows:
        row.status, row.cancelled_at = CANCELLED, now
        session.add(row)
    return len(rows)


def due_ids(session: Session, now: datetime, limit: int) -> list[str]:
    """Pending rows due at `now` and not waiting out a retry delay."""
    statement = (
        select(StartTimer.id)
        .where(
            StartTimer.status == PENDING,
            col(StartTimer.due_at) <= now,
            or_(col(StartTimer.retry_at).is_(None), col(StartTimer.retry_at) <= now),
        )
        .order_by(col(StartTimer.due_at), col(StartTimer.id))
        .limit(limit)
    )
    return list(session.exec(statement).all())


def lock(session: Session, timer_id: str) -> StartTimer | None:
    return session.exec(select(StartTimer).where(StartTimer.id == timer_id).with_for_update()).first()


def next_due(session: Session, *, after: datetime) -> datetime | None:
    statement = (
        select(StartTimer.due_at)
        .where(StartTimer.status == PENDING, col(StartTimer.due_at) > after)
        .order_by(col(StartTimer.due_at))
        .limit(1)
    )
    return session.exec(statement).first()


def jobs(
    session: Session,
    municipality: str,
    *,
    element_id: str | None = None,
    job_id: str | None = None,
    definition_id: str | None = None,
) -> list[StartTimer]:
    """Pending and failed rows of one municipality (Camunda's timer-start-event jobs)."""
    statement = select(StartTimer).where(
        StartTimer.municipality == municipality, col(StartTimer.status).in_([PENDING, FAILED])
    )
    simple = {
        StartTimer.element_id: element_id,
        StartTimer.id: job_id,
        StartTimer.definition_id: definition_id,
    }
    statement = statement.where(*equal_where_given(simple))
    return list(session.exec(statement.order_by(col(StartTimer.due_at), col(StartTimer.id))).all())
