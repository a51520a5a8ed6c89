"""A server killed at each named point of the step pipeline leaves every case exactly before or
exactly after the step, never in between; a retry then does the step exactly once (SQLite and
PostgreSQL, real uvicorn processes, `os._exit(137)` at the point: see engine/faults.py)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import select

from engine.bootstrap import build_engine
from engine.clock import SystemClock
from engine.definitions import DeployRequest
from engine.errors import WrongStateError
from engine.faults import ENVIRONMENT, POINTS
from engine.service import Engine
from engine.store.tables import Event

from support import bpmn
from support.actors import CASEWORKER, PROCESS_OWNER
from support.consistency import picture, problems
from support.live import LiveServer
from support.settings import engine_settings

STEP_POINTS = [p for p in POINTS if p.startswith("step.")]
CRASHED = 137


def _engine(url: str) -> Engine:
    engine = build_engine(engine_settings(url, timer_lease_seconds=1), SystemClock(), migrate=False)
    engine.deploy(
        DeployRequest(
            [
                ("steps.bpmn", bpmn.task_timer_task_process("steps")),
                ("timer.bpmn", bpmn.timer_process("timer", "${due}", kind="timeDate")),
            ],
            name="crash",
        ),
        actor=PROCESS_OWNER,
    )
    return engine


def _events(engine: Engine, kind: str, task_id: str) -> int:
    with engine.store.read() as session:
        return len(session.exec(select(Event).where(Event.kind == kind, Event.task_id == task_id)).all())


def _complete(server: LiveServer, task_id: str) -> httpx.Response:
    with server.client() as client:
        return client.post(f"/tasks/{task_id}/complete", json={"variables": {}})


@pytest.mark.parametrize("point", STEP_POINTS)
def test_a_completion_cut_off_at_each_point_leaves_the_case_before_or_after(
    database_url: str, point: str
) -> None:
    engine = _engine(database_url)
    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    case = engine.start_instance(actor=CASEWORKER, key="steps", variables={"due": later})
    first = case.tasks[0].id
    before = picture(engine, case.id)
    crashing = LiveServer(database_url, env={ENVIRONMENT: point, "SAGSFLOW_RUN_SCHEDULER": "0"}).start()
    with pytest.raises(httpx.TransportError):  # the server dies before it answers
        _complete(crashing, first)
    assert crashing.wait_exit() == CRASHED, f"the server never reached {point}"

    cut = picture(engine, case.id)
    assert problems(engine, case.id) == []
    if point == "step.after_commit":  # committed: the step happened, whole
        assert cut.version == before.version + 1
        assert (first, "completed") in cut.tasks and [status for _, status in cut.timers] == ["pending"]
    else:  # not committed: nothing of it happened
        assert cut == before

    # The test's own engine is the restarted service: the retry completes the task exactly once.
    if point == "step.after_commit":
        with pytest.raises(WrongStateError):
            engine.complete_task(first, {}, actor=CASEWORKER)
    else:
        assert engine.complete_task(first, {}, actor=CASEWORKER).id == case.id
    assert _events(engine, "task_completed", first) == 1
    assert problems(engine, case.id) == []
    engine.store.dispose()


@pytest.mark.parametrize("point", ["timer.after_claim", *STEP_POINTS])
def test_a_timer_firing_cut_off_at_each_point_fires_once_after_restart(database_url: str, point: str) -> None:
    engine = _engine(database_url)
    due = datetime.now(UTC) - timedelta(seconds=1)
    case = engine.start_instance(actor=CASEWORKER, key="timer", variables={"due": due.isoformat()})
    before = picture(engine, case.id)
    [(timer_task, _)] = before.timers
    fast = {"SAGSFLOW_TICK_SECONDS": "0.2", "SAGSFLOW_TIMER_LEASE_SECONDS": "1"}  # claims lapse in 1 s
    crashing = LiveServer(database_url, env={ENVIRONMENT: point, **fast}).spawn()
    assert crashing.wait_exit(60) == CRASHED, f"the tick never reached {point}"

    cut = picture(engine, case.id)
    assert problems(engine, case.id) == []
    if point == "step.after_commit":
        assert [status for _, status in cut.timers] == ["fired"] and _events(
            engine, "timer_fired", timer_task
        ) == 1
    else:
        assert cut == before

    # The restarted service (the test's engine, same lease) fires what is due, once.
    time.sleep(1.1)  # the crashed tick's claim lapses
    for _ in range(3):
        engine.fire_due_timers()
    assert _events(engine, "timer_fired", timer_task) == 1
    assert [status for _, status in picture(engine, case.id).timers] == ["fired"]
    assert problems(engine, case.id) == []
    engine.store.dispose()
