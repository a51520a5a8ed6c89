"""The hostile BPMN corpus (tests/hostile/bpmn/) through the HTTP deploy route, on SQLite and
PostgreSQL.

refused/: each upload gets a 4xx problem naming what is wrong, within a second or two, nothing
is deployed, no local file is read into the answer and no connection is made to the canary
port its external entities point at.
runtime/: each deploys, but its script task fails at run time within the time limit as a 422
process-error naming the element; the case stays at its last wait state.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

CORPUS = Path(__file__).resolve().parent / "bpmn"
REFUSED = {
    k: v for k, v in json.loads((CORPUS / "refused" / "expected.json").read_text()).items() if k[0] != "_"
}
RUNTIME = {
    k: v for k, v in json.loads((CORPUS / "runtime" / "expected.json").read_text()).items() if k[0] != "_"
}
PROBLEM = "application/problem+json"
DEPLOY_SECONDS = 2.0


def test_the_manifests_cover_every_file() -> None:
    assert set(REFUSED) == {p.name for p in (CORPUS / "refused").iterdir() if p.name != "expected.json"}
    assert set(RUNTIME) == {p.name for p in (CORPUS / "runtime").iterdir() if p.name != "expected.json"}


@pytest.fixture
def canary() -> Iterator[socket.socket]:
    """A loopback listener that external entities point at; nothing may ever connect to it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    yield listener
    listener.close()


def _deploy(client: TestClient, name: str, content: bytes) -> tuple[object, float]:
    started = time.monotonic()
    response = client.post("/definitions", files=[("files", (name, content, "application/octet-stream"))])
    return response, time.monotonic() - started


def _nothing_deployed(client: TestClient) -> None:
    assert client.get("/definitions").json()["total"] == 0


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_hostile_upload_is_refused_and_nothing_is_deployed(
    client: TestClient, canary: socket.socket, name: str
) -> None:
    status, phrase = REFUSED[name]
    port = str(canary.getsockname()[1]).encode()
    content = (CORPUS / "refused" / name).read_bytes().replace(b"{{CANARY_PORT}}", port)
    response, seconds = _deploy(client, name, content)
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == PROBLEM  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert phrase in body["detail"], body["detail"]
    assert body["errors"] and all(e["message"] for e in body["errors"])
    assert "root:" not in response.text  # type: ignore[attr-defined]  # /etc/passwd never leaks
    assert seconds < DEPLOY_SECONDS
    with pytest.raises(BlockingIOError):
        canary.accept()  # no connection was attempted
    _nothing_deployed(client)


def test_oversize_upload_is_refused_before_parsing(client: TestClient) -> None:
    content = b'<?xml version="1.0"?><bpmn:definitions>' + b" " * 2_100_000 + b"</bpmn:definitions>"
    response, seconds = _deploy(client, "huge.bpmn", content)
    assert response.status_code == 413 and "larger than" in response.json()["detail"]  # type: ignore[attr-defined]
    assert seconds < DEPLOY_SECONDS
    _nothing_deployed(client)


def test_a_hostile_file_spoils_the_whole_deployment(client: TestClient) -> None:
    good = (CORPUS / "runtime" / "endless_loop.bpmn").read_bytes()
    bad = (CORPUS / "refused" / "xxe_file.bpmn").read_bytes()
    response = client.post(
        "/definitions",
        files=[("files", ("good.bpmn", good, "text/xml")), ("files", ("bad.bpmn", bad, "text/xml"))],
    )
    assert response.status_code == 422
    _nothing_deployed(client)


@pytest.mark.parametrize("name", sorted(RUNTIME))
def test_runtime_bomb_fails_as_a_process_error_and_changes_nothing(client: TestClient, name: str) -> None:
    response, _ = _deploy(client, name, (CORPUS / "runtime" / name).read_bytes())
    assert response.status_code == 201, response.text  # type: ignore[attr-defined]
    key = response.json()["new_definitions"][0]["key"]  # type: ignore[attr-defined]
    case = client.post(f"/processes/{key}/start", json={"variables": {}}).json()
    before = client.get(f"/cases/{case['id']}").json()
    task_id = before["tasks"][0]["id"]
    started = time.monotonic()
    failed = client.post(f"/tasks/{task_id}/complete", json={"variables": {"note": "x"}})
    seconds = time.monotonic() - started
    assert failed.status_code == 422 and failed.headers["content-type"] == PROBLEM
    problem = failed.json()
    assert problem["type"].endswith("/process-error") and problem["element_id"] == "run_script"
    assert RUNTIME[name] in problem["detail"], problem["detail"]
    assert seconds < 10, f"{name} took {seconds:.1f} s"
    after = client.get(f"/cases/{case['id']}").json()
    assert after["version"] == before["version"] and after["status"] == "active"
    assert [t["element_id"] for t in after["tasks"]] == ["before"] and after["tasks"][0]["state"] == "open"
    assert after["variables"] == before["variables"]
    assert client.get("/health").status_code == 200  # the worker survived
