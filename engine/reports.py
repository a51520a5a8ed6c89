"""Ledelsesinformation: where every case stands and how the deadlines are kept.

How each figure is computed (the definitions leaders rely on):
- *phase*: the `phase` of the newest active task of an active case; *days in phase* count from
  when the case entered it.
- *deadlines*: the breach timers of the diagrams (camunda:property purpose=breach), per rule
  (`deadline` property). A deadline is **met** when its task was completed at or before the due
  instant (the timer was cancelled in time); **breached** when the timer fired, or the task was
  completed only after the due instant. A deadline still open and already overdue counts as
  breached too. Deadlines not yet due are not counted. The period filter applies to the due instant.
- *shares of decisions with the child's perspective* and *follow-ups preceded by a talk with the
  child alone*: completions of `decision` (child_perspective_obtained = true) and of `follow_up`
  (child_talk_alone = true) recorded in the period.
- *caseload*: active cases per caseworker (the user who last claimed a caseworker task).
- *changes of caseworker*: how often a case's caseworker changed, over cases started in the period.
- *throughput*: median days from the report's receipt (`report_received_at`) to the first talk with
  the child (`child_talk_held_at`), to the decision (`decision_date`) and to the start of the
  measure (`intervention_started_at`), as submitted the first time the case completed that step,
  over cases started in the period that reached it. Days are counted on Copenhagen dates.
The shares, milestones and caseworker changes are written as the case moves (engine/facts.py).
Every report call writes one access-log row (action "search"), like any other query of case data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from engine import access, audit
from engine.clock import Clock
from engine.contract import FLAGS, MILESTONES
from engine.model import Actor, Role
from engine.store import reports as repo
from engine.store.reports import Scope

REPORT_ROLES = (Role.LEADER, Role.ADMIN)
THROUGHPUT = tuple((m.name, m.column) for m in MILESTONES)


@dataclass(frozen=True)
class PhaseCount:
    phase: str | None
    cases: int
    longest_days: float | None


@dataclass(frozen=True)
class CaseStanding:
    id: str
    business_key: str | None
    phase: str | None
    days_in_phase: float
    current_tasks: tuple[str, ...]
    caseworker: str | None
    team: str | None


@dataclass(frozen=True)
class DeadlineRow:
    case_id: str
    business_key: str | None
    deadline: str | None
    element_id: str
    due_at: datetime  # the instant it passes
    due_date: date | None  # its last day (engine/deadlines.py)
    due_kind: str | None  # elapsed or calendar
    status: str
    caseworker: str | None
    team: str | None


@dataclass(frozen=True)
class Compliance:
    deadline: str
    met: int
    breached: int
    share_met: float | None


@dataclass(frozen=True)
class Share:
    name: str
    yes: int
    total: int
    share: float | None


@dataclass(frozen=True)
class Median:
    name: str
    cases: int
    median_days: float | None


@dataclass(frozen=True)
class Holder:
    """One person's share of the work: open tasks they hold (overdue, due within the week) and
    active cases they are caseworker of."""

    user: str
    open_tasks: int
    overdue_tasks: int
    due_soon_tasks: int
    active_cases: int


@dataclass(frozen=True)
class Overview:
    phases: tuple[PhaseCount, ...]
    compliance: tuple[Compliance, ...]
    shares: tuple[Share, ...]
    caseload: tuple[tuple[str | None, int], ...]
    caseworker_changes: tuple[tuple[int, int], ...]
    throughput: tuple[Median, ...]


def _scope(
    actor: Actor, team: str | None, caseworker: str | None, period: tuple[datetime | None, datetime | None]
) -> Scope:
    access.require(actor, *REPORT_ROLES)
    return Scope(actor.municipality, team, caseworker, period[0], period[1])


def _days(since: datetime | None, now: datetime) -> float | None:
    return None if since is None else round((now - since).total_seconds() / 86400, 1)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def overview(
    session: Session,
    clock: Clock,
    *,
    actor: Actor,
    team: str | None = None,
    caseworker: str | None = None,
    period: tuple[datetime | None, datetime | None] = (None, None),
) -> Overview:
    scope = _scope(actor, team, caseworker, period)
    now = clock.now()
    audit.record(session, actor, action="search", purpose="leader dashboard", at=now)
    return Overview(
        phases=tuple(
            PhaseCount(p, n, _days(oldest, now)) for p, n, oldest in repo.phase_counts(session, scope)
        ),
        compliance=tuple(_compliance(session, scope, now)),
        shares=tuple(_share(session, scope, flag.name) for flag in FLAGS),
        caseload=tuple(repo.caseload(session, scope)),
        caseworker_changes=tuple(repo.caseworker_changes(session, scope)),
        throughput=tuple(
            Median(name, *repo.median_days(session, scope, column)) for name, column in THROUGHPUT
        ),
    )


def _compliance(session: Session, scope: Scope, now: datetime) -> Iterable[Compliance]:
    for deadline, (met, breached, overdue) in repo.compliance(session, scope, now=now).items():
        late = breached + overdue
        yield Compliance(deadline, met, late, _ratio(met, met + late))


def _share(session: Session, scope: Scope, name: str) -> Share:
    yes, total = repo.share(session, scope, name)
    return Share(name, yes, total, _ratio(yes, total))


def standings(
    session: Session,
    clock: Clock,
    *,
    actor: Actor,
    phase: str | None = None,
    team: str | None = None,
    caseworker: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[list[CaseStanding], int]:
    """Active cases, longest in their phase first, with their current tasks."""
    scope = _scope(actor, team, caseworker, (None, None))
    now = clock.now()
    rows, total = repo.active_cases(session, scope, phase=phase, offset=offset, limit=limit)
    tasks: dict[str, list[str]] = {}
    for task in repo.open_user_tasks(session, [r.id for r in rows]):
        tasks.setdefault(task.instance_id, []).append(task.name)
    audit.record_each(
        session,
        actor,
        action="search",
        purpose="leader case overview",
        at=now,
        instance_ids=[r.id for r in rows],
    )
    return [
        CaseStanding(
            r.id,
            r.business_key,
            r.phase,
            _days(r.phase_since, now) or 0.0,
            tuple(sorted(tasks.get(r.id, []))),
            r.caseworker,
            r.team,
        )
        for r in rows
    ], total


def deadlines(
    session: Session,
    clock: Clock,
    *,
    actor: Actor,
    days: int,
    team: str | None = None,
    caseworker: str | None = None,
    period: tuple[datetime | None, datetime | None] = (None, None),
    limit: int = 500,
) -> tuple[list[DeadlineRow], list[DeadlineRow]]:
    """(due within `days` and still open, breached) deadlines."""
    scope = _scope(actor, team, caseworker, period)
    now = clock.now()
    due = repo.deadlines_due(session, scope, now=now, until=now + timedelta(days=days), limit=limit)
    late = repo.breached(session, scope, limit=limit)
    rows = [_deadline_row(r) for r in due], [_deadline_row(r) for r in late]
    cases = [r.case_id for r in rows[0] + rows[1]]
    audit.record_each(session, actor, action="search", purpose="deadline report", at=now, instance_ids=cases)
    return rows


def _deadline_row(row: Any) -> DeadlineRow:
    return DeadlineRow(
        row.case_id,
        row.business_key,
        row.deadline,
        row.element_id,
        row.due_at,
        row.due_date,
        row.due_kind,
        row.status,
        row.caseworker,
        row.team,
    )


def workload(
    session: Session, clock: Clock, *, actor: Actor, team: str | None = None, days: int = 7
) -> list[Holder]:
    """Who holds what: every person holding open tasks or caseworker of active cases, most open
    tasks first (the people a leader can assign work to, as far as Sagsflow knows them)."""
    scope = _scope(actor, team, None, (None, None))
    now = clock.now()
    audit.record(session, actor, action="search", purpose="workload report", at=now)
    held = {
        who: (n, late, near)
        for who, n, late, near in repo.task_holders(session, scope, now=now, soon=now + timedelta(days=days))
    }
    cases = {who: n for who, n in repo.caseload(session, scope) if who}
    people = sorted(set(held) | set(cases))
    found = [Holder(p, *held.get(p, (0, 0, 0)), cases.get(p, 0)) for p in people]
    return sorted(found, key=lambda h: (-h.open_tasks, -h.active_cases, h.user))
