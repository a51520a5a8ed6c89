"""The scheduler is a tick and a housekeeping job in memory, never a store of timers."""

import logging
import time

from apscheduler.jobstores.memory import MemoryJobStore
from sqlalchemy import text

from engine.bootstrap import build_engine
from engine.clock import FakeClock
from engine.scheduler import MAINTENANCE_JOB_ID, TICK_JOB_ID, start_scheduler
from engine.service import Engine

from support.settings import engine_settings


def test_only_the_tick_and_housekeeping_run_from_memory(engine: Engine) -> None:
    scheduler = start_scheduler(engine, tick_seconds=60)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {TICK_JOB_ID, MAINTENANCE_JOB_ID}
        assert all(job.misfire_grace_time is None and job.coalesce for job in jobs.values())
        assert [type(store) for store in scheduler._jobstores.values()] == [MemoryJobStore]
        assert logging.getLogger("apscheduler.executors.default").getEffectiveLevel() == logging.WARNING
    finally:
        scheduler.shutdown(wait=True)


def test_housekeeping_gives_sqlite_planner_statistics(sqlite_url: str, clock: FakeClock) -> None:
    built = build_engine(engine_settings(sqlite_url), clock, migrate=False)
    try:
        scheduler = start_scheduler(built, tick_seconds=60)  # both jobs run once at start
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not _has_statistics(built):
                time.sleep(0.05)
        finally:
            scheduler.shutdown(wait=True)
        assert _has_statistics(built)
    finally:
        built.store.dispose()


def _has_statistics(engine: Engine) -> bool:
    with engine.store.read() as session:
        found = session.execute(text("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")).all()
        return bool(found) and bool(session.execute(text("SELECT count(*) FROM sqlite_stat1")).scalar())
