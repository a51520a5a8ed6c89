"""External-task use cases in the engine (SQLite and PostgreSQL, fake clock): leases, retries,
incidents, BPMN errors, isolation and the access log."""

from __future__ import annotations

from datetime import timedelta

import anyio
import pytest
from sqlmodel import select

from engine.clock import FakeClock
from engine.definitions import DeployRequest
from engine.errors import LockedByOtherWorkerError, NotFoundError, WrongStateError
from engine.model import Actor, FetchRequest, Role, TopicSubscription
from engine.monitoring import IncidentFilter, JobFilter
from engine.service import Engine
from engine.store.tables import AccessLog

from support.camunda import screening_diagram

PROCESS_OWNER = Actor("po-1", "0101", frozenset({Role.PROCESS_OWNER}))
INTEGRATOR = Actor("svc-1", "0101", frozenset({Role.INTEGRATOR}))
ELSEWHERE = Actor("svc-2", "0202", frozenset({Role.INTEGRATOR}))


@pytest.fixture
def topic(engine: Engine) -> str:
    diagram = screening_diagram("engine")
    engine.deploy(DeployRequest([(diagram.file_name, diagram.content)], name="s"), actor=PROCESS_OWNER)
    engine.start_instance(
        actor=INTEGRATOR, key=diagram.process_id, business_key="S-1", variables={"caseId": "S-1"}
    )
    return diagram.topic


def fetch(
    engine: Engine, topic: str, worker: str = "w1", lock_ms: int = 1000, who: object = INTEGRATOR
) -> list[str]:
    request = FetchRequest(worker, (TopicSubscription(topic, lock_ms),), max_tasks=5)
    return [t.task.id for t in engine.fetch_and_lock(request, actor=who)]  # type: ignore[arg-type]


def test_a_lock_is_a_lease_that_expires(engine: Engine, clock: FakeClock, topic: str) -> None:
    (task_id,) = fetch(engine, topic, "w1")
    assert fetch(engine, topic, "w2") == []
    clock.advance(timedelta(seconds=2))
    assert fetch(engine, topic, "w2") == [task_id]
    with pytest.raises(LockedByOtherWorkerError, match="locked by worker 'w2'"):
        engine.complete_external_task(
            task_id, worker_id="w1", variables={}, local_variables={}, actor=INTEGRATOR
        )


def test_failure_waits_for_the_retry_timeout_and_counts_down_to_an_incident(
    engine: Engine, clock: FakeClock, topic: str
) -> None:
    (task_id,) = fetch(engine, topic)
    engine.fail_external_task(
        task_id,
        worker_id="w1",
        error_message="down",
        error_details="trace",
        retries=1,
        retry_timeout_ms=60_000,
        actor=INTEGRATOR,
    )
    assert fetch(engine, topic) == []
    clock.advance(timedelta(seconds=61))
    request = FetchRequest("w1", (TopicSubscription(topic, 1000),))
    (again,) = engine.fetch_and_lock(request, actor=INTEGRATOR)
    assert (again.task.retries, again.task.error_message) == (1, "down")
    engine.fail_external_task(
        task_id,
        worker_id="w1",
        error_message="still down",
        error_details=None,
        retries=0,
        retry_timeout_ms=0,
        actor=INTEGRATOR,
    )
    clock.advance(timedelta(seconds=1))
    assert fetch(engine, topic) == []
    incidents = engine.list_incidents(IncidentFilter(), actor=INTEGRATOR)
    assert [(i.type, i.message, i.task_id) for i in incidents] == [
        ("failedExternalTask", "still down", task_id)
    ]
    assert engine.list_incidents(IncidentFilter(), actor=ELSEWHERE) == []
    engine.set_external_task_retries(task_id, retries=2, actor=INTEGRATOR)
    assert engine.list_incidents(IncidentFilter(), actor=INTEGRATOR) == []
    assert fetch(engine, topic) == [task_id]


def test_extend_lock_needs_a_live_lock_of_the_same_worker(
    engine: Engine, clock: FakeClock, topic: str
) -> None:
    (task_id,) = fetch(engine, topic, lock_ms=1000)
    with pytest.raises(LockedByOtherWorkerError):
        engine.extend_external_task_lock(task_id, worker_id="w2", duration_ms=5000, actor=INTEGRATOR)
    engine.extend_external_task_lock(task_id, worker_id="w1", duration_ms=5000, actor=INTEGRATOR)
    clock.advance(timedelta(seconds=3))
    assert fetch(engine, topic, "w2") == []
    clock.advance(timedelta(seconds=3))
    with pytest.raises(WrongStateError, match="expired"):
        engine.extend_external_task_lock(task_id, worker_id="w1", duration_ms=5000, actor=INTEGRATOR)
    engine.unlock_external_task(task_id, actor=INTEGRATOR)
    assert fetch(engine, topic, "w3") == [task_id]


def test_uncaught_bpmn_error_ends_the_case(engine: Engine, topic: str) -> None:
    (task_id,) = fetch(engine, topic)
    case = engine.throw_bpmn_error(
        task_id, worker_id="w1", error_code="OTHER", error_message=None, variables={}, actor=INTEGRATOR
    )
    assert case.status == "completed" and case.tasks == ()
    history = engine.get_case(case.id, actor=INTEGRATOR).history
    assert [e.data.get("caught_by") for e in history if e.kind == "external_task_bpmn_error"] == [None]


def test_other_municipality_cannot_see_or_touch_the_task(engine: Engine, topic: str) -> None:
    assert fetch(engine, topic, who=ELSEWHERE) == []
    (task_id,) = fetch(engine, topic)
    with pytest.raises(NotFoundError):
        engine.complete_external_task(
            task_id, worker_id="w1", variables={}, local_variables={}, actor=ELSEWHERE
        )
    with pytest.raises(NotFoundError):
        engine.get_external_task(task_id, actor=ELSEWHERE)


def test_fetching_variables_writes_the_access_log(engine: Engine, topic: str) -> None:
    (task_id,) = fetch(engine, topic)
    with engine.store.read() as session:
        rows = session.exec(select(AccessLog).where(AccessLog.purpose == "external task screen")).all()
    assert [(r.actor, r.action) for r in rows] == [("svc-1", "read")]
    assert engine.list_jobs(JobFilter(), actor=INTEGRATOR) == []
    assert task_id


def test_long_poll_is_bounded_and_returns_empty(engine: Engine) -> None:
    request = FetchRequest("w1", (TopicSubscription("no-such-topic", 1000),))

    async def poll() -> list[object]:
        return list(await engine.fetch_and_lock_waiting(request, actor=INTEGRATOR, timeout_ms=300))

    assert anyio.run(poll) == []
