"""APScheduler as a tick, nothing more.

One in-memory interval job calls `Engine.fire_due_timers()`, and an hourly one does housekeeping.
No persistent job store and no job per timer: the timer table is the only source of truth (a
shared APScheduler job store fires twice, and its default misfire grace silently drops timers
that fell due during downtime).

So that a timer fires when it falls due rather than up to a tick later, each tick looks up the
next due instant and, when it comes before the next tick, adds a one-off wake-up for it (one
at a time, replaced by each tick). Timers created less than a tick before they fall due, by
this worker or another, still fire at the latest on the next tick.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler

from engine.logsafety import describe_exception
from engine.service import Engine

log = logging.getLogger("sagsflow.scheduler")
TICK_JOB_ID = "sagsflow-timer-tick"
WAKE_JOB_ID = "sagsflow-timer-wake"
MAINTENANCE_JOB_ID = "sagsflow-maintenance"
MAINTENANCE_HOURS = 1
WAKE_MARGIN_SECONDS = 0.001  # wake just after the due instant, never a hair before it


def _tick(engine: Engine, scheduler: BackgroundScheduler, tick_seconds: float) -> None:
    try:
        result = engine.fire_due_timers()
        if result.claimed:
            log.info(
                "timer tick: claimed %d, fired %d, failed %d",
                result.claimed,
                result.fired,
                result.failed,
            )
        _wake_for_next_timer(engine, scheduler, tick_seconds)
    except Exception as err:
        log.error("timer tick failed: %s", describe_exception(err))


def _wake_for_next_timer(engine: Engine, scheduler: BackgroundScheduler, tick_seconds: float) -> None:
    wait = engine.seconds_until_next_timer()
    if wait is None or wait >= tick_seconds or not scheduler.running:
        return
    with contextlib.suppress(SchedulerNotRunningError):  # shutting down
        scheduler.add_job(
            _tick,
            "date",
            run_date=_now() + timedelta(seconds=wait + WAKE_MARGIN_SECONDS),
            args=[engine, scheduler, tick_seconds],
            id=WAKE_JOB_ID,
            replace_existing=True,
            max_instances=2,  # the wake-up that runs adds the next one, which may fall due at once
        )


def _maintain(engine: Engine) -> None:
    try:
        engine.maintain()
    except Exception as err:
        log.error("maintenance failed: %s", describe_exception(err))


def start_scheduler(engine: Engine, tick_seconds: float) -> Any:
    # APScheduler logs two lines per run of a job at INFO: every second, for the tick. The tick
    # logs what it fired itself (sagsflow.scheduler).
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = BackgroundScheduler(
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
    )
    jobs: dict[str, tuple[Callable[..., None], list[Any], dict[str, float]]] = {
        TICK_JOB_ID: (_tick, [engine, scheduler, tick_seconds], {"seconds": tick_seconds}),
        MAINTENANCE_JOB_ID: (_maintain, [engine], {"hours": MAINTENANCE_HOURS}),
    }
    for job_id, (run, args, every) in jobs.items():
        scheduler.add_job(
            run, "interval", **every, args=args, id=job_id, replace_existing=True, next_run_time=None
        )
    scheduler.start()
    for job_id in jobs:  # each runs once right away, then at its interval
        scheduler.modify_job(job_id, next_run_time=_now())
    return scheduler


def _now() -> datetime:
    return datetime.now(UTC)  # noqa: TID251 - APScheduler schedules on the wall clock
