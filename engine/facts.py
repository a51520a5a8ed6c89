"""Report facts, written as a case moves so that ledelsesinformation reads indexed columns and never
scans or parses the history (engine/reports.py defines what each figure means).

- `report_received_at` (instance): when the case's underretning arrived, from the start variables;
- milestones (instance columns): the first time a case reaches a step, the days from the report to
  the date the step names (the first talk with the child, the decision, the start of the measure);
- flags (`case_fact` rows): at each completion of a step, whether something the guidance asks for
  was done (the child heard before a decision, a talk alone before a follow-up, a supervision talk
  without the placement's staff present).

Element ids and variable names are the diagrams' contract (workflows/README.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from engine.calendar import local_date
from engine.deadlines import parse_instant
from engine.store import facts as repo
from engine.store.tables import Instance

RECEIVED = "report_received_at"


@dataclass(frozen=True)
class Milestone:
    column: str  # instance column holding the days from the report
    element_id: str  # the step that reaches it
    variable: str  # the date the step submits


@dataclass(frozen=True)
class Flag:
    name: str
    element_id: str
    variable: str
    counts: bool = True  # the flag is yes only when the variable is submitted as exactly this


MILESTONES = (
    Milestone("first_talk_days", "first_talks", "child_talk_held_at"),
    Milestone("decision_days", "decision", "decision_date"),
    Milestone("measure_start_days", "kickoff_meeting", "intervention_started_at"),
)
FLAGS = (
    Flag("child_perspective", "decision", "child_perspective_obtained"),
    Flag("talk_alone_before_follow_up", "follow_up", "child_talk_alone"),
    Flag("supervision_talk_without_staff", "supervision_visit", "staff_present", counts=False),
)


def on_start(variables: Mapping[str, Any]) -> dict[str, Any]:
    """Instance columns for a new case."""
    received = _instant(variables.get(RECEIVED))
    return {RECEIVED: received} if received is not None else {}


def on_completion(
    session: Session, instance: Instance, element_id: str, submitted: Mapping[str, Any], at: datetime
) -> dict[str, Any]:
    """Record the flags of this completion; return the instance columns it sets (saved with the step)."""
    for flag in FLAGS:
        if flag.element_id == element_id:
            repo.add_flag(session, instance, flag.name, submitted.get(flag.variable) is flag.counts, at)
    values: dict[str, Any] = {}
    for milestone in MILESTONES:
        if milestone.element_id != element_id or getattr(instance, milestone.column) is not None:
            continue
        days = days_between(instance.report_received_at, _instant(submitted.get(milestone.variable)))
        if days is not None:
            values[milestone.column] = days
    return values


def follow_caseworker(session: Session, instance_id: str, caseworker: str | None) -> None:
    """The case changed caseworker: its report rows follow (the caseworker view counts them)."""
    repo.follow_caseworker(session, instance_id, caseworker)


def days_between(start: datetime | None, end: datetime | None) -> int | None:
    """Calendar days between two instants, counted on Copenhagen dates."""
    if start is None or end is None:
        return None
    return (local_date(end) - local_date(start)).days


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_instant(value)
    except ValueError:
        return None
