"""Queries for migrating process instances to another definition version: which instances a
migration selects, and the mirror rows that follow an instance's tasks to their new elements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, and_, bindparam, update
from sqlmodel import Session, col, select

from engine.store.tables import Instance, ProcessInstance, Subscription, Task, Timer

TASK: Table = Task.__table__  # type: ignore[attr-defined]
TIMER: Table = Timer.__table__  # type: ignore[attr-defined]
SUBSCRIPTION: Table = Subscription.__table__  # type: ignore[attr-defined]
PROCESS_INSTANCE: Table = ProcessInstance.__table__  # type: ignore[attr-defined]

Selected = tuple[str, str, str]  # process instance id, its case's id, its definition id


CHUNK = 1_000  # ids per IN list (SQLite limits the parameters of one statement)


def by_ids(session: Session, municipality: str, ids: Sequence[str]) -> list[Selected]:
    """The running process instances of `municipality` among `ids`, in the order given."""
    wanted = list(dict.fromkeys(ids))
    found: dict[str, Selected] = {}
    for start in range(0, len(wanted), CHUNK):
        statement = select(ProcessInstance.id, ProcessInstance.root_id, ProcessInstance.definition_id).where(
            col(ProcessInstance.id).in_(wanted[start : start + CHUNK]),
            ProcessInstance.municipality == municipality,
            ProcessInstance.state == "active",
        )
        found |= {row[0]: (row[0], row[1], row[2]) for row in session.exec(statement).all()}
    return [found[i] for i in wanted if i in found]


def running_on(
    session: Session,
    municipality: str,
    definition_id: str,
    *,
    business_key: str | None = None,
    activity_id: str | None = None,
) -> list[Selected]:
    """Every running process instance of `municipality` on `definition_id`, case by case."""
    statement = (
        select(ProcessInstance.id, ProcessInstance.root_id, ProcessInstance.definition_id)
        .join(Instance, col(Instance.id) == col(ProcessInstance.root_id))
        .where(
            ProcessInstance.municipality == municipality,
            ProcessInstance.definition_id == definition_id,
            ProcessInstance.state == "active",
        )
    )
    if business_key is not None:
        statement = statement.where(ProcessInstance.business_key == business_key)
    if activity_id:
        statement = statement.where(col(Instance.current_activities).contains(f'"{activity_id}"'))
    rows = session.exec(statement.order_by(col(ProcessInstance.root_id), col(ProcessInstance.id))).all()
    return [(row[0], row[1], row[2]) for row in rows]


_TASKS = (
    update(TASK)
    .where(TASK.c.id == bindparam("b_id"), TASK.c.state == "open")
    .values(
        element_id=bindparam("element_id"),
        name=bindparam("name"),
        definition_id=bindparam("definition_id"),
        process_key=bindparam("process_key"),
        topic=bindparam("topic"),
        deadline=bindparam("deadline"),
    )
)
# the pending timer a waiting task of the instance holds (the rows both timer updates change)
_PENDING_TIMER = (
    and_(TIMER.c.instance_id == bindparam("b_instance"), TIMER.c.task_id == bindparam("b_task")),
    TIMER.c.status == "pending",
)
_TIMERS = (
    update(TIMER)
    .where(*_PENDING_TIMER)
    .values(
        element_id=bindparam("element_id"),
        name=bindparam("name"),
        kind=bindparam("kind"),
        purpose=bindparam("purpose"),
        deadline=bindparam("deadline"),
    )
)
_DUES = (
    update(TIMER)
    .where(*_PENDING_TIMER)
    .values(due_at=bindparam("due_at"), due_date=bindparam("due_date"), due_kind=bindparam("due_kind"))
)
_SUBSCRIPTIONS = (
    update(SUBSCRIPTION)
    .where(
        SUBSCRIPTION.c.instance_id == bindparam("b_instance"), SUBSCRIPTION.c.task_id == bindparam("b_task")
    )
    .values(element_id=bindparam("element_id"))
)
_PROCESS_INSTANCES = (
    update(PROCESS_INSTANCE)
    .where(PROCESS_INSTANCE.c.id == bindparam("b_id"))
    .values(definition_id=bindparam("definition_id"), process_key=bindparam("process_key"))
)


def _run(session: Session, statement: Any, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.connection().execute(statement, list(rows))


def retarget_tasks(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Open task rows follow their task to its new element (b_id, element_id, name, …)."""
    _run(session, _TASKS, rows)


def retarget_timers(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Pending timer rows follow their task to its new element; their due stays."""
    _run(session, _TIMERS, rows)


def move_dues(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Pending timers whose due the plan computes again (updateEventTrigger)."""
    _run(session, _DUES, rows)


def retarget_subscriptions(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    _run(session, _SUBSCRIPTIONS, rows)


def retarget_process_instances(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    _run(session, _PROCESS_INSTANCES, rows)
