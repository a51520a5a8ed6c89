"""Mirroring an instance's wait states into the task and subscription tables after each step.

The tables let task lists, reports and message correlation run as indexed queries without
loading a single workflow. They are rewritten in the same transaction as the instance state.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from engine import contract
from engine.bpmn import inspect
from engine.bpmn.expressions import ISO_DURATION, ExpressionError, date_time_steps, is_juel, juel_to_python
from engine.bpmn.scripting import HELPER_NAMES
from engine.calendar import add_days, add_elapsed, add_months
from engine.camunda_forms import FormReference
from engine.deadlines import DEFAULT_SETTINGS, DeadlineSettings, Due, current_deadlines, due_after, due_on
from engine.errors import ProcessError
from engine.store import instances as instance_repo
from engine.store import process_instances as process_repo
from engine.store import tasks as task_repo
from engine.store.tables import Instance
from engine.store.tasks import TaskRow


@dataclass
class TaskChange:
    """What `sync_tasks` did. Closed rows are listed as they were before closing."""

    created: list[TaskRow] = field(default_factory=list)
    completed: list[TaskRow] = field(default_factory=list)
    cancelled: list[TaskRow] = field(default_factory=list)
    open: list[TaskRow] = field(default_factory=list)  # every task row open after the step


def sync_tasks(
    session: Session,
    instance: Instance,
    seen: inspect.Snapshot,
    now: datetime,
    *,
    completed_task_id: str | None = None,
    actor_id: str | None = None,
    cause: Mapping[str, Any] | None = None,
    deadlines: DeadlineSettings = DEFAULT_SETTINGS,
) -> TaskChange:
    """`cause`: what made this step (a deadline timer firing); kept on the user tasks it creates.
    A task's due date reads its deadline variables as the facts in its scope give them now."""
    change = TaskChange()
    open_rows = {row.id: row for row in task_repo.open_rows(session, instance.id)}
    live = seen.ready_user_tasks + seen.external_tasks
    caused = json.dumps(dict(cause), sort_keys=True) if cause else None
    new = [
        _new_task_row(instance, task, now, caused, deadlines)
        for task in live
        if str(task.id) not in open_rows
    ]
    created = {row.id: row for row in task_repo.insert_rows(session, new)}
    change.created = list(created.values())
    change.open = [open_rows.get(str(task.id)) or created[str(task.id)] for task in live]
    live_ids = {str(task.id) for task in live}
    closing = []
    for task_id, row in open_rows.items():
        if task_id in live_ids:
            continue
        done = task_id == completed_task_id
        (change.completed if done else change.cancelled).append(row)
        closing.append((task_id, "completed" if done else "cancelled", actor_id if done else None))
    task_repo.close_rows(session, closing, now)
    return change


def sync_subscriptions(session: Session, instance: Instance, seen: inspect.Snapshot, now: datetime) -> None:
    existing = instance_repo.subscription_keys(session, instance.id)
    wanted = {(str(w.task.id), w.definition.name): w for w in seen.messages}
    instance_repo.add_subscriptions(
        session,
        [
            {
                "id": str(uuid.uuid4()),
                "instance_id": instance.id,
                "municipality": instance.municipality,
                "task_id": task_id,
                "element_id": waiting.element_id or "",
                "message_name": name,
                "created_at": now,
            }
            for (task_id, name), waiting in wanted.items()
            if (task_id, name) not in existing
        ],
    )
    instance_repo.delete_subscriptions(session, [i for key, i in existing.items() if key not in wanted])


@dataclass
class ProcessChange:
    """The called process instances a step started and ended (each as it is after the step)."""

    started: list[inspect.CalledInstance] = field(default_factory=list)
    ended: list[inspect.CalledInstance] = field(default_factory=list)


def called_states(workflow: Any) -> dict[str, str]:
    """Each called process instance's state, read before a command changes the workflow."""
    return {i: c.state for i, c in inspect.called_instances(workflow).items()}


def sync_process_instances(
    session: Session,
    instance: Instance,
    seen: inspect.Snapshot,
    now: datetime,
    *,
    before: dict[str, str],
    is_new: bool,
) -> ProcessChange:
    """Mirror the case's process instances: the root when the case starts or ends, a called
    process when it starts or ends. Compared with `before` in memory: a step that starts or ends
    none writes nothing."""
    after = inspect.called_instances(seen.workflow)
    change = ProcessChange(started=[c for i, c in after.items() if i not in before])
    rows = [_root_row(instance, seen, now)] if is_new else []
    rows += [_called_row(instance, c, now) for c in change.started]
    process_repo.insert_rows(session, rows)
    ending = []
    for called_id, state in before.items():
        now_state = after[called_id].state if called_id in after else "completed"  # gone: pruned when done
        if state == "active" and now_state != "active":
            ending.append((called_id, now_state))
            if called_id in after:
                change.ended.append(after[called_id])
    if not is_new and instance.status == "active" and seen.workflow.completed:
        ending.append((instance.id, "completed"))
    process_repo.end_rows(session, ending, now)
    return change


def _root_row(instance: Instance, seen: inspect.Snapshot, now: datetime) -> dict[str, Any]:
    completed = bool(seen.workflow.completed)
    return {
        "id": instance.id,
        "root_id": instance.id,
        "super_id": None,  # every row of one insert names the same columns
        "super_task_id": None,
        "super_element_id": None,
        "definition_id": instance.definition_id,
        "process_key": instance.process_key,
        "business_key": instance.business_key,
        "municipality": instance.municipality,
        "state": "completed" if completed else "active",
        "started_at": now,
        "ended_at": now if completed else None,
    }


def _called_row(instance: Instance, called: inspect.CalledInstance, now: datetime) -> dict[str, Any]:
    return {
        "id": called.id,
        "root_id": instance.id,
        "super_id": called.super_id or instance.id,
        "super_task_id": called.super_task_id,
        "super_element_id": called.super_element_id,
        "definition_id": called.definition_id,
        "process_key": called.process_key,
        "business_key": called.business_key,
        "municipality": instance.municipality,
        "state": called.state,
        "started_at": now,
        "ended_at": None if called.state == "active" else now,
    }


def phase_of(seen: inspect.Snapshot, previous: str | None) -> str | None:
    """The `phase` property of the most recently activated element that has one (with parallel
    work, the newest step says best where the case stands), else the previous phase."""
    phased = [t for t in seen.active if inspect.extensions(t).get(contract.PHASE)]
    if not phased:
        return previous
    newest = max(phased, key=lambda t: t.last_state_change)
    return str(inspect.extensions(newest)[contract.PHASE])


def _new_task_row(
    instance: Instance, task: Any, now: datetime, cause: str | None, deadlines: DeadlineSettings
) -> dict[str, Any]:
    ext = inspect.extensions(task)
    is_user = bool(task.task_spec.manual)
    process = inspect.process_instance_of(task)
    return {
        "id": str(task.id),
        "instance_id": instance.id,
        "process_instance_id": process.id or instance.id,
        "definition_id": process.definition_id,
        "process_key": process.process_key,
        "municipality": instance.municipality,
        "element_id": inspect.element_id(task) or task.task_spec.name,
        "name": inspect.element_name(task),
        "kind": "user" if is_user else "external",
        "state": "open",
        "candidate_groups": _csv(_value(task, ext.get("camunda:candidateGroups"))),
        "candidate_users": _csv(_value(task, ext.get("camunda:candidateUsers"))),
        "assignee": _value(task, ext.get("camunda:assignee")) or None,
        "phase": ext.get(contract.PHASE),
        "topic": ext.get("camunda:topic"),
        "priority": _priority(ext.get("camunda:priority")),
        "created_at": now,
        **_due_columns(_due(task, ext.get("camunda:dueDate"), now, deadlines)),
        "cause": cause if is_user else None,
        "deadline": inspect.guarded_deadline(task),
        **(_form_columns(task, ext) if is_user else {"form_key": None, "form_ref": None}),
    }


def _form_columns(task: Any, ext: dict[str, Any]) -> dict[str, Any]:
    """camunda:formKey (an expression is evaluated) and camunda:formRef with its binding."""
    version = ext.get("camunda:formRefVersion")
    reference = FormReference(
        key=_value(task, ext.get("camunda:formKey")),
        ref=_value(task, ext.get("camunda:formRef")),
        binding=ext.get("camunda:formRefBinding") or "latest",
        version=int(version) if version and str(version).isdigit() else None,
    )
    return {"form_key": reference.key, "form_ref": reference.as_json()}


def _value(task: Any, raw: str | None, context: dict[str, Any] | None = None) -> str | None:
    if not raw or not is_juel(raw):
        return raw
    try:
        value = task.workflow.script_engine.evaluate(task, juel_to_python(raw, HELPER_NAMES), context)
    except (ExpressionError, Exception) as err:
        raise ProcessError(f"expression {raw!r} failed: {err}", element_id=inspect.element_id(task)) from err
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return None if value is None else str(value)


def _due_columns(due: Due | None) -> dict[str, Any]:
    if due is None:
        return {"due_at": None, "due_date": None, "due_kind": None}
    return {"due_at": due.due_at, "due_date": due.due_date, "due_kind": due.kind.value}


def _due(task: Any, raw: str | None, now: datetime, deadlines: DeadlineSettings) -> Due | None:
    """A task's due date is a deadline: a day is its last day (due when the day has ended); an
    instant (also Camunda's `${dateTime().plusDays(2).toDate()}`) is an elapsed deadline."""
    steps = date_time_steps(raw or "")
    if steps is not None:
        return Due.elapsed(_from_now(now, steps))
    value = _value(task, raw, current_deadlines(task.data, deadlines))
    if not value:
        return None
    try:
        if ISO_DURATION.match(value):
            return due_after(now, value, deadline=True)
        return due_on(value, deadline=True)
    except ValueError as err:
        raise ProcessError(f"due date {value!r}: {err}", element_id=inspect.element_id(task)) from err


def _from_now(now: datetime, steps: tuple[tuple[str, int], ...]) -> datetime:
    """Joda's DateTime arithmetic in Copenhagen: calendar units keep the wall time, clock units elapse."""
    instant = now
    for unit, amount in steps:
        if unit in ("years", "months"):
            instant = add_months(instant, amount * (12 if unit == "years" else 1))
        elif unit in ("weeks", "days"):
            instant = add_days(instant, amount * (7 if unit == "weeks" else 1))
        else:
            instant = add_elapsed(instant, timedelta(**{unit: amount}))
    return instant


def _csv(value: str | None) -> str:
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    return f",{','.join(items)}," if items else ""


def _priority(raw: str | None) -> int:
    try:
        return int(raw) if raw else 50
    except ValueError:
        return 50
