"""The scheduler is a tick and a housekeeping job in memory, never a store of timers."""

import logging
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from apscheduler.jobstores.memory import MemoryJobStore
from sqlalchemy import text
from sqlmodel import select

from engine.bootstrap import build_engine
from engine.clock import FakeClock, SystemClock
from engine.definitions import DeployRequest
from engine.scheduler import MAINTENANCE_JOB_ID, TICK_JOB_ID, WAKE_JOB_ID, start_scheduler
from engine.service import Engine
from engine.store.tables import Timer

from support import bpmn
from support.actors import CASEWORKER, PROCESS_OWNER
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


@pytest.fixture
def wall_clock_engine(database_url: str) -> Iterator[Engine]:
    """The scheduler wakes on the wall clock, so these tests run the engine on it too."""
    built = build_engine(engine_settings(database_url), SystemClock(), migrate=False)
    built.deploy(DeployRequest([("t.bpmn", bpmn.timer_process("p", "PT2S"))], name="t"), actor=PROCESS_OWNER)
    yield built
    built.store.dispose()


def test_a_timer_due_before_the_next_tick_fires_on_time_not_a_tick_late(wall_clock_engine: Engine) -> None:
    case = wall_clock_engine.start_instance(actor=CASEWORKER, key="p")
    scheduler = start_scheduler(wall_clock_engine, tick_seconds=30)  # one tick now, the next in 30 s
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _timer(wall_clock_engine, case.id).status != "fired":
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
    timer = _timer(wall_clock_engine, case.id)
    assert timer.status == "fired" and timer.fired_at is not None
    assert timedelta(0) <= timer.fired_at - timer.due_at < timedelta(seconds=1)


def test_no_wake_up_for_a_timer_the_next_tick_reaches_first(wall_clock_engine: Engine) -> None:
    wall_clock_engine.start_instance(actor=CASEWORKER, key="p")  # due in 2 s, the next tick in 1 s
    scheduler = start_scheduler(wall_clock_engine, tick_seconds=1)
    try:
        time.sleep(0.3)
        assert scheduler.get_job(WAKE_JOB_ID) is None
    finally:
        scheduler.shutdown(wait=True)


def _timer(engine: Engine, case_id: str) -> Timer:
    with engine.store.read() as session:
        return session.exec(select(Timer).where(Timer.instance_id == case_id)).one()
