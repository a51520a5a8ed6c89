"""Queries for external tasks (task rows with kind='external') and their incidents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, exists, or_
from sqlmodel import Session, col, select

from engine.store.tables import Incident, Instance, Task


def _fetchable(municipality: str, topics: Sequence[str], now: datetime) -> list[ColumnElement[bool]]:
    return [
        col(Task.municipality) == municipality,
        col(Task.kind) == "external",
        col(Task.state) == "open",
        col(Task.topic).in_(list(topics)),
        or_(col(Task.lock_expires_at).is_(None), col(Task.lock_expires_at) <= now),
        or_(col(Task.retry_at).is_(None), col(Task.retry_at) <= now),
        or_(col(Task.retries).is_(None), col(Task.retries) > 0),
        col(Instance.status) == "active",
    ]


def any_fetchable(session: Session, municipality: str, topics: Sequence[str], now: datetime) -> bool:
    """A cheap read-only check, so an idle long poll never opens a write transaction."""
    statement = select(
        exists().where(col(Instance.id) == col(Task.instance_id), *_fetchable(municipality, topics, now))
    )
    return bool(session.exec(statement).one())


def fetchable(
    session: Session,
    municipality: str,
    topics: Sequence[str],
    now: datetime,
    *,
    by_priority: bool,
    limit: int,
    postgres: bool,
) -> list[tuple[Task, Instance]]:
    """Open, unlocked external tasks on `topics`; on PostgreSQL the rows are locked, skipping
    rows another transaction holds (so concurrent fetches lock disjoint tasks)."""
    statement = (
        select(Task, Instance)
        .join(Instance, col(Instance.id) == col(Task.instance_id))
        .where(*_fetchable(municipality, topics, now))
    )
    if by_priority:
        statement = statement.order_by(col(Task.priority).desc())
    statement = statement.order_by(col(Task.created_at), col(Task.id)).limit(limit)
    if postgres:
        statement = statement.with_for_update(skip_locked=True, of=Task)
    return [(t, i) for t, i in session.exec(statement).all()]


def try_lock_instance(session: Session, instance_id: str, *, postgres: bool) -> Instance | None:
    """The instance row locked without waiting; None if another transaction is advancing it."""
    statement = select(Instance).where(Instance.id == instance_id)
    if postgres:
        statement = statement.with_for_update(skip_locked=True)
    return session.exec(statement).first()


def open_incident_for(session: Session, task_id: str) -> Incident | None:
    statement = select(Incident).where(Incident.task_id == task_id, col(Incident.resolved_at).is_(None))
    return session.exec(statement).first()
