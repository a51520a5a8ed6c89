"""Queries for operations views: incidents and timers seen as jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from engine.store.filters import equal_where_given
from engine.store.tables import Incident, Instance, Timer


def incidents(
    session: Session,
    municipality: str,
    *,
    instance_id: str | None = None,
    incident_type: str | None = None,
    element_id: str | None = None,
    incident_id: str | None = None,
    open_only: bool = True,
    offset: int = 0,
    limit: int = 100,
) -> list[tuple[Incident, Instance]]:
    statement = (
        select(Incident, Instance)
        .join(Instance, col(Instance.id) == col(Incident.instance_id))
        .where(col(Incident.municipality) == municipality)
    )
    if instance_id is not None:  # a process instance: a case's own, or one it called
        statement = statement.where(_in_process(Incident, instance_id))
    simple = {
        Incident.type: incident_type,
        Incident.element_id: element_id,
        Incident.id: incident_id,
    }
    statement = statement.where(*equal_where_given(simple))
    if open_only:
        statement = statement.where(col(Incident.resolved_at).is_(None))
    rows = session.exec(
        statement.order_by(col(Incident.created_at), col(Incident.id)).offset(offset).limit(limit)
    ).all()
    return [(i, inst) for i, inst in rows]


def jobs(
    session: Session,
    municipality: str,
    *,
    instance_id: str | None = None,
    element_id: str | None = None,
    job_id: str | None = None,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
    with_exception: bool = False,
    descending: bool = False,
    offset: int = 0,
    limit: int = 100,
) -> list[tuple[Timer, Instance]]:
    """Pending and failed timer rows (what Camunda shows as timer jobs), by due instant."""
    statement = (
        select(Timer, Instance)
        .join(Instance, col(Instance.id) == col(Timer.instance_id))
        .where(col(Timer.municipality) == municipality, col(Timer.status).in_(["pending", "failed"]))
    )
    if instance_id is not None:
        statement = statement.where(_in_process(Timer, instance_id))
    simple = {Timer.element_id: element_id, Timer.id: job_id}
    statement = statement.where(*equal_where_given(simple))
    if due_before is not None:
        statement = statement.where(col(Timer.due_at) < due_before)
    if due_after is not None:
        statement = statement.where(col(Timer.due_at) > due_after)
    if with_exception:
        statement = statement.where(col(Timer.last_error).is_not(None))
    order = col(Timer.due_at).desc() if descending else col(Timer.due_at)
    rows = session.exec(statement.order_by(order, col(Timer.id)).offset(offset).limit(limit)).all()
    return [(t, i) for t, i in rows]


def _in_process(table: type[Incident] | type[Timer], process_instance_id: str) -> ColumnElement[bool]:
    """Rows of that process instance: a called process's, or the case's own (no called process)."""
    return or_(
        col(table.process_instance_id) == process_instance_id,
        and_(col(table.process_instance_id).is_(None), col(table.instance_id) == process_instance_id),
    )


def open_incident_ids(session: Session, instance_id: str) -> dict[str, tuple[str, ...]]:
    """Open incident ids of one instance by task id."""
    statement = select(Incident.task_id, Incident.id).where(
        Incident.instance_id == instance_id, col(Incident.resolved_at).is_(None)
    )
    found: dict[str, tuple[str, ...]] = {}
    for task_id, incident_id in session.exec(statement).all():
        if task_id:
            found[task_id] = (*found.get(task_id, ()), incident_id)
    return found
