"""The timer tick: claim due timer rows and fire each through the runner, once.

Claiming happens in its own short transaction (a lease, so a crashed worker's claims expire).
Each firing is one transaction that locks the instance, re-reads the timer row, and only if it
is still pending advances the instance and marks the row fired. Two workers that somehow hold
the same row therefore fire it once. A timer whose firing fails is retried on later ticks and
becomes an incident after `timer_max_attempts`; it never blocks the other timers.
"""

from __future__ import annotations

import logging
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from engine import contract, faults, incidents, start_timers, timers
from engine.config import EngineSettings
from engine.errors import ConcurrentUpdateError, EngineError
from engine.model import Actor, system_actor
from engine.runner import Runner
from engine.store import start_timers as start_timer_repo
from engine.store import timers as repo
from engine.store.database import Store
from engine.store.instances import NewEvent
from engine.store.tables import Incident, Instance, Timer

log = logging.getLogger("sagsflow.timers")
WORKER_ID = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class TickResult:
    claimed: int
    fired: int
    failed: int


def fire_due(store: Store, runner: Runner, settings: EngineSettings) -> TickResult:
    """Fire every timer due now (in batches until none is left), then the timer start events of
    deployed definitions (engine/start_timers.py). Safe to call from many workers."""
    claimed, fired, failed = start_timers.fire_due(store, runner, settings)
    while True:
        ids = _claim(store, runner, settings)
        if ids:
            faults.reach("timer.after_claim")
        claimed += len(ids)
        for timer_id in ids:
            outcome = _fire_one(store, runner, settings, timer_id)
            fired += outcome == "fired"
            failed += outcome == "failed"
        if len(ids) < settings.timer_batch:
            return TickResult(claimed, fired, failed)


def seconds_until_next(store: Store, runner: Runner) -> float | None:
    """How long until the next pending timer falls due (None: none is waiting). Timers already
    due are left out: the tick that just ran fired them, or they wait out a retry lease."""
    now = runner.clock.now()
    with store.read() as session:
        dues = [repo.next_due(session, after=now), start_timer_repo.next_due(session, after=now)]
    due = min((d for d in dues if d is not None), default=None)
    return None if due is None else (due - now).total_seconds()


def _claim(store: Store, runner: Runner, settings: EngineSettings) -> list[str]:
    now = runner.clock.now()
    with store.write() as session:
        return repo.claim_due(
            session,
            now=now,
            until=now + timedelta(seconds=settings.timer_lease_seconds),
            owner=WORKER_ID,
            limit=settings.timer_batch,
            postgres=not store.is_sqlite,
        )


def _fire_one(store: Store, runner: Runner, settings: EngineSettings, timer_id: str) -> str:
    try:
        with store.write() as session:
            return _fire_in(session, runner, timer_id)
    except ConcurrentUpdateError:
        return "retry"  # the lease expires and a later tick tries again
    except EngineError as err:
        _record_failure(store, runner, settings, timer_id, err.message)
        return "failed"
    except Exception as err:  # an internal failure: an attempt like any other, never the end of the tick
        reference = incidents.log_failure(f"fire timer {timer_id}", err)
        _record_failure(store, runner, settings, timer_id, f"internal error (reference {reference})")
        return "failed"


def _fire_in(session: Session, runner: Runner, timer_id: str) -> str:
    head = session.get(Timer, timer_id)
    if head is None:
        return "gone"
    instance = runner.lock(session, head.instance_id, head.municipality)
    timer = repo.lock(session, timer_id)
    if timer is None or timer.status != "pending":
        return "already"
    return fire_locked(session, runner, instance, timer)


def fire_locked(session: Session, runner: Runner, instance: Instance, timer: Timer) -> str:
    """Fire the pending `timer` of the locked `instance` now: "fired", or "gone" if nothing waits on it."""
    workflow = runner.load(session, instance)
    if not timers.is_waiting(workflow, timer):
        timer.status = "cancelled"
        session.add(timer)
        return "gone"
    timer.status, timer.fired_at, timer.claimed_until = "fired", runner.clock.now(), None
    if timer.purpose == repo.BREACH:
        timer.outcome = "breached"
    session.add(timer)
    actor = system_actor(instance.municipality)
    runner.advance(
        session,
        instance,
        workflow,
        actor=actor,
        command=lambda wf: timers.mark_fired(wf, timer),
        command_events=_fired_events(timer, actor),  # first in the history, then what the firing did
        cause=_cause(timer),
    )
    return "fired"


def _cause(timer: Timer) -> dict[str, Any] | None:
    """What a task made by this firing was made by: a deadline (its rule, when it fell due)."""
    if timer.purpose not in _PURPOSE_EVENTS:
        return None
    return {
        "kind": _PURPOSE_EVENTS[timer.purpose],
        "deadline": timer.deadline,
        "due_at": timer.due_at.isoformat(),
        "due_date": timer.due_date.isoformat() if timer.due_date else None,
        "due_kind": timer.due_kind,
        "element_id": timer.element_id,
        "name": timer.name,
    }


_PURPOSE_EVENTS = {contract.BREACH: "deadline_breached", contract.REMINDER: "deadline_reminder"}


def _fired_events(timer: Timer, actor: Actor) -> list[NewEvent]:
    fired_at = timer.fired_at or timer.due_at
    data = {
        "due_at": timer.due_at.isoformat(),
        "purpose": timer.purpose,
        "deadline": timer.deadline,
        "late_seconds": round((fired_at - timer.due_at).total_seconds(), 3),
    }
    kinds = ["timer_fired", *([_PURPOSE_EVENTS[timer.purpose]] if timer.purpose in _PURPOSE_EVENTS else [])]
    return [NewEvent(fired_at, kind, actor.user_id, timer.element_id, timer.task_id, data) for kind in kinds]


def _record_failure(
    store: Store, runner: Runner, settings: EngineSettings, timer_id: str, message: str
) -> None:
    with store.write() as session:
        timer = repo.lock(session, timer_id)
        if timer is None or timer.status != "pending":
            return
        timer.attempts += 1
        timer.last_error = message[:2000]
        timer.claimed_until = runner.clock.now() + timedelta(
            seconds=settings.timer_lease_seconds * timer.attempts
        )
        if timer.attempts >= settings.timer_max_attempts:
            timer.status = "failed"
            session.add(
                Incident(
                    id=str(uuid.uuid4()),
                    instance_id=timer.instance_id,
                    municipality=timer.municipality,
                    task_id=timer.task_id,
                    element_id=timer.element_id,
                    process_instance_id=timer.process_instance_id,
                    definition_id=timer.definition_id,
                    process_key=timer.process_key,
                    type="failedTimer",
                    message=message[:2000],
                    created_at=runner.clock.now(),
                )
            )
        session.add(timer)
        log.warning("timer %s on %s failed (attempt %d)", timer.id, timer.element_id, timer.attempts)
