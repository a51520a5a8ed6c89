"""Timer firing lag with 100,000 timers waiting.

The database holds `waiting` cases each waiting on a far-future timer (one real case cloned, so
every clone could fire like the original), plus `measured` cases whose timers fall due while a
real Sagsflow server runs its tick. Lag = fired_at - due_at of the measured timers, as the server
recorded them.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlmodel import col

from benchmarks.servers import Sagsflow
from engine.bootstrap import build_engine
from engine.clock import SystemClock
from engine.config import EngineSettings
from engine.definitions import DeployRequest
from engine.model import Actor, Role
from engine.store.tables import Instance, Timer

ADMIN = Actor("bench", "0101", frozenset({Role.ADMIN}), frozenset({"team-a"}))
KEY = "bench_timer"
FAR_FUTURE = datetime(2099, 1, 1, tzinfo=UTC)
BATCH = 2000


def timer_process() -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_timer" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{KEY}" name="Frist" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="deadline" name="Frist">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDate>${{due}}</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="after" name="Efter fristen" camunda:candidateGroups="raadgiver">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="deadline" />
    <bpmn:sequenceFlow id="f2" sourceRef="deadline" targetRef="after" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
""".encode()


def seed_waiting(database_url: str, waiting: int) -> None:
    """`waiting` cases waiting on a timer due in 2099: one started for real, the rest its clones."""
    engine = build_engine(_settings(database_url), SystemClock())
    try:
        engine.deploy(DeployRequest([("timer.bpmn", timer_process())], name="timer"), actor=ADMIN)
        original = engine.start_instance(actor=ADMIN, key=KEY, variables={"due": FAR_FUTURE.isoformat()})
        with engine.store.write() as session:
            case = session.get(Instance, original.id)
            timer = session.scalars(select(Timer).where(col(Timer.instance_id) == original.id)).one()
            assert case is not None
            case_row, timer_row = _columns(case), _columns(timer)
        for start in range(1, waiting, BATCH):
            count = min(BATCH, waiting - start)
            cases, timers = [], []
            for _ in range(count):
                case_id = str(uuid.uuid4())
                cases.append({**case_row, "id": case_id, "business_key": None})
                timers.append({**timer_row, "id": str(uuid.uuid4()), "instance_id": case_id})
            with engine.store.write() as session:
                session.connection().execute(insert(Instance.__table__), cases)  # type: ignore[attr-defined]
                session.connection().execute(insert(Timer.__table__), timers)  # type: ignore[attr-defined]
    finally:
        engine.store.dispose()


def measure_lag(database_url: str, measured: int, spread_seconds: float, lead_seconds: float) -> list[float]:
    """Start `measured` cases with timers due from `lead_seconds` on, spread over `spread_seconds`;
    run a server until all fired; return each timer's lag in seconds."""
    engine = build_engine(_settings(database_url), SystemClock())
    first_due = datetime.now(UTC) + timedelta(seconds=lead_seconds)
    ids = []
    for i in range(measured):
        due = first_due + timedelta(seconds=spread_seconds * i / max(1, measured - 1))
        ids.append(engine.start_instance(actor=ADMIN, key=KEY, variables={"due": due.isoformat()}).id)
    server = Sagsflow(database_url, env={"SAGSFLOW_TICK_SECONDS": "1"}).start()
    try:
        deadline = time.monotonic() + lead_seconds + spread_seconds + 120
        while _fired(engine, ids) < measured:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {_fired(engine, ids)} of {measured} timers fired")
            time.sleep(0.5)
    finally:
        server.stop()
    with engine.store.read() as session:
        rows = session.scalars(select(Timer).where(col(Timer.instance_id).in_(ids))).all()
    engine.store.dispose()
    return [(r.fired_at - r.due_at).total_seconds() for r in rows if r.fired_at is not None]


def _fired(engine: Any, ids: list[str]) -> int:
    with engine.store.read() as session:
        statement = select(func.count()).where(col(Timer.instance_id).in_(ids), col(Timer.status) == "fired")
        return int(session.execute(statement).scalar_one())


def pending_count(database_url: str) -> int:
    engine = build_engine(_settings(database_url), SystemClock(), migrate=False)
    with engine.store.read() as session:
        count = session.execute(select(func.count()).where(col(Timer.status) == "pending")).scalar_one()
    engine.store.dispose()
    return int(count)


def _columns(row: Any) -> dict[str, Any]:
    return {c.name: getattr(row, c.name) for c in row.__table__.columns}


def _settings(database_url: str) -> EngineSettings:
    return EngineSettings(database_url=database_url, run_scheduler=False, deploy_workflows_on_start=False)
