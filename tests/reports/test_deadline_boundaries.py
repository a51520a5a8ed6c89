"""Leaders' figures on both sides of every day boundary (SQLite and PostgreSQL, HTTP, real diagrams).

Seed, all by hand on the Danish calendar (Copenhagen time):
- S, T: reports received Saturday 24 October 2026 at 10:00 (CEST): the 24-hour assessment is an
  elapsed deadline, so across the night the clocks go back it passes on Sunday 25 October at 09:00
  (CET). S is assessed at 08:59 (met), T at 09:00 (breached).
- M, N: investigations the municipality became aware of on Saturday 28 November 2026: the last day
  is Sunday 28 March 2027, the day the clocks go forward (23 hours long). M finishes at 23:59 that
  day (met); N at 00:00 on Monday 29 March, when the breach has fired (breached).
- P, Q: reports received Tuesday 23 March 2027: the 6 working days skip Easter (Thursday 25, Friday
  26, Monday 29 March) and end Monday 5 April. P's receipt is sent at 23:59 that day (met), Q's at
  00:00 on Tuesday 6 April (breached).
- R: an investigation finished at once (met), then a placement whose measure is closed on the day
  it starts: its supervision deadline is cancelled, counted neither met nor breached.
Expected: report_assessment 6 met (S, M, N, R, P, Q) / 1 breached (T); investigation 2 met (M, R) /
1 breached (N); report_receipt 1 met / 1 breached; supervision 0 / 0 with 1 cancelled (no share).
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from engine.clock import FakeClock

from support.lifecycle import CaseFlow, deploy_workflows

CPH = ZoneInfo("Europe/Copenhagen")
NO_DANGER = {"child_in_danger": False, "acute_measures": False}


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CPH)


def finish_investigation(case: CaseFlow) -> None:
    case.complete("investigation", {"investigation_summary": "x", "investigation_completed_at": case.today()})


def send_receipt(case: CaseFlow) -> None:
    case.complete("send_receipt", {"receipt_sent_at": case.today()})


def closed_placement(case: CaseFlow) -> None:
    case.open(reporter="anonymous")
    case.through_screening("investigation", investigation_started_at=case.today())
    finish_investigation(case)
    case.decide(measure_type="placement_s46", measure_paragraph="§ 46", placement_started_at=case.today())
    case.complete("child_plan", {"child_plan_made_at": case.today()})
    case.kickoff()
    case.follow_up("close", next_date_days=None)


def test_deadline_figures_on_both_sides_of_the_day_boundaries(client: TestClient, clock: FakeClock) -> None:
    clock.move_to(at(2026, 10, 24, 10))
    deploy_workflows(client)
    s, t = (CaseFlow(client, clock).open(reporter="anonymous", received_ago=timedelta(0)) for _ in range(2))
    assert s.task("assess_report")["due_at"] == "2026-10-25T08:00:00Z"  # 09:00 CET, 24 real hours on
    s.move_to(at(2026, 10, 25, 8, 59))
    s.complete("assess_report", NO_DANGER)
    t.move_to(at(2026, 10, 25, 9, 0))
    t.complete("assess_report", NO_DANGER)

    s.move_to(at(2026, 11, 28, 10))
    m, n, r = (CaseFlow(client, clock) for _ in range(3))
    for case in (m, n):
        case.open(reporter="anonymous")
        case.through_screening("investigation", investigation_started_at=case.today())
    closed_placement(r)
    assert {d["due_date"] for d in m.deadlines("investigation_breach")} == {"2027-03-28"}

    m.move_to(at(2027, 3, 23, 10))
    p, q = (CaseFlow(client, clock).open(received_ago=timedelta(0)) for _ in range(2))
    for case in (p, q):
        case.complete("assess_report", NO_DANGER)
    assert p.task("send_receipt")["due_date"] == "2027-04-05"

    m.move_to(at(2027, 3, 28, 23, 59))  # CEST since 02:00 this morning
    finish_investigation(m)
    assert n.history("deadline_breached") == []
    n.move_to(at(2027, 3, 29, 0, 0))
    assert [e["data"]["deadline"] for e in n.history("deadline_breached")] == ["investigation"]
    finish_investigation(n)
    p.move_to(at(2027, 4, 5, 23, 59))
    send_receipt(p)
    q.move_to(at(2027, 4, 6, 0, 0))
    send_receipt(q)

    report = client.get("/reports/overview").json()
    compliance = {
        c["deadline"]: (c["met"], c["breached"], c["cancelled"], c["share_met"]) for c in report["compliance"]
    }
    assert compliance["report_assessment"] == (6, 1, 0, 0.8571)
    assert compliance["investigation"] == (2, 1, 0, 0.6667)
    assert compliance["report_receipt"] == (1, 1, 0, 0.5)
    assert compliance["supervision"] == (0, 0, 1, None)  # cancelled is never met
    breached = client.get("/reports/deadlines", params={"from": "2027-03-01T00:00:00+01:00"}).json()[
        "breached"
    ]
    assert sorted((d["deadline"], d["due_date"], d["due_kind"]) for d in breached) == [
        ("investigation", "2027-03-28", "calendar"),
        ("report_receipt", "2027-04-05", "calendar"),
    ]
    csv = client.get("/reports/deadlines", params={"format": "csv", "from": "2027-03-01T00:00:00+01:00"}).text
    header, *rows = csv.splitlines()
    assert "due_date" in header.split(",") and "due_kind" in header.split(",")
    assert any("2027-03-28,calendar" in row for row in rows)
