"""Writing incidents of failed steps and resolving them (engine/incidents.py)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from engine.store.tables import Incident, Instance, Task


def task(session: Session, task_id: str) -> Task | None:
    return session.get(Task, task_id)


def add_failed_step(session: Session, incident: Incident) -> None:
    """The incident, and one more failed step on its case (never bumps the case's version: the
    state did not change, and a workflow kept in memory stays valid)."""
    session.add(incident)
    session.flush()
    session.connection().execute(
        update(Instance)
        .where(col(Instance.id) == incident.instance_id)
        .values(failed_steps=col(Instance.failed_steps) + 1)
    )


def resolve_failed_steps(
    session: Session, instance_id: str, *, kind: str, keep_tasks: Collection[str], at: datetime
) -> int:
    """Resolve the open `kind` incidents of the case except those of a task in `keep_tasks`; the
    number left open."""
    open_ = (
        col(Incident.instance_id) == instance_id,
        col(Incident.type) == kind,
        col(Incident.resolved_at).is_(None),
    )
    resolving = update(Incident).where(*open_).values(resolved_at=at)
    if keep_tasks:
        resolving = resolving.where(
            col(Incident.task_id).is_(None) | col(Incident.task_id).not_in(keep_tasks)
        )
    session.connection().execute(resolving)
    left = session.exec(select(func.count()).select_from(Incident).where(*open_)).one()
    return int(left)
