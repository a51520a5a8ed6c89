"""Report queries: indexed SQL over the mirrored tables, identical on SQLite and PostgreSQL.

No workflow state and no history is read: the queries use the mirrored tables and the report
facts the engine writes as cases move (engine/facts.py), each with an index that covers it. Every
query is scoped to one municipality and optionally a team, a caseworker and a period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, null
from sqlalchemy import select as columns
from sqlmodel import Session, col, select

from engine import contract
from engine.store.tables import CaseFact, Instance, Task, Timer


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


def _row_scope(table: Any, scope: Scope) -> list[ColumnElement[bool]]:
    """Team and caseworker filters on report rows (timers, flags), which carry their case's team
    and current caseworker, so a team's rows are one index range and never a join."""
    conditions = []
    if scope.team is not None:
        conditions.append(table.team == scope.team)
    if scope.caseworker is not None:
        conditions.append(table.caseworker == scope.caseworker)
    return conditions


def _period(column: Any, scope: Scope) -> list[ColumnElement[bool]]:
    conditions = []
    if scope.period_from is not None:
        conditions.append(column >= scope.period_from)
    if scope.period_to is not None:
        conditions.append(column < scope.period_to)
    return conditions


def phase_counts(session: Session, scope: Scope) -> list[tuple[str | None, int, datetime | None]]:
    """Active cases per phase, with the oldest `phase_since` (longest waiting) per phase."""
    phase = _read(col(Instance.phase), scope)
    statement = (
        columns(phase, func.count(), func.min(col(Instance.phase_since)))
        .where(col(Instance.status) == "active", *_instance_scope(scope))
        .group_by(phase)
        .order_by(phase)
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
    """Breach deadlines with the columns a deadline report shows (plain rows, no ORM objects)."""
    statement: Any = columns(
        col(Instance.id).label("case_id"),
        col(Instance.business_key),
        col(Instance.caseworker),
        col(Instance.team),
        col(Timer.deadline),
        col(Timer.element_id),
        col(Timer.due_at),
        col(Timer.due_date),
        col(Timer.due_kind),
        col(Timer.status),
    ).join(Instance, col(Instance.id) == col(Timer.instance_id))
    return statement.where(
        col(Timer.municipality) == scope.municipality,
        col(Timer.purpose) == contract.BREACH,
        *_row_scope(Timer, scope),
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
        .where(col(Timer.outcome) == "breached", *_period(col(Timer.due_at), scope))
        .order_by(col(Timer.due_at).desc())
        .limit(limit)
    )
    return list(session.execute(statement).all())


def compliance(session: Session, scope: Scope, *, now: datetime) -> dict[str, tuple[int, int, int, int]]:
    """Per deadline rule: (met, breached, still open but already overdue, cancelled). Deadlines open
    and not yet due are not counted. Reads the outcome each timer got when it ended (a grouped count
    in index order), plus the few open ones that are overdue."""
    where = [
        col(Timer.municipality) == scope.municipality,
        col(Timer.purpose) == contract.BREACH,
        *_period(col(Timer.due_at), scope),
        *_row_scope(Timer, scope),
    ]
    rule, outcome = _read(col(Timer.deadline), scope), _read(col(Timer.outcome), scope)
    ended = columns(rule, outcome, func.count()).where(col(Timer.outcome).is_not(None), *where)
    # Counted here, not grouped in SQL: grouping by rule would lead the database to the index in
    # rule order, which has no status, instead of the open deadlines' own small index range.
    overdue = columns(col(Timer.deadline)).where(
        col(Timer.status) == "pending", col(Timer.due_at) <= now, *where
    )
    slots = {"met": 0, "breached": 1, "cancelled": 3}
    found: dict[str, list[int]] = {}
    for deadline, ending, count in session.execute(ended.group_by(rule, outcome)):
        found.setdefault(str(deadline), [0, 0, 0, 0])[slots.get(str(ending), 1)] += int(count)
    for deadline in session.execute(overdue).scalars():
        found.setdefault(str(deadline), [0, 0, 0, 0])[2] += 1
    return {
        deadline: (met, late, open_, gone) for deadline, (met, late, open_, gone) in sorted(found.items())
    }


def late_investigations(session: Session, scope: Scope) -> list[tuple[date, datetime | None]]:
    """(last day, when the investigation was finished or None) of every breached investigation
    deadline in the period: the ones that needed a foreløbig vurdering (§ 20, stk. 3)."""
    statement = (
        columns(col(Timer.due_date), col(Task.completed_at))
        .select_from(Timer)
        .outerjoin(Task, col(Task.id) == col(Timer.activity_task_id))
        .where(
            col(Timer.municipality) == scope.municipality,
            col(Timer.purpose) == "breach",
            col(Timer.deadline) == "investigation",
            col(Timer.outcome) == "breached",
            *_period(col(Timer.due_at), scope),
            *_row_scope(Timer, scope),
        )
    )
    return [(day, done) for day, done in session.execute(statement).all() if day is not None]


def completed_tasks(session: Session, scope: Scope, element_id: str) -> int:
    """How many times the step `element_id` was completed in the period (its cases in the scope)."""
    statement = (
        columns(func.count())
        .select_from(Task)
        .join(Instance, col(Instance.id) == col(Task.instance_id))
        .where(
            col(Task.municipality) == scope.municipality,
            col(Task.element_id) == element_id,
            col(Task.state) == "completed",
            *_instance_scope(scope),
            *_period(col(Task.completed_at), scope),
        )
    )
    return int(session.execute(statement).scalar_one())


def share(session: Session, scope: Scope, name: str) -> tuple[int, int]:
    """(yes, all) of the flag facts `name` recorded in the period (see engine/facts.py)."""
    statement = columns(func.sum(case((col(CaseFact.flag), 1), else_=0)), func.count()).where(
        col(CaseFact.municipality) == scope.municipality,
        col(CaseFact.name) == name,
        *_period(col(CaseFact.at), scope),
    )
    statement = statement.where(*_row_scope(CaseFact, scope))
    yes, total = session.execute(statement).one()
    return int(yes or 0), int(total or 0)


def caseload(session: Session, scope: Scope) -> list[tuple[str | None, int]]:
    statement = (
        columns(col(Instance.caseworker), func.count())
        .where(col(Instance.status) == "active", *_instance_scope(scope))
        .group_by(Instance.caseworker)
        .order_by(func.count().desc(), col(Instance.caseworker).asc().nulls_last())
    )
    return [(who, int(n)) for who, n in session.execute(statement).all()]


def _read(column: Any, scope: Scope) -> Any:
    """`column` as a team- or caseworker-scoped query should read it: as an expression
    (COALESCE(column, NULL), the same value), which no index can supply in order, so the database
    narrows by the scope's covering index instead of walking the whole municipality along an
    index of `column` and looking each row up. Unscoped, as is."""
    scoped = scope.team is not None or scope.caseworker is not None
    return func.coalesce(column, null()) if scoped else column


def caseworker_changes(session: Session, scope: Scope) -> list[tuple[int, int]]:
    """(changes of caseworker, cases) over the cases started in the period."""
    changes = _read(col(Instance.caseworker_changes), scope)
    statement = (
        columns(changes, func.count())
        .where(*_instance_scope(scope), *_period(col(Instance.started_at), scope))
        .group_by(changes)
        .order_by(changes)
    )
    return [(int(n), int(cases)) for n, cases in session.execute(statement).all()]


def median_days(session: Session, scope: Scope, column: str) -> tuple[int, float | None]:
    """(cases, median) of the milestone `column` over the cases started in the period that reached
    it. The median is read from the index: count, then the middle one or two values."""
    days = _read(getattr(Instance, column), scope)
    where = [days.is_not(None), *_instance_scope(scope), *_period(col(Instance.started_at), scope)]
    count = int(session.execute(columns(func.count()).where(*where)).scalar_one())
    if count == 0:
        return 0, None
    middle = columns(days).where(*where).order_by(days).offset((count - 1) // 2).limit(2 - count % 2)
    values = [int(v) for v in session.execute(middle).scalars()]
    return count, sum(values) / len(values)


def task_holders(
    session: Session, scope: Scope, *, now: datetime, soon: datetime
) -> list[tuple[str, int, int, int]]:
    """Per person holding open user tasks: (assignee, open, overdue, due before `soon`)."""
    overdue = func.sum(case((col(Task.due_at) < now, 1), else_=0))
    due_soon = func.sum(case(((col(Task.due_at) >= now) & (col(Task.due_at) < soon), 1), else_=0))
    statement = (
        columns(col(Task.assignee), func.count(), overdue, due_soon)
        .join(Instance, col(Instance.id) == col(Task.instance_id))
        .where(
            col(Task.municipality) == scope.municipality,
            col(Task.state) == "open",
            col(Task.kind) == "user",
            col(Task.assignee).is_not(None),
            *_instance_scope(scope),
        )
        .group_by(Task.assignee)
    )
    return [
        (str(who), int(n), int(late or 0), int(near or 0))
        for who, n, late, near in session.execute(statement).all()
    ]
