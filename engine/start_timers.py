"""Firing the timer start events of deployed definitions (see engine/start_schedule.py): the tick
starts one instance per due slot, under the row lock, for the definition's municipality."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import Session

from engine import incidents, instances
from engine.config import EngineSettings
from engine.errors import ConcurrentUpdateError, EngineError
from engine.model import system_actor
from engine.runner import Runner
from engine.start_schedule import next_due
from engine.store import start_timers as start_timer_repo
from engine.store.database import Store

log = logging.getLogger("sagsflow.timers")


def fire_due(store: Store, runner: Runner, settings: EngineSettings) -> tuple[int, int, int]:
    """Start an instance for every start timer due now: (due, fired, failed)."""
    with store.read() as session:
        ids = start_timer_repo.due_ids(session, runner.clock.now(), settings.timer_batch)
    fired = failed = 0
    for timer_id in ids:
        outcome = _fire_one(store, runner, settings, timer_id)
        fired += outcome == "fired"
        failed += outcome == "failed"
    return len(ids), fired, failed


def _fire_one(store: Store, runner: Runner, settings: EngineSettings, timer_id: str) -> str:
    try:
        with store.write() as session:
            return fire_locked(session, runner, timer_id)
    except ConcurrentUpdateError:
        return "retry"
    except EngineError as err:
        _record_failure(store, runner, settings, timer_id, err.message)
    except Exception as err:  # an internal failure: an attempt like any other
        reference = incidents.log_failure(f"start timer {timer_id}", err)
        _record_failure(store, runner, settings, timer_id, f"internal error (reference {reference})")
    return "failed"


def fire_locked(session: Session, runner: Runner, timer_id: str, *, force: bool = False) -> str:
    """Start the instance of one due start timer (re-checked under its row lock) and move the row
    to its next slot: "fired", or "already" when another worker fired this slot."""
    row = start_timer_repo.lock(session, timer_id)
    now = runner.clock.now()
    due = row is not None and row.due_at <= now and (row.retry_at is None or row.retry_at <= now)
    if row is None or row.status != start_timer_repo.PENDING or not (due or force):
        return "already"
    instances.start(
        session,
        runner,
        actor=system_actor(row.municipality),
        deadlines=runner.deadlines,
        definition_id=row.definition_id,
        start_event=row.element_id,
    )
    row.fired, row.fired_at, row.attempts, row.retry_at, row.last_error = row.fired + 1, now, 0, None, None
    following = next_due(row, now)
    if following is None:
        row.status = start_timer_repo.FIRED
    else:
        row.due_at = following
    session.add(row)
    return "fired"


def _record_failure(
    store: Store, runner: Runner, settings: EngineSettings, timer_id: str, message: str
) -> None:
    """A failed start is retried after a growing delay, and fails for good after
    `timer_max_attempts` (shown as a job with an exception, as Camunda's failed timer job)."""
    with store.write() as session:
        row = start_timer_repo.lock(session, timer_id)
        if row is None or row.status != start_timer_repo.PENDING:
            return
        row.attempts += 1
        row.last_error = message[:2000]
        row.retry_at = runner.clock.now() + timedelta(seconds=settings.timer_lease_seconds * row.attempts)
        if row.attempts >= settings.timer_max_attempts:
            row.status = start_timer_repo.FAILED
        session.add(row)
        log.warning("start timer %s of %s failed (attempt %d)", row.id, row.definition_id, row.attempts)
