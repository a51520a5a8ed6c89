"""A refused deploy answers every problem of every file at once, natively and as Camunda does."""

from pathlib import Path

from fastapi.testclient import TestClient

from support import bpmn

INVOICE = Path(__file__).resolve().parent.parent / "thirdparty" / "camunda-invoice"


def invoice_files() -> list[tuple[str, tuple[str, bytes, str]]]:
    return [
        (p.name, (p.name, p.read_bytes(), "application/octet-stream")) for p in sorted(INVOICE.glob("*.*"))
    ]


def test_native_deploy_lists_every_problem_with_file_line_and_element(client: TestClient) -> None:
    files = [("files", part) for _, part in invoice_files()]
    response = client.post("/definitions", files=files)
    assert response.status_code == 422
    errors = response.json()["errors"]
    where = {(e["resource"], e["element_id"], e["line"]) for e in errors}
    assert {
        ("invoice.v2.bpmn", "approveInvoice", 33),
        ("invoice.v2.bpmn", "approveInvoice", 38),
        ("invoice.v2.bpmn", "ServiceTask_1", 79),
    } <= where
    assert {e["resource"] for e in errors} == {"invoice.v2.bpmn"}  # its DRD runs
    assert client.get("/definitions").json()["total"] == 0


def test_modeler_deploy_gets_a_parse_exception_with_details_per_resource(client: TestClient) -> None:
    response = client.post(
        "/engine-rest/deployment/create",
        data={"deployment-name": "invoice", "deployment-source": "Camunda Modeler"},
        files=invoice_files(),
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "ParseException"
    assert body["message"].startswith("ENGINE-09005 Could not parse BPMN process.")
    errors = body["details"]["invoice.v2.bpmn"]["errors"]
    listeners = [e for e in errors if e["mainBpmnElementId"] == "approveInvoice"]
    assert [e["line"] for e in listeners] == [33, 38]
    assert all("javascript script" in e["message"] for e in listeners)
    assert any("ArchiveInvoiceService" in e["message"] for e in errors)
    assert "invoiceBusinessDecisions.dmn" not in body["details"]
    assert "ArchiveInvoiceService" in body["message"]  # the Modeler shows only the message


def test_a_deploy_with_a_warning_answers_it_beside_the_new_versions(client: TestClient) -> None:
    timed = bpmn.timer_process("timed", "P30D", purpose="breach")
    response = client.post("/definitions", files=[("files", ("timed.bpmn", timed, "text/xml"))])
    assert response.status_code == 201
    body = response.json()
    assert [d["key"] for d in body["new_definitions"]] == ["timed"]
    assert [(w["element_id"], w["item"], w["resource"]) for w in body["warnings"]] == [
        ("wait", "timer:wait", "timed.bpmn")
    ]
    assert "P30D counts from when the timer started" in body["warnings"][0]["message"]
