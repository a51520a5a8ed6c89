"""Report facts, written as a case moves so that ledelsesinformation reads indexed columns and never
scans or parses the history (engine/reports.py defines what each figure means).

- `report_received_at` (instance): when the case's underretning arrived, from the start variables;
- milestones (instance columns): the first time a case reaches a step, the days from the report to
  the date the step names (the first talk with the child, the decision, the start of the measure);
- flags (`case_fact` rows): at each completion of a step, whether something the guidance asks for
  was done (the child heard before a decision, a talk alone before a follow-up, a supervision talk
  without the placement's staff present).

Element ids and variable names are the diagrams' contract, declared in engine/contract.py and
checked at every deploy (engine/bpmn/contract_checks.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from engine import contract
from engine.calendar import local_date
from engine.deadlines import parse_instant
from engine.store import facts as repo
from engine.store.tables import Instance

RECEIVED = contract.RECEIVED
MILESTONES = contract.MILESTONES  # the steps the throughput medians count, by element id and field
FLAGS = contract.FLAGS  # the steps the involvement shares count


def on_start(variables: Mapping[str, Any]) -> dict[str, Any]:
    """Instance columns for a new case."""
    received = _instant(variables.get(RECEIVED))
    return {RECEIVED: received} if received is not None else {}


def on_completion(
    session: Session, instance: Instance, element_id: str, submitted: Mapping[str, Any], at: datetime
) -> dict[str, Any]:
    """Record the flags of this completion; return the instance columns it sets (saved with the step)."""
    for flag in FLAGS:
        if flag.field.element_id == element_id:
            yes = submitted.get(flag.field.variable) is flag.counts
            repo.add_flag(session, instance, flag.name, yes, at)
    values: dict[str, Any] = {}
    for milestone in MILESTONES:
        if milestone.field.element_id != element_id or getattr(instance, milestone.column) is not None:
            continue
        days = days_between(instance.report_received_at, _instant(submitted.get(milestone.field.variable)))
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
