"""Report figures from a seeded set of real cases with hand-computed answers (SQLite and PostgreSQL).

Seed (clock starts Monday 2 March 2026 09:00, Copenhagen):
- A (private reporter): assessed at once, receipt sent at once, first talk the same day, closed at
  screening.
- B (professional): assessed at once; receipt sent on day 2 (in time); first talk day 2; early
  support; decision with the child heard and a plan; follow-up on its last day (18 March, 08:00)
  with a talk alone; claimed once by a caseworker (its first caseworker: no change of caseworker).
- C (private): not assessed within 24 hours (breach); receipt on day 2 (in time); first talk day 2;
  early support; decision without the child heard (the exception recorded); follow-up only after
  its last day had ended (19 March, 08:00), no talk alone.
Expected, by hand:
- report_assessment: met A, B; breached C -> 2 met of 3. report_receipt: A, B, C met -> 3 of 3
  (every identifiable reporter gets a receipt).
- follow_up: B met, C breached (the next follow-ups are not due yet) -> 1 of 2. child_plan: not due.
- child heard: 1 of 2 decisions. Talk alone before follow-up: 1 of 2 follow-ups.
- days to first talk: A 0, B 2, C 2 -> median 2; to decision and to measure start: 2 and 2 -> 2.
- active cases: B and C, both in 'opfoelgning'; caseload: dev 1, unassigned 1.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text

from engine.clock import FakeClock
from engine.errors import ForbiddenError
from engine.model import Actor, Role
from engine.store.database import alembic_config

from support.lifecycle import CaseFlow, deploy_workflows

CPH = ZoneInfo("Europe/Copenhagen")
NO_DANGER = {"child_in_danger": False, "acute_measures": False}


@pytest.fixture
def seeded(client: TestClient, clock: FakeClock) -> dict[str, CaseFlow]:
    clock.move_to(datetime(2026, 3, 2, 9, 0, tzinfo=CPH))
    deploy_workflows(client)
    a = CaseFlow(client, clock).open(reporter="private", received_ago=timedelta(0))
    a.through_screening("close")
    a.complete("closing", {"closing_method": "letter", "contact_info_given": True})
    b = CaseFlow(client, clock).open(reporter="professional", received_ago=timedelta(0))
    b.complete("assess_report", NO_DANGER)
    c = CaseFlow(client, clock).open(reporter="private", received_ago=timedelta(0))
    b.advance(timedelta(days=2))  # C's 24 hours pass
    c.complete("assess_report", NO_DANGER)
    for case, perspective, plan in ((b, True, True), (c, False, False)):
        if "send_receipt" in case.open_tasks():
            case.complete("send_receipt", {"receipt_sent_at": case.today()})
        case.complete("first_talks", {"child_talk_held_at": case.today()})
        case.complete("screening", {"screening_assessment": "x", "screening_outcome": "early_support"})
        if "reporter_feedback" in case.open_tasks():
            case.give_feedback("early_support")
        case.decide(
            child_perspective_obtained=perspective,
            child_heard_exception_reason=None if perspective else "Barnet er spæd",
            child_view_obtained_otherwise=None if perspective else "Observation i hjemmet",
            child_plan_decided=plan,
            child_plan_reason=None if plan else "Kortvarig indsats",
        )
        case.kickoff(next_date_days=14)
    b.advance(timedelta(days=13, hours=23))  # 18 March 08:00: the last day of B's follow-up
    client.post(f"/tasks/{b.task('follow_up')['id']}/claim", json={})
    b.follow_up("continue", next_date_days=30)
    c.advance(timedelta(days=1))  # C's follow-up is now late
    c.follow_up("continue", next_date_days=30, child_talk_alone=False)
    return {"a": a, "b": b, "c": c}


def test_overview_figures(client: TestClient, seeded: dict[str, CaseFlow]) -> None:
    report = client.get("/reports/overview").json()
    compliance = {c["deadline"]: (c["met"], c["breached"], c["cancelled"]) for c in report["compliance"]}
    assert compliance == {
        "report_assessment": (2, 1, 0),
        "report_receipt": (3, 0, 0),
        "follow_up": (1, 1, 0),
    }
    basis = {c["deadline"]: (c["paragraph"], c["basis"]) for c in report["compliance"]}
    assert basis["follow_up"] == ("§ 95", "law")
    assert basis["report_receipt"] == ("§ 137 (stykke ikke bekræftet)", "law_unconfirmed")
    shares = {s["name"]: (s["yes"], s["total"], s["share"]) for s in report["shares"]}
    assert shares == {
        "child_perspective": (1, 2, 0.5),
        "talk_alone_before_follow_up": (1, 2, 0.5),
        "supervision_talk_without_staff": (0, 0, None),
    }
    medians = {m["name"]: (m["cases"], m["median_days"]) for m in report["throughput"]}
    assert medians == {"first_talk": (3, 2.0), "decision": (2, 2.0), "measure_start": (2, 2.0)}
    assert [(p["phase"], p["cases"]) for p in report["phases"]] == [("opfoelgning", 2)]
    assert sorted((c["caseworker"] or "", c["cases"]) for c in report["caseload"]) == [("", 1), ("dev", 1)]
    # B's first caseworker is not a change of caseworker.
    assert sorted((c["changes"], c["cases"]) for c in report["caseworker_changes"]) == [(0, 3)]
    assert report["late_investigations"] == {
        "breached": 0,
        "provisional_assessments": 0,
        "finished": 0,
        "median_days_late": None,
    }


def test_filters_narrow_the_figures(client: TestClient, seeded: dict[str, CaseFlow]) -> None:
    by_caseworker = client.get("/reports/overview", params={"caseworker": "dev"}).json()
    assert {c["deadline"]: (c["met"], c["breached"]) for c in by_caseworker["compliance"]} == {
        "report_assessment": (1, 0),
        "report_receipt": (1, 0),
        "follow_up": (1, 0),
    }
    after = client.get("/reports/overview", params={"from": "2026-03-04T00:00:00+01:00"}).json()
    assert {c["deadline"] for c in after["compliance"]} == {
        "report_receipt",
        "follow_up",
    }  # due on/after 4 March


def test_case_standings_and_deadlines(client: TestClient, seeded: dict[str, CaseFlow]) -> None:
    standings = client.get("/reports/cases").json()
    assert standings["total"] == 2
    assert {i["business_key"] for i in standings["items"]} == {
        seeded["b"].business_key,
        seeded["c"].business_key,
    }
    assert all(i["current_tasks"] and "Opfølgning" in i["current_tasks"] for i in standings["items"])
    deadlines = client.get("/reports/deadlines", params={"days": 90}).json()  # plan due 4 June: 77 days ahead
    assert sorted(d["deadline"] for d in deadlines["due_soon"]) == ["child_plan", "follow_up", "follow_up"]
    assert sorted((d["business_key"], d["deadline"]) for d in deadlines["breached"]) == [
        (seeded["c"].business_key, "follow_up"),
        (seeded["c"].business_key, "report_assessment"),
    ]


def test_reports_as_csv(client: TestClient, seeded: dict[str, CaseFlow]) -> None:
    response = client.get("/reports/overview", params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0] == "section,name,value,count,total,cancelled,basis"
    assert "deadline,report_assessment,0.6667,2,3,0,law" in lines
    cases = client.get("/reports/cases", params={"format": "csv"}).text.splitlines()
    assert cases[0].startswith("case_id,business_key,phase") and len(cases) == 3


def test_caseworkers_cannot_read_municipality_reports(client: TestClient) -> None:
    caseworker = Actor("cw-1", "0101", frozenset({Role.CASEWORKER}), frozenset({"team-a"}))
    with pytest.raises(ForbiddenError):
        client.app.state.engine.report_overview(actor=caseworker)  # type: ignore[attr-defined]


def _facts(engine) -> tuple[list[tuple], list[tuple], list[tuple]]:
    with engine.store.read() as session:
        cases = session.execute(
            text(
                "SELECT id, report_received_at, first_talk_days, decision_days, measure_start_days, "
                "caseworker_changes FROM instance ORDER BY id"
            )
        ).all()
        flags = session.execute(
            text(
                "SELECT instance_id, municipality, name, at, flag, team, caseworker FROM casefact"
                " ORDER BY instance_id, name, at"
            )
        ).all()
        outcomes = session.execute(text("SELECT id, outcome, team, caseworker FROM timer ORDER BY id")).all()
    return [tuple(r) for r in cases], [tuple(r) for r in flags], [tuple(r) for r in outcomes]


def test_the_migration_backfills_the_facts_the_engine_writes(
    client: TestClient, seeded: dict[str, CaseFlow]
) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    written = _facts(engine)
    report = client.get("/reports/overview").json()
    assert any(row[2] is not None for row in written[0]) and written[1]  # the seed wrote facts
    assert {"met", "breached"} <= {outcome for _, outcome, _, _ in written[2]}
    assert "dev" in {caseworker for *_, caseworker in written[2]}  # B's claim moved its rows
    with engine.store.write() as session:
        session.execute(text("DELETE FROM casefact"))
    command.downgrade(alembic_config(engine.store.url), "0002")  # drops the fact columns
    engine.store.migrate()  # back to head: the facts come back from the history alone
    assert _facts(engine) == written
    assert client.get("/reports/overview").json() == report


def test_share_met_for_investigation_plan_and_supervision(client: TestClient, clock: FakeClock) -> None:
    """Hand-computed, from day 0 = Monday 2 March 2026:
    - D: BFU finished on day 10 (met), placement decided, plan made on day 20 (met), supervision
      visit on day 70, inside the first half-year (met; the next visit is not due yet).
    - E: BFU still open after 4 months (breached).
    - F: § 32 support with a plan decided on day 1 and no plan by day 130 (breached).
    So investigation 1 of 2, child_plan 1 of 2, supervision 1 of 1."""
    clock.move_to(datetime(2026, 3, 2, 9, 0, tzinfo=CPH))
    deploy_workflows(client)
    d, e, f = (CaseFlow(client, clock).open(received_ago=timedelta(0)) for _ in range(3))
    for case in (d, e):
        case.through_screening("investigation", investigation_started_at=case.today())
    f.through_screening("early_support")
    f.advance(timedelta(days=1))
    f.decide(child_plan_decided=True)
    d.advance(timedelta(days=9))
    d.complete(
        "investigation", {"investigation_summary": "Anbringelse", "investigation_completed_at": d.today()}
    )
    d.decide(measure_type="placement_s46", measure_paragraph="§ 46", placement_started_at=d.today())
    d.advance(timedelta(days=10))
    d.complete("child_plan", {"child_plan_made_at": d.today()})
    d.advance(timedelta(days=50))
    d.complete(
        "supervision_visit",
        {
            "supervision_visit_held_at": d.today(),
            "visit_at_placement": True,
            "child_talk_held": True,
            "staff_present": False,
        },
    )
    d.advance(timedelta(days=60))  # day 130: past E's 4 months and F's 3 months
    compliance = {
        c["deadline"]: (c["met"], c["breached"]) for c in client.get("/reports/overview").json()["compliance"]
    }
    assert compliance["investigation"] == (1, 1)
    assert compliance["child_plan"] == (1, 1)
    assert compliance["supervision"] == (1, 0)
    # E's last day was Thursday 2 July 2026; the foreløbig vurdering, then the investigation 18 days on.
    e.complete(
        "provisional_assessment",
        {
            "provisional_assessment_note": "x",
            "provisional_assessment_at": e.today(),
            "investigation_expected_on": e.today(10),
        },
    )
    e.advance(timedelta(days=10))  # 20 July
    e.complete("investigation", {"investigation_summary": "x", "investigation_completed_at": e.today()})
    report = client.get("/reports/overview").json()
    assert report["late_investigations"] == {
        "breached": 1,
        "provisional_assessments": 1,
        "finished": 1,
        "median_days_late": 18.0,
    }
    shares = {s["name"]: (s["yes"], s["total"]) for s in report["shares"]}
    assert shares["supervision_talk_without_staff"] == (1, 1)
