"""The real Python clients against a live, secured Sagsflow (SQLite and PostgreSQL).

- camunda-external-task-client-python3 4.5.0 (`camunda`): worker and EngineClient, Basic auth.
- camunda-client 0.15.0 (`camunda_client`): async engine and external-task clients; its pydantic
  models validate our answers strictly (UUID ids, `links`, capitalised variable types, ...).
Workers run a bounded number of `fetch_and_execute` rounds; `subscribe()` never returns.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from camunda.client.engine_client import EngineClient
from camunda.external_task.external_task import ExternalTask, TaskResult
from camunda.external_task.external_task_worker import ExternalTaskWorker, NoExternalTaskFound
from camunda_client.clients.dto import AuthData
from camunda_client.clients.engine.client import CamundaEngineClient
from camunda_client.clients.engine.schemas.body import (
    GetTasksFilterSchema,
    HistoricProcessInstanceFilterSchema,
    SendCorrelationMessageSchema,
)
from camunda_client.clients.engine.schemas.query import ProcessInstanceQuerySchema
from camunda_client.clients.external_task.client import ExternalTaskClient
from camunda_client.clients.external_task.dto import ExternalTaskConfig
from camunda_client.utils import deserialize

from support.bpmn import message_process
from support.camunda import WORKER, CamundaServer, screening_diagram

pytestmark = pytest.mark.timeout(120)
AUTH = {"auth_basic": {"username": WORKER.username, "password": WORKER.password}}


def p3_worker(camunda: CamundaServer, timeout_ms: int = 5000) -> ExternalTaskWorker:
    config = {
        "maxTasks": 1,
        "lockDuration": 60000,
        "asyncResponseTimeout": timeout_ms,
        "sleepSeconds": 0,
        **AUTH,
    }
    return ExternalTaskWorker(worker_id="py3-worker-1", base_url=camunda.engine_url, config=config)


def work(
    worker: ExternalTaskWorker, topic: str, handler: Callable[[ExternalTask], TaskResult], rounds: int = 3
) -> list[ExternalTask]:
    """Up to `rounds` fetch-and-execute rounds; stops after the first handled task."""
    seen: list[ExternalTask] = []

    def wrapped(task: ExternalTask) -> TaskResult:
        seen.append(task)
        return handler(task)

    for _ in range(rounds):
        try:
            worker.fetch_and_execute(topic, wrapped)
        except NoExternalTaskFound:
            continue
        if seen:
            break
    return seen


def started(camunda: CamundaServer, label: str, variables: dict[str, Any]) -> tuple[Any, str, str]:
    """Deploy a fresh diagram and start it with P3's EngineClient (untyped variables)."""
    diagram = screening_diagram(label)
    camunda.deploy(diagram)
    business_key = f"SAG-{label}"
    instance = EngineClient(camunda.engine_url, config=AUTH).start_process(
        diagram.process_id, variables, business_key=business_key
    )
    return diagram, instance["id"], business_key


# --- camunda-external-task-client-python3 ---------------------------------------------------------


def test_p3_worker_locks_and_completes_with_variables(camunda: CamundaServer) -> None:
    diagram, instance_id, business_key = started(camunda, "p3complete", {"caseId": "SAG-P3", "age": 7})
    seen = work(
        p3_worker(camunda),
        diagram.topic,
        lambda task: task.complete(
            {
                "screeningResult": "afdækning",
                "riskScore": 3,
                "urgent": False,
                "details": {"typed": True},
                "typedDate": {"value": "2024-03-01T10:00:00.000+0100", "type": "Date"},
            },
            {"localNote": "only here"},
        ),
    )
    assert len(seen) == 1
    task = seen[0]
    assert task.get_variable("caseId") == "SAG-P3" and task.get_variable("age") == 7
    assert task.get_business_key() == business_key and task.get_process_instance_id() == instance_id
    assert task.get_extension_property("phase") == "screening"
    assert camunda.open_tasks(instance_id) == ["review"]
    variables = camunda.variables(instance_id)
    assert variables["screeningResult"] == {"type": "String", "value": "afdækning", "valueInfo": {}}
    assert variables["riskScore"]["type"] == "Integer" and variables["urgent"]["value"] is False
    assert variables["details"]["type"] == "Json" and json.loads(variables["details"]["value"]) == {
        "typed": True
    }
    assert variables["typedDate"] == {
        "type": "Date",
        "value": "2024-03-01T09:00:00.000+0000",
        "valueInfo": {},
    }
    assert "localNote" not in variables


def test_p3_worker_with_an_integer_worker_id_as_in_the_clients_examples(camunda: CamundaServer) -> None:
    """The client's own examples pass `worker_id=1`: complete, failure and bpmnError then send a number."""
    diagram, instance_id, _ = started(camunda, "p3intid", {"caseId": "SAG-P3I"})
    config = {"maxTasks": 1, "lockDuration": 60000, "asyncResponseTimeout": 5000, "sleepSeconds": 0, **AUTH}
    worker = ExternalTaskWorker(worker_id=1, base_url=camunda.engine_url, config=config)
    failed = work(
        worker, diagram.topic, lambda task: task.failure("later", "", max_retries=2, retry_timeout=0)
    )
    assert len(failed) == 1 and failed[0].get_worker_id() == "1"
    assert len(work(worker, diagram.topic, lambda task: task.complete({"done": True}))) == 1
    assert camunda.open_tasks(instance_id) == ["review"]


def test_p3_failures_count_down_to_an_incident_and_retries_resolve_it(camunda: CamundaServer) -> None:
    diagram, instance_id, _ = started(camunda, "p3failure", {"caseId": "SAG-P3F"})
    worker = p3_worker(camunda, timeout_ms=1000)
    sent_retries = []
    for _ in range(3):
        seen = work(
            worker,
            diagram.topic,
            lambda task: task.failure("CPR lookup failed", "stack...", max_retries=2, retry_timeout=0),
        )
        assert len(seen) == 1
        sent_retries.append(seen[0]._context.get("retries"))
    assert sent_retries == [None, 2, 1]
    incidents = camunda.incidents(instance_id)
    assert [(i["incidentType"], i["incidentMessage"], i["activityId"]) for i in incidents] == [
        ("failedExternalTask", "CPR lookup failed", "screen")
    ]
    assert work(worker, diagram.topic, lambda task: task.complete(), rounds=1) == []
    task_id = incidents[0]["configuration"]
    with camunda.http() as c:
        assert c.get(f"/external-task/{task_id}/errorDetails").text == "stack..."
        assert c.put(f"/external-task/{task_id}/retries", json={"retries": 1}).status_code == 204
    assert camunda.incidents(instance_id) == []
    assert len(work(worker, diagram.topic, lambda task: task.complete())) == 1
    assert camunda.open_tasks(instance_id) == ["review"]


def test_p3_bpmn_error_is_caught_by_the_boundary_event(camunda: CamundaServer) -> None:
    diagram, instance_id, _ = started(camunda, "p3error", {"caseId": "SAG-P3E"})
    seen = work(
        p3_worker(camunda),
        diagram.topic,
        lambda task: task.bpmn_error("NO_CONSENT", "Parent refused", {"why": "refused"}),
    )
    assert len(seen) == 1
    assert camunda.open_tasks(instance_id) == ["handle_refusal"]
    variables = camunda.variables(instance_id)
    assert variables["why"]["value"] == "refused"
    assert (
        variables["refusalCode"]["value"] == "NO_CONSENT"
        and variables["refusalMessage"]["value"] == "Parent refused"
    )


def test_p3_uncaught_bpmn_error_ends_the_case_as_camunda_does(camunda: CamundaServer) -> None:
    diagram, instance_id, _ = started(camunda, "p3uncaught", {"caseId": "SAG-P3U"})
    assert (
        len(
            work(
                p3_worker(camunda),
                diagram.topic,
                lambda task: task.bpmn_error("SOMETHING_ELSE", "no catcher"),
            )
        )
        == 1
    )
    assert camunda.history(instance_id)["state"] == "COMPLETED"
    with camunda.http() as c:
        assert c.get(f"/process-instance/{instance_id}").status_code == 404


def test_p3_engine_client_correlates_by_business_key(camunda: CamundaServer) -> None:
    process_id = f"await_{uuid.uuid4().hex[:8]}"
    content = message_process(process_id, "ny_oplysning")
    with httpx.Client(base_url=camunda.engine_url, auth=("owner", "owner-secret"), timeout=30) as c:
        deployed = c.post(
            "/deployment/create", files=[(f"{process_id}.bpmn", (f"{process_id}.bpmn", content, "text/xml"))]
        )
        assert deployed.status_code == 200, deployed.text
    client = EngineClient(camunda.engine_url, config=AUTH)
    first = client.start_process(process_id, {"x": 1}, business_key="SAG-M1")["id"]
    second = client.start_process(process_id, {"x": 2}, business_key="SAG-M2")["id"]
    result = client.correlate_message(
        "ny_oplysning", business_key="SAG-M2", process_variables={"note": "ny info"}
    )
    assert [r["execution"]["processInstanceId"] for r in result] == [second]
    assert camunda.open_tasks(second) == ["after"] and camunda.open_tasks(first) == []
    assert camunda.variables(second)["note"]["value"] == "ny info"
    assert "note" not in camunda.variables(first)


# --- camunda-client (async, strict pydantic validation of our answers) ----------------------------


def cc_clients(
    camunda: CamundaServer, transport: httpx.AsyncHTTPTransport
) -> tuple[CamundaEngineClient, ExternalTaskClient]:
    auth = AuthData(WORKER.username, WORKER.password)
    engine = CamundaEngineClient(base_url=camunda.engine_url, auth_data=auth, transport=transport)
    config = ExternalTaskConfig(
        async_response_timeout=timedelta(seconds=5), retry_timeout=timedelta(seconds=0)
    )
    tasks = ExternalTaskClient(
        worker_id="cc-worker-1",
        base_url=camunda.engine_url,
        auth_data=auth,
        transport=transport,
        config=config,
    )
    return engine, tasks


async def cc_start(engine: CamundaEngineClient, key: str, business_key: str) -> str:
    instance = await engine.start_process(
        key,
        business_key=business_key,
        variables={
            "caseId": deserialize(business_key),
            "age": deserialize(7),
            "receivedAt": deserialize(datetime(2024, 3, 1, 9, 30, tzinfo=UTC)),
            "report": deserialize({"source": "school"}),
        },
    )
    assert instance.links == [] or instance.links is not None
    return str(instance.id)


def test_camunda_client_starts_queries_and_works_tasks(camunda: CamundaServer) -> None:
    diagram = screening_diagram("cc")
    camunda.deploy(diagram)

    async def scenario(engine: CamundaEngineClient, tasks: ExternalTaskClient) -> None:
        instance_id = await cc_start(engine, diagram.process_id, "SAG-CC-1")
        found = await engine.get_process_instances(ProcessInstanceQuerySchema(business_key="SAG-CC-1"))
        assert [str(i.id) for i in found] == [instance_id]

        locked = await tasks.fetch_and_lock([diagram.topic])
        assert len(locked) == 1 and locked[0].worker_id == "cc-worker-1"
        assert locked[0].parsed_variables["report"] == {"source": "school"}
        assert locked[0].variables["receivedAt"].type == "Date"
        await tasks.extend_lock(locked[0].id, new_duration=30000)
        await tasks.unlock(locked[0].id)
        again = await tasks.fetch_and_lock([diagram.topic])
        assert [t.id for t in again] == [locked[0].id]
        await tasks.complete(
            again[0].id,
            global_variables={
                "screeningResult": deserialize("afdækning"),
                "decidedAt": deserialize("2024-03-01T10:00:00.000", "Date"),
            },
        )

        user_tasks = await engine.get_tasks(GetTasksFilterSchema(process_instance_business_key="SAG-CC-1"))
        assert [(t.task_definition_key, t.name) for t in user_tasks] == [("review", "Vurder screening")]
        assert (
            await engine.get_tasks_count(GetTasksFilterSchema(process_instance_business_key="SAG-CC-1"))
        ).count == 1
        assert (await engine.get_task(user_tasks[0].id)) is not None
        history = await engine.get_history_process_instances(
            HistoricProcessInstanceFilterSchema(process_instance_business_key="SAG-CC-1")
        )
        assert [(str(h.id), h.state.value if h.state else None) for h in history] == [(instance_id, "ACTIVE")]

    run_cc(camunda, scenario)
    assert (
        camunda.variables(camunda_instance(camunda, "SAG-CC-1"))["decidedAt"]["value"]
        == "2024-03-01T09:00:00.000+0000"
    )


def run_cc(
    camunda: CamundaServer, scenario: Callable[[CamundaEngineClient, ExternalTaskClient], Awaitable[None]]
) -> None:
    """Run an async scenario with both clients on one transport, closed afterwards."""

    async def main() -> None:
        transport = httpx.AsyncHTTPTransport()
        try:
            await scenario(*cc_clients(camunda, transport))
        finally:
            await transport.aclose()

    asyncio.run(main())


def camunda_instance(camunda: CamundaServer, business_key: str) -> str:
    with camunda.http() as c:
        found = c.get("/process-instance", params={"businessKey": business_key}).json()
    assert len(found) == 1
    return str(found[0]["id"])


def test_camunda_client_failure_incident_and_bpmn_error(camunda: CamundaServer) -> None:
    diagram = screening_diagram("ccerr")
    camunda.deploy(diagram)

    async def scenario(engine: CamundaEngineClient, tasks: ExternalTaskClient) -> None:
        failing = await cc_start(engine, diagram.process_id, "SAG-CC-F")
        locked = await tasks.fetch_and_lock([diagram.topic], business_key="SAG-CC-F")
        await tasks.failure(
            locked[0].id, error_message="CPR lookup failed", retries=0, error_details="stack..."
        )
        incidents = await engine.get_incidents()
        assert any(
            str(i.process_instance_id) == failing and i.incident_type == "failedExternalTask"
            for i in incidents
        )

        await cc_start(engine, diagram.process_id, "SAG-CC-E")
        locked = await tasks.fetch_and_lock([diagram.topic], business_key="SAG-CC-E")
        assert [t.business_key for t in locked] == ["SAG-CC-E"]
        await tasks.bpmn_error(locked[0].id, "NO_CONSENT", "Parent refused")
        message = await engine.send_correlation_message(
            SendCorrelationMessageSchema(message_name="nothing-waits", business_key="SAG-CC-E")
        )
        raise AssertionError(f"correlation without a waiting case answered {message}")

    with pytest.raises(Exception, match="400") as refused:
        run_cc(camunda, scenario)
    assert (
        b"Cannot correlate" in refused.value.response_data
        or b"no case is waiting" in refused.value.response_data
    )  # type: ignore[attr-defined]
    assert camunda.open_tasks(camunda_instance(camunda, "SAG-CC-E")) == ["handle_refusal"]
