"""Correcting the deadlines of cases stored before due dates had a last day (migration 0008).

Before, a calendar deadline (4 months, 3 months, 6 working days, an agreed date) was stored as one
instant: 00:00 of its last day for most rules (a BFU due 2.4.2027 breached at 2.4.2027 00:00),
the midnight ending the 6th working day for the receipt, 09:00 for an agreed follow-up date. Now
a calendar deadline is met any time on its last day and passes when that day has ended.

For every timer and task row without a `due_date` this module:

* fills `due_date` and `due_kind` from the rule the timer guards (its `deadline` property, see
  `engine.rules`) or the variable the task's due date reads;
* moves a pending calendar deadline from its old instant to the end of its last day, in the
  timer row, in the waiting timer of the case's state and in the task's due date;
* re-decides the outcome of a deadline that already ended, under the new meaning: a deadline
  breached at the old instant whose activity was done before the end of its last day was met; one
  recorded as met whose activity was cancelled rather than done was cancelled. A deadline recorded
  as met never becomes breached: the last day is never earlier than the old instant.

Every change is written to the case's history (`deadline_corrected`, with the old and new values),
by the system actor. Rows that already have a `due_date` are never touched again, so the
correction is idempotent; it runs at start-up and as `sagsflow correct-deadlines`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlmodel import Session, col, or_, select

from engine import timers
from engine.bpmn import inspect
from engine.bpmn.state import stored_state
from engine.calendar import end_of_day, local_date
from engine.clock import Clock
from engine.deadlines import DueKind, format_instant
from engine.model import SYSTEM_USER
from engine.runner import Runner
from engine.store import instances as instance_repo
from engine.store.database import Store
from engine.store.tables import Instance, Task, Timer

# The rules whose deadlines are calendar deadlines (engine/deadlines.py), and the variables that
# hold them, as the diagrams' timers (`deadline` property) and due dates (`${…}`) name them.
CALENDAR_RULES = frozenset({"report_receipt", "investigation", "child_plan", "follow_up", "supervision"})
ELAPSED_RULES = frozenset({"report_assessment"})
# Stored as the midnight that ended the last day (the old add_working_days), not as 00:00 of it.
ENDED_AT_MIDNIGHT = frozenset({"report_receipt"})
VARIABLE_RULES = {
    "report_assessment_due": "report_assessment",
    "report_receipt_due": "report_receipt",
    "investigation_due": "investigation",
    "child_plan_due": "child_plan",
    "first_follow_up_due": "follow_up",
    "follow_up_due": "follow_up",
    "supervision_visit_due": "supervision",
}
CORRECTED = "deadline_corrected"
log = logging.getLogger("sagsflow.corrections")


@dataclass
class CaseCorrection:
    """What was corrected in one case (the history entries written, as data)."""

    instance_id: str
    business_key: str | None
    changes: list[dict[str, Any]] = field(default_factory=list)


def pending_instances(session: Session) -> list[str]:
    """The cases with timer or task rows stored before due dates had a last day."""
    timer_ids = select(Timer.instance_id).where(col(Timer.due_date).is_(None))
    task_ids = select(Task.instance_id).where(col(Task.due_date).is_(None), col(Task.due_at).is_not(None))
    statement = select(Instance.id).where(
        or_(col(Instance.id).in_(timer_ids), col(Instance.id).in_(task_ids))
    )
    return list(session.exec(statement.order_by(col(Instance.id))).all())


def correct_all(store: Store, runner: Runner, clock: Clock, *, dry_run: bool = False) -> list[CaseCorrection]:
    """Correct every case that needs it, one transaction per case. `dry_run`: roll each back.
    A case that cannot be corrected (its state does not load) is logged, left as it was and
    tried again on the next run; the others go on."""
    with store.read() as session:
        ids = pending_instances(session)
    done = []
    for instance_id in ids:
        try:
            with store.write() as session:
                result = correct_case(session, runner, clock.now(), instance_id)
                if dry_run:
                    session.rollback()
        except Exception as err:
            log.error("deadlines of case %s not corrected: %s", instance_id, type(err).__name__)
            continue
        if result is not None:
            done.append(result)
    return done


def correct_case(session: Session, runner: Runner, now: datetime, instance_id: str) -> CaseCorrection | None:
    """Correct one case under its lock (None: nothing left to correct)."""
    row = instance_repo.lock(session, instance_id)
    if row is None:
        return None
    # Cases stored before due dates were stored before compaction too: their finished tasks say
    # which activity an ended deadline guarded, so they are kept here (the next step compacts).
    workflow = runner.view(session, row, compact_legacy=False)
    fixer = _CaseFixer(session, row, workflow, now)
    for timer in session.exec(
        select(Timer).where(Timer.instance_id == row.id, col(Timer.due_date).is_(None))
    ):
        fixer.timer(timer)
    for task in session.exec(
        select(Task).where(
            Task.instance_id == row.id, col(Task.due_date).is_(None), col(Task.due_at).is_not(None)
        )
    ):
        fixer.task(task)
    fixer.save()
    return CaseCorrection(row.id, row.business_key, fixer.changes)


class _CaseFixer:
    def __init__(self, session: Session, row: Instance, workflow: BpmnWorkflow, now: datetime) -> None:
        self.session, self.row, self.workflow, self.now = session, row, workflow, now
        self.changes: list[dict[str, Any]] = []
        self.state_changed = False
        self.moved: dict[str, tuple[datetime, date, str]] = {}  # activity task id -> corrected due

    def timer(self, timer: Timer) -> None:
        kind, day, due_at = _corrected_due(timer.deadline, timer.purpose, timer.due_at)
        spiff = inspect.find_task(self.workflow, timer.task_id)
        if timer.activity_task_id is None and spiff is not None:
            activity = inspect.attached_activity(spiff)
            timer.activity_task_id = str(activity.id) if activity is not None else None
        change: dict[str, Any] = {
            "element_id": timer.element_id,
            "deadline": timer.deadline,
            "due_date": day.isoformat(),
        }
        if timer.status == "pending":
            if due_at != timer.due_at:
                change |= {"due_at_before": format_instant(timer.due_at), "due_at": format_instant(due_at)}
                timer.due_at = due_at
            if spiff is not None:
                self._store_due(spiff, kind, day, due_at)
        elif timer.purpose == "breach":
            change |= self._outcome(timer, due_at)
        if timer.activity_task_id is not None and timer.purpose == "breach":
            self.moved[timer.activity_task_id] = (due_at, day, kind.value)
        timer.due_date, timer.due_kind = day, kind.value
        self.session.add(timer)
        if "due_at" in change or "outcome" in change:
            self.changes.append(change)

    def _store_due(self, spiff: Any, kind: DueKind, day: date, due_at: datetime) -> None:
        spiff.internal_data["event_value"] = format_instant(due_at)
        spiff.internal_data[timers.DUE_DATE] = day.isoformat()
        spiff.internal_data[timers.DUE_KIND] = kind.value
        self.state_changed = True

    def _outcome(self, timer: Timer, due_at: datetime) -> dict[str, Any]:
        """The outcome of an ended deadline, re-decided under the last-day meaning. Only a task
        row says when (or whether) the activity was done; without one the outcome stays."""
        activity = self.session.get(Task, timer.activity_task_id) if timer.activity_task_id else None
        new = timer.outcome
        if activity is not None and activity.state == "completed" and activity.completed_at is not None:
            if timer.outcome == "breached" and activity.completed_at < due_at:
                new = "met"
        elif activity is not None and activity.state == "cancelled" and timer.outcome == "met":
            new = "cancelled"
        if new == timer.outcome:
            return {}
        before, timer.outcome = timer.outcome, new
        return {"outcome_before": before, "outcome": new}

    def task(self, task: Task) -> None:
        if task.due_at is None:
            return
        moved = self.moved.get(task.id)
        if moved is not None:
            due_at, day, kind = moved
        else:
            kind_enum, day, due_at = _corrected_due(self._task_rule(task), "breach", task.due_at)
            kind = kind_enum.value
        if due_at != task.due_at:
            self.changes.append(
                {
                    "element_id": task.element_id,
                    "task_id": task.id,
                    "due_at_before": format_instant(task.due_at),
                    "due_at": format_instant(due_at),
                    "due_date": day.isoformat(),
                }
            )
            task.due_at = due_at
        task.due_date, task.due_kind = day, kind
        self.session.add(task)

    def _task_rule(self, task: Task) -> str | None:
        spiff = inspect.find_task(self.workflow, task.id)
        raw = str(inspect.extensions(spiff).get("camunda:dueDate") or "") if spiff is not None else ""
        variable = raw.strip().removeprefix("${").removesuffix("}").strip()
        return VARIABLE_RULES.get(variable)

    def save(self) -> None:
        self.session.flush()
        if self.state_changed:
            pending = self.session.exec(
                select(Timer)
                .where(Timer.instance_id == self.row.id, Timer.status == "pending")
                .order_by(col(Timer.due_at))
            ).first()
            values = {
                "state": stored_state(self.workflow),
                "next_due_at": pending.due_at if pending else None,
                "next_due_date": pending.due_date if pending else None,
                "next_due_kind": pending.due_kind if pending else None,
            }
            instance_repo.save(self.session, self.row, values)
        events = [
            instance_repo.NewEvent(self.now, CORRECTED, SYSTEM_USER, c.get("element_id"), c.get("task_id"), c)
            for c in self.changes
        ]
        instance_repo.add_events(self.session, self.row, events)


def _corrected_due(rule: str | None, purpose: str | None, stored: datetime) -> tuple[DueKind, date, datetime]:
    """(kind, last day, due instant) of a row stored with the old meaning."""
    if rule not in CALENDAR_RULES:
        return DueKind.ELAPSED, local_date(stored), stored
    day = local_date(stored - timedelta(microseconds=1)) if rule in ENDED_AT_MIDNIGHT else local_date(stored)
    if purpose != "breach":
        return DueKind.CALENDAR, day, stored  # a reminder on that day: it fires when the day begins
    return DueKind.CALENDAR, day, end_of_day(day)
