"""`/engine-rest/decision-definition` as Camunda 7 serves it, over Camunda's own DMN files
(SQLite and PostgreSQL): list with filters and count, by id and key, the DMN XML, and evaluate
with typed variables in and a list of typed result maps out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from support.camunda import CASEWORKER, OWNER, WORKER, CamundaServer, Diagram

ENGINE = "/engine-rest"
TESTS = Path(__file__).resolve().parents[1]
INVOICE = (TESTS / "thirdparty" / "camunda-invoice" / "invoiceBusinessDecisions.dmn").read_bytes()
DISH = (TESTS / "dmn" / "camunda" / "dish-decision.dmn11.xml").read_bytes()
UNIQUE = (TESTS / "dmn" / "camunda" / "HitPolicyTest.unique.single.dmn").read_bytes()
COLLECT_SUM = (TESTS / "dmn" / "camunda" / "HitPolicyTest.collect.sum.single.dmn").read_bytes()


def deploy(client: TestClient, name: str, content: bytes) -> dict[str, Any]:
    response = client.post(
        f"{ENGINE}/deployment/create",
        data={"deployment-name": name, "deployment-source": "Camunda Modeler"},
        files=[(name, (name, content, "application/octet-stream"))],
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_every_decision_of_a_drd_is_listed_found_and_served_as_xml(client: TestClient) -> None:
    deployed = deploy(client, "invoiceBusinessDecisions.dmn", INVOICE)["deployedDecisionDefinitions"]
    assert sorted(d["key"] for d in deployed.values()) == ["invoice-assign-approver", "invoiceClassification"]
    listed = client.get(f"{ENGINE}/decision-definition").json()
    assert sorted((d["key"], d["version"], d["name"]) for d in listed) == [
        ("invoice-assign-approver", 1, "Assign Approver Group"),
        ("invoiceClassification", 1, "Invoice Classification"),
    ]
    one = client.get(f"{ENGINE}/decision-definition/key/invoiceClassification").json()
    assert one["resource"] == "invoiceBusinessDecisions.dmn" and one["id"] in deployed
    assert client.get(f"{ENGINE}/decision-definition/{one['id']}").json() == one
    xml = client.get(f"{ENGINE}/decision-definition/key/invoiceClassification/xml").json()
    assert xml["id"] == one["id"] and xml["dmnXml"] == INVOICE.decode()
    assert client.get(f"{ENGINE}/decision-definition/{one['id']}/xml").json() == xml

    changed = INVOICE.replace(b"<text>&lt; 250</text>", b"<text>&lt; 300</text>")
    deploy(client, "invoiceBusinessDecisions.dmn", changed)
    count = client.get(f"{ENGINE}/decision-definition/count", params={"key": "invoiceClassification"})
    assert count.json() == {"count": 2}
    latest = client.get(f"{ENGINE}/decision-definition", params={"latestVersion": "true"}).json()
    assert sorted((d["key"], d["version"]) for d in latest) == [
        ("invoice-assign-approver", 2),
        ("invoiceClassification", 2),
    ]
    page = client.get(
        f"{ENGINE}/decision-definition",
        params={"keyLike": "invoice%", "firstResult": 1, "maxResults": 2, "sortBy": "key"},
    ).json()
    assert len(page) == 2
    assert client.get(f"{ENGINE}/decision-definition/key/invoiceClassification").json()["version"] == 2
    by_version = client.get(
        f"{ENGINE}/decision-definition", params={"key": "invoiceClassification", "version": 1}
    )
    assert [d["id"] for d in by_version.json()] == [one["id"]]


def test_evaluate_takes_typed_variables_and_answers_typed_result_maps(client: TestClient) -> None:
    deploy(client, "invoiceBusinessDecisions.dmn", INVOICE)
    response = client.post(
        f"{ENGINE}/decision-definition/key/invoice-assign-approver/evaluate",
        json={
            "variables": {"amount": {"value": 100, "type": "Double"}, "invoiceCategory": {"value": "Misc"}}
        },
    )
    assert response.status_code == 200, response.text
    assert response.json() == [
        {"result": {"value": "accounting", "type": "String", "valueInfo": {}}},
        {"result": {"value": "sales", "type": "String", "valueInfo": {}}},
    ]
    dish = deploy(client, "dish-decision.dmn11.xml", DISH)["deployedDecisionDefinitions"]
    (dish_id,) = dish
    answer = client.post(
        f"{ENGINE}/decision-definition/{dish_id}/evaluate",
        json={
            "variables": {
                "season": {"value": "Spring", "type": "string"},
                "guestCount": {"value": 7, "type": "integer"},
            }
        },
    )
    assert answer.json() == [{"desiredDish": {"value": "Steak", "type": "String", "valueInfo": {}}}]
    deploy(client, "sum.dmn", COLLECT_SUM)
    variables = {
        "input1": True,
        "input2": True,
        "input3": False,
        "output1": 10,
        "output2": 20,
        "output3": 0.5,
    }
    summed = client.post(
        f"{ENGINE}/decision-definition/key/decision/evaluate",
        json={"variables": {name: {"value": value} for name, value in variables.items()}},
    )
    assert summed.json() == [{"null": {"value": 30, "type": "Integer", "valueInfo": {}}}]


def test_errors_have_camundas_shape(client: TestClient) -> None:
    missing = client.post(f"{ENGINE}/decision-definition/key/nowhere/evaluate", json={"variables": {}})
    assert missing.status_code == 404 and missing.json()["type"] == "InvalidRequestException"
    assert client.get(f"{ENGINE}/decision-definition/nowhere:1:x").status_code == 404
    unknown = client.get(f"{ENGINE}/decision-definition", params={"processDefinitionKey": "x"})
    assert unknown.status_code == 400 and unknown.json()["type"] == "InvalidRequestException"
    bad_type = client.post(
        f"{ENGINE}/decision-definition/key/nowhere/evaluate",
        json={"variables": {"amount": {"value": "many", "type": "Integer"}}},
    )
    assert bad_type.status_code == 400

    definition_id = next(iter(deploy(client, "unique.dmn", UNIQUE)["deployedDecisionDefinitions"]))
    variables = {
        "input1": True,
        "input2": True,
        "input3": False,
        "output1": "a",
        "output2": "b",
        "output3": "c",
    }
    failed = client.post(
        f"{ENGINE}/decision-definition/{definition_id}/evaluate",
        json={"variables": {name: {"value": value} for name, value in variables.items()}},
    )
    assert failed.status_code == 500
    body = failed.json()
    assert body["type"] == "RestException"
    assert body["message"].startswith(f"Cannot evaluate decision {definition_id}: ")
    assert "hit policy UNIQUE allows only one matching rule, but rule1, rule2 matched" in body["message"]


def test_evaluating_needs_an_integrator_process_owner_or_admin(camunda_sqlite: CamundaServer) -> None:
    """A caseworker may read the definitions (as the process definitions) but not evaluate them;
    an integrator's worker may (Basic service accounts, a live server with authentication on)."""
    diagram = Diagram(
        "dish_auth", "", DISH.replace(b'id="decision"', b'id="dish_auth"'), "dish_auth.dmn11.xml"
    )
    camunda_sqlite.deploy(diagram, OWNER)
    body = {"variables": {"season": {"value": "Spring"}, "guestCount": {"value": 20}}}
    with camunda_sqlite.http(CASEWORKER) as caseworker:
        assert caseworker.get("/decision-definition/key/dish_auth").status_code == 200
        refused = caseworker.post("/decision-definition/key/dish_auth/evaluate", json=body)
        assert refused.status_code == 403 and refused.json()["type"] == "AuthorizationException"
    with camunda_sqlite.http(WORKER) as worker:
        answer = worker.post("/decision-definition/key/dish_auth/evaluate", json=body)
    assert answer.json() == [{"desiredDish": {"value": "Stew", "type": "String", "valueInfo": {}}}]
    with camunda_sqlite.http(None) as anonymous:
        assert anonymous.get("/decision-definition").status_code == 401
