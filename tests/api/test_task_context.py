"""What a task says about itself for the pages: which legal deadline its due date keeps, and for a
leader's escalation which deadline was missed and when it fell due (SQLite and PostgreSQL)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from engine.clock import FakeClock

from support.lifecycle import CaseFlow, deploy_workflows

CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture
def flow(client: TestClient, clock: FakeClock) -> CaseFlow:
    clock.move_to(datetime(2026, 3, 2, 9, 0, tzinfo=CPH))  # a Monday
    deploy_workflows(client)
    return CaseFlow(client, clock)


def test_a_task_names_the_deadline_its_due_date_keeps(flow: CaseFlow) -> None:
    flow.open(reporter="professional")
    tasks = flow.open_tasks()
    assert (tasks["assess_report"]["deadline"], tasks["send_receipt"]["deadline"]) == (
        "report_assessment",
        "report_receipt",
    )
    listed = flow.client.get("/tasks", params={"case_id": flow.case_id}).json()["items"]
    assert {t["element_id"]: t["deadline"] for t in listed} == {
        "assess_report": "report_assessment",
        "send_receipt": "report_receipt",
    }
    flow.complete("assess_report", {"child_in_danger": False, "acute_measures": False})
    flow.complete("send_receipt", {"receipt_sent_at": flow.today()})
    assert flow.open_tasks()["first_talks"]["deadline"] is None  # no legal deadline on the talks


def test_each_escalation_says_which_deadline_was_missed_and_when_it_fell_due(flow: CaseFlow) -> None:
    flow.open(reporter="professional", received_ago=timedelta(minutes=5))
    assessment_due = flow.task("assess_report")["due_at"]
    receipt_due = flow.task("send_receipt")["due_at"]
    flow.advance(timedelta(days=10))  # past 24 hours and past 6 working days
    escalations = [t for t in flow.case()["tasks"] if t["element_id"] == "escalate_deadline"]
    causes = sorted((t["cause"]["deadline"], t["cause"]["due_at"], t["cause"]["kind"]) for t in escalations)
    assert causes == [
        ("report_assessment", assessment_due, "deadline_breached"),
        ("report_receipt", receipt_due, "deadline_breached"),
    ]
    assert {t["cause"]["element_id"] for t in escalations} == {"assess_report_breach", "send_receipt_breach"}
    assert all(t["cause"] is None for t in flow.case()["tasks"] if t["element_id"] != "escalate_deadline")
    one = flow.client.get(f"/tasks/{escalations[0]['id']}").json()
    assert one["cause"] == escalations[0]["cause"]


def test_cases_carry_the_labels_of_their_process_and_current_activities(flow: CaseFlow) -> None:
    flow.open(reporter="private")
    flow.through_screening("assessment")
    listed = flow.client.get("/cases", params={"business_key": flow.business_key}).json()["items"][0]
    assert listed["process_name"] == "Børnesag efter barnets lov"
    assert listed["activities"] == [{"id": "assessment", "name": "Afdækning (§ 19)"}]
    assert flow.case()["activities"] == listed["activities"]


def test_an_escalation_from_a_called_process_says_which_deadline_was_missed(flow: CaseFlow) -> None:
    """The child's plan is due 3 months after the decision, in the called process `indsats`."""
    flow.open()
    flow.through_screening("early_support")
    flow.decide()
    flow.advance(timedelta(days=100))
    escalations = [t for t in flow.case()["tasks"] if t["element_id"] == "escalate_deadline"]
    assert [t["cause"]["deadline"] for t in escalations] == ["child_plan"]
