"""GET /cases/{id}/diagram: the case's BPMN files with the elements it completed and where it
stands, driven through the real barnets lov workflows (SQLite and PostgreSQL)."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from engine.clock import FakeClock
from engine.errors import NotFoundError
from engine.instances import ReportOfConcern
from engine.model import Actor, Role
from engine.service import Engine
from engine.store.tables import AccessLog

from support.lifecycle import WORKFLOWS, CaseFlow, deploy_workflows

CPH = ZoneInfo("Europe/Copenhagen")
MUNICIPALITY = "0101"  # the client fixture's dev municipality
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=CPH)


@pytest.fixture
def flow(client: TestClient, clock: FakeClock) -> CaseFlow:
    clock.move_to(MONDAY)
    deploy_workflows(client)
    return CaseFlow(client, clock)


def diagrams(flow: CaseFlow) -> dict[str, dict[str, Any]]:
    response = flow.client.get(f"/cases/{flow.case_id}/diagram")
    assert response.status_code == 200, response.text
    return {d["process_id"]: d for d in response.json()}


def process_ids(flow: CaseFlow) -> list[str]:
    return list(diagrams(flow))


def test_a_new_case_has_its_start_completed_and_both_report_tasks_active(flow: CaseFlow) -> None:
    flow.open(reporter="professional")
    found = diagrams(flow)
    assert list(found) == ["boernesag", "underretning"]
    main, report = found["boernesag"], found["underretning"]
    assert (main["completed"], main["active"]) == (["case_received"], ["handle_report"])
    assert set(report["completed"]) == {"report_start", "report_fork", "receipt_needed"}
    assert set(report["active"]) == {
        "assess_report",
        "assess_report_breach",
        "send_receipt",
        "send_receipt_breach",
    }


def test_each_diagram_is_the_deployed_file_with_its_process_name(flow: CaseFlow) -> None:
    flow.open()
    report = diagrams(flow)["underretning"]
    assert report["xml"] == (WORKFLOWS / "underretning.bpmn").read_text(encoding="utf-8")
    assert report["name"] == "Håndtering af underretning"


def test_the_completed_path_follows_the_case_into_the_investigation(flow: CaseFlow) -> None:
    flow.open(reporter="anonymous")
    flow.through_screening("investigation", investigation_started_at=flow.today(-1))
    found = diagrams(flow)
    main, report = found["boernesag"], found["underretning"]
    assert main["completed"][:4] == ["case_received", "handle_report", "first_talks", "screening"]
    assert set(main["completed"]) == {
        "case_received",
        "handle_report",
        "first_talks",
        "screening",
        "after_screening",
        "screening_route",
        "feedback_needed",  # no feedback task: the reporter is not a professional (§ 133)
        "no_feedback",
        "investigation_merge",
        "investigation_fork",
    }
    assert set(main["active"]) == {
        "investigation",
        "investigation_warning",
        "investigation_breach",
        "during_investigation",  # a decision may come while the investigation runs (§ 46, stk. 3)
    }
    assert report["active"] == [] and {"assess_report", "report_end"} <= set(report["completed"])
    assert "send_receipt" not in report["completed"]  # an anonymous reporter gets no receipt


def test_an_event_subprocess_is_marked_in_its_parents_diagram(flow: CaseFlow) -> None:
    flow.open()
    flow.advance(timedelta(days=2))  # the 24-hour assessment is breached: the leader is escalated to
    found = diagrams(flow)
    assert list(found) == ["boernesag", "underretning"]
    main = found["boernesag"]
    assert {"escalation", "escalate_deadline"} <= set(main["active"])
    assert "deadline_breached" in main["completed"]
    every_active = {i for d in found.values() for i in d["active"]}
    assert every_active == set(flow.case()["current_activities"])


def test_called_processes_appear_once_each_in_the_order_they_started(flow: CaseFlow) -> None:
    flow.open()
    flow.through_screening("assessment")
    flow.complete("assessment", {"assessment_summary": "Behov for støtte", "assessment_outcome": "support"})
    found = diagrams(flow)
    assert list(found) == ["boernesag", "underretning", "indsats"]
    assert found["indsats"]["active"] == ["decision"]
    assert "intervention" in found["boernesag"]["active"]  # the call activity waits for its process


def test_an_element_in_a_loop_is_completed_and_active_again(flow: CaseFlow) -> None:
    flow.open()
    flow.through_screening("assessment")
    flow.complete("assessment", {"assessment_summary": "Behov for støtte", "assessment_outcome": "support"})
    flow.decide(child_plan_decided=False, child_plan_reason="Kortvarig indsats")
    flow.kickoff(next_date_days=30)
    flow.follow_up("continue", next_date_days=30)
    intervention = diagrams(flow)["indsats"]
    assert "follow_up" in intervention["completed"] and "follow_up" in intervention["active"]
    assert intervention["completed"].count("follow_up") == 1


def test_a_closed_case_ends_at_its_end_event_with_nothing_active(flow: CaseFlow) -> None:
    flow.open()
    flow.through_screening("close")
    flow.complete("closing", {"closing_method": "letter", "contact_info_given": True})
    found = diagrams(flow)
    assert list(found) == ["boernesag", "underretning", "afslutning"]
    assert all(d["active"] == [] for d in found.values())
    assert "case_closed" in found["boernesag"]["completed"]
    assert "assessment" not in found["boernesag"]["completed"]


def test_an_unknown_case_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/cases/00000000-0000-0000-0000-000000000000/diagram")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def actor(role: Role, user: str, *, municipality: str = MUNICIPALITY, team: str = "team-a") -> Actor:
    return Actor(user, municipality, frozenset({role}), frozenset({team}))


def _open(engine: Engine, clock: FakeClock) -> str:
    clock.move_to(MONDAY)
    admin = actor(Role.ADMIN, "admin-1")
    engine.deploy_directory(WORKFLOWS, actor=admin)
    report = ReportOfConcern(MONDAY - timedelta(hours=1), "private", "B-7", "Bekymring", team="team-a")
    return engine.open_case(report, actor=admin).id


def test_another_municipality_or_team_finds_no_diagram(engine: Engine, clock: FakeClock) -> None:
    case_id = _open(engine, clock)
    assert engine.case_diagrams(case_id, actor=actor(Role.CASEWORKER, "cw-1"))
    with pytest.raises(NotFoundError):
        engine.case_diagrams(case_id, actor=actor(Role.LEADER, "leader-9", municipality="0999"))
    with pytest.raises(NotFoundError):
        engine.case_diagrams(case_id, actor=actor(Role.CASEWORKER, "cw-9", team="team-b"))


def test_a_diagram_read_is_logged_once(engine: Engine, clock: FakeClock) -> None:
    case_id = _open(engine, clock)
    reader = actor(Role.LEADER, "leader-2")
    engine.case_diagrams(case_id, actor=reader)
    with engine.store.read() as session:
        rows = session.exec(select(AccessLog).where(AccessLog.actor == "leader-2")).all()
    assert [(r.instance_id, r.action, r.purpose) for r in rows] == [(case_id, "read", "case diagram")]
