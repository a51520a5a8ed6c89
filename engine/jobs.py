"""Operator commands on timers seen as Camunda jobs: execute one now, move its due date, set retries.

A job is a pending (or failed) timer row. Executing it fires the timer in the caller's
transaction exactly as the tick would (the instance locked, the row re-read under the lock).
Moving the due date rewrites both the row and the due instant stored in the waiting task, so
the next step does not move it back. Setting retries on a failed timer makes it pending again
and resolves its incident. Executing a failed timer fires it and resolves its incident too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlmodel import Session

from engine import access, audit, start_timers, tick, timers
from engine.calendar import local_date
from engine.deadlines import DueKind, format_instant
from engine.errors import InvalidVariablesError, NotFoundError, VariableProblem
from engine.model import Actor, Role
from engine.runner import Runner
from engine.store import external_tasks as incident_repo
from engine.store import instances as instance_repo
from engine.store import timers as repo
from engine.store.tables import Instance, StartTimer, Timer

OPERATORS = (Role.INTEGRATOR, Role.LEADER, Role.ADMIN)
JOB = "Job"


def execute(session: Session, runner: Runner, job_id: str, *, actor: Actor) -> None:
    """Fire the timer now, whatever its due instant (Camunda's POST /job/{id}/execute). A timer
    start event of a definition starts its instance now and moves on to its next slot."""
    if _start_timer(session, job_id, actor) is not None:
        if start_timers.fire_locked(session, runner, job_id, force=True) != "fired":
            raise NotFoundError(JOB, job_id)
        return
    timer, instance = _locked(session, runner, job_id, actor)
    if timer.status not in ("pending", "failed"):
        raise NotFoundError(JOB, job_id)
    if timer.status == "failed":
        _resolve_incident(session, timer, runner.clock.now())
    if tick.fire_locked(session, runner, instance, timer) != "fired":
        raise NotFoundError(JOB, job_id)
    _audit(session, runner, actor, instance, f"execute job {timer.element_id}")


def set_due_date(session: Session, runner: Runner, job_id: str, due: datetime, *, actor: Actor) -> None:
    """Move a pending timer to `due` (Camunda's PUT /job/{id}/duedate); a timer start event's
    next start moves (its cycle continues from there)."""
    start = _start_timer(session, job_id, actor)
    if start is not None:
        if start.status not in ("pending", "failed"):
            raise NotFoundError(JOB, job_id)
        start.due_at, start.retry_at = due, None
        session.add(start)
        audit.record(
            session, actor, action="update", purpose=f"move job {start.element_id}", at=runner.clock.now()
        )
        return
    timer, instance = _locked(session, runner, job_id, actor)
    if timer.status not in ("pending", "failed"):
        raise NotFoundError(JOB, job_id)
    workflow = runner.load(session, instance)
    waiting = timers.waiting_for(workflow, timer)
    if waiting is None:
        raise NotFoundError(JOB, job_id)
    previous = timer.due_at
    # an instant set by an operator: an elapsed deadline on the day it falls
    timer.due_at, timer.claimed_until = due, None
    timer.due_date, timer.due_kind = local_date(due), DueKind.ELAPSED.value
    session.add(timer)

    def move(_: BpmnWorkflow) -> None:
        _store_due(waiting, due)

    moved = instance_repo.NewEvent(
        runner.clock.now(),
        "timer_due_changed",
        actor.user_id,
        timer.element_id,
        timer.task_id,
        {"from": previous.isoformat(), "to": due.isoformat()},
    )
    runner.advance(session, instance, workflow, actor=actor, command=move, command_events=[moved])
    _audit(session, runner, actor, instance, f"move job {timer.element_id}")


def set_retries(session: Session, runner: Runner, job_id: str, retries: int, *, actor: Actor) -> None:
    """Retries > 0 make a failed timer pending again (fired on the next tick) and resolve its incident."""
    if retries < 0:
        raise InvalidVariablesError([VariableProblem("retries", "must be >= 0")])
    start = _start_timer(session, job_id, actor)
    if start is not None:
        if retries > 0 and start.status == "failed":
            start.status, start.attempts, start.retry_at = "pending", 0, None
            session.add(start)
            audit.record(
                session,
                actor,
                action="update",
                purpose=f"retries job {start.element_id}",
                at=runner.clock.now(),
            )
        return
    timer, instance = _locked(session, runner, job_id, actor)
    if retries == 0 or timer.status != "failed":
        return
    now = runner.clock.now()
    timer.status, timer.attempts, timer.claimed_until = "pending", 0, None
    session.add(timer)
    _resolve_incident(session, timer, now)
    if instance.next_due_at is None or timer.due_at < instance.next_due_at:
        following = {
            "next_due_at": timer.due_at,
            "next_due_date": timer.due_date,
            "next_due_kind": timer.due_kind,
        }
        instance_repo.save(session, instance, following)
    _audit(session, runner, actor, instance, f"retries job {timer.element_id}")


def _start_timer(session: Session, job_id: str, actor: Actor) -> StartTimer | None:
    access.require(actor, *OPERATORS)
    row = session.get(StartTimer, job_id)
    return row if row is not None and row.municipality == actor.municipality else None


def _resolve_incident(session: Session, timer: Timer, now: datetime) -> None:
    incident = incident_repo.open_incident_for(session, timer.task_id)
    if incident is not None:
        incident.resolved_at = now
        session.add(incident)


def _store_due(waiting: Any, due: datetime) -> None:
    value = waiting.task.internal_data.get("event_value")
    if isinstance(value, dict):  # a cycle: the next slot
        value["next"] = format_instant(due)
    else:
        waiting.task.internal_data["event_value"] = format_instant(due)
        waiting.task.internal_data[timers.DUE_DATE] = local_date(due).isoformat()
        waiting.task.internal_data[timers.DUE_KIND] = DueKind.ELAPSED.value


def _locked(session: Session, runner: Runner, job_id: str, actor: Actor) -> tuple[Timer, Instance]:
    access.require(actor, *OPERATORS)
    head = session.get(Timer, job_id)
    if head is None or head.municipality != actor.municipality:
        raise NotFoundError(JOB, job_id)
    instance = runner.lock(session, head.instance_id, actor.municipality)
    timer = repo.lock(session, job_id)
    if timer is None:
        raise NotFoundError(JOB, job_id)
    return timer, instance


def _audit(session: Session, runner: Runner, actor: Actor, instance: Instance, purpose: str) -> None:
    audit.record(
        session, actor, action="update", purpose=purpose, at=runner.clock.now(), instance_id=instance.id
    )
