"""Every /engine-rest route declares its roles; unknown routes answer in Camunda's error shape."""

from __future__ import annotations

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.camunda import deployment, external_task, operations, process, task
from api.deps import route_policy


def _policies(route: APIRoute) -> list[frozenset[object] | None]:
    return [route_policy(d.call) for d in route.dependant.dependencies if d.call is not None]


def test_every_camunda_route_declares_roles() -> None:
    modules = (deployment, process, external_task, task, operations)
    routes = [r for m in modules for r in m.router.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 40
    undeclared = [f"{sorted(r.methods)} {r.path}" for r in routes if not any(p for p in _policies(r))]
    assert undeclared == []


def test_unknown_routes_answer_camunda_errors(client: TestClient) -> None:
    missing = client.get("/engine-rest/no-such-resource")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/json"
    assert set(missing.json()) == {"type", "message"}
    assert client.get("/.well-known/camunda-automation-platform/webapps").status_code == 404
    task = client.post("/engine-rest/task/00000000-0000-0000-0000-000000000000/complete", json={})
    assert task.status_code == 404 and task.json()["type"] == "InvalidRequestException"


def test_unsupported_variable_filter_is_refused_not_ignored(client: TestClient) -> None:
    response = client.get("/engine-rest/process-instance", params={"variables": "caseId_eq_SAG-1"})
    assert response.status_code == 400 and "not supported" in response.json()["message"]
