"""Operations views on running cases: incidents, timers as jobs, and the activity-instance tree.

These are what Camunda 7 tools ask for (`/incident`, `/job`, `/activity-instances`). They
read case data, so each call writes an access-log row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from engine import access, audit, process_instances
from engine.bpmn.activities import activity_tree
from engine.errors import NotFoundError
from engine.model import ActivityInstanceInfo, Actor, IncidentInfo, JobInfo, Role
from engine.runner import Runner
from engine.store import definitions as definition_repo
from engine.store import monitoring as repo
from engine.store import start_timers as start_timer_repo
from engine.store.tables import Incident, Instance, StartTimer, Timer

OPERATORS = (Role.INTEGRATOR, Role.LEADER, Role.ADMIN)


@dataclass(frozen=True)
class IncidentFilter:
    instance_id: str | None = None
    incident_type: str | None = None
    element_id: str | None = None
    incident_id: str | None = None
    include_resolved: bool = False


@dataclass(frozen=True)
class JobFilter:
    instance_id: str | None = None
    element_id: str | None = None
    job_id: str | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    with_exception: bool = False
    descending: bool = False


def incidents(
    session: Session, runner: Runner, f: IncidentFilter, *, actor: Actor, offset: int, limit: int
) -> list[IncidentInfo]:
    access.require(actor, *OPERATORS)
    rows = repo.incidents(
        session,
        actor.municipality,
        instance_id=f.instance_id,
        incident_type=f.incident_type,
        element_id=f.element_id,
        incident_id=f.incident_id,
        open_only=not f.include_resolved,
        offset=offset,
        limit=limit,
    )
    audit.record(session, actor, action="search", purpose="incident list", at=runner.clock.now())
    return [_incident(i, inst) for i, inst in rows]


def jobs(
    session: Session,
    runner: Runner,
    f: JobFilter,
    *,
    actor: Actor,
    max_attempts: int,
    offset: int,
    limit: int,
) -> list[JobInfo]:
    """Timer jobs of process instances and, unless one process instance is asked for, the timer
    start events of deployed definitions (no process instance), merged by due instant."""
    access.require(actor, *OPERATORS)
    rows = repo.jobs(
        session,
        actor.municipality,
        instance_id=f.instance_id,
        element_id=f.element_id,
        job_id=f.job_id,
        due_before=f.due_before,
        due_after=f.due_after,
        with_exception=f.with_exception,
        descending=f.descending,
        offset=0,
        limit=offset + limit,
    )
    audit.record(session, actor, action="search", purpose="job list", at=runner.clock.now())
    found = [_job(t, i, max_attempts) for t, i in rows]
    if f.instance_id is None:
        found += [
            _start_job(s, max_attempts)
            for s in start_timer_repo.jobs(
                session, actor.municipality, element_id=f.element_id, job_id=f.job_id
            )
            if _matches(s, f)
        ]
    found.sort(key=lambda j: (j.due_at, j.id), reverse=f.descending)
    return found[offset : offset + limit]


def _matches(row: StartTimer, f: JobFilter) -> bool:
    return (
        (f.due_before is None or row.due_at < f.due_before)
        and (f.due_after is None or row.due_at > f.due_after)
        and (not f.with_exception or row.last_error is not None)
    )


def _start_job(row: StartTimer, max_attempts: int) -> JobInfo:
    return JobInfo(
        id=row.id,
        instance_id=None,
        definition_id=row.definition_id,
        process_key=row.process_key,
        element_id=row.element_id,
        due_at=row.due_at,
        created_at=row.created_at,
        status=row.status,
        retries=_retries_left(row.status, row.attempts, max_attempts),
        exception_message=row.last_error,
    )


def activity_instances(
    session: Session, runner: Runner, instance_id: str, *, actor: Actor
) -> ActivityInstanceInfo:
    """The tree of a running process instance, a case or a process one of its call activities
    started (an ended one has none: not found, as in Camunda)."""
    process, case = process_instances.visible_case(session, instance_id, actor)
    if process.state != "active":
        raise NotFoundError("Process instance", instance_id)
    workflow = runner.view(session, case)
    scope = workflow if process.id == case.id else workflow.child(process.id)
    if scope is None:
        raise NotFoundError("Process instance", instance_id)
    definition = definition_repo.get(session, process.definition_id)
    tree = activity_tree(
        scope,
        instance_id=process.id,
        definition_id=process.definition_id,
        process_key=process.process_key,
        process_name=definition.name if definition else None,
        incidents=repo.open_incident_ids(session, case.id),
    )
    audit.record(
        session,
        actor,
        action="read",
        purpose="activity instances",
        at=runner.clock.now(),
        instance_id=case.id,
    )
    return tree


def _incident(incident: Incident, instance: Instance) -> IncidentInfo:
    return IncidentInfo(
        id=incident.id,
        instance_id=incident.process_instance_id or incident.instance_id,
        definition_id=incident.definition_id or instance.definition_id,
        process_key=incident.process_key or instance.process_key,
        type=incident.type,
        message=incident.message,
        created_at=incident.created_at,
        task_id=incident.task_id,
        element_id=incident.element_id,
        resolved_at=incident.resolved_at,
    )


def _job(timer: Timer, instance: Instance, max_attempts: int) -> JobInfo:
    return JobInfo(
        id=timer.id,
        instance_id=timer.process_instance_id or timer.instance_id,
        definition_id=timer.definition_id or instance.definition_id,
        process_key=timer.process_key or instance.process_key,
        element_id=timer.element_id,
        due_at=timer.due_at,
        created_at=timer.created_at,
        status=timer.status,
        retries=_retries_left(timer.status, timer.attempts, max_attempts),
        exception_message=timer.last_error,
        due_date=timer.due_date,
        due_kind=timer.due_kind,
    )


def _retries_left(status: str, attempts: int, max_attempts: int) -> int:
    """Camunda's job retries: none once failed, else the attempts the tick has left."""
    return 0 if status == "failed" else max(max_attempts - attempts, 0)
