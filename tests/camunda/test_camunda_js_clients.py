"""The real JavaScript clients against a live, secured Sagsflow (SQLite and PostgreSQL).

- camunda-external-task-client-js 3.1.0 (Node >= 20, ESM): tests/camunda/js/worker.mjs works N
  tasks and exits; it has its own hard timeout and the subprocess another one here.
- camunda-deploy 1.2.2 (npm CLI): deploys a diagram with Basic and with Bearer credentials.
Both are installed by scripts/setup-node (npm ci from the committed package-lock.json).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from support.camunda import JS_DIR, OWNER, WORKER, CamundaServer, Diagram, screening_diagram

pytestmark = pytest.mark.timeout(120)
NODE_MODULES = JS_DIR / "node_modules"


@pytest.fixture(scope="module", autouse=True)
def _installed() -> None:
    if not (NODE_MODULES / "camunda-external-task-client-js").is_dir():
        pytest.fail("run scripts/setup-node first (scripts/test does)")


def run_worker(
    camunda: CamundaServer, diagram: Diagram, mode: str, count: int = 1, **env: str
) -> list[dict[str, Any]]:
    result = subprocess.run(
        ["node", str(JS_DIR / "worker.mjs")],
        env={
            **os.environ,
            "ENGINE_URL": camunda.engine_url,
            "TOPIC": diagram.topic,
            "MODE": mode,
            "COUNT": str(count),
            "TIMEOUT_MS": "30000",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"worker exited {result.returncode}: {result.stderr}\n{result.stdout}"
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


BASIC = {"USERNAME": WORKER.username, "PASSWORD": WORKER.password}


def started(camunda: CamundaServer, label: str, count: int = 1) -> tuple[Diagram, list[str]]:
    diagram = screening_diagram(label)
    camunda.deploy(diagram)
    variables = {
        "caseId": {"value": "SAG-JS", "type": "String"},
        "childAge": {"value": 7, "type": "Integer"},
        "urgent": {"value": True, "type": "Boolean"},
        "receivedAt": {"value": "2024-03-01T09:30:00.000+0100", "type": "Date"},
        "report": {"value": '{"source":"school","items":[1,2]}', "type": "Json"},
        "nothing": {"value": None, "type": "Null"},
    }
    ids = [camunda.start(diagram.process_id, f"SAG-{label}-{n}", variables) for n in range(count)]
    return diagram, ids


def test_js_worker_completes_tasks_and_reads_typed_variables(camunda: CamundaServer) -> None:
    diagram, ids = started(camunda, "jscomplete", count=2)
    handled = run_worker(camunda, diagram, "complete", count=2, **BASIC)
    assert len(handled) == 2 and {h["topic"] for h in handled} == {diagram.topic}
    assert handled[0]["vars"] == {
        "caseId": "SAG-JS",
        "childAge": 7,
        "urgent": True,
        "receivedAt": "2024-03-01T08:30:00.000Z",
        "report": {"source": "school", "items": [1, 2]},
        "nothing": None,
    }
    for instance_id in ids:
        assert camunda.open_tasks(instance_id) == ["review"]
    variables = camunda.variables(ids[0])
    assert {
        k: v["type"]
        for k, v in variables.items()
        if k in ("riskScore", "bigNumber", "ratio", "decidedAt", "details", "cleared")
    } == {
        "riskScore": "Integer",
        "bigNumber": "Long",
        "ratio": "Double",
        "decidedAt": "Date",
        "details": "Json",
        "cleared": "Null",
    }
    assert json.loads(variables["details"]["value"]) == {"reason": "x", "list": [1, 2]}
    assert "localNote" not in variables


def test_js_worker_failure_opens_an_incident(camunda: CamundaServer) -> None:
    diagram, (instance_id,) = started(camunda, "jsfailure")
    assert len(run_worker(camunda, diagram, "failure", **BASIC)) == 1
    incidents = camunda.incidents(instance_id)
    assert [(i["incidentType"], i["incidentMessage"]) for i in incidents] == [
        ("failedExternalTask", "CPR lookup failed")
    ]
    assert camunda.open_tasks(instance_id) == []


def test_js_worker_bpmn_error_takes_the_boundary_path(camunda: CamundaServer) -> None:
    diagram, (instance_id,) = started(camunda, "jserror")
    assert len(run_worker(camunda, diagram, "bpmnError", **BASIC)) == 1
    assert camunda.open_tasks(instance_id) == ["handle_refusal"]
    assert camunda.variables(instance_id)["why"]["value"] == "refused"


def test_js_worker_extends_unlocks_and_completes_with_a_bearer_token(camunda: CamundaServer) -> None:
    assert camunda.keys is not None
    diagram, (instance_id,) = started(camunda, "jslock")
    token = camunda.keys.token("js-service", ("integrator",))
    handled = run_worker(camunda, diagram, "lockops", BEARER=token)
    assert [h["mode"] for h in handled] == ["unlocked", "lockops"]
    assert camunda.open_tasks(instance_id) == ["review"]


def deploy_cli(
    camunda: CamundaServer, diagram: Diagram, tmp_path: Path, **auth: str
) -> subprocess.CompletedProcess[str]:
    """camunda-deploy resolves resources against its working directory (an absolute path hangs it)."""
    (tmp_path / diagram.file_name).write_bytes(diagram.content)
    return subprocess.run(
        [
            str(NODE_MODULES / ".bin" / "camunda-deploy"),
            "-n",
            diagram.process_id,
            "-S",
            "sagsflow-ci",
            diagram.file_name,
        ],
        cwd=tmp_path,
        env={**os.environ, "CAMUNDA_URL": camunda.engine_url, **auth},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_camunda_deploy_cli_deploys_with_basic_and_bearer(camunda: CamundaServer, tmp_path: Path) -> None:
    assert camunda.keys is not None
    diagram = screening_diagram("cli")
    basic = {"CAMUNDA_AUTH_USERNAME": OWNER.username, "CAMUNDA_AUTH_PASSWORD": OWNER.password}
    first = deploy_cli(camunda, diagram, tmp_path, **basic)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "1 artifacts deployed" in first.stdout
    again = deploy_cli(
        camunda, diagram, tmp_path, CAMUNDA_AUTH_BEARER=camunda.keys.token("po", ("process_owner",))
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert "no artifacts" in again.stdout
    with camunda.http() as c:
        listed = c.get("/process-definition", params={"key": diagram.process_id}).json()
    assert [d["version"] for d in listed] == [1]
    refused = deploy_cli(
        camunda, diagram, tmp_path, CAMUNDA_AUTH_USERNAME=OWNER.username, CAMUNDA_AUTH_PASSWORD="wrong"
    )
    assert refused.returncode != 0
