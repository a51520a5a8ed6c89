"""The OpenAPI document says what the service really does: error responses with their body schema
on every operation, the security schemes, typed defaults and examples (the answers themselves are
checked against it by tests/security/test_schemathesis.py)."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from api.openapi import OWN_ERRORS, OWN_SUCCESSES, RUNS_THE_DIAGRAM
from engine.clock import FakeClock

from support.lifecycle import deploy_workflows

PROBLEM = {"$ref": "#/components/schemas/Problem"}
CAMUNDA = {"$ref": "#/components/schemas/CamundaError"}


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    return dict(client.get("/openapi.json").json())


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def test_every_error_response_has_the_body_the_service_sends(document: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in document["components"]["schemas"]  # FastAPI's, never sent
    assert not [n for n in document["components"]["schemas"] if "__" in n]  # names integrators read
    for method, path, op in operations(document):
        errors = {s: r for s, r in op["responses"].items() if s.startswith(("4", "5"))}
        assert errors, f"{method} {path} lists no error"
        for status, response in errors.items():
            content = response["content"]
            if path.startswith("/engine-rest"):
                assert content == {"application/json": {"schema": CAMUNDA}}, (method, path, status)
            else:
                assert content == {"application/problem+json": {"schema": PROBLEM}}, (method, path, status)


def test_authenticated_operations_list_401_and_403_and_their_schemes(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        **schemes["bearer"],
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert (schemes["basic"]["type"], schemes["basic"]["scheme"]) == ("http", "basic")
    for method, path, op in operations(document):
        if path in ("/health", "/auth/providers"):
            assert op["security"] == [] and "401" not in op["responses"]
            continue
        assert {"401", "403"} <= set(op["responses"]), (method, path)
        expected = [{"basic": []}, {"bearer": []}] if path.startswith("/engine-rest") else None
        assert op["security"] == (expected or [{"bearer": []}, {"session": []}]), (method, path)


def test_routes_list_the_refusals_they_give_themselves(document: dict[str, Any]) -> None:
    paths = document["paths"]
    assert {"404", "409", "413", "422", "400"} <= set(paths["/cases"]["post"]["responses"])
    assert {"404", "409"} <= set(paths["/tasks/{task_id}/complete"]["post"]["responses"])
    assert "404" in paths["/dev/clock"]["get"]["responses"]  # the dev clock is off outside dev mode
    assert "400" in paths["/engine-rest/process-instance"]["get"]["responses"]
    assert "422" not in paths["/engine-rest/process-instance"]["get"]["responses"]
    assert "text/csv" in paths["/reports/overview"]["get"]["responses"]["200"]["content"]
    for method, path in [*OWN_ERRORS, *OWN_SUCCESSES, *RUNS_THE_DIAGRAM]:  # no entry for a renamed route
        assert method in paths.get(path, {}), (method, path)


def test_answers_without_a_body_and_camundas_server_errors_are_listed(document: dict[str, Any]) -> None:
    paths = document["paths"]
    for path in ("/tasks/{task_id}/camunda-form", "/engine-rest/task/{task_id}/deployed-form"):
        responses = paths[path]["get"]["responses"]
        assert "content" not in responses["204"] and "application/json" in responses["200"]["content"]
    assert "204" in paths["/engine-rest/message"]["post"]["responses"]  # without resultEnabled
    completion = paths["/engine-rest/task/{task_id}/complete"]["post"]["responses"]
    assert {"200", "204", "500"} <= set(completion)  # ProcessEngineException when the diagram fails
    assert "500" not in paths["/engine-rest/task/{task_id}/claim"]["post"]["responses"]
    assert "500" in paths["/tasks/{task_id}/complete"]["post"]["responses"]  # step-failed, nothing changed
    assert "500" not in paths["/tasks/{task_id}/claim"]["post"]["responses"]


def test_intake_and_completion_have_examples_and_defaults_are_typed(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    [intake] = schemas["ReportIn"]["examples"]
    assert intake["reporter_type"] == "professional" and intake["case_number"]
    assert any("follow_up_held_at" in e["variables"] for e in schemas["CompletionIn"]["examples"])
    default_types = {t.get("type") for t in schemas["FormFieldOut"]["properties"]["default"]["anyOf"]}
    assert default_types == {"boolean", "integer", "string", "null"}
    key = document["paths"]["/cases"]["post"]["parameters"]
    assert [p["name"] for p in key if p["in"] == "header"] == ["Idempotency-Key"]


def schemas_with_examples(node: Any, where: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if isinstance(node.get("examples"), list):
            yield where, node
        for key, value in node.items():
            yield from schemas_with_examples(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from schemas_with_examples(value, f"{where}/{index}")


def test_every_documented_example_fits_its_schema(document: dict[str, Any]) -> None:
    found = list(schemas_with_examples(document))
    assert len(found) >= 5 and "#/components/schemas/ReportIn" in dict(found)
    for where, schema in found:
        validator = jsonschema_rs.Draft202012Validator(
            {**schema, "components": document["components"]}, validate_formats=True
        )
        for example in schema["examples"]:
            errors = [e.message for e in validator.iter_errors(example)]
            assert not errors, (where, example, errors)


def test_the_intake_and_completion_examples_are_accepted_by_the_service(
    client: TestClient, clock: FakeClock, document: dict[str, Any]
) -> None:
    schemas = document["components"]["schemas"]
    [intake] = schemas["ReportIn"]["examples"]
    clock.advance(datetime.fromisoformat(intake["received_at"]) + timedelta(hours=2) - clock.now())
    deploy_workflows(client)
    created = client.post("/cases", json=intake)
    assert created.status_code == 201, created.text
    [task] = [t for t in created.json()["tasks"] if t["element_id"] == "assess_report"]
    client.post(f"/tasks/{task['id']}/claim", json={})
    done = client.post(f"/tasks/{task['id']}/complete", json=schemas["CompletionIn"]["examples"][0])
    assert done.status_code == 200, done.text
    assert "assess_report" not in done.json()["current_activities"]
    case = client.get(f"/cases/{created.json()['id']}").json()
    assert [(t["state"], t["completed_by"]) for t in case["tasks"] if t["id"] == task["id"]] == [
        ("completed", "dev")
    ]


def test_a_nul_in_the_url_is_refused_as_each_api_refuses_an_invalid_request(client: TestClient) -> None:
    native = client.get("/cases", params={"team": "a\x00b"})
    camunda = client.get("/engine-rest/process-instance", params={"businessKey": "a\x00b"})
    assert (native.status_code, native.headers["content-type"]) == (422, "application/problem+json")
    assert (camunda.status_code, camunda.json()["type"]) == (400, "InvalidRequestException")
