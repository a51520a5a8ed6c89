"""Queries for the process instance mirror: every case (root) and every process a call activity
started in one (child). The step writes it with plain statements, as it writes the task rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, bindparam, func, insert, update
from sqlmodel import Session, col, select

from engine.model import ProcessInstanceFilter
from engine.store.filters import equal_where_given
from engine.store.instances import visible_to
from engine.store.tables import Definition, Instance, ProcessInstance

PROCESS_INSTANCE: Table = ProcessInstance.__table__  # type: ignore[attr-defined]

_END = (
    update(PROCESS_INSTANCE)
    .where(PROCESS_INSTANCE.c.id == bindparam("pi"), PROCESS_INSTANCE.c.state == "active")
    .values(state=bindparam("new_state"), ended_at=bindparam("at"))
)


def insert_rows(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.connection().execute(insert(PROCESS_INSTANCE), list(rows))


def end_rows(session: Session, ending: Sequence[tuple[str, str]], at: datetime) -> None:
    """Mark active rows ended: (process instance id, "completed" or "terminated")."""
    if ending:
        session.connection().execute(_END, [{"pi": i, "new_state": s, "at": at} for i, s in ending])


Found = tuple[ProcessInstance, str | None]  # the row and its definition's name


def _statement(q: ProcessInstanceFilter) -> Any:
    return (
        select(ProcessInstance, Definition.name)
        .join(Instance, col(Instance.id) == col(ProcessInstance.root_id))
        .join(Definition, col(Definition.id) == col(ProcessInstance.definition_id))
        .where(*_conditions(q))
    )


def search(session: Session, q: ProcessInstanceFilter, *, offset: int, limit: int) -> tuple[list[Found], int]:
    """Newest first (a case before the processes it called at the same instant)."""
    statement = _statement(q)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(
        statement.order_by(
            col(ProcessInstance.started_at).desc(),
            col(ProcessInstance.super_id).is_not(None),
            col(ProcessInstance.id),
        )
        .offset(offset)
        .limit(limit)
    ).all()
    return [(p, n) for p, n in rows], int(total)


def get(session: Session, process_instance_id: str, municipality: str) -> Found | None:
    statement = _statement(ProcessInstanceFilter(municipality, ids=[process_instance_id]))
    row = session.exec(statement.limit(1)).first()
    return (row[0], row[1]) if row is not None else None


def _conditions(q: ProcessInstanceFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [col(ProcessInstance.municipality) == q.municipality]
    simple = {
        ProcessInstance.business_key: q.business_key,
        ProcessInstance.process_key: q.process_key,
        ProcessInstance.definition_id: q.definition_id,
        ProcessInstance.super_id: q.super_id,
        ProcessInstance.root_id: q.case_id,
    }
    conditions += equal_where_given(simple)
    if q.state == "ended":
        conditions.append(col(ProcessInstance.state) != "active")
    elif q.state is not None:
        conditions.append(col(ProcessInstance.state) == q.state)
    if q.ids is not None:
        conditions.append(col(ProcessInstance.id).in_(list(q.ids)))
    if q.business_key_like:
        conditions.append(col(ProcessInstance.business_key).like(q.business_key_like))
    if q.sub_id is not None:
        parent = select(ProcessInstance.super_id).where(ProcessInstance.id == q.sub_id).scalar_subquery()
        conditions.append(col(ProcessInstance.id) == parent)
    if q.activity_id:  # the case's current activities: where a token of any of its processes stands
        conditions.append(col(Instance.current_activities).contains(f'"{q.activity_id}"'))
    if q.started_after:
        conditions.append(col(ProcessInstance.started_at) >= q.started_after)
    if q.started_before:
        conditions.append(col(ProcessInstance.started_at) < q.started_before)
    if q.visible_to_user is not None:
        conditions.append(visible_to(q.visible_to_user, q.visible_to_teams))
    return conditions
