"""Ledelsesinformation: where every case stands and how the deadlines are kept.

Every figure of `GET /reports/overview`, with its rule, its numerator and its denominator (the
definitions leaders rely on). "In the period" is the `from`/`to` filter; team and caseworker filters
narrow every figure to the cases (or rows) of that team or caseworker.

- **phases**: active cases per `phase` (the phase of the newest active task; `engine/waits.py`),
  with the longest time a case has been in it. Count: active cases. No period.
- **compliance**, one line per deadline rule (the timers' `deadline` property; its paragraph and
  whether it is law or municipal policy come from `engine/rules.py`, a rule the registry does not
  know is a municipality's own: policy). Each breach timer whose due instant falls in the period
  ends as exactly one of:
  *met* (the activity it is attached to was completed before the deadline passed: for a calendar
  deadline, any time on its last day, Copenhagen time), *breached* (its timer fired, or its
  activity was completed only after the deadline passed; a deadline still open after it passed
  counts here too) or *cancelled* (it ended before it passed without its activity being completed:
  the measure or case ended first, an interrupting event replaced it; the rule no longer applies).
  `share_met` = met / (met + breached); cancelled deadlines and deadlines not yet passed are in
  neither. Rules: § 136 (report_assessment), § 137 (report_receipt), § 20, stk. 3 (investigation),
  § 91 (child_plan), § 95 (follow_up: the first follow-up and each day agreed at a follow-up),
  § 156, stk. 5 (supervision); municipal policy: follow_up_default_interval (a follow-up due by the
  default interval because no day was agreed; engine/deadlines.py `follow_up_rule`).
- **late investigations** (§ 20, stk. 3): numerator and denominator of its own: `breached` = the
  investigation deadlines breached in the period (the investigations that needed a foreløbig
  vurdering); `provisional_assessments` = the foreløbig vurderinger (`provisional_assessment`)
  completed in the period; `finished` = the late investigations since finished, and
  `median_days_late` = the median of the days from their last day to the day they finished
  ("snarest"), over those finished.
- **shares** (engine/facts.py `FLAGS`), each yes / all completions of a step in the period:
  `child_perspective`: decisions (`decision`) with the child heard (`child_perspective_obtained`
  = true; § 5, stk. 3) / all decisions; `talk_alone_before_follow_up`: follow-ups (`follow_up`) with
  a talk with the child alone first (`child_talk_alone` = true; national guidance) / all
  follow-ups; `supervision_talk_without_staff`: supervision visits (`supervision_visit`) whose talk
  with the child took place without the placement's staff (`staff_present` = false; § 156, stk. 5:
  "as far as possible") / all supervision visits.
- **caseload**: active cases per caseworker (the user who last claimed a caseworker task). No period.
- **caseworker changes**: cases started in the period, by how many times their caseworker changed.
  The first caseworker to take a case is not a change; each later claim by another caseworker is.
- **throughput**: median days from the report's receipt (`report_received_at`) to the first talk
  with the child (`child_talk_held_at`), to the decision (`decision_date`) and to the start of the
  measure (`intervention_started_at`), as submitted the first time the case completed that step,
  over the cases started in the period that reached it. Days are counted on Copenhagen dates.

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
from engine.calendar import local_date
from engine.clock import Clock
from engine.contract import FLAGS, MILESTONES
from engine.model import Actor, Role
from engine.rules import BY_ID, Basis
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
    """One deadline rule: met / (met + breached); cancelled counted apart, never as met."""

    deadline: str
    met: int
    breached: int
    cancelled: int
    share_met: float | None
    paragraph: str  # of barnets lov; "—" for a municipality's own rule
    basis: str  # law, law_unconfirmed or policy (engine/rules.py)


@dataclass(frozen=True)
class LateInvestigations:
    """Investigations past their 4 months (§ 20, stk. 3): see the module docstring."""

    breached: int
    provisional_assessments: int
    finished: int
    median_days_late: float | None


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
    late_investigations: LateInvestigations


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
        late_investigations=_late_investigations(session, scope),
    )


def _compliance(session: Session, scope: Scope, now: datetime) -> Iterable[Compliance]:
    for deadline, (met, breached, overdue, cancelled) in repo.compliance(session, scope, now=now).items():
        late = breached + overdue
        rule = BY_ID.get(deadline)
        paragraph, basis = (rule.paragraph, rule.basis) if rule is not None else ("—", Basis.POLICY)
        yield Compliance(deadline, met, late, cancelled, _ratio(met, met + late), paragraph, basis.value)


def _late_investigations(session: Session, scope: Scope) -> LateInvestigations:
    late = repo.late_investigations(session, scope)
    days = sorted((local_date(done_at) - last_day).days for last_day, done_at in late if done_at)
    return LateInvestigations(
        breached=len(late),
        provisional_assessments=repo.completed_tasks(session, scope, "provisional_assessment"),
        finished=len(days),
        median_days_late=_median(days),
    )


def _median(values: list[int]) -> float | None:
    if not values:
        return None
    middle = len(values) // 2
    return float(values[middle]) if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


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
