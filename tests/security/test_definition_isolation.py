"""Definitions per municipality over HTTP: B never reads A's definitions or deployments, natively
or through /engine-rest; an id of A's answers exactly as an id that exists nowhere. Both read
and run the shared `matrix` definition."""

from __future__ import annotations

import json
from typing import Any

from security_app import Secure
from world import MUNICIPALITY_A, MUNICIPALITY_B, PROCESS_KEY

from engine.model import Role

from support import bpmn

NOWHERE = "visitation:7:00000000-0000-4000-8000-000000000000"


def _deploy_as_a(secure: Secure) -> dict[str, Any]:
    owner = secure.headers_for("po-a", MUNICIPALITY_A, Role.PROCESS_OWNER)
    files = {"files": ("visitation.bpmn", bpmn.user_task_process("visitation"), "application/xml")}
    response = secure.client.post("/definitions", files=files, headers=owner)
    assert response.status_code == 201, response.text
    deployment: dict[str, Any] = response.json()
    return deployment


def _same_as_nowhere(secure: Secure, headers: Any, method: str, url: str, real: str) -> None:
    found = secure.client.request(method, url.format(id=real), headers=headers, json={})
    missing = secure.client.request(method, url.format(id=NOWHERE), headers=headers, json={})
    assert found.status_code == missing.status_code == 404, (url, found.text)
    assert json.loads(found.text.replace(real, "<id>")) == json.loads(missing.text.replace(NOWHERE, "<id>"))


def test_b_cannot_read_or_start_a_definition_of_a(fresh: Secure) -> None:
    deployment = _deploy_as_a(fresh)
    [own] = deployment["definitions"]
    assert own["municipality"] == MUNICIPALITY_A and deployment["municipality"] == MUNICIPALITY_A
    b = fresh.headers_for("admin-b", MUNICIPALITY_B, Role.ADMIN)
    for method, url in (
        ("GET", "/definitions/{id}"),
        ("GET", "/definitions/{id}/xml"),
        ("GET", "/engine-rest/process-definition/{id}"),
        ("POST", "/engine-rest/process-definition/{id}/start"),
    ):
        _same_as_nowhere(fresh, b, method, url, own["id"])
    listed = fresh.client.get("/definitions", headers=b).json()["items"]
    assert [(d["key"], d["municipality"]) for d in listed] == [(PROCESS_KEY, None)]
    camunda = fresh.client.get("/engine-rest/process-definition", headers=b).json()
    assert [(d["key"], d["tenantId"]) for d in camunda] == [(PROCESS_KEY, None)]
    assert fresh.client.get("/engine-rest/process-definition/key/visitation", headers=b).status_code == 404
    deployments = fresh.client.get("/engine-rest/deployment", headers=b).json()
    assert deployment["id"] not in {d["id"] for d in deployments}


def test_a_reads_and_starts_its_own_and_the_shared_definitions(fresh: Secure) -> None:
    deployment = _deploy_as_a(fresh)
    a = fresh.headers_for("admin-a", MUNICIPALITY_A, Role.ADMIN)
    camunda = fresh.client.get("/engine-rest/process-definition", headers=a).json()
    assert sorted((d["key"], d["tenantId"] or "") for d in camunda) == [
        (PROCESS_KEY, ""),
        ("visitation", MUNICIPALITY_A),
    ]
    deployments = fresh.client.get("/engine-rest/deployment", headers=a).json()
    assert deployment["id"] in {d["id"] for d in deployments}
    for key in ("visitation", PROCESS_KEY):
        started = fresh.client.post(f"/engine-rest/process-definition/key/{key}/start", headers=a, json={})
        assert started.status_code == 200, started.text
    b = fresh.headers_for("admin-b", MUNICIPALITY_B, Role.ADMIN)
    shared = fresh.client.post(f"/engine-rest/process-definition/key/{PROCESS_KEY}/start", headers=b, json={})
    assert shared.status_code == 200, shared.text


def test_camunda_tenant_filters_select_own_or_shared_definitions(fresh: Secure) -> None:
    _deploy_as_a(fresh)
    a = fresh.headers_for("admin-a", MUNICIPALITY_A, Role.ADMIN)

    def keys(**query: str) -> list[tuple[str, str | None]]:
        found = fresh.client.get("/engine-rest/process-definition", params=query, headers=a)
        assert found.status_code == 200, found.text
        return sorted((d["key"], d["tenantId"]) for d in found.json())

    assert keys(tenantIdIn=MUNICIPALITY_A) == [("visitation", MUNICIPALITY_A)]
    assert keys(withoutTenantId="true") == [(PROCESS_KEY, None)]
    assert keys(tenantIdIn=f"{MUNICIPALITY_A},x", includeProcessDefinitionsWithoutTenantId="true") == [
        (PROCESS_KEY, None),
        ("visitation", MUNICIPALITY_A),
    ]
    assert keys(tenantIdIn=MUNICIPALITY_B) == []  # another municipality's own: nothing to see
