"""A process owner changes opfoelgningsinterval.dmn in Camunda Modeler and presses Deploy: the one
changed file reaches the next case at its decision; the process definitions stay as they were
(issue 20). SQLite and PostgreSQL."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from engine.clock import FakeClock

from support.camunda import BOUNDARY, Diagram, modeler_body
from support.lifecycle import WORKFLOWS, CaseFlow, deploy_workflows

CPH = ZoneInfo("Europe/Copenhagen")
DMN = WORKFLOWS / "opfoelgningsinterval.dmn"


@pytest.fixture
def flow(client: TestClient, clock: FakeClock) -> CaseFlow:
    clock.move_to(datetime(2026, 3, 2, 9, 0, tzinfo=CPH))
    deploy_workflows(client)
    return CaseFlow(client, clock)


def interval_after_decision(flow: CaseFlow, **decision: object) -> object:
    flow.open(reporter="professional")
    flow.through_screening("assessment")
    flow.complete("assessment", {"assessment_summary": "Behov for støtte", "assessment_outcome": "support"})
    flow.decide(**decision)
    kickoff = flow.client.get(f"/tasks/{flow.task('kickoff_meeting')['id']}").json()
    suggested = next(f["default"] for f in kickoff["form"] if f["id"] == "next_follow_up_date")
    assert suggested == flow.today(kickoff["variables"]["follow_up_interval_days"])  # the form's suggestion
    return kickoff["variables"]["follow_up_interval_days"]


def test_a_modeler_deploy_of_the_changed_dmn_alone_reaches_the_next_case(flow: CaseFlow) -> None:
    client = flow.client
    assert interval_after_decision(flow, concern_level="medium") == 60
    processes_before = client.get("/engine-rest/process-definition").json()

    changed = DMN.read_bytes().replace(b"<text>60</text>", b"<text>45</text>")
    assert changed != DMN.read_bytes()
    response = client.post(
        "/engine-rest/deployment/create",
        content=modeler_body(Diagram("Definitions_follow_up_interval", "", changed, DMN.name), [], None),
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["deployedProcessDefinitions"] is None
    assert [(d["key"], d["version"]) for d in body["deployedDecisionDefinitions"].values()] == [
        ("follow_up_interval", 2)
    ]
    assert client.get("/engine-rest/process-definition").json() == processes_before

    assert interval_after_decision(flow, concern_level="medium") == 45
    assert interval_after_decision(flow, concern_level="high") == 14  # the unchanged rows still hold
