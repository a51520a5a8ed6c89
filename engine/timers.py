"""Durable timers: computing due instants on the legal calendar, mirroring them as rows, firing them.

When a token reaches a timer, `sync` computes its due instant once (Europe/Copenhagen calendar,
see `engine/calendar.py`), writes it into the SpiffWorkflow task and into a `timer` row, in the
same transaction as the step. The tick (`claim_due` then `fire` per timer) marks a row fired in
the same transaction that advances the instance, after re-checking the row under the instance
lock, so a timer fires at most once even with several workers, and every due row is eventually
fired after any downtime: nothing is discarded for being late.

Cycles: after a firing the next slot is computed from the anchor with calendar arithmetic
(no drift); after downtime a cycle fires once and continues from the next future slot.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import Row
from sqlmodel import Session

from engine.bpmn import inspect
from engine.bpmn.events import CYCLE_FIRE, FIRED
from engine.calendar import add_iso_duration, next_cycle_slot
from engine.deadlines import format_instant, parse_instant
from engine.errors import ProcessError
from engine.store import timers as repo
from engine.store.tables import Instance, Timer


@dataclass(frozen=True)
class TimerChange:
    """What `sync` did, for the event log. Cancelled rows are listed as they were before."""

    scheduled: list[Row[Any]]
    cancelled: list[Row[Any]]


def schedule(seen: inspect.Snapshot, now: datetime) -> dict[str, datetime]:
    """The due instant of every timer the workflow waits on, by task id. A timer seen for the first
    time gets its due instant computed now and stored in its task, so it never moves again."""
    dues = {}
    for waiting in seen.timers:
        due = _ensure_due(waiting, now)
        if due is not None:
            dues[str(waiting.task.id)] = due
    return dues


def sync(
    session: Session,
    instance: Instance,
    seen: inspect.Snapshot,
    dues: dict[str, datetime],
    now: datetime,
    *,
    may_have_pending: bool = True,
) -> TimerChange:
    """Make the pending timer rows of `instance` match `dues` (from `schedule`).
    `may_have_pending=False`: the caller knows there are none, so they are not read."""
    found = repo.pending_rows(session, instance.id) if may_have_pending else []
    pending = {row.task_id: row for row in found}
    new = [
        _new_row(instance, waiting, dues[task_id], now)
        for waiting in seen.timers
        if (task_id := str(waiting.task.id)) in dues and task_id not in pending
    ]
    scheduled = repo.insert_rows(session, new)
    cancelled = [row for task_id, row in pending.items() if task_id not in dues]
    repo.cancel_rows(session, [row.id for row in cancelled], now)
    return TimerChange(scheduled, cancelled)


def waiting_for(workflow: BpmnWorkflow, timer: Timer) -> inspect.WaitingTimer | None:
    return next((w for w in inspect.waiting_timers(workflow) if str(w.task.id) == timer.task_id), None)


def is_waiting(workflow: BpmnWorkflow, timer: Timer) -> bool:
    return waiting_for(workflow, timer) is not None


def mark_fired(workflow: BpmnWorkflow, timer: Timer) -> None:
    """Release the timer's waiting task in `workflow` (it must still wait: see `is_waiting`)."""
    waiting = waiting_for(workflow, timer)
    if waiting is None:
        raise ProcessError("the timer no longer waits", element_id=timer.element_id)
    waiting.task.internal_data[CYCLE_FIRE if waiting.kind == "cycle" else FIRED] = True
    waiting.task.task_spec._update(waiting.task)


def _new_row(
    instance: Instance, waiting: inspect.WaitingTimer, due: datetime, now: datetime
) -> dict[str, Any]:
    properties = inspect.extensions(waiting.task)
    return {
        "id": str(uuid.uuid4()),
        "instance_id": instance.id,
        "municipality": instance.municipality,
        "task_id": str(waiting.task.id),
        "element_id": inspect.element_id(waiting.task) or "",
        "name": inspect.element_name(waiting.task),
        "kind": waiting.kind,
        "purpose": properties.get("purpose"),
        "deadline": properties.get("deadline"),
        "due_at": due,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "team": instance.team,
        "caseworker": instance.caseworker,
    }


def _ensure_due(waiting: inspect.WaitingTimer, now: datetime) -> datetime | None:
    """The stored due instant, computing and storing it on first sight. None: cycle finished."""
    task = waiting.task
    value = task.internal_data.get("event_value")
    if waiting.kind == "cycle":
        return _cycle_due(waiting, value, now)
    if value is None:
        value = format_instant(_first_due(waiting, now))
        task.internal_data["event_value"] = value
    return parse_instant(value)


def _evaluate(waiting: inspect.WaitingTimer) -> Any:
    task = waiting.task
    try:
        return task.workflow.script_engine.evaluate(task, waiting.definition.expression)
    except Exception as err:
        raise ProcessError(f"timer expression failed: {err}", element_id=inspect.element_id(task)) from err


def _first_due(waiting: inspect.WaitingTimer, now: datetime) -> datetime:
    value = _evaluate(waiting)
    element = inspect.element_id(waiting.task)
    try:
        if waiting.kind == "duration":
            return add_iso_duration(now, str(value))
        return parse_instant(value)
    except ValueError as err:
        raise ProcessError(f"timer value {value!r}: {err}", element_id=element) from err


def _cycle_due(waiting: inspect.WaitingTimer, value: Any, now: datetime) -> datetime | None:
    task = waiting.task
    if value is None:
        value = _new_cycle(waiting, now)
        task.internal_data["event_value"] = value
    if value["cycles"] == 0:
        return None
    if value.get("next") is None:
        anchor = parse_instant(value["anchor"])
        value["next"] = format_instant(next_cycle_slot(anchor, value["period"], after=now))
    return parse_instant(value["next"])


def _new_cycle(waiting: inspect.WaitingTimer, now: datetime) -> dict[str, Any]:
    text = str(_evaluate(waiting))
    parts = text.split("/")
    element = inspect.element_id(waiting.task)
    try:
        cycles = int(parts[0][1:]) if parts[0][1:] else -1
        anchor = parse_instant(parts[1]) if len(parts) == 3 else now
        period = parts[-1]
        first = anchor if len(parts) == 3 and anchor > now else next_cycle_slot(anchor, period, after=now)
    except (ValueError, IndexError) as err:
        raise ProcessError(f"timer cycle {text!r}: {err}", element_id=element) from err
    return {
        "cycles": cycles,
        "anchor": format_instant(anchor),
        "period": period,
        "next": format_instant(first),
        "fired": 0,
    }
