"""The barnets lov lifecycle end to end over HTTP, with a fake clock (SQLite and PostgreSQL)."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise
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


def test_case_closed_at_screening(flow: CaseFlow) -> None:
    flow.open(reporter="anonymous")
    assert set(flow.open_tasks()) == {"assess_report"}  # no receipt for an anonymous reporter
    flow.through_screening("close")
    assert flow.case()["phase"] == "afslutning"
    flow.complete("closing", {"closing_method": "letter", "contact_info_given": True})
    case = flow.case()
    assert case["status"] == "completed" and case["ended_at"] is not None
    assert flow.history("deadline_breached") == []
    met = flow.deadlines("assess_report_breach")
    assert [d["status"] for d in met] == ["cancelled"]  # assessed in time


def test_afdaekning_then_support_with_two_follow_ups_then_closed(flow: CaseFlow) -> None:
    flow.open(reporter="professional")
    flow.through_screening("assessment")
    assert flow.case()["phase"] == "afdaekning"
    flow.complete("assessment", {"assessment_summary": "Behov for støtte", "assessment_outcome": "support"})
    flow.decide(child_plan_decided=False, child_plan_reason="Kortvarig indsats")
    assert set(flow.open_tasks()) == {"kickoff_meeting"}
    flow.kickoff(next_date_days=30)
    first_due = flow.deadlines("follow_up_breach")[0]["due_at"]
    assert first_due.startswith(flow.today(30))  # the agreed first follow-up, inside 3 months
    flow.advance(timedelta(days=28))
    flow.follow_up("continue", next_date_days=45)
    flow.advance(timedelta(days=40))
    flow.follow_up("close", next_date_days=None)
    flow.complete("closing", {"closing_method": "meeting", "contact_info_given": True})
    case = flow.case()
    assert case["status"] == "completed"
    completed = [e["element_id"] for e in flow.history("task_completed")]
    assert (
        completed.count("follow_up") == 2 and "assessment" in completed and "investigation" not in completed
    )
    assert [d["status"] for d in flow.deadlines("follow_up_breach")] == ["cancelled", "cancelled"]


def test_investigation_past_four_months_is_escalated_to_a_leader(flow: CaseFlow) -> None:
    flow.open()
    learned = flow.today(-1)
    flow.through_screening("investigation", investigation_started_at=learned)
    assert flow.case()["phase"] == "undersoegelse"
    [breach] = flow.deadlines("investigation_breach")
    assert (breach["purpose"], breach["deadline"]) == ("breach", "investigation")
    [warning] = flow.deadlines("investigation_warning")
    assert (warning["purpose"], warning["deadline"]) == ("reminder", "investigation")
    # Aware Sun 1 Mar 2026: the last day is Wed 1 Jul 2026; the breach fires when it has ended.
    assert (breach["due_date"], breach["due_kind"]) == ("2026-07-01", "calendar")
    assert breach["due_at"] == datetime(2026, 7, 2, 0, 0, tzinfo=CPH).astimezone(UTC).isoformat().replace(
        "+00:00", "Z"
    )
    assert (warning["due_date"], warning["due_at"]) == ("2026-06-01", "2026-05-31T22:00:00Z")
    flow.advance(timedelta(days=92))  # past the 3-month warning
    assert [e["data"]["deadline"] for e in flow.history("deadline_reminder")] == ["investigation"]
    assert "escalate_deadline" not in flow.open_tasks()
    flow.advance(timedelta(days=31))  # past 4 months
    assert [e["data"]["deadline"] for e in flow.history("deadline_breached")] == ["investigation"]
    escalation = flow.task("escalate_deadline")
    assert escalation["candidate_groups"] == ["leder"]
    assert "investigation" in flow.open_tasks()  # the investigation itself goes on


def test_placement_without_a_finished_investigation_is_refused(flow: CaseFlow) -> None:
    flow.open()
    flow.through_screening("early_support")
    before = flow.case()["version"]
    refusal = flow.decide(measure_type="placement_s46", placement_started_at=flow.today(), expect=422)
    assert [(e["name"], e["rule"]) for e in refusal["errors"]] == [("measure_type", "bfu_before_placement")]
    assert "børnefaglig undersøgelse" in refusal["errors"][0]["message_da"]
    assert flow.case()["version"] == before and "decision" in flow.open_tasks()


def test_decision_without_the_childs_perspective_is_refused(flow: CaseFlow) -> None:
    flow.open()
    flow.through_screening("early_support")
    refusal = flow.decide(child_perspective=None, expect=422)
    assert {e["name"] for e in refusal["errors"]} == {"child_perspective"}
    assert "decision" in flow.open_tasks()


def test_new_report_during_follow_up_is_assessed_within_24_hours(flow: CaseFlow) -> None:
    flow.open()
    flow.through_screening("early_support")
    flow.decide(child_plan_decided=False, child_plan_reason="Ikke relevant")
    flow.kickoff()
    flow.advance(timedelta(days=10))
    received = flow.clock.now() - timedelta(minutes=30)
    response = flow.client.post(
        "/messages",
        json={
            "name": "ny_underretning",
            "business_key": flow.business_key,
            "variables": {
                "report_received_at": received.isoformat(),
                "reporter_type": "private",
                "report_text": "Ny",
            },
        },
    )
    assert response.status_code == 200, response.text
    assert {"follow_up", "assess_new_report"} <= set(flow.open_tasks())
    [breach] = flow.deadlines("assess_new_report_breach")
    assert datetime.fromisoformat(breach["due_at"]) == received + timedelta(hours=24)
    flow.advance(timedelta(hours=25))
    assert [e["data"]["deadline"] for e in flow.history("deadline_breached")] == ["report_assessment"]
    assert "escalate_deadline" in flow.open_tasks()
    flow.complete("assess_new_report", {"child_in_danger": False, "acute_measures": False})
    assert "follow_up" in flow.open_tasks()


def test_plan_due_three_months_after_the_decision_is_reminded(flow: CaseFlow) -> None:
    flow.open()
    flow.through_screening("early_support")
    flow.decide(decision_date="2026-03-02")
    [due] = flow.deadlines("child_plan_breach")
    assert due["due_date"] == "2026-06-02"  # the last day; passed when it has ended
    assert due["due_at"].startswith("2026-06-02T22:00")  # 3 Jun 2026 00:00 CEST
    [reminder] = flow.deadlines("child_plan_reminder")
    assert reminder["due_date"] == "2026-05-19"  # 14 days earlier, when that day begins
    assert reminder["due_at"].startswith("2026-05-18T22:00")
    flow.move_to(datetime(2026, 5, 20, 9, 0, tzinfo=CPH))
    assert [e["data"]["deadline"] for e in flow.history("deadline_reminder")] == ["child_plan"]
    flow.complete("child_plan", {"child_plan_made_at": flow.today()})
    assert [d["status"] for d in flow.deadlines("child_plan_breach")] == ["cancelled"]  # met
    assert flow.history("deadline_breached") == []


def test_placed_child_gets_supervision_at_least_twice_a_year(flow: CaseFlow) -> None:
    flow.open()
    flow.through_screening("investigation", investigation_started_at=flow.today())
    flow.advance(timedelta(days=60))
    flow.complete(
        "investigation",
        {"investigation_summary": "Anbringelse nødvendig", "investigation_completed_at": flow.today()},
    )
    flow.decide(measure_type="placement_s46", measure_paragraph="§ 46", placement_started_at=flow.today())
    assert {"child_plan", "kickoff_meeting", "supervision_visit"} <= set(flow.open_tasks())
    placed = flow.clock.now()
    visits = []
    for months in (5, 11):
        flow.move_to(placed + timedelta(days=30 * months))
        flow.complete(
            "supervision_visit",
            {
                "supervision_visit_held_at": flow.today(),
                "visit_at_placement": True,
                "child_talk_held": True,
                "staff_present": False,
            },
        )
        visits.append(flow.clock.now())
    dues = sorted(datetime.fromisoformat(d["due_at"]) for d in flow.deadlines("supervision_breach"))
    assert len(dues) == 3 and len(visits) == 2
    assert all(later - earlier <= timedelta(days=184) for earlier, later in pairwise(dues))
    breached = [e["data"]["deadline"] for e in flow.history("deadline_breached")]
    assert "supervision" not in breached  # both visits inside the half-year


def test_a_professional_reporter_gets_a_receipt_within_six_working_days(flow: CaseFlow) -> None:
    flow.open(reporter="professional")
    [receipt] = flow.deadlines("send_receipt_breach")
    # Received Mon 2 Mar 2026 08:00: six working days are 3-10 March, due at the end of Tue 10 March.
    assert (receipt["due_date"], receipt["due_kind"]) == ("2026-03-10", "calendar")
    assert receipt["due_at"].startswith("2026-03-10T23:00")
    flow.complete("assess_report", {"child_in_danger": False, "acute_measures": False})
    flow.advance(timedelta(days=8, hours=14))  # Tue 10 Mar 23:00: still in time
    assert flow.history("deadline_breached") == []
    flow.advance(timedelta(hours=1))
    assert [e["data"]["deadline"] for e in flow.history("deadline_breached")] == ["report_receipt"]


def test_closing_a_measure_stops_the_supervision_of_a_placed_child(flow: CaseFlow) -> None:
    flow.open()
    flow.through_screening("investigation", investigation_started_at=flow.today())
    flow.complete("investigation", {"investigation_summary": "x", "investigation_completed_at": flow.today()})
    flow.decide(
        measure_type="placement_s47",
        measure_paragraph="§ 47",
        placement_started_at=flow.today(),
        child_plan_made_at=flow.today(),  # § 47: the plan is made before the decision
    )
    assert "child_plan" not in flow.open_tasks()
    flow.kickoff()
    flow.follow_up("close", next_date_days=None)
    tasks = flow.open_tasks()
    assert "supervision_visit" not in tasks and "closing" in tasks
