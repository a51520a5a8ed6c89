"""Queries for timer rows: the source of truth for every due instant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, and_, bindparam, insert, or_, text, update
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from engine import contract
from engine.store.tables import Timer

TIMER: Table = Timer.__table__  # type: ignore[attr-defined]
_PENDING = select_columns(TIMER).where(
    TIMER.c.instance_id == bindparam("instance"), TIMER.c.status == "pending"
)
_INSERT = insert(TIMER).returning(*TIMER.c, sort_by_parameter_order=True)
BREACH = contract.BREACH
_CANCEL = (
    update(TIMER)
    .where(TIMER.c.id == bindparam("timer"), TIMER.c.status == "pending")
    .values(status="cancelled", cancelled_at=bindparam("at"), outcome=bindparam("outcome"))
)


def pending_rows(session: Session, instance_id: str) -> list[Row[Any]]:
    """The instance's pending timers as plain rows (the step pipeline; see store/tasks.py)."""
    return list(session.connection().execute(_PENDING, {"instance": instance_id}))


def insert_rows(session: Session, rows: Sequence[dict[str, Any]]) -> list[Row[Any]]:
    if not rows:
        return []
    return list(session.connection().execute(_INSERT, list(rows)))


def cancel_rows(session: Session, endings: Sequence[tuple[str, str | None]], at: datetime) -> None:
    """End pending timers: (timer id, outcome: met, breached, cancelled or None if no deadline)."""
    if endings:
        session.connection().execute(
            _CANCEL, [{"timer": t, "at": at, "outcome": outcome} for t, outcome in endings]
        )


def for_instance(session: Session, instance_id: str) -> list[Timer]:
    statement = select(Timer).where(Timer.instance_id == instance_id).order_by(col(Timer.due_at))
    return list(session.exec(statement).all())


def claim_due(
    session: Session, *, now: datetime, until: datetime, owner: str, limit: int, postgres: bool
) -> list[str]:
    """Mark up to `limit` due, unclaimed (or lease-expired) pending timers as claimed by `owner`.

    PostgreSQL: `FOR UPDATE SKIP LOCKED`, so concurrent workers claim disjoint rows.
    SQLite: the caller's write transaction began with BEGIN IMMEDIATE, so claims are serial.
    """
    claimable = and_(
        col(Timer.status) == "pending",
        col(Timer.due_at) <= now,
        or_(col(Timer.claimed_until).is_(None), col(Timer.claimed_until) < now),
    )
    candidates = select(Timer.id).where(claimable).order_by(col(Timer.due_at)).limit(limit)
    if postgres:
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(session.exec(candidates).all())
    if ids:
        session.execute(
            update(Timer)
            .where(col(Timer.id).in_(ids))
            .values(claimed_by=owner, claimed_until=until)
            .execution_options(synchronize_session=False)
        )
    return ids


def lock(session: Session, timer_id: str) -> Timer | None:
    statement = select(Timer).where(Timer.id == timer_id).with_for_update()
    return session.exec(statement).first()


def next_due(session: Session, *, after: datetime) -> datetime | None:
    """The earliest due instant of a pending timer later than `after` (one index probe)."""
    statement = (
        select(Timer.due_at)
        .where(Timer.status == "pending", col(Timer.due_at) > after)
        .order_by(col(Timer.due_at))
        .limit(1)
    )
    return session.exec(statement).first()


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(text("SELECT status, count(*) FROM timer GROUP BY status")).all()
    return {str(status): int(count) for status, count in rows}
