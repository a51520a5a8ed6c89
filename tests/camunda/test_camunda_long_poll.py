"""fetchAndLock long polling over HTTP: waits for work, wakes across server processes, is bounded,
and message correlation by business key moves exactly the case it names."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from support.bpmn import message_process
from support.camunda import OWNER, STRANGER, WORKER, CamundaServer, Keys, screening_diagram, secured_env
from support.databases import DatabaseFactory
from support.live import LiveServer

pytestmark = pytest.mark.timeout(120)


def fetch(
    camunda: CamundaServer, topic: str, timeout_ms: int, worker: str = "poller"
) -> tuple[list[dict[str, object]], float]:
    body = {
        "workerId": worker,
        "maxTasks": 5,
        "asyncResponseTimeout": timeout_ms,
        "topics": [{"topicName": topic, "lockDuration": 60000}],
    }
    started = time.monotonic()
    with camunda.http() as c:
        response = c.post("/external-task/fetchAndLock", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json(), time.monotonic() - started


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def two_workers(
    request: pytest.FixtureRequest, databases: DatabaseFactory, auth_material: tuple[Path, Keys]
) -> Iterator[CamundaServer]:
    """Two uvicorn worker processes: a poll waiting in one must see a task created in the other."""
    users_file, keys = auth_material
    url = databases.create(request.param)
    server = LiveServer(url, workers=2, env=secured_env(users_file, keys)).start()
    try:
        yield CamundaServer(server, keys)
    finally:
        server.stop()


def test_empty_poll_waits_for_the_timeout_and_answers_an_empty_list(camunda: CamundaServer) -> None:
    tasks, elapsed = fetch(camunda, f"nothing-{uuid.uuid4().hex[:6]}", 1500)
    assert tasks == [] and 1.4 <= elapsed < 4


def test_poll_returns_as_soon_as_a_task_appears(two_workers: CamundaServer) -> None:
    diagram = screening_diagram("poll")
    two_workers.deploy(diagram)
    with ThreadPoolExecutor(6) as pool:
        polls = [pool.submit(fetch, two_workers, diagram.topic, 6000, f"poller-{n}") for n in range(3)]
        time.sleep(1.0)
        instance_ids = [two_workers.start(diagram.process_id, f"SAG-POLL-{n}") for n in range(2)]
        results = [p.result(timeout=30) for p in polls]
    locked = [t for tasks, _ in results for t in tasks]
    assert sorted(t["processInstanceId"] for t in locked) == sorted(instance_ids)  # each task locked once
    assert len({t["workerId"] for t in locked}) >= 1
    winners = [elapsed for tasks, elapsed in results if tasks]
    assert min(winners) < 5.5  # woken by the new task, not by the 6 s timeout


def test_timeout_above_camundas_maximum_is_refused(camunda: CamundaServer) -> None:
    with camunda.http() as c:
        response = c.post(
            "/external-task/fetchAndLock",
            json={
                "workerId": "w",
                "asyncResponseTimeout": 1_800_001,
                "topics": [{"topicName": "x", "lockDuration": 1000}],
            },
        )
    assert response.status_code == 400
    assert "1800000" in response.json()["message"]


def test_other_municipality_sees_no_tasks_and_cannot_complete(camunda: CamundaServer) -> None:
    diagram = screening_diagram("isolation")
    camunda.deploy(diagram)
    camunda.start(diagram.process_id, "SAG-ISO")
    with camunda.http(STRANGER) as c:
        stranger = c.post(
            "/external-task/fetchAndLock",
            json={
                "workerId": "w",
                "maxTasks": 5,
                "topics": [{"topicName": diagram.topic, "lockDuration": 1000}],
            },
        ).json()
    assert stranger == []
    (task,), _ = fetch(camunda, diagram.topic, 1000, worker="w")
    with camunda.http(STRANGER) as c:
        assert c.post(f"/external-task/{task['id']}/complete", json={"workerId": "w"}).status_code == 404
    with camunda.http() as c:
        other_worker = c.post(f"/external-task/{task['id']}/complete", json={"workerId": "someone-else"})
        assert other_worker.status_code == 400 and "locked by worker 'w'" in other_worker.json()["message"]
        assert c.post(f"/external-task/{task['id']}/complete", json={"workerId": "w"}).status_code == 204
        assert c.post(f"/external-task/{task['id']}/complete", json={"workerId": "w"}).status_code == 404


def test_message_by_business_key_moves_the_right_case_and_no_other(camunda: CamundaServer) -> None:
    process_id = f"await_{uuid.uuid4().hex[:8]}"
    content = message_process(process_id, "ny_oplysning")
    with camunda.http(OWNER) as c:
        assert (
            c.post(
                "/deployment/create",
                files=[(f"{process_id}.bpmn", (f"{process_id}.bpmn", content, "text/xml"))],
            ).status_code
            == 200
        )
    cases = {key: camunda.start(process_id, key) for key in ("SAG-A", "SAG-B", "SAG-C")}
    with camunda.http(WORKER) as c:
        response = c.post(
            "/message",
            json={
                "messageName": "ny_oplysning",
                "businessKey": "SAG-B",
                "processVariables": {"note": {"value": "ny info", "type": "String"}},
            },
        )
        assert response.status_code == 204 and response.content == b""
        unknown = c.post("/message", json={"messageName": "ny_oplysning", "businessKey": "SAG-X"})
        assert (
            unknown.status_code == 400 and unknown.json()["type"] == "MismatchingMessageCorrelationException"
        )
    assert camunda.open_tasks(cases["SAG-B"]) == ["after"]
    assert camunda.open_tasks(cases["SAG-A"]) == [] and camunda.open_tasks(cases["SAG-C"]) == []
    assert camunda.variables(cases["SAG-B"])["note"]["value"] == "ny info"
    with camunda.http(WORKER) as c:
        waiting = c.get(
            "/process-instance", params={"activityIdIn": "wait_msg", "processDefinitionKey": process_id}
        ).json()
        tree = c.get(f"/process-instance/{cases['SAG-A']}/activity-instances").json()
    assert sorted(i["businessKey"] for i in waiting) == ["SAG-A", "SAG-C"]
    assert [(a["activityId"], a["activityType"]) for a in tree["childActivityInstances"]] == [
        ("wait_msg", "intermediateMessageCatch")
    ]
