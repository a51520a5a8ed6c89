"""The native API over HTTP: a case from start to end, errors as problem+json, refusals that change nothing."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import httpx
import pytest
from fastapi.testclient import TestClient

from support import bpmn
from support.live import LiveServer

PROBLEM = "application/problem+json"


def deploy(client: TestClient | httpx.Client, name: str, content: bytes) -> httpx.Response:
    return client.post("/definitions", files=[("files", (name, content, "text/xml"))])


def test_deploy_start_complete_end_over_http(client: TestClient) -> None:
    assert deploy(client, "p.bpmn", bpmn.gateway_process("p", "${answer == 'yes'}")).status_code == 201
    started = client.post("/processes/p/start", json={"business_key": "S-1", "variables": {"x": 1}})
    assert started.status_code == 201
    case = started.json()
    assert case["status"] == "active" and [t["element_id"] for t in case["tasks"]] == ["decide"]
    done = client.post(f"/tasks/{case['tasks'][0]['id']}/complete", json={"variables": {"answer": "yes"}})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    detail = client.get(f"/cases/{case['id']}").json()
    assert detail["status"] == "completed" and detail["variables"] == {"x": 1, "answer": "yes"}


def test_identical_redeploy_is_no_new_version(client: TestClient) -> None:
    first = deploy(client, "p.bpmn", bpmn.user_task_process("p")).json()
    second = deploy(client, "p.bpmn", bpmn.user_task_process("p")).json()
    assert [d["version"] for d in first["new_definitions"]] == [1]
    assert (
        second["new_definitions"] == []
        and second["definitions"][0]["id"] == first["new_definitions"][0]["id"]
    )


def test_broken_condition_is_refused_with_the_element_id(client: TestClient) -> None:
    response = deploy(client, "p.bpmn", bpmn.gateway_process("p", "${a === b}"))
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["element_id"] == "yes"
    assert client.get("/definitions").json()["total"] == 0


XXE = b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="p" isExecutable="true">
<bpmn:documentation>&x;</bpmn:documentation></bpmn:process></bpmn:definitions>"""


def test_xxe_upload_is_refused_and_nothing_is_deployed(client: TestClient) -> None:
    response = deploy(client, "p.bpmn", XXE)
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert "root:" not in response.text
    assert client.get("/definitions").json()["total"] == 0


@pytest.mark.parametrize(
    "body",
    [
        b'{"variables": {"x": NaN}}',
        b'{"variables": {"x": Infinity}}',
        b'{"variables": {"x": "a\\u0000b"}}',
        b'{"variables": {"__class__": 1}}',
        b'{"variables": {"x": 1}, "status": "completed"}',
    ],
)
def test_hostile_variables_get_4xx(client: TestClient, body: bytes) -> None:
    deploy(client, "p.bpmn", bpmn.user_task_process("p"))
    response = client.post("/processes/p/start", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    assert client.get("/cases").json()["total"] == 0


def test_errors_use_problem_json(client: TestClient) -> None:
    missing = client.post("/tasks/00000000-0000-0000-0000-000000000000/complete", json={"variables": {}})
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    body = missing.json()
    assert set(body) >= {"type", "title", "status", "detail"} and body["status"] == 404


def test_oversized_body_is_refused(client: TestClient) -> None:
    response = client.post(
        "/processes/p/start",
        content=b"{" + b" " * 6_000_000 + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


def test_sixteen_concurrent_http_completions_one_2xx_fifteen_409(database_url: str) -> None:
    server = LiveServer(database_url).start()
    try:
        with server.client() as http:
            assert deploy(http, "p.bpmn", bpmn.user_task_process("p")).status_code == 201
            task_id = http.post("/processes/p/start", json={}).json()["tasks"][0]["id"]
        barrier = Barrier(16)

        def attempt(_: int) -> int:
            with server.client() as own:
                barrier.wait()
                return own.post(f"/tasks/{task_id}/complete", json={"variables": {}}).status_code

        with ThreadPoolExecutor(16) as pool:
            statuses = sorted(pool.map(attempt, range(16)))
        assert statuses == [200] + [409] * 15
    finally:
        server.stop()
