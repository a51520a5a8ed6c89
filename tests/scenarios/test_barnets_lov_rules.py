"""The rules of barnets lov as the shipped diagrams run them, over HTTP (SQLite and PostgreSQL).

Each test drives the real workflows with a fake clock, as a caseworker would, and checks the rule
with its paragraph: a calendar deadline is met all through its last day (§ 20, stk. 3; § 95), the
foreløbig vurdering of a late investigation (§ 20, stk. 3), a § 46 placement during a running
investigation and the § 47 conditions, barnets plan (§ 91), the first follow-up (§ 95), the child heard before a decision (§ 5, stk. 3-4), the
personrettet tilsyn (§ 156, stk. 5), receipts and feedback to reporters (§§ 133, 137).
"""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from engine import deadlines as deadlines_module
from engine.clock import FakeClock

from support.lifecycle import CaseFlow, deploy_workflows

CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture
def flow(client: TestClient, clock: FakeClock) -> CaseFlow:
    clock.move_to(datetime(2026, 12, 2, 9, 0, tzinfo=CPH))  # Wednesday 2 December 2026
    deploy_workflows(client)
    return CaseFlow(client, clock)


def investigating(flow: CaseFlow, *, reporter: str = "private") -> CaseFlow:
    flow.open(reporter=reporter)
    flow.through_screening("investigation", investigation_started_at=flow.today())
    return flow


def form_of(flow: CaseFlow, element_id: str) -> dict[str, dict[str, Any]]:
    """The task's form as the inbox gets it, defaults computed when it is opened."""
    response = flow.client.get(f"/tasks/{flow.task(element_id)['id']}")
    assert response.status_code == 200, response.text
    return {f["id"]: f for f in response.json()["form"]}


def finish_investigation(flow: CaseFlow) -> None:
    flow.complete(
        "investigation", {"investigation_summary": "Konklusion", "investigation_completed_at": flow.today()}
    )


# --- § 20, stk. 3: the børnefaglig undersøgelse ------------------------------------------------


def test_a_bfu_finished_at_2359_on_its_last_day_is_met_and_escalates_nothing(flow: CaseFlow) -> None:
    investigating(flow)
    [breach] = flow.deadlines("investigation_breach")
    assert (breach["due_date"], breach["due_kind"]) == ("2027-04-02", "calendar")  # aware 2 Dec 2026
    assert flow.task("investigation")["due_date"] == "2027-04-02"
    # The breach runs when the last day has ended: 3 April 00:00 CEST. Camunda's views say both.
    assert breach["due_at"] == "2027-04-02T22:00:00Z"
    [job] = flow.client.get("/engine-rest/job", params={"activityId": "investigation_breach"}).json()
    assert (job["dueDay"], job["dueKind"], job["dueDate"]) == (
        "2027-04-02",
        "calendar",
        "2027-04-02T22:00:00.000+0000",
    )
    [task] = flow.client.get("/engine-rest/task", params={"taskDefinitionKey": "investigation"}).json()
    assert (task["dueDay"], task["dueKind"]) == ("2027-04-02", "calendar")
    flow.move_to(datetime(2027, 4, 2, 23, 59, tzinfo=CPH))
    finish_investigation(flow)
    flow.advance(timedelta(days=2))
    [met] = flow.deadlines("investigation_breach")
    assert (met["status"], met["outcome"]) == ("cancelled", "met")
    assert flow.history("deadline_breached") == []
    assert "escalate_deadline" not in flow.open_tasks() and "provisional_assessment" not in flow.open_tasks()


def test_a_bfu_still_open_at_0000_the_day_after_is_breached_and_needs_a_provisional_assessment(
    flow: CaseFlow,
) -> None:
    investigating(flow)
    flow.move_to(datetime(2027, 4, 2, 23, 59, tzinfo=CPH))
    assert flow.history("deadline_breached") == []
    flow.move_to(datetime(2027, 4, 3, 0, 0, tzinfo=CPH))
    assert [e["data"]["deadline"] for e in flow.history("deadline_breached")] == ["investigation"]
    assert {"investigation", "escalate_deadline", "provisional_assessment"} <= set(flow.open_tasks())
    flow.complete(
        "provisional_assessment",
        {
            "provisional_assessment_note": "Barnet er i trivsel i skolen; hjemmet undersøges færdigt",
            "provisional_assessment_at": flow.today(),
            "investigation_expected_on": flow.today(7),
        },
    )
    assert "investigation" in flow.open_tasks()  # the investigation goes on and must finish snarest
    [breached] = flow.deadlines("investigation_breach")
    assert (breached["status"], breached["outcome"]) == ("fired", "breached")


# --- § 46 / § 47 and barnets plan (§ 91) ------------------------------------------------------


def placement(flow: CaseFlow, measure: str, **extra: Any) -> dict[str, Any]:
    return {
        "measure_type": measure,
        "measure_paragraph": measure.replace("placement_s", "§ "),
        "placement_started_at": flow.today(),
        **extra,
    }


def decide_during_investigation(flow: CaseFlow) -> None:
    response = flow.client.post(
        "/messages", json={"name": "afgoerelse_under_undersoegelse", "business_key": flow.business_key}
    )
    assert response.status_code == 200, response.text
    assert {"investigation", "decision"} <= set(flow.open_tasks())


def test_a_s46_placement_starts_during_the_bfu_which_goes_on_and_moves_the_first_follow_up(
    flow: CaseFlow,
) -> None:
    investigating(flow)
    flow.advance(timedelta(days=14))
    decide_during_investigation(flow)
    refusal = flow.decide(**placement(flow, "placement_s47"), expect=422)
    assert {e["rule"] for e in refusal["errors"]} == {"bfu_before_placement", "plan_before_s47"}
    flow.decide(**placement(flow, "placement_s46"))
    assert {"investigation", "child_plan", "kickoff_meeting", "supervision_visit"} <= set(flow.open_tasks())
    flow.kickoff(next_date_days=60)  # agreed first follow-up: 14 February 2027
    assert flow.task("follow_up")["due_date"] == "2027-02-14"
    flow.advance(timedelta(days=20))
    finish_investigation(flow)  # 5 January 2027: earlier than the agreed day and than 3 months
    assert "decision" not in flow.open_tasks()  # the placement goes on; no second decision
    follow_up = flow.task("follow_up")
    assert (follow_up["due_date"], follow_up["due_kind"]) == ("2027-01-05", "calendar")
    outcomes = sorted(d["outcome"] or "pending" for d in flow.deadlines("follow_up_breach"))
    assert outcomes == ["cancelled", "pending"]  # the replaced deadline is neither met nor breached


def test_a_s47_decision_needs_a_finished_bfu_and_the_plan_before_it(flow: CaseFlow) -> None:
    flow.open()
    flow.through_screening("early_support")
    refusal = flow.decide(**placement(flow, "placement_s47"), expect=422)
    assert {e["rule"] for e in refusal["errors"]} == {"bfu_before_placement", "plan_before_s47"}
    refusal = flow.decide(**placement(flow, "placement_s46"), expect=422)  # no investigation at all
    assert [e["rule"] for e in refusal["errors"]] == ["bfu_before_placement"]
    assert "decision" in flow.open_tasks()


def test_a_s47_decision_on_a_finished_bfu_with_the_plan_made_first(flow: CaseFlow) -> None:
    investigating(flow)
    finish_investigation(flow)
    refusal = flow.decide(**placement(flow, "placement_s47"), expect=422)
    assert [(e["rule"], e["name"]) for e in refusal["errors"]] == [("plan_before_s47", "child_plan_made_at")]
    flow.decide(**placement(flow, "placement_s47", child_plan_made_at=flow.today(-1)))
    assert "child_plan" not in flow.open_tasks()  # made before the decision
    assert {"kickoff_meeting", "supervision_visit"} <= set(flow.open_tasks())


def test_a_s32_decision_records_whether_a_plan_is_made_and_a_placement_always_has_one(flow: CaseFlow) -> None:
    investigating(flow)
    finish_investigation(flow)
    refusal = flow.decide(child_plan_decided=False, expect=422)  # no plan and no reason
    assert [(e["rule"], e["name"]) for e in refusal["errors"]] == [("plan_reason", "child_plan_reason")]
    no_plan = {"child_plan_decided": False, "child_plan_reason": "Anbringelsen er kortvarig"}
    refusal = flow.decide(**placement(flow, "placement_s46", **no_plan), expect=422)
    assert [e["rule"] for e in refusal["errors"]] == ["plan_on_placement"]  # a reason is not enough
    flow.decide()  # § 32 with a plan: due 3 months after the decision (Wed 2 Dec 2026)
    plan = flow.task("child_plan")
    assert (plan["due_date"], plan["due_kind"]) == ("2027-03-02", "calendar")
    [breach] = flow.deadlines("child_plan_breach")
    assert (breach["deadline"], breach["due_date"]) == ("child_plan", "2027-03-02")


def breaches_of(flow: CaseFlow, deadline: str) -> list[dict[str, Any]]:
    return [e for e in flow.history("deadline_breached") if e["data"]["deadline"] == deadline]


def escalations(flow: CaseFlow) -> int:
    return sum(t["element_id"] == "escalate_deadline" for t in flow.case()["tasks"])


def test_a_plan_made_at_2359_on_its_last_day_is_met_and_escalates_nothing(flow: CaseFlow) -> None:
    investigating(flow)
    finish_investigation(flow)
    flow.decide()  # § 32 with a plan, Wed 2 Dec 2026: the last day is Tue 2 March 2027
    flow.move_to(datetime(2027, 3, 2, 23, 59, tzinfo=CPH))
    flow.complete("child_plan", {"child_plan_made_at": flow.today()})
    flow.advance(timedelta(days=2))
    [met] = flow.deadlines("child_plan_breach")
    assert (met["status"], met["outcome"]) == ("cancelled", "met")
    assert breaches_of(flow, "child_plan") == [] and escalations(flow) == 0
    compliance = {c["deadline"]: c for c in flow.client.get("/reports/overview").json()["compliance"]}
    assert (compliance["child_plan"]["met"], compliance["child_plan"]["breached"]) == (1, 0)


def test_a_plan_made_the_day_after_its_last_day_is_breached_once(flow: CaseFlow) -> None:
    investigating(flow)
    finish_investigation(flow)
    flow.decide()
    flow.move_to(datetime(2027, 3, 3, 0, 0, tzinfo=CPH))  # Tue 2 March has ended: the breach runs
    flow.move_to(datetime(2027, 3, 3, 10, 0, tzinfo=CPH))
    flow.complete("child_plan", {"child_plan_made_at": flow.today()})
    flow.advance(timedelta(days=30))
    [breached] = flow.deadlines("child_plan_breach")
    assert (breached["status"], breached["outcome"]) == ("fired", "breached")  # made late: stays breached
    assert len(breaches_of(flow, "child_plan")) == 1 and escalations(flow) == 1
    compliance = {c["deadline"]: c for c in flow.client.get("/reports/overview").json()["compliance"]}
    assert (compliance["child_plan"]["met"], compliance["child_plan"]["breached"]) == (0, 1)


# --- § 5, stk. 3-4: the child heard before every decision ---------------------------------------


def test_the_child_is_heard_before_a_decision_or_the_exception_is_recorded(flow: CaseFlow) -> None:
    flow.open()
    flow.through_screening("early_support")
    refusal = flow.decide(child_perspective_obtained=False, expect=422)
    assert [(e["rule"], e["name"]) for e in refusal["errors"]] == [
        ("child_heard", "child_heard_exception_reason")
    ]
    refusal = flow.decide(
        child_perspective_obtained=False, child_heard_exception_reason="Barnet er to måneder", expect=422
    )
    assert [e["rule"] for e in refusal["errors"]] == ["child_heard"]  # and the other way is missing
    flow.decide(
        child_perspective_obtained=False,
        child_heard_exception_reason="Barnet er to måneder",
        child_view_obtained_otherwise="Observation af samspillet med forældrene",
        child_plan_decided=False,
        child_plan_reason="Kortvarig indsats",
    )
    assert "kickoff_meeting" in flow.open_tasks()


# --- § 95: follow-up ------------------------------------------------------------------------------


def test_a_follow_up_held_on_the_agreed_day_at_1600_is_met(flow: CaseFlow) -> None:
    flow.open()
    flow.through_screening("early_support")
    flow.decide(child_plan_decided=False, child_plan_reason="Kortvarig indsats")
    form = form_of(flow, "kickoff_meeting")
    proposed = form["next_follow_up_date"]["default"]  # decided Wed 2 Dec, medium concern: 60 days
    assert proposed == "2027-01-29"  # Sun 31 Jan 2027 moved back to the Friday before
    flow.kickoff(next_date_days=14)  # agreed: Wednesday 16 December
    assert flow.task("follow_up")["due_date"] == "2026-12-16"
    flow.move_to(datetime(2026, 12, 16, 16, 0, tzinfo=CPH))
    flow.follow_up("continue", next_date_days=200)  # the law sets no maximum interval after the first
    [held, running] = sorted(flow.deadlines("follow_up_breach"), key=lambda d: d["due_at"])
    assert (held["outcome"], running["due_date"]) == ("met", "2027-07-04")
    assert flow.history("deadline_breached") == []


def test_a_first_follow_up_agreed_after_three_months_is_due_three_months_after_the_start(
    flow: CaseFlow,
) -> None:
    flow.open()
    flow.through_screening("early_support")
    flow.decide(child_plan_decided=False, child_plan_reason="Kortvarig indsats")
    flow.kickoff(next_date_days=120)  # started Wed 2 Dec 2026, a day agreed in April 2027
    follow_up = flow.task("follow_up")
    assert (follow_up["due_date"], follow_up["due_kind"]) == ("2027-03-02", "calendar")  # § 95
    [pending] = flow.deadlines("follow_up_breach")
    assert (pending["deadline"], pending["due_date"]) == ("follow_up", "2027-03-02")


def test_a_follow_up_due_by_the_default_interval_is_reported_as_municipal_policy(flow: CaseFlow) -> None:
    flow.open()
    flow.through_screening("early_support")
    flow.decide(child_plan_decided=False, child_plan_reason="Kortvarig indsats")
    flow.kickoff(next_date_days=14)
    flow.follow_up("continue", next_date_days=None)  # no next day agreed
    pending = [d for d in flow.deadlines("follow_up_breach") if d["status"] == "pending"]
    assert [(d["deadline"], d["due_date"]) for d in pending] == [("follow_up_default_interval", "2027-06-02")]
    flow.move_to(datetime(2027, 6, 3, 0, 0, tzinfo=CPH))  # its last day, 2 June 2027, has ended
    report = flow.client.get("/reports/overview").json()
    lines = {c["deadline"]: (c["breached"], c["basis"], c["paragraph"]) for c in report["compliance"]}
    assert lines["follow_up_default_interval"] == (1, "policy", "—")
    assert lines["follow_up"][1:] == ("law", "§ 95")


def test_a_follow_up_step_computes_its_deadlines_once(
    flow: CaseFlow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Completing a follow-up reads the deadlines four times (the submitted variables, the next
    follow-up's due date, its breach timer's date and rule); they are computed once."""
    flow.open()
    flow.through_screening("early_support")
    flow.decide(child_plan_decided=False, child_plan_reason="Kortvarig indsats")
    flow.kickoff()
    computed: list[object] = []
    real = deadlines_module._derive
    monkeypatch.setattr(
        deadlines_module, "_derive", lambda facts, s: computed.append(facts) or real(facts, s)
    )
    deadlines_module._derive_cached.cache_clear()
    flow.follow_up("continue", next_date_days=45)
    assert len(computed) == 1
    assert flow.task("follow_up")["due_date"] == "2027-01-16"  # 2 Dec 2026 + 45 days, as before


def test_the_first_follow_up_records_how_follow_up_is_organised(flow: CaseFlow) -> None:
    flow.open()
    flow.through_screening("early_support")
    flow.decide(child_plan_decided=False, child_plan_reason="Kortvarig indsats")
    flow.kickoff()
    refused = flow.complete(
        "follow_up",
        {
            "child_talk_alone": True,
            "follow_up_assessment": "x",
            "follow_up_outcome": "continue",
            "follow_up_held_at": flow.today(),
            "next_follow_up_date": flow.today(30),
        },
        expect=422,
    )
    assert {e["name"] for e in refused["errors"]} == {"follow_up_plan", "follow_up_plan_explained"}
    flow.follow_up("continue")
    form = form_of(flow, "follow_up")
    assert form["follow_up_plan"]["default"]  # the decision is kept for the next follow-up


# --- § 156, stk. 5: personrettet tilsyn ------------------------------------------------------


def test_each_supervision_visit_records_the_talk_and_whether_staff_were_present(flow: CaseFlow) -> None:
    investigating(flow)
    finish_investigation(flow)
    flow.decide(**placement(flow, "placement_s46"))
    form = set(form_of(flow, "supervision_visit"))
    assert "second_caseworker" not in form  # no two-caseworker rule in the law
    visit = {"supervision_visit_held_at": flow.today(), "visit_at_placement": True}
    refused = flow.complete(
        "supervision_visit", {**visit, "child_talk_held": False, "staff_present": False}, expect=422
    )
    assert [e["rule"] for e in refused["errors"]] == ["supervision_talk"]
    refused = flow.complete(
        "supervision_visit", {**visit, "child_talk_held": True, "staff_present": True}, expect=422
    )
    assert [(e["rule"], e["name"]) for e in refused["errors"]] == [
        ("supervision_staff", "staff_present_reason")
    ]
    flow.complete(
        "supervision_visit",
        {
            **visit,
            "child_talk_held": True,
            "staff_present": True,
            "staff_present_reason": "Barnet ønskede det",
        },
    )
    assert flow.task("supervision_visit")["due_date"] == "2027-06-02"  # at most 6 months: twice a year


def test_a_visit_on_the_last_day_is_met_and_the_next_interval_counts_from_that_visit(flow: CaseFlow) -> None:
    investigating(flow)
    finish_investigation(flow)
    flow.move_to(datetime(2026, 12, 31, 10, 0, tzinfo=CPH))
    flow.decide(**placement(flow, "placement_s46"))  # placed Thu 31 Dec 2026
    assert flow.task("supervision_visit")["due_date"] == "2027-06-30"  # June has no 31st
    flow.move_to(datetime(2027, 6, 30, 23, 59, tzinfo=CPH))
    flow.complete(
        "supervision_visit",
        {
            "supervision_visit_held_at": flow.today(),
            "visit_at_placement": True,
            "child_talk_held": True,
            "staff_present": False,
        },
    )
    flow.advance(timedelta(days=2))
    # 6 months from the visit (30 Dec 2027), not 12 months from the placement (31 Dec 2027)
    assert flow.task("supervision_visit")["due_date"] == "2027-12-30"
    visits = sorted(flow.deadlines("supervision_breach"), key=lambda d: d["due_date"])
    assert [(d["due_date"], d["outcome"] or "pending") for d in visits] == [
        ("2027-06-30", "met"),
        ("2027-12-30", "pending"),
    ]
    assert breaches_of(flow, "supervision") == []  # (the plan and the kickoff, left undone, are)


def test_a_supervision_deadline_ended_by_closing_the_measure_is_cancelled_not_met(flow: CaseFlow) -> None:
    investigating(flow)
    finish_investigation(flow)
    flow.decide(**placement(flow, "placement_s46"))
    flow.complete("child_plan", {"child_plan_made_at": flow.today()})
    flow.kickoff()
    flow.follow_up("close", next_date_days=None)
    assert "supervision_visit" not in flow.open_tasks()
    [supervision] = flow.deadlines("supervision_breach")
    assert (supervision["status"], supervision["outcome"]) == ("cancelled", "cancelled")


# --- §§ 133, 137: receipt and feedback to the reporter ----------------------------------------------


@pytest.mark.parametrize(("reporter", "receipt"), [("private", True), ("parent", True), ("anonymous", False)])
def test_every_identifiable_reporter_gets_a_receipt(flow: CaseFlow, reporter: str, receipt: bool) -> None:
    flow.open(reporter=reporter)
    assert ("send_receipt" in flow.open_tasks()) is receipt


@pytest.mark.parametrize(("reporter", "feedback"), [("professional", True), ("private", False)])
def test_a_professional_reporter_hears_whether_an_investigation_was_started(
    flow: CaseFlow, reporter: str, feedback: bool
) -> None:
    flow.open(reporter=reporter)
    flow.complete("assess_report", {"child_in_danger": False, "acute_measures": False})
    flow.complete("send_receipt", {"receipt_sent_at": flow.today()})
    flow.complete("first_talks", {"child_talk_held_at": flow.today()})
    flow.complete(
        "screening",
        {
            "screening_assessment": "x",
            "screening_outcome": "investigation",
            "investigation_started_at": flow.today(),
        },
    )
    assert "investigation" in flow.open_tasks()
    assert ("reporter_feedback" in flow.open_tasks()) is feedback  # § 133: professionals only
    if feedback:
        flow.give_feedback("investigation")
        assert "reporter_feedback" not in flow.open_tasks()
