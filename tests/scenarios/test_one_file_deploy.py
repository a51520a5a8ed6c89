"""A process owner changes one file in Camunda Modeler and presses Deploy: the changed called
process reaches new cases; a case already inside it does not change (issue 20)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from engine.clock import FakeClock

from support.camunda import BOUNDARY, Diagram, modeler_body
from support.lifecycle import WORKFLOWS, CaseFlow, deploy_workflows

NEW_TASK = """
    <bpmn:userTask id="prepare_decision" name="Forbered afgørelsen" camunda:candidateGroups="raadgiver">
      <bpmn:incoming>flow_measure_start_to_decision</bpmn:incoming>
      <bpmn:outgoing>flow_prepare_decision_to_decision</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="flow_prepare_decision_to_decision" sourceRef="prepare_decision" targetRef="decision"/>
    <bpmn:userTask id="decision\""""


def indsats_with_a_new_first_task() -> bytes:
    """indsats.bpmn as the Modeler saves it after adding a user task before the decision."""
    text = (WORKFLOWS / "indsats.bpmn").read_text()
    text = text.replace('targetRef="decision"/>', 'targetRef="prepare_decision"/>', 1)
    text = text.replace(
        "<bpmn:incoming>flow_measure_start_to_decision</bpmn:incoming>",
        "<bpmn:incoming>flow_prepare_decision_to_decision</bpmn:incoming>",
        1,
    )
    text = text.replace('\n    <bpmn:userTask id="decision"', NEW_TASK, 1)
    return text.encode()


def modeler_deploy(client: TestClient, file_name: str, content: bytes) -> dict[str, object]:
    """The request Camunda Modeler's Deploy button sends for the file in its open tab."""
    diagram = Diagram(file_name.removesuffix(".bpmn"), "", content, file_name)
    response = client.post(
        "/engine-rest/deployment/create",
        content=modeler_body(diagram, [], tenant=None),
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}", "accept": "application/json"},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_modeler_deploy_of_one_changed_indsats_reaches_new_cases_only(
    client: TestClient, clock: FakeClock
) -> None:
    deploy_workflows(client)
    inside = CaseFlow(client, clock).open()
    inside.through_screening("early_support")  # now inside indsats, at the decision
    assert set(inside.open_tasks()) == {"decision"}
    waiting = CaseFlow(client, clock).open()  # started before the deploy, not yet in indsats

    deployed = modeler_deploy(client, "indsats.bpmn", indsats_with_a_new_first_task())

    versions = deployed["deployedProcessDefinitions"]
    assert isinstance(versions, dict)
    assert [(d["key"], d["version"]) for d in versions.values()] == [("indsats", 2)]
    fresh = CaseFlow(client, clock).open()
    for case in (fresh, waiting):
        case.through_screening("early_support")
        assert set(case.open_tasks()) == {"prepare_decision"}
    fresh.complete("prepare_decision", {})
    assert set(fresh.open_tasks()) == {"decision"}

    assert set(inside.open_tasks()) == {"decision"}  # the version it entered
    inside.decide()
    assert "prepare_decision" not in {e["element_id"] for e in inside.history("task_created")}
    assert inside.case()["definition_id"] == fresh.case()["definition_id"]  # boernesag unchanged


def test_the_readme_deploys_one_file(client: TestClient) -> None:
    """README: `curl -F files=@workflows/boernesag.bpmn …/definitions` once the service runs (it
    deployed workflows/ at start-up); on an empty service the calls it makes are named."""
    boernesag = ("files", ("boernesag.bpmn", (WORKFLOWS / "boernesag.bpmn").read_bytes(), "text/xml"))
    refused = client.post("/definitions", files=[boernesag])
    assert refused.status_code == 422
    missing = {(e["element_id"], e["message"].split("'")[1]) for e in refused.json()["errors"]}
    assert missing == {
        ("handle_report", "underretning"),
        ("intervention", "indsats"),
        ("intervention_during_investigation", "indsats"),
        ("close_case", "afslutning"),
    }

    deploy_workflows(client)
    assert client.post("/definitions", files=[boernesag]).status_code == 201
