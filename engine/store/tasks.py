"""Queries for the task table (open and finished user and external tasks).

The step pipeline (`open_rows`, `insert_rows`, `close_rows`) reads and writes plain rows with
statements built once: it runs on every step, and ORM objects cost several times the SQL there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Table, bindparam, false, func, insert, update
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, or_, select

from engine.model import TaskFilter
from engine.store.filters import equal_where_given
from engine.store.tables import Instance, ProcessInstance, Task

TASK: Table = Task.__table__  # type: ignore[attr-defined]


class TaskRow(Protocol):
    """A task row as the engine reads it: an ORM `Task` or a plain result row of the task table."""

    @property
    def id(self) -> str: ...
    @property
    def instance_id(self) -> str: ...
    @property
    def process_instance_id(self) -> str: ...
    @property
    def definition_id(self) -> str: ...
    @property
    def process_key(self) -> str: ...
    @property
    def municipality(self) -> str: ...
    @property
    def element_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def candidate_groups(self) -> str: ...
    @property
    def candidate_users(self) -> str: ...
    @property
    def assignee(self) -> str | None: ...
    @property
    def phase(self) -> str | None: ...
    @property
    def topic(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def due_at(self) -> datetime | None: ...
    @property
    def due_date(self) -> date | None: ...
    @property
    def due_kind(self) -> str | None: ...
    @property
    def completed_at(self) -> datetime | None: ...
    @property
    def completed_by(self) -> str | None: ...
    @property
    def retries(self) -> int | None: ...
    @property
    def lock_owner(self) -> str | None: ...
    @property
    def lock_expires_at(self) -> datetime | None: ...
    @property
    def error_message(self) -> str | None: ...
    @property
    def cause(self) -> str | None: ...
    @property
    def deadline(self) -> str | None: ...
    @property
    def form_key(self) -> str | None: ...
    @property
    def form_ref(self) -> str | None: ...


_OPEN_ROWS = select_columns(TASK).where(TASK.c.instance_id == bindparam("instance"), TASK.c.state == "open")
_INSERT_ROWS = insert(TASK).returning(*TASK.c, sort_by_parameter_order=True)
_CLOSE_ROW = (
    update(TASK)
    .where(TASK.c.id == bindparam("task"), TASK.c.state == "open")
    .values(
        state=bindparam("new_state"),
        completed_at=bindparam("at"),
        completed_by=bindparam("by"),
        lock_owner=None,
        lock_expires_at=None,
    )
)


def open_rows(session: Session, instance_id: str) -> list[TaskRow]:
    return list(session.connection().execute(_OPEN_ROWS, {"instance": instance_id}))


def insert_rows(session: Session, rows: Sequence[dict[str, Any]]) -> list[TaskRow]:
    if not rows:
        return []
    return list(session.connection().execute(_INSERT_ROWS, list(rows)))


def close_rows(session: Session, closing: Sequence[tuple[str, str, str | None]], at: datetime) -> None:
    """Close open rows: (task id, "completed" or "cancelled", completed by)."""
    if closing:
        values = [{"task": t, "new_state": state, "by": by, "at": at} for t, state, by in closing]
        session.connection().execute(_CLOSE_ROW, values)


def for_instance(session: Session, instance_id: str) -> list[Task]:
    statement = select(Task).where(Task.instance_id == instance_id).order_by(col(Task.created_at))
    return list(session.exec(statement).all())


_GET = select(Task).where(Task.id == bindparam("task"))


def get(session: Session, task_id: str, municipality: str) -> Task | None:
    task = session.scalars(_GET, {"task": task_id}).first()
    return task if task is not None and task.municipality == municipality else None


def search(
    session: Session, f: TaskFilter, *, offset: int, limit: int
) -> tuple[list[tuple[Task, Instance]], int]:
    statement = select(Task, Instance).join(Instance, col(Instance.id) == col(Task.instance_id))
    statement = statement.where(Task.municipality == f.municipality)
    for condition in _conditions(f):
        statement = statement.where(condition)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(
        statement.order_by(col(Task.due_at).is_(None), col(Task.due_at), col(Task.created_at))
        .offset(offset)
        .limit(limit)
    ).all()
    return [(t, i) for t, i in rows], int(total)


def _conditions(f: TaskFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    simple = {
        Task.state: f.state,
        Task.kind: f.kind,
        Task.instance_id: f.instance_id,
        Instance.business_key: f.business_key,
        Task.process_key: f.process_key,
        Task.process_instance_id: f.process_instance_id,
        Task.definition_id: f.definition_id,
        Task.element_id: f.element_id,
        Task.assignee: f.assignee,
        Task.topic: f.topic,
        Instance.team: f.team,
    }
    conditions += equal_where_given(simple)
    if f.process_business_key is not None:
        keyed = select(ProcessInstance.id).where(ProcessInstance.business_key == f.process_business_key)
        conditions.append(col(Task.process_instance_id).in_(keyed))
    if f.candidate_group:
        conditions.append(col(Task.candidate_groups).contains(f",{f.candidate_group},"))
    if f.candidate_groups_any is not None:
        conditions.append(
            or_(false(), *[col(Task.candidate_groups).contains(f",{g},") for g in f.candidate_groups_any])
        )
    if f.candidate_user:
        conditions.append(col(Task.candidate_users).contains(f",{f.candidate_user},"))
    if f.unassigned:
        conditions.append(col(Task.assignee).is_(None))
    if f.assigned:
        conditions.append(col(Task.assignee).is_not(None))
    if f.due_before:
        conditions.append(col(Task.due_at) < f.due_before)
    if f.due_after:
        conditions.append(col(Task.due_at) > f.due_after)
    if f.visible_to_user is not None:
        teams = list(f.visible_to_teams or ())
        conditions.append(
            or_(
                Task.assignee == f.visible_to_user,
                Instance.caseworker == f.visible_to_user,
                col(Instance.team).in_(teams),
            )
        )
    return conditions
