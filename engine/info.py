"""Converting table rows into the frozen `engine.model` types the engine hands out."""

from __future__ import annotations

import json
from typing import Any

from engine.model import EventInfo, FormFieldInfo, InstanceInfo, TaskInfo, TimerInfo
from engine.store.tables import Event, Instance, Timer
from engine.store.tasks import TaskRow


def split_csv(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(",") if v)


def task_info(
    task: TaskRow,
    instance: Instance,
    form: tuple[FormFieldInfo, ...] = (),
    variables: dict[str, Any] | None = None,
) -> TaskInfo:
    return TaskInfo(
        id=task.id,
        instance_id=task.instance_id,
        element_id=task.element_id,
        name=task.name,
        kind=task.kind,
        state=task.state,
        municipality=task.municipality,
        business_key=instance.business_key,
        process_key=task.process_key,
        definition_id=task.definition_id,
        created_at=task.created_at,
        candidate_groups=split_csv(task.candidate_groups),
        candidate_users=split_csv(task.candidate_users),
        assignee=task.assignee,
        due_at=task.due_at,
        due_date=task.due_date,
        due_kind=task.due_kind,
        completed_at=task.completed_at,
        completed_by=task.completed_by,
        phase=task.phase,
        topic=task.topic,
        form=form,
        retries=task.retries,
        lock_owner=task.lock_owner,
        lock_expires_at=task.lock_expires_at,
        error_message=task.error_message,
        variables=variables,
        process_instance_id=task.process_instance_id,
        cause=json.loads(task.cause) if task.cause else None,
        deadline=task.deadline,
        case_phase=instance.phase,
        form_key=task.form_key,
        form_ref=json.loads(task.form_ref) if task.form_ref else None,
    )


def timer_info(timer: Timer) -> TimerInfo:
    return TimerInfo(
        id=timer.id,
        instance_id=timer.instance_id,
        element_id=timer.element_id,
        name=timer.name,
        kind=timer.kind,
        due_at=timer.due_at,
        status=timer.status,
        fired_at=timer.fired_at,
        attempts=timer.attempts,
        purpose=timer.purpose,
        deadline=timer.deadline,
        due_date=timer.due_date,
        due_kind=timer.due_kind,
        outcome=timer.outcome,
    )


def event_info(event: Event) -> EventInfo:
    return EventInfo(
        id=event.id or 0,
        instance_id=event.instance_id,
        at=event.at,
        kind=event.kind,
        actor=event.actor,
        element_id=event.element_id,
        task_id=event.task_id,
        data=json.loads(event.data),
    )


def instance_info(
    row: Instance,
    *,
    tasks: tuple[TaskInfo, ...] = (),
    timers: tuple[TimerInfo, ...] = (),
    history: tuple[EventInfo, ...] = (),
    variables: dict[str, Any] | None = None,
) -> InstanceInfo:
    return InstanceInfo(
        id=row.id,
        definition_id=row.definition_id,
        process_key=row.process_key,
        business_key=row.business_key,
        municipality=row.municipality,
        status=row.status,
        phase=row.phase,
        started_at=row.started_at,
        updated_at=row.updated_at,
        ended_at=row.ended_at,
        version=row.version,
        team=row.team,
        caseworker=row.caseworker,
        next_due_at=row.next_due_at,
        next_due_date=row.next_due_date,
        next_due_kind=row.next_due_kind,
        current_activities=tuple(json.loads(row.current_activities)),
        tasks=tasks,
        timers=timers,
        history=history,
        variables=variables,
    )
