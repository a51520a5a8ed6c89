"""Timers survive a killed server and fire exactly once with several worker processes (real time,
real uvicorn processes, SQLite and PostgreSQL)."""

import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from engine.bootstrap import build_engine
from engine.clock import SystemClock
from engine.definitions import DeployRequest
from engine.service import Engine
from engine.store.tables import Event, Timer

from support import bpmn
from support.actors import CASEWORKER, PROCESS_OWNER
from support.live import LiveServer
from support.settings import engine_settings


def _engine(url: str) -> Engine:
    return build_engine(engine_settings(url), SystemClock(), migrate=False)


def _start_cases(engine: Engine, count: int, due: datetime) -> list[str]:
    engine.deploy(
        DeployRequest([("t.bpmn", bpmn.timer_process("t", "${due}", kind="timeDate"))], name="t"),
        actor=PROCESS_OWNER,
    )
    return [
        engine.start_instance(actor=CASEWORKER, key="t", variables={"due": due.isoformat()}).id
        for _ in range(count)
    ]


def _fired_per_timer(engine: Engine) -> Counter[str]:
    with engine.store.read() as session:
        rows = session.exec(select(Event.task_id).where(Event.kind == "timer_fired")).all()
    return Counter(str(r) for r in rows)


def _wait_for(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.2)


def test_timers_due_while_the_server_was_killed_fire_once_after_restart(database_url: str) -> None:
    engine = _engine(database_url)
    server = LiveServer(database_url).start()
    cases = _start_cases(engine, 5, datetime.now(UTC) + timedelta(seconds=3))
    server.kill()  # SIGKILL before anything is due
    assert _fired_per_timer(engine) == Counter()
    time.sleep(4)  # every timer falls due while the service is down
    restarted = LiveServer(database_url).start()
    try:
        _wait_for(lambda: sum(_fired_per_timer(engine).values()) == len(cases), timeout=30)
        time.sleep(1.5)  # several more ticks: nothing may fire twice
        fired = _fired_per_timer(engine)
        assert sorted(fired.values()) == [1] * len(cases)
    finally:
        restarted.stop()
    again = LiveServer(database_url).start()
    time.sleep(1.5)
    again.stop()
    assert sorted(_fired_per_timer(engine).values()) == [1] * len(cases)
    engine.store.dispose()


@pytest.mark.slow
def test_three_workers_fire_a_thousand_timers_exactly_once(database_url: str) -> None:
    engine = _engine(database_url)
    count = 1000
    _start_cases(engine, count, datetime.now(UTC) + timedelta(seconds=1))
    server = LiveServer(database_url, workers=3).start(timeout=60)
    try:
        _wait_for(lambda: sum(_fired_per_timer(engine).values()) >= count, timeout=240)
        time.sleep(2)
    finally:
        server.stop()
    fired = _fired_per_timer(engine)
    assert len(fired) == count and set(fired.values()) == {1}
    with engine.store.read() as session:
        statuses = dict(session.exec(select(Timer.status, func.count()).group_by(Timer.status)).all())
    assert statuses == {"fired": count}
    with engine.store.read() as session:
        owners = session.exec(select(func.count(func.distinct(Timer.claimed_by)))).one()
    print(f"{count} timers fired once each by {owners} worker processes")  # noqa: T201
    engine.store.dispose()
