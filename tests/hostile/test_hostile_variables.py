"""The hostile-variables corpus (tests/hostile/variables.json) through the start, complete and
message routes, on SQLite and PostgreSQL side by side: the expected 4xx, error bodies identical
on both databases, and no state change (no new case, the case's version and variables as before).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from engine.clock import FakeClock
from engine.config import EngineSettings

from support import bpmn
from support.databases import DatabaseFactory

CORPUS = json.loads((Path(__file__).resolve().parent / "variables.json").read_text())["entries"]
ROUTES = ("start", "complete", "message")
TOKEN = "hostile-token"
FORM = """
  <camunda:formField id="score" label="Score" type="long" />
  <camunda:formField id="urgent" label="Haster" type="boolean" />
  <camunda:formField id="decided_on" label="Besluttet" type="date" />
  <camunda:formField id="outcome" label="Udfald" type="enum">
    <camunda:value id="close" name="Luk" /><camunda:value id="continue" name="Fortsæt" />
  </camunda:formField>"""
PROCESS = bpmn.document(
    "hostile",
    f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="fork"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:outgoing>f1</bpmn:outgoing><bpmn:outgoing>f2</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="assess" name="Vurdering">
      <bpmn:extensionElements><camunda:formData>{FORM}</camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>g1</bpmn:outgoing></bpmn:userTask>
    <bpmn:intermediateCatchEvent id="wait_answer"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="msg" /></bpmn:intermediateCatchEvent>
    <bpmn:parallelGateway id="join"><bpmn:incoming>g1</bpmn:incoming><bpmn:incoming>g2</bpmn:incoming>
      <bpmn:outgoing>f9</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>f9</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="assess" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="wait_answer" />
    <bpmn:sequenceFlow id="g1" sourceRef="assess" targetRef="join" />
    <bpmn:sequenceFlow id="g2" sourceRef="wait_answer" targetRef="join" />
    <bpmn:sequenceFlow id="f9" sourceRef="join" targetRef="end" />""",
    extra='  <bpmn:message id="msg" name="answer" />\n',
)


def _generate(spec: dict[str, Any]) -> dict[str, Any]:
    if "string" in spec:
        return {"x": "a" * spec["string"]}
    if "strings" in spec:
        return {f"s{i}": "a" * spec["size"] for i in range(spec["strings"])}
    if "keys" in spec:
        return {f"v{i}": i for i in range(spec["keys"])}
    if "list" in spec:
        return {"x": list(range(spec["list"]))}
    if "depth" in spec:
        value: Any = 1
        for _ in range(spec["depth"]):
            value = [value]
        return {"x": value}
    raise ValueError(spec)


def _variables_text(entry: dict[str, Any]) -> str:
    if "variables_raw" in entry:
        return str(entry["variables_raw"])
    variables = _generate(entry["generate"]) if "generate" in entry else entry["variables"]
    if "generate" in entry and "depth" in entry["generate"] and entry["generate"]["depth"] > 500:
        depth = entry["generate"]["depth"]
        return '{"x": ' + "[" * depth + "1" + "]" * depth + "}"
    return json.dumps(variables, ensure_ascii=False)


def body_text(entry: dict[str, Any], route: str, case_id: str) -> str:
    """The request body as sent: the entry's variables (or body) inside the route's envelope."""
    if "body_raw" in entry:
        return str(entry["body_raw"])
    if "body" in entry:
        envelope = dict(entry["body"])
        if route == "message":
            envelope = {"name": "answer", "case_id": case_id, **envelope}
        return json.dumps(envelope)
    variables = _variables_text(entry)
    if route == "message":
        return f'{{"name": "answer", "case_id": "{case_id}", "variables": {variables}}}'
    return f'{{"variables": {variables}}}'


@pytest.fixture(scope="module")
def apps(databases: DatabaseFactory) -> Iterator[dict[str, TestClient]]:
    if databases.postgres is None:
        pytest.fail("PostgreSQL tests must run: unset SAGSFLOW_TEST_SKIP_POSTGRES")
    clients = {}
    for kind in ("sqlite", "postgresql"):
        settings = EngineSettings(
            database_url=databases.create(kind), run_scheduler=False, deploy_workflows_on_start=False
        )
        app = create_app(ApiSettings(dev_mode=True, dev_token=TOKEN), settings, clock=FakeClock())
        client = TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}).__enter__()
        files = [("files", ("hostile.bpmn", PROCESS, "text/xml"))]
        assert client.post("/definitions", files=files).status_code == 201
        clients[kind] = client
    yield clients
    for client in clients.values():
        client.__exit__(None, None, None)


def _snapshot(client: TestClient, case_id: str) -> tuple[Any, ...]:
    case = client.get(f"/cases/{case_id}").json()
    total = client.get("/cases").json()["total"]
    tasks = sorted((t["element_id"], t["state"]) for t in case["tasks"])
    return total, case["version"], case["status"], json.dumps(case["variables"], sort_keys=True), tasks


def _send(client: TestClient, route: str, entry: dict[str, Any]) -> tuple[int, str, bool]:
    """(status, normalised body, whether nothing changed) for one hostile request."""
    case = client.post("/processes/hostile/start", json={"variables": {"x": 1}}).json()
    task_id = case["tasks"][0]["id"]
    before = _snapshot(client, case["id"])
    url = {
        "start": "/processes/hostile/start",
        "complete": f"/tasks/{task_id}/complete",
        "message": "/messages",
    }
    content = body_text(entry, route, case["id"]).encode("utf-8", "surrogatepass")
    response = client.post(url[route], content=content, headers={"content-type": "application/json"})
    unchanged = _snapshot(client, case["id"]) == before
    assert response.headers["content-type"] == "application/problem+json", response.text[:200]
    return (
        response.status_code,
        response.text.replace(case["id"], "<case>").replace(task_id, "<task>"),
        unchanged,
    )


@pytest.mark.parametrize("entry", CORPUS, ids=[e["name"] for e in CORPUS])
def test_hostile_variables_are_refused_alike_on_both_databases(
    apps: dict[str, TestClient], entry: dict[str, Any]
) -> None:
    for route in entry.get("routes", ROUTES):
        results = {kind: _send(client, route, entry) for kind, client in apps.items()}
        sqlite, postgresql = results["sqlite"], results["postgresql"]
        assert sqlite[0] == entry["status"], f"{route}: {sqlite[:2]}"
        assert sqlite[:2] == postgresql[:2], f"{route}: SQLite and PostgreSQL differ: {results}"
        assert sqlite[2] and postgresql[2], f"{route}: the refused request changed the case"


def test_the_corpus_covers_the_hostile_classes() -> None:
    names = " ".join(e["name"] for e in CORPUS)
    for word in ("nan", "infinity", "nul", "huge", "deep", "dunder", "reserved", "system_field", "form_"):
        assert word in names, word
    assert len(CORPUS) >= 40
