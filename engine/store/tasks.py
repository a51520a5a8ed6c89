"""Queries for the task table (open and finished user and external tasks)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, func
from sqlmodel import Session, col, or_, select

from engine.model import TaskFilter
from engine.store.tables import Instance, Task


def open_for(session: Session, instance_id: str) -> list[Task]:
    statement = select(Task).where(Task.instance_id == instance_id, Task.state == "open")
    return list(session.exec(statement).all())


def for_instance(session: Session, instance_id: str) -> list[Task]:
    statement = select(Task).where(Task.instance_id == instance_id).order_by(col(Task.created_at))
    return list(session.exec(statement).all())


def get(session: Session, task_id: str, municipality: str) -> Task | None:
    task = session.get(Task, task_id)
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
        Instance.process_key: f.process_key,
        Task.element_id: f.element_id,
        Task.assignee: f.assignee,
        Task.topic: f.topic,
        Instance.team: f.team,
    }
    conditions += [col(column) == value for column, value in simple.items() if value is not None]
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
