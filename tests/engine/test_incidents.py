"""Never a dead end: a step that fails for an internal reason leaves the case as it was, answers
with a reference, opens an incident an administrator sees, and a retry after the cause is fixed
works and resolves it (engine/incidents.py). SQLite and PostgreSQL, engine and HTTP."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from engine.bpmn import state as state_module
from engine.clock import FakeClock
from engine.definitions import DeployRequest
from engine.errors import StepFailedError
from engine.monitoring import IncidentFilter
from engine.service import Engine
from engine.store.tables import Event, Instance, Timer

from support import bpmn
from support.actors import ADMIN, CASEWORKER, PROCESS_OWNER

TWO_TASKS = bpmn.document(
    "two_tasks",
    """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="one"><bpmn:extensionElements><camunda:formData>
      <camunda:formField id="note" type="string" /></camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="two"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="one" />
    <bpmn:sequenceFlow id="f2" sourceRef="one" targetRef="two" />
    <bpmn:sequenceFlow id="f3" sourceRef="two" targetRef="end" />""",
)
SECRET = "CPR 010101-1234"  # case content: must never reach a log line or an incident


@pytest.fixture
def broken(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str | None], None]]:
    """Break the step of cases whose process is `key` (None: none) late, after its rows are written:
    compaction overflows as SpiffWorkflow's deep task trees did."""
    compact = state_module.compact
    failing: list[str | None] = [None]

    def breaking(workflow: Any) -> int:
        if workflow.spec.name == failing[0]:
            raise RecursionError("maximum recursion depth exceeded")
        return compact(workflow)

    monkeypatch.setattr(state_module, "compact", breaking)
    yield lambda key: failing.__setitem__(0, key)


def _open_task(engine: Engine, case_id: str, element: str) -> str:
    return next(t.id for t in engine.get_case(case_id, actor=CASEWORKER).tasks if t.element_id == element)


def test_a_failed_step_changes_nothing_opens_an_incident_and_a_retry_resolves_it(
    engine: Engine, broken: Callable[[str | None], None], caplog: pytest.LogCaptureFixture
) -> None:
    engine.deploy(DeployRequest([("t.bpmn", TWO_TASKS)], name="t"), actor=PROCESS_OWNER)
    case = engine.start_instance(actor=CASEWORKER, key="two_tasks")
    one = _open_task(engine, case.id, "one")
    before = _stored(engine, case.id)
    broken("two_tasks")

    with caplog.at_level(logging.ERROR), pytest.raises(StepFailedError) as failure:
        engine.complete_task(one, {"note": SECRET}, actor=CASEWORKER)

    reference, incident_id = failure.value.reference, failure.value.incident_id
    assert re.fullmatch(r"[0-9a-f]{12}", reference) and incident_id is not None
    assert reference in failure.value.message and incident_id in failure.value.message
    assert _stored(engine, case.id) == before  # state, version, history: as they were
    assert [t.element_id for t in engine.get_case(case.id, actor=CASEWORKER).tasks if t.state == "open"] == [
        "one"
    ]
    [incident] = engine.list_incidents(IncidentFilter(instance_id=case.id), actor=ADMIN)
    assert (incident.id, incident.type, incident.task_id, incident.element_id) == (
        incident_id,
        "failedStep",
        one,
        "one",
    )
    assert reference in incident.message and incident.resolved_at is None
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert reference in logged and "RecursionError" in logged
    assert SECRET not in logged and SECRET not in incident.message

    with pytest.raises(StepFailedError):  # the cause is still there: a second incident, same task
        engine.complete_task(one, {"note": SECRET}, actor=CASEWORKER)
    assert len(engine.list_incidents(IncidentFilter(instance_id=case.id), actor=ADMIN)) == 2

    broken(None)  # the cause is fixed
    after = engine.complete_task(one, {"note": "ok"}, actor=CASEWORKER)
    assert [t.element_id for t in after.tasks] == ["two"]
    assert engine.list_incidents(IncidentFilter(instance_id=case.id), actor=ADMIN) == []
    resolved = engine.list_incidents(IncidentFilter(instance_id=case.id, include_resolved=True), actor=ADMIN)
    assert len(resolved) == 2 and all(i.resolved_at is not None for i in resolved)
    assert _failed_steps(engine, case.id) == 0


def test_a_step_on_another_task_leaves_that_tasks_incident_open(
    engine: Engine, broken: Callable[[str | None], None]
) -> None:
    """An incident stays open while its task is open and was not the one completed."""
    parallel = bpmn.document(
        "both",
        """
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="fork"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>fa</bpmn:outgoing>
      <bpmn:outgoing>fb</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="a"><bpmn:incoming>fa</bpmn:incoming><bpmn:outgoing>ea</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="b"><bpmn:incoming>fb</bpmn:incoming><bpmn:outgoing>eb</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end_a"><bpmn:incoming>ea</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_b"><bpmn:incoming>eb</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <bpmn:sequenceFlow id="fa" sourceRef="fork" targetRef="a" />
    <bpmn:sequenceFlow id="fb" sourceRef="fork" targetRef="b" />
    <bpmn:sequenceFlow id="ea" sourceRef="a" targetRef="end_a" />
    <bpmn:sequenceFlow id="eb" sourceRef="b" targetRef="end_b" />""",
    )
    engine.deploy(DeployRequest([("p.bpmn", parallel)], name="p"), actor=PROCESS_OWNER)
    case = engine.start_instance(actor=CASEWORKER, key="both")
    broken("both")
    with pytest.raises(StepFailedError):
        engine.complete_task(_open_task(engine, case.id, "a"), {}, actor=CASEWORKER)
    broken(None)
    engine.complete_task(_open_task(engine, case.id, "b"), {}, actor=CASEWORKER)
    [still] = engine.list_incidents(IncidentFilter(instance_id=case.id), actor=ADMIN)
    assert still.element_id == "a" and _failed_steps(engine, case.id) == 1
    engine.complete_task(_open_task(engine, case.id, "a"), {}, actor=CASEWORKER)
    assert engine.list_incidents(IncidentFilter(instance_id=case.id), actor=ADMIN) == []


def test_a_timer_that_fails_internally_is_an_attempt_and_the_tick_goes_on(
    engine: Engine, clock: FakeClock, broken: Callable[[str | None], None]
) -> None:
    files = [
        ("a.bpmn", bpmn.timer_process("breaks", '"PT1H"')),
        ("b.bpmn", bpmn.timer_process("fine", '"PT1H"')),
    ]
    engine.deploy(DeployRequest(files, name="timers"), actor=PROCESS_OWNER)
    failing = engine.start_instance(actor=CASEWORKER, key="breaks")
    working = engine.start_instance(actor=CASEWORKER, key="fine")
    broken("breaks")
    clock.advance(timedelta(hours=2))
    result = engine.fire_due_timers()
    assert (result.fired, result.failed) == (1, 1)
    assert [t.element_id for t in engine.get_case(working.id, actor=CASEWORKER).tasks] == ["after"]
    with engine.store.read() as session:
        timer = session.exec(select(Timer).where(Timer.instance_id == failing.id)).one()
    assert timer.status == "pending" and timer.attempts == 1
    assert timer.last_error is not None and re.search(
        r"internal error \(reference [0-9a-f]{12}\)", timer.last_error
    )
    broken(None)
    clock.advance(timedelta(minutes=5))  # past the retry lease
    assert engine.fire_due_timers().fired == 1
    assert [t.element_id for t in engine.get_case(failing.id, actor=CASEWORKER).tasks] == ["after"]


def test_over_http_the_answer_names_the_reference_and_admins_see_the_incident_both_ways(
    client: TestClient, broken: Callable[[str | None], None]
) -> None:
    response = client.post("/definitions", files=[("files", ("t.bpmn", TWO_TASKS, "text/xml"))])
    assert response.status_code == 201, response.text
    case = client.post("/processes/two_tasks/start", json={"variables": {}}).json()
    task = case["tasks"][0]["id"]
    broken("two_tasks")

    failed = client.post(f"/tasks/{task}/complete", json={"variables": {"note": SECRET}})
    assert failed.status_code == 500 and failed.headers["content-type"] == "application/problem+json"
    problem = failed.json()
    assert problem["type"].endswith("/step-failed") and problem["reference"] in problem["detail"]
    assert SECRET not in failed.text
    native = client.get("/incidents", params={"case_id": case["id"]}).json()
    assert [(i["id"], i["type"], i["element_id"], i["task_id"]) for i in native] == [
        (problem["incident_id"], "failedStep", "one", task)
    ]
    camunda = client.get("/engine-rest/incident", params={"processInstanceId": case["id"]}).json()
    assert [(i["id"], i["incidentType"], i["activityId"]) for i in camunda] == [
        (problem["incident_id"], "failedStep", "one")
    ]
    camunda_failed = client.post(f"/engine-rest/task/{task}/complete", json={"variables": {}})
    assert camunda_failed.status_code == 500 and "reference" in camunda_failed.json()["message"]

    broken(None)
    assert client.post(f"/tasks/{task}/complete", json={"variables": {"note": "ok"}}).status_code == 200
    assert client.get("/incidents", params={"case_id": case["id"]}).json() == []
    history = client.get("/incidents", params={"case_id": case["id"], "include_resolved": "true"}).json()
    assert len(history) == 2 and all(i["resolved_at"] for i in history)
    assert client.get("/engine-rest/incident", params={"processInstanceId": case["id"]}).json() == []


def _stored(engine: Engine, case_id: str) -> tuple[Any, ...]:
    with engine.store.read() as session:
        row = session.get(Instance, case_id)
        assert row is not None
        events = session.exec(select(Event.kind).where(Event.instance_id == case_id)).all()
        return row.state, row.version, row.current_activities, list(events)


def _failed_steps(engine: Engine, case_id: str) -> int:
    with engine.store.read() as session:
        row = session.get(Instance, case_id)
        assert row is not None
        return row.failed_steps
