"""Report queries: indexed SQL over the mirrored tables, identical on SQLite and PostgreSQL.

No workflow state is loaded. Every query is scoped to one municipality and optionally a team,
a caseworker and a period. JSON payloads of events are read with SQLAlchemy's JSON operators,
which compile to json_extract on SQLite and -> / ->> on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, and_, case, cast, func, or_, true, type_coerce
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from engine.store.tables import Event, Instance, Task, Timer


@dataclass(frozen=True)
class Scope:
    municipality: str
    team: str | None = None
    caseworker: str | None = None
    period_from: datetime | None = None
    period_to: datetime | None = None


def _instance_scope(scope: Scope) -> list[ColumnElement[bool]]:
    conditions = [col(Instance.municipality) == scope.municipality]
    if scope.team is not None:
        conditions.append(col(Instance.team) == scope.team)
    if scope.caseworker is not None:
        conditions.append(col(Instance.caseworker) == scope.caseworker)
    return conditions


def _needs_instance(scope: Scope) -> bool:
    return scope.team is not None or scope.caseworker is not None


def _period(column: Any, scope: Scope) -> list[ColumnElement[bool]]:
    conditions = []
    if scope.period_from is not None:
        conditions.append(column >= scope.period_from)
    if scope.period_to is not None:
        conditions.append(column < scope.period_to)
    return conditions


def phase_counts(session: Session, scope: Scope) -> list[tuple[str | None, int, datetime | None]]:
    """Active cases per phase, with the oldest `phase_since` (longest waiting) per phase."""
    statement = (
        columns(col(Instance.phase), func.count(), func.min(col(Instance.phase_since)))
        .where(col(Instance.status) == "active", *_instance_scope(scope))
        .group_by(Instance.phase)
        .order_by(Instance.phase)
    )
    return [(phase, int(count), oldest) for phase, count, oldest in session.execute(statement).all()]


def active_cases(
    session: Session, scope: Scope, *, phase: str | None, offset: int, limit: int
) -> tuple[list[Instance], int]:
    statement = select(Instance).where(col(Instance.status) == "active", *_instance_scope(scope))
    if phase is not None:
        statement = statement.where(col(Instance.phase) == phase)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    rows = session.exec(statement.order_by(col(Instance.phase_since)).offset(offset).limit(limit)).all()
    return list(rows), int(total)


def open_user_tasks(session: Session, instance_ids: Sequence[str]) -> list[Task]:
    if not instance_ids:
        return []
    statement = select(Task).where(
        col(Task.instance_id).in_(list(instance_ids)), col(Task.state) == "open", col(Task.kind) == "user"
    )
    return list(session.exec(statement).all())


def _timers(scope: Scope) -> Any:
    statement = select(Timer, Instance).join(Instance, col(Instance.id) == col(Timer.instance_id))
    return statement.where(
        col(Timer.municipality) == scope.municipality, col(Timer.purpose) == "breach", *_instance_scope(scope)
    )


def deadlines_due(session: Session, scope: Scope, *, now: datetime, until: datetime, limit: int) -> list[Any]:
    """Breach deadlines still pending and due between now and `until` (at risk)."""
    statement = (
        _timers(scope)
        .where(col(Timer.status) == "pending", col(Timer.due_at) >= now, col(Timer.due_at) < until)
        .order_by(col(Timer.due_at))
        .limit(limit)
    )
    return list(session.execute(statement).all())


def breached(session: Session, scope: Scope, *, limit: int) -> list[Any]:
    """Deadlines that passed: fired breach timers, or tasks completed only after the due instant."""
    statement = (
        _timers(scope)
        .where(_is_breached(), *_period(col(Timer.due_at), scope))
        .order_by(col(Timer.due_at).desc())
        .limit(limit)
    )
    return list(session.execute(statement).all())


def _is_breached() -> ColumnElement[bool]:
    late = and_(col(Timer.status) == "cancelled", col(Timer.cancelled_at) > col(Timer.due_at))
    return or_(col(Timer.status) == "fired", late)


def _is_met() -> ColumnElement[bool]:
    return and_(col(Timer.status) == "cancelled", col(Timer.cancelled_at) <= col(Timer.due_at))


def compliance(session: Session, scope: Scope, *, now: datetime) -> list[tuple[str, int, int, int]]:
    """Per deadline rule: met, breached, and still open but already overdue (counted as breached too)."""
    overdue = and_(col(Timer.status) == "pending", col(Timer.due_at) < now)
    statement = (
        columns(
            col(Timer.deadline),
            func.sum(case((_is_met(), 1), else_=0)),
            func.sum(case((_is_breached(), 1), else_=0)),
            func.sum(case((overdue, 1), else_=0)),
        )
        .where(col(Timer.municipality) == scope.municipality, col(Timer.purpose) == "breach")
        .where(
            or_(col(Timer.due_at) < now, col(Timer.status) != "pending")
        )  # open and not yet due: not counted
        .where(*_period(col(Timer.due_at), scope))
        .group_by(Timer.deadline)
        .order_by(Timer.deadline)
    )
    if _needs_instance(scope):
        statement = statement.join(Instance, col(Instance.id) == col(Timer.instance_id)).where(
            *_instance_scope(scope)
        )
    return [
        (str(d), int(m or 0), int(b or 0), int(o or 0)) for d, m, b, o in session.execute(statement).all()
    ]


def _variable(session: Session, name: str) -> Any:
    """A submitted variable inside an event's JSON text. SQLite reads JSON text as is (a CAST there
    would turn it into a number); PostgreSQL needs the text cast to json for -> and ->>."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    data = type_coerce(Event.data, JSON) if sqlite else cast(Event.data, JSON)
    return data["variables"][name]


def share_true(session: Session, scope: Scope, *, element_id: str, variable: str) -> tuple[int, int]:
    """(completions of `element_id` where boolean `variable` was true, all completions)."""
    flag = _variable(session, variable).as_boolean()
    statement = columns(func.sum(case((flag == true(), 1), else_=0)), func.count()).where(
        col(Event.municipality) == scope.municipality,
        col(Event.kind) == "task_completed",
        col(Event.element_id) == element_id,
        *_period(col(Event.at), scope),
    )
    if _needs_instance(scope):
        statement = statement.join(Instance, col(Instance.id) == col(Event.instance_id)).where(
            *_instance_scope(scope)
        )
    yes, total = session.execute(statement).one()
    return int(yes or 0), int(total or 0)


def caseload(session: Session, scope: Scope) -> list[tuple[str | None, int]]:
    statement = (
        columns(col(Instance.caseworker), func.count())
        .where(col(Instance.status) == "active", *_instance_scope(scope))
        .group_by(Instance.caseworker)
        .order_by(func.count().desc())
    )
    return [(who, int(n)) for who, n in session.execute(statement).all()]


def caseworker_changes(session: Session, scope: Scope) -> list[tuple[str, str | None, int]]:
    """(case id, business key, number of caseworker changes) for cases started in the period."""
    changes = (
        columns(col(Event.instance_id), func.count().label("changes"))
        .where(col(Event.municipality) == scope.municipality, col(Event.kind) == "caseworker_changed")
        .group_by(Event.instance_id)
        .subquery()
    )
    statement = (
        columns(col(Instance.id), col(Instance.business_key), func.coalesce(changes.c.changes, 0))
        .outerjoin(changes, changes.c.instance_id == Instance.id)
        .where(*_instance_scope(scope), *_period(col(Instance.started_at), scope))
    )
    return [(i, key, int(n)) for i, key, n in session.execute(statement).all()]


def first_values(
    session: Session, scope: Scope, *, kind: str, element_id: str | None, variable: str
) -> list[Any]:
    """(case id, first recorded value of `variable`) from events of `kind` (and element), per case."""
    value = _variable(session, variable).as_string()
    statement = (
        columns(col(Event.instance_id), func.min(value))
        .where(col(Event.municipality) == scope.municipality, col(Event.kind) == kind, value.is_not(None))
        .group_by(Event.instance_id)
    )
    if element_id is not None:
        statement = statement.where(col(Event.element_id) == element_id)
    if _needs_instance(scope) or scope.period_from or scope.period_to:
        statement = statement.join(Instance, col(Instance.id) == col(Event.instance_id)).where(
            *_instance_scope(scope), *_period(col(Instance.started_at), scope)
        )
    return list(session.execute(statement).all())
