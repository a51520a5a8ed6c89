"""Camunda Forms (SQLite and PostgreSQL): `.form` files deployed with the diagram, named by
`camunda:formRef` (latest, deployment, version) or `camunda:formKey="camunda-forms:deployment:…"`;
the task and start form routes; every submission checked on the server against the schema."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from support.bpmn import document

ENGINE = "/engine-rest"

FORM = {
    "schemaVersion": 16,
    "id": "Form_Approval",
    "type": "default",
    "components": [
        {"type": "textfield", "key": "creditor", "label": "Creditor", "validate": {"required": True}},
        {"type": "number", "key": "amount", "label": "Amount", "validate": {"required": True, "min": 1}},
        {
            "type": "textfield",
            "key": "invoiceNumber",
            "label": "Invoice",
            "validate": {"pattern": "^C-[0-9]+$"},
        },
        {
            "type": "group",
            "label": "Decision",
            "components": [
                {
                    "type": "select",
                    "key": "outcome",
                    "label": "Outcome",
                    "values": [
                        {"label": "Approve", "value": "approve"},
                        {"label": "Reject", "value": "reject"},
                    ],
                    "validate": {"required": True},
                },
                {"type": "checkbox", "key": "checked", "label": "Checked"},
            ],
        },
        {"type": "text", "text": "# Approve the invoice"},
    ],
}


def form_file(form: dict[str, Any], name: str) -> tuple[str, tuple[str, bytes, str]]:
    return (name, (name, json.dumps(form).encode(), "text/xml"))  # the Modeler sends text/xml


def process(key: str, task_attributes: str, start_attributes: str = "") -> tuple[str, tuple[str, bytes, str]]:
    body = f"""
    <bpmn:startEvent id="start" {start_attributes}><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="approve" name="Godkend" {task_attributes}><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end" />"""
    return (f"{key}.bpmn", (f"{key}.bpmn", document(key, body), "text/xml"))


def deploy(client: TestClient, *files: tuple[str, tuple[str, bytes, str]]) -> Any:
    return client.post(
        f"{ENGINE}/deployment/create", data={"deployment-name": files[0][0]}, files=list(files)
    )


def start_and_task(client: TestClient, key: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    started = client.post(f"{ENGINE}/process-definition/key/{key}/start", json={"variables": variables or {}})
    assert started.status_code == 200, started.text
    (task,) = client.get(f"{ENGINE}/task", params={"processInstanceId": started.json()["id"]}).json()
    assert isinstance(task, dict)
    return task


def test_a_form_ref_task_names_its_form_and_serves_the_deployed_file(client: TestClient) -> None:
    assert (
        deploy(
            client, process("ref", 'camunda:formRef="Form_Approval"'), form_file(FORM, "approval.form")
        ).status_code
        == 200
    )
    task = start_and_task(client, "ref")
    expected_ref = {"key": "Form_Approval", "binding": "latest", "version": None}
    assert task["camundaFormRef"] == expected_ref and task["formKey"] is None
    assert client.get(f"{ENGINE}/task/{task['id']}/form").json() == {
        "key": None,
        "contextPath": None,
        "camundaFormRef": expected_ref,
    }
    deployed = client.get(f"{ENGINE}/task/{task['id']}/deployed-form")
    assert deployed.status_code == 200 and deployed.headers["content-type"] == "application/json"
    assert deployed.json() == FORM


def test_form_ref_bindings_pick_latest_deployment_or_version(client: TestClient) -> None:
    second = {**FORM, "components": FORM["components"][:1]}
    assert (
        deploy(
            client,
            process(
                "bind_v",
                'camunda:formRef="Form_Approval" camunda:formRefBinding="version" camunda:formRefVersion="1"',
            ),
            form_file(FORM, "approval.form"),
        ).status_code
        == 200
    )
    assert (
        deploy(
            client,
            process("bind_d", 'camunda:formRef="Form_Approval" camunda:formRefBinding="deployment"'),
            form_file(second, "approval.form"),
        ).status_code
        == 200
    )
    assert (
        deploy(
            client, process("bind_l", 'camunda:formRef="Form_Approval"'), form_file(FORM, "approval.form")
        ).status_code
        == 200
    )
    for key, expected in (("bind_v", FORM), ("bind_d", second), ("bind_l", FORM)):
        task = start_and_task(client, key)
        assert client.get(f"{ENGINE}/task/{task['id']}/deployed-form").json() == expected, key


def test_a_camunda_forms_form_key_reads_the_file_of_its_deployment(client: TestClient) -> None:
    files = (
        process("fk", 'camunda:formKey="camunda-forms:deployment:approval.form"'),
        form_file(FORM, "approval.form"),
    )
    assert deploy(client, *files).status_code == 200
    task = start_and_task(client, "fk")
    assert task["formKey"] == "camunda-forms:deployment:approval.form" and task["camundaFormRef"] is None
    assert client.get(f"{ENGINE}/task/{task['id']}/deployed-form").json() == FORM


def test_a_submission_is_checked_against_the_form(client: TestClient) -> None:
    deploy(client, process("checked", 'camunda:formRef="Form_Approval"'), form_file(FORM, "approval.form"))
    task = start_and_task(client, "checked", {"creditor": {"value": "ACME", "type": "String"}})
    submit = f"{ENGINE}/task/{task['id']}/submit-form"
    wrong = client.post(
        submit,
        json={
            "variables": {
                "amount": {"value": "many"},
                "invoiceNumber": {"value": "X-1"},
                "outcome": {"value": "maybe"},
            }
        },
    )
    assert wrong.status_code == 400
    message = wrong.json()["message"]
    assert "amount: must be a number" in message and "invoiceNumber: must match" in message
    assert "outcome: must be one of approve, reject" in message and "creditor" not in message
    missing = client.post(submit, json={"variables": {"amount": {"value": 30}}})
    assert missing.status_code == 400 and "'Outcome' is required" in missing.json()["message"]
    variables = client.get(f"{ENGINE}/task/{task['id']}/form-variables").json()
    assert variables["creditor"]["value"] == "ACME"
    ok = client.post(submit, json={"variables": {"amount": {"value": 30}, "outcome": {"value": "approve"}}})
    assert ok.status_code == 204, ok.text


def test_the_start_form_is_named_served_and_checked(client: TestClient) -> None:
    files = (process("started", "", 'camunda:formRef="Form_Approval"'), form_file(FORM, "approval.form"))
    assert deploy(client, *files).status_code == 200
    form = client.get(f"{ENGINE}/process-definition/key/started/startForm").json()
    assert form["camundaFormRef"]["key"] == "Form_Approval"
    assert client.get(f"{ENGINE}/process-definition/key/started/deployed-start-form").json() == FORM
    refused = client.post(f"{ENGINE}/process-definition/key/started/submit-form", json={"variables": {}})
    assert refused.status_code == 400 and "'Creditor' is required" in refused.json()["message"]
    good = {"creditor": {"value": "ACME"}, "amount": {"value": 5}, "outcome": {"value": "reject"}}
    started = client.post(f"{ENGINE}/process-definition/key/started/submit-form", json={"variables": good})
    assert started.status_code == 200, started.text


def test_a_form_that_is_not_a_camunda_form_is_refused_at_deploy(client: TestClient) -> None:
    broken = ("broken.form", ("broken.form", b'{"components": "no"}', "text/xml"))
    not_json = ("not-json.form", ("not-json.form", b"<form/>", "text/xml"))
    twice = form_file(FORM, "again.form")
    response = deploy(
        client,
        process("broken_forms", 'camunda:formRef="Form_Approval"'),
        broken,
        not_json,
        twice,
        form_file(FORM, "a.form"),
    )
    assert response.status_code == 400
    details = response.json()["details"]
    assert set(details) >= {"broken.form", "not-json.form"}
    assert "same key 'Form_Approval'" in response.json()["message"]


def test_a_form_without_an_id_is_named_by_its_file(client: TestClient) -> None:
    no_id = {key: value for key, value in FORM.items() if key != "id"}
    files = (
        process("no_id", 'camunda:formKey="camunda-forms:deployment:no-id.form"'),
        form_file(no_id, "no-id.form"),
    )
    assert deploy(client, *files).status_code == 200
    task = start_and_task(client, "no_id")
    assert client.get(f"{ENGINE}/task/{task['id']}/deployed-form").json() == no_id


def test_a_task_of_another_municipality_has_no_form(client: TestClient) -> None:
    assert client.get(f"{ENGINE}/task/00000000-0000-0000-0000-000000000000/form").status_code == 404


def test_a_task_without_a_form_has_no_deployed_form(client: TestClient) -> None:
    assert deploy(client, process("formless", "")).status_code == 200
    task = start_and_task(client, "formless")
    assert client.get(f"{ENGINE}/task/{task['id']}/form").json()["key"] is None
    assert client.get(f"{ENGINE}/task/{task['id']}/deployed-form").status_code == 204
    assert client.get(f"/tasks/{task['id']}/camunda-form").status_code == 204
