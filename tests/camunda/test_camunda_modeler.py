"""Camunda Modeler 5.x Deploy and Start instance, replayed request by request (notes §5.1, §6.5).

The Modeler itself is an Electron app and is not run; its requests are reproduced in shape:
same URLs, headers, multipart part names, order, file names and part content types, with the
Modeler's 5 s timeout on every call.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from support.camunda import BOUNDARY, OWNER, STRANGER, CamundaServer, Diagram, modeler_body, screening_diagram
from support.databases import DatabaseFactory
from support.live import ROOT, LiveServer

MODELER_TIMEOUT = 5.0
JSON = "application/json"


def modeler_client(server: CamundaServer, authorization: str | None) -> httpx.Client:
    headers = {"accept": JSON}
    if authorization is not None:
        headers["authorization"] = authorization
    return httpx.Client(base_url=server.engine_url, headers=headers, timeout=MODELER_TIMEOUT)


def basic(username: str, password: str) -> str:
    return httpx.BasicAuth(username, password)._auth_header


def deploy(
    client: httpx.Client,
    diagram: Diagram,
    attachments: list[tuple[str, bytes]] | None = None,
    tenant: str | None = None,
) -> httpx.Response:
    return client.post(
        "/deployment/create",
        content=modeler_body(diagram, attachments or [], tenant=tenant),
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    )


def test_unauthenticated_probe_gets_401_so_the_modeler_asks_for_credentials(camunda: CamundaServer) -> None:
    for authorization in (None, "undefined"):
        with modeler_client(camunda, authorization) as client:
            probe = client.get("/deployment", params={"maxResults": 0})
        assert probe.status_code == 401
        assert probe.headers["www-authenticate"].startswith("Basic")
        assert probe.headers["content-type"] == JSON
        assert set(probe.json()) >= {"type", "message"}


def test_deploy_then_start_instance_as_the_modeler_does(camunda: CamundaServer) -> None:
    diagram = screening_diagram("modeler")
    with modeler_client(camunda, basic(OWNER.username, OWNER.password)) as client:
        assert client.get("/deployment", params={"maxResults": 0}).json() == []
        assert client.get("/version").json()["version"].startswith("7.")
        started = time.perf_counter()
        response = deploy(client, diagram, attachments=[("form.form", b'{"components":[]}')])
        elapsed = time.perf_counter() - started
        print(f"\nModeler deploy of {diagram.file_name}: {elapsed * 1000:.0f} ms")  # noqa: T201 - the brief asks for it
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == JSON
        body = response.json()
        definition = next(iter(body["deployedProcessDefinitions"].values()))
        assert definition["key"] == diagram.process_id and definition["version"] == 1
        key, version, tail = definition["id"].split(":")
        assert (key, version) == (diagram.process_id, "1") and uuid.UUID(tail)
        start = client.post(
            f"/process-definition/{definition['id']}/start",
            json={"businessKey": "SAG-3", "variables": {"caseId": {"value": "SAG-3", "type": "String"}}},
        )
        assert start.status_code == 200, start.text
        assert uuid.UUID(start.json()["id"]) and start.json()["businessKey"] == "SAG-3"
        assert elapsed < MODELER_TIMEOUT
        redeploy = deploy(client, diagram, attachments=[("form.form", b'{"components":[]}')])
    assert redeploy.status_code == 200
    assert redeploy.json()["id"] == body["id"]
    assert redeploy.json()["deployedProcessDefinitions"] is None


def test_a_deploy_with_a_tenant_id_starts_and_stays_in_the_deployers_municipality(
    camunda: CamundaServer,
) -> None:
    """The Modeler's tenant field names the deployment (as before); its definitions belong to the
    deployer's municipality, which starts them, and another municipality cannot see them."""
    diagram = screening_diagram("tenant")
    with modeler_client(camunda, basic(OWNER.username, OWNER.password)) as client:
        response = deploy(client, diagram, tenant="kommune")
        assert response.status_code == 200, response.text
        assert response.json()["tenantId"] == "kommune"
        definition = next(iter(response.json()["deployedProcessDefinitions"].values()))
        assert definition["tenantId"] == OWNER.municipality
        assert client.post(f"/process-definition/{definition['id']}/start", json={}).status_code == 200
    with modeler_client(camunda, basic(STRANGER.username, STRANGER.password)) as client:
        hidden = client.post(f"/process-definition/{definition['id']}/start", json={})
        assert hidden.status_code == 404
        assert client.get(f"/process-definition/key/{diagram.process_id}").status_code == 404


def test_changed_diagram_gets_a_new_version(camunda: CamundaServer) -> None:
    diagram = screening_diagram("changed")
    changed = Diagram(
        diagram.process_id,
        diagram.topic,
        diagram.content.replace(b"Vurder screening", b"Vurder screeningen"),
        diagram.file_name,
    )
    with modeler_client(camunda, basic(OWNER.username, OWNER.password)) as client:
        first = deploy(client, diagram).json()
        second = deploy(client, changed).json()
    assert second["id"] != first["id"]
    assert [d["version"] for d in second["deployedProcessDefinitions"].values()] == [2]


def test_broken_bpmn_is_a_parse_error_the_modeler_recognises(camunda: CamundaServer) -> None:
    diagram = screening_diagram("broken")
    broken = Diagram(
        diagram.process_id,
        diagram.topic,
        diagram.content.replace(b'targetRef="review"', b'targetRef="nowhere"'),
        diagram.file_name,
    )
    with modeler_client(camunda, basic(OWNER.username, OWNER.password)) as client:
        response = deploy(client, broken)
        listed = client.get("/process-definition", params={"key": diagram.process_id}).json()
    assert response.status_code == 400
    assert response.headers["content-type"] == JSON
    body = response.json()
    assert body["type"] == "ParseException"
    assert body["message"].startswith("ENGINE-09005 Could not parse BPMN process.")
    assert listed == []


def test_wrong_credentials_and_missing_role_are_refused(camunda: CamundaServer) -> None:
    diagram = screening_diagram("refused")
    with modeler_client(camunda, basic(OWNER.username, "wrong")) as client:
        assert deploy(client, diagram).status_code == 401
    with modeler_client(camunda, basic("worker", "worker-secret")) as client:
        forbidden = deploy(client, diagram)
    assert forbidden.status_code == 403 and forbidden.json()["type"] == "AuthorizationException"


def test_bearer_token_deploys_and_starts(camunda: CamundaServer) -> None:
    assert camunda.keys is not None
    token = camunda.keys.token("po-1", ("process_owner", "integrator"))
    diagram = screening_diagram("bearer")
    with modeler_client(camunda, f"Bearer {token}") as client:
        body = deploy(client, diagram).json()
        definition_id = next(iter(body["deployedProcessDefinitions"]))
        assert (
            client.post(
                f"/process-definition/{definition_id}/start", json={"businessKey": None, "variables": None}
            ).status_code
            == 200
        )


WORKFLOWS = sorted((ROOT / "workflows").glob("*.bpmn")) + sorted((ROOT / "workflows").glob("*.dmn"))


@pytest.fixture(scope="module")
def dev_server(databases: DatabaseFactory) -> Iterator[LiveServer]:
    server = LiveServer(databases.sqlite()).start()
    try:
        yield server
    finally:
        server.stop()


def test_dev_mode_asks_the_modeler_for_the_dev_token(dev_server: LiveServer) -> None:
    """Dev mode still authenticates: the Modeler's credential-less probe and its `Authorization:
    undefined` (notes C9) get 401, which makes the Modeler show its credential fields; Basic with the
    printed dev token as password then deploys and starts."""
    server = CamundaServer(dev_server)
    for authorization in (None, "undefined"):
        with modeler_client(server, authorization) as client:
            assert client.get("/deployment", params={"maxResults": 0}).status_code == 401
    diagram = screening_diagram("dev")
    with modeler_client(server, basic("demo", dev_server.token)) as client:
        assert client.get("/deployment", params={"maxResults": 0}).status_code == 200
        response = deploy(client, diagram)
        assert response.status_code == 200, response.text
        definition_id = next(iter(response.json()["deployedProcessDefinitions"]))
        assert (
            client.post(f"/process-definition/{definition_id}/start", json={"businessKey": "S-1"}).status_code
            == 200
        )


def test_realistic_diagrams_deploy_well_within_the_modelers_timeout(dev_server: LiveServer) -> None:
    """The repository's workflows (or the test diagram when there are none), main file plus the rest as attachments."""
    server = CamundaServer(dev_server)
    files: list[Path] = WORKFLOWS or []
    main = screening_diagram("realistic")
    attachments = [(p.name, p.read_bytes()) for p in files]
    with modeler_client(server, basic("demo", dev_server.token)) as client:
        started = time.perf_counter()
        response = deploy(client, main, attachments)
        elapsed = time.perf_counter() - started
    print(f"\nModeler deploy of {1 + len(attachments)} file(s): {elapsed * 1000:.0f} ms")  # noqa: T201
    assert response.status_code == 200, response.text
    assert elapsed < 2.5
