"""APScheduler as a tick, nothing more.

One in-memory interval job calls `Engine.fire_due_timers()`, and an hourly one does housekeeping.
No persistent job store and no job per timer: the timer table is the only source of truth (a
shared APScheduler job store fires twice, and its default misfire grace silently drops timers
that fell due during downtime).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from engine.logsafety import describe_exception
from engine.service import Engine

log = logging.getLogger("sagsflow.scheduler")
TICK_JOB_ID = "sagsflow-timer-tick"
MAINTENANCE_JOB_ID = "sagsflow-maintenance"
MAINTENANCE_HOURS = 1


def _tick(engine: Engine) -> None:
    try:
        result = engine.fire_due_timers()
        if result.claimed:
            log.info(
                "timer tick: claimed %d, fired %d, failed %d",
                result.claimed,
                result.fired,
                result.failed,
            )
    except Exception as err:
        log.error("timer tick failed: %s", describe_exception(err))


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
    jobs: dict[str, tuple[Callable[[Engine], None], dict[str, float]]] = {
        TICK_JOB_ID: (_tick, {"seconds": tick_seconds}),
        MAINTENANCE_JOB_ID: (_maintain, {"hours": MAINTENANCE_HOURS}),
    }
    for job_id, (run, every) in jobs.items():
        scheduler.add_job(
            run, "interval", **every, args=[engine], id=job_id, replace_existing=True, next_run_time=None
        )
    scheduler.start()
    for job_id in jobs:  # each runs once right away, then at its interval
        scheduler.modify_job(job_id, next_run_time=_now(engine))
    return scheduler


def _now(engine: Engine) -> Any:
    from datetime import UTC, datetime  # noqa: PLC0415

    return datetime.now(UTC)  # noqa: TID251 - APScheduler schedules on the wall clock
