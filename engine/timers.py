"""Durable timers: computing due instants on the legal calendar, mirroring them as rows, firing them.

When a token reaches a timer, `sync` computes its due instant once (Europe/Copenhagen calendar,
see `engine/calendar.py`), writes it into the SpiffWorkflow task and into a `timer` row, in the
same transaction as the step. The tick (`claim_due` then `fire` per timer) marks a row fired in
the same transaction that advances the instance, after re-checking the row under the instance
lock, so a timer fires at most once even with several workers, and every due row is eventually
fired after any downtime: nothing is discarded for being late.

Each timer is a `Due` (engine/deadlines.py): the instant it fires (`due_at`), the day it
belongs to (`due_date`) and whether it is an elapsed or a calendar deadline. A deadline timer
(`purpose` = breach) given a day fires when that day has ended; its outcome is decided when it
ends: **breached** when it fired (or its task was done only after it passed), **met** when the
activity it is attached to was completed before it passed, **cancelled** when it ended
otherwise before it passed (the measure or case ended first, an interrupting event took over:
the rule no longer applies). Cancelled is never met.

Cycles: after a firing the next slot is computed from the anchor with calendar arithmetic
(no drift), or from a Quartz cron expression (engine/cron.py); after downtime a cycle fires once
and continues from the next future slot.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import Row
from sqlmodel import Session

from engine import contract, cron
from engine.bpmn import inspect
from engine.bpmn.events import CYCLE_FIRE, FIRED
from engine.calendar import local_date, next_cycle_slot
from engine.deadlines import (
    DEFAULT_SETTINGS,
    RULE_SUFFIX,
    DeadlineSettings,
    Due,
    DueKind,
    current_deadlines,
    due_after,
    due_on,
    format_instant,
    parse_instant,
)
from engine.errors import ProcessError
from engine.store import timers as repo
from engine.store.tables import Instance, Timer


@dataclass(frozen=True)
class TimerChange:
    """What `sync` did, for the event log. Cancelled rows are listed as they were before."""

    scheduled: list[Row[Any]]
    cancelled: list[Row[Any]]
    outcomes: dict[str, str | None]  # of the cancelled rows, by timer id (None: not a deadline)


DUE_DATE = "sagsflow_due_date"
DUE_KIND = "sagsflow_due_kind"
DEADLINE_RULE = "sagsflow_deadline_rule"  # the rule that set this deadline, if not the timer's own
MET, BREACHED, CANCELLED = "met", "breached", "cancelled"


def schedule(
    seen: inspect.Snapshot, now: datetime, deadlines: DeadlineSettings = DEFAULT_SETTINGS
) -> dict[str, Due]:
    """The due of every timer the workflow waits on, by task id. A timer seen for the first time
    gets its due computed now (its deadline variables from the facts in its scope, see
    `engine.deadlines.current_deadlines`) and stored in its task, so it never moves again."""
    dues = {}
    for waiting in seen.timers:
        due = _ensure_due(waiting, now, deadlines)
        if due is not None:
            dues[str(waiting.task.id)] = due
    return dues


def sync(
    session: Session,
    instance: Instance,
    seen: inspect.Snapshot,
    dues: dict[str, Due],
    now: datetime,
    *,
    completed_task_ids: Collection[str] = (),
    may_have_pending: bool = True,
) -> TimerChange:
    """Make the pending timer rows of `instance` match `dues` (from `schedule`), ending the others
    with their outcome. `completed_task_ids`: the tasks this step completed.
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
    outcomes = {row.id: outcome(row, completed_task_ids, seen.workflow, now) for row in cancelled}
    repo.cancel_rows(session, list(outcomes.items()), now)
    return TimerChange(scheduled, cancelled, outcomes)


def outcome(
    row: Any, completed_task_ids: Collection[str], workflow: BpmnWorkflow, now: datetime
) -> str | None:
    """How a pending timer row that stops waiting at `now` ends (None: not a deadline)."""
    if row.purpose != repo.BREACH:
        return None
    if now >= row.due_at:
        return BREACHED
    activity = row.activity_task_id
    if activity is None or activity in completed_task_ids or inspect.is_completed(workflow, activity):
        return MET
    return CANCELLED


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


def _new_row(instance: Instance, waiting: inspect.WaitingTimer, due: Due, now: datetime) -> dict[str, Any]:
    properties = inspect.extensions(waiting.task)
    activity = inspect.attached_activity(waiting.task)
    called = inspect.process_instance_of(waiting.task)  # id None: the case's own process
    return {
        "id": str(uuid.uuid4()),
        "instance_id": instance.id,
        "municipality": instance.municipality,
        "task_id": str(waiting.task.id),
        "process_instance_id": called.id,
        "definition_id": called.definition_id if called.id else None,
        "process_key": called.process_key if called.id else None,
        "element_id": inspect.element_id(waiting.task) or "",
        "name": inspect.element_name(waiting.task),
        "kind": waiting.kind,
        "purpose": properties.get(contract.PURPOSE),
        "deadline": waiting.task.internal_data.get(DEADLINE_RULE) or properties.get(contract.DEADLINE),
        "due_at": due.due_at,
        "due_date": due.due_date,
        "due_kind": due.kind.value,
        "activity_task_id": str(activity.id) if activity is not None else None,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "team": instance.team,
        "caseworker": instance.caseworker,
    }


def _ensure_due(waiting: inspect.WaitingTimer, now: datetime, deadlines: DeadlineSettings) -> Due | None:
    """The stored due, computing and storing it on first sight. None: cycle finished."""
    task = waiting.task
    value = task.internal_data.get("event_value")
    if waiting.kind == "cycle":
        slot = _cycle_due(waiting, value, now)
        return None if slot is None else Due.elapsed(slot)
    if value is None:
        due = _first_due(waiting, now, deadlines)
        _note_rule(waiting, deadlines)
        task.internal_data["event_value"] = format_instant(due.due_at)
        task.internal_data[DUE_DATE] = due.due_date.isoformat()
        task.internal_data[DUE_KIND] = due.kind.value
        return due
    return stored_due(task.internal_data)


def _note_rule(waiting: inspect.WaitingTimer, deadlines: DeadlineSettings) -> None:
    """A deadline whose due date one of several rules sets (`<rule>_rule`, see engine/deadlines.py)
    is counted under the rule that set it: a follow-up due by the municipality's default interval
    is policy, not law."""
    rule = inspect.extensions(waiting.task).get(contract.DEADLINE)
    if not rule:
        return
    chosen = current_deadlines(waiting.task.data, deadlines).get(f"{rule}{RULE_SUFFIX}")
    if isinstance(chosen, str) and chosen != rule:
        waiting.task.internal_data[DEADLINE_RULE] = chosen


def stored_due(internal_data: dict[str, Any]) -> Due:
    """The due kept in a timer task. A timer stored before due dates existed has only its instant:
    it reads as elapsed, on the day the instant falls on (until `engine/corrections.py` fixes it)."""
    at = parse_instant(internal_data["event_value"])
    day = internal_data.get(DUE_DATE)
    kind = DueKind(internal_data.get(DUE_KIND, DueKind.ELAPSED.value))
    return Due(kind, date.fromisoformat(day) if day else local_date(at), at)


def _evaluate(waiting: inspect.WaitingTimer, deadlines: DeadlineSettings = DEFAULT_SETTINGS) -> Any:
    task = waiting.task
    try:
        derived = current_deadlines(task.data, deadlines)
        return task.workflow.script_engine.evaluate(task, waiting.definition.expression, derived)
    except Exception as err:
        raise ProcessError(f"timer expression failed: {err}", element_id=inspect.element_id(task)) from err


def _first_due(waiting: inspect.WaitingTimer, now: datetime, deadlines: DeadlineSettings) -> Due:
    value = _evaluate(waiting, deadlines)
    element = inspect.element_id(waiting.task)
    deadline = inspect.extensions(waiting.task).get(contract.PURPOSE) == repo.BREACH
    try:
        if waiting.kind == "duration":
            return due_after(_duration_start(waiting, now), str(value), deadline=deadline)
        return due_on(value, deadline=deadline)
    except ValueError as err:
        raise ProcessError(f"timer value {value!r}: {err}", element_id=element) from err


def _duration_start(waiting: inspect.WaitingTimer, now: datetime) -> datetime:
    """A duration counts from when the timer starts, or from the recorded fact named by the timer's
    `start_fact` property (a day counts from its beginning, so on a deadline the duration's last
    day is the same date months or days later)."""
    fact = inspect.extensions(waiting.task).get(contract.START_FACT)
    if not fact:
        return now
    start = waiting.task.data.get(str(fact).strip())
    if start in (None, ""):
        raise ValueError(f"the start fact '{fact}' has no value yet")
    return parse_instant(start)


def _cycle_due(waiting: inspect.WaitingTimer, value: Any, now: datetime) -> datetime | None:
    task = waiting.task
    if value is None:
        value = _new_cycle(waiting, now)
        task.internal_data["event_value"] = value
    if value["cycles"] == 0:
        return None
    if value.get("next") is None:
        value["next"] = format_instant(_next_slot(value, now))
    return parse_instant(value["next"])


def _next_slot(value: dict[str, Any], now: datetime) -> datetime:
    """The cycle's first slot after `now`: from its anchor, or its Quartz cron expression."""
    if value.get("cron"):
        found = cron.next_after(value["cron"], now)
        if found is None:
            raise ProcessError(f"the cron cycle {value['cron']!r} has no slot left")
        return found
    return next_cycle_slot(parse_instant(value["anchor"]), value["period"], after=now)


def _new_cycle(waiting: inspect.WaitingTimer, now: datetime) -> dict[str, Any]:
    text = str(_evaluate(waiting))
    parts = text.split("/")
    element = inspect.element_id(waiting.task)
    if cron.is_cron(text):  # Quartz: forever, on the Copenhagen wall clock
        try:
            first = _next_slot({"cron": text}, now)
        except ValueError as err:
            raise ProcessError(f"timer cycle {text!r}: {err}", element_id=element) from err
        return {
            "cycles": -1,
            "cron": text,
            "anchor": format_instant(now),
            "next": format_instant(first),
            "fired": 0,
        }
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
