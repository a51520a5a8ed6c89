"""Cases stored before due dates had a last day keep their meaning (engine/corrections.py).

A case is run on today's diagrams over HTTP, then its rows and state are put back the way the
engine stored them before migration 0008 (a calendar deadline as 00:00 of its last day, no due
date, no attached activity); the correction must then give them their legal meaning, write each
change into the case's history, never turn a met deadline into a breached one, and do nothing
the second time. SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from engine import timers
from engine.bpmn import inspect
from engine.bpmn import state as state_module
from engine.bpmn.state import LEGACY_FORMAT, STATE_FORMAT, dump_state
from engine.calendar import start_of_day
from engine.clock import FakeClock
from engine.service import Engine
from engine.store import instances as instance_repo
from engine.store.tables import Task, Timer

from support.lifecycle import CaseFlow, deploy_workflows

CPH = ZoneInfo("Europe/Copenhagen")
ROOT = Path(__file__).resolve().parents[2]
LAST_DAY = date(2027, 4, 2)  # of a BFU the municipality became aware of on Wed 2 Dec 2026


@pytest.fixture(autouse=True)
def stored_uncompacted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cases stored before due dates had a last day were stored before compaction too (state format
    1, every finished task kept): the cases here are run and stored that way."""
    monkeypatch.setattr(state_module, "compact", lambda workflow: 0)


@pytest.fixture
def flow(client: TestClient, clock: FakeClock) -> CaseFlow:
    clock.move_to(datetime(2026, 12, 2, 9, 0, tzinfo=CPH))
    deploy_workflows(client)
    return CaseFlow(client, clock)


def engine_of(flow: CaseFlow) -> Engine:
    engine: Engine = flow.client.app.state.engine  # type: ignore[attr-defined]
    return engine


def store_as_before_due_dates(engine: Engine, case_id: str) -> None:
    """Rewrite the case as the engine stored it before migration 0008: every calendar deadline
    as 00:00 of its last day (the receipt: the midnight ending it), no due date, no activity."""
    with engine.store.write() as session:
        row = instance_repo.lock(session, case_id)
        assert row is not None
        workflow = engine.runner.view(session, row)
        for timer in session.exec(select(Timer).where(Timer.instance_id == case_id)).all():
            assert timer.due_date is not None
            if timer.due_kind == "calendar" and timer.deadline != "report_receipt":
                timer.due_at = start_of_day(timer.due_date)
            spiff = inspect.find_task(workflow, timer.task_id)
            if timer.status == "pending" and spiff is not None:
                spiff.internal_data["event_value"] = timer.due_at.isoformat()
                spiff.internal_data.pop(timers.DUE_DATE)
                spiff.internal_data.pop(timers.DUE_KIND)
            timer.due_date = timer.due_kind = timer.activity_task_id = None
            session.add(timer)
        for task in session.exec(select(Task).where(Task.instance_id == case_id)).all():
            if task.due_kind == "calendar" and task.element_id != "send_receipt":
                assert task.due_date is not None
                task.due_at = start_of_day(task.due_date)
            task.due_date = task.due_kind = None
            session.add(task)
        session.flush()
        pending = session.exec(
            select(Timer.due_at).where(Timer.instance_id == case_id, Timer.status == "pending")
        ).all()
        state = dump_state(workflow).replace(f'"format":"{STATE_FORMAT}"', f'"format":"{LEGACY_FORMAT}"')
        instance_repo.save(session, row, {"state": state, "next_due_at": min(pending, default=None)})


def open_bfu(flow: CaseFlow) -> None:
    flow.open(reporter="professional")
    flow.through_screening("investigation", investigation_started_at=flow.today())
    assert flow.deadlines("investigation_breach")[0]["due_date"] == LAST_DAY.isoformat()


def finish_bfu(flow: CaseFlow) -> None:
    flow.complete(
        "investigation", {"investigation_summary": "Støtte", "investigation_completed_at": flow.today()}
    )


def test_a_pending_deadline_moves_to_the_end_of_its_last_day_and_is_met_on_it(flow: CaseFlow) -> None:
    open_bfu(flow)
    engine = engine_of(flow)
    store_as_before_due_dates(engine, flow.case_id)
    [legacy] = flow.deadlines("investigation_breach")
    assert legacy["due_date"] is None and legacy["due_at"] == "2027-04-01T22:00:00Z"  # 2 Apr 00:00 CEST

    [corrected] = engine.correct_legacy_deadlines()
    assert corrected.instance_id == flow.case_id
    [breach] = flow.deadlines("investigation_breach")
    assert (breach["due_date"], breach["due_kind"]) == ("2027-04-02", "calendar")
    assert breach["due_at"] == "2027-04-02T22:00:00Z"  # 3 Apr 00:00 CEST: when the last day ended
    assert flow.task("investigation")["due_date"] == "2027-04-02"
    assert flow.task("investigation")["due_at"] == "2027-04-02T22:00:00Z"
    history = {(e["element_id"], e["data"].get("due_at")) for e in flow.history("deadline_corrected")}
    assert ("investigation_breach", "2027-04-02T22:00:00+00:00") in history
    assert ("investigation", "2027-04-02T22:00:00+00:00") in history
    assert engine.correct_legacy_deadlines() == []  # nothing left: the correction is idempotent

    # Before the correction the breach fired at 00:00 on 2 April; now nothing fires that day.
    flow.move_to(datetime(2027, 4, 2, 10, 0, tzinfo=CPH))
    assert flow.history("deadline_breached") == []
    finish_bfu(flow)
    [met] = flow.deadlines("investigation_breach")
    assert (met["status"], met["outcome"]) == ("cancelled", "met")
    assert "escalate_deadline" not in flow.open_tasks()


def test_a_breach_recorded_at_the_old_instant_on_the_last_day_is_corrected_to_met(flow: CaseFlow) -> None:
    open_bfu(flow)
    engine = engine_of(flow)
    store_as_before_due_dates(engine, flow.case_id)
    flow.move_to(datetime(2027, 4, 2, 0, 5, tzinfo=CPH))  # the old engine breaches at 00:00
    assert [e["data"]["deadline"] for e in flow.history("deadline_breached")] == ["investigation"]
    flow.advance(timedelta(hours=10))
    finish_bfu(flow)  # 10:05 on the last day
    assert flow.deadlines("investigation_breach")[0]["outcome"] == "breached"

    engine.correct_legacy_deadlines()
    [breach] = flow.deadlines("investigation_breach")
    assert (breach["outcome"], breach["due_date"]) == ("met", "2027-04-02")
    [entry] = [e for e in flow.history("deadline_corrected") if e["element_id"] == "investigation_breach"]
    assert (entry["data"]["outcome_before"], entry["data"]["outcome"]) == ("breached", "met")
    assert entry["actor"] == "system"
    # The escalation the old engine created stays; the history says why it was there.
    assert "escalate_deadline" in flow.open_tasks()


def test_met_stays_met_and_late_stays_breached(flow: CaseFlow) -> None:
    open_bfu(flow)
    engine = engine_of(flow)
    flow.advance(timedelta(days=30))
    finish_bfu(flow)  # met long before the last day
    store_as_before_due_dates(engine, flow.case_id)
    engine.correct_legacy_deadlines()
    [met] = flow.deadlines("investigation_breach")
    assert (met["outcome"], met["due_date"]) == ("met", "2027-04-02")
    # The receipt was stored as the midnight ending its last day (Thu 10 Dec 2026): same day now.
    [receipt] = flow.deadlines("send_receipt_breach")
    assert (receipt["due_date"], receipt["outcome"]) == ("2026-12-10", "met")
    # The 24-hour assessment is an elapsed deadline: an instant, on the day it falls.
    [assessment] = flow.deadlines("assess_report_breach")
    assert (assessment["due_kind"], assessment["due_date"]) == ("elapsed", "2026-12-03")
    corrected_outcomes = [e for e in flow.history("deadline_corrected") if "outcome" in e["data"]]
    assert corrected_outcomes == []


def test_a_bfu_finished_on_the_day_after_its_last_day_stays_breached(flow: CaseFlow) -> None:
    open_bfu(flow)
    engine = engine_of(flow)
    store_as_before_due_dates(engine, flow.case_id)
    flow.move_to(datetime(2027, 4, 3, 9, 0, tzinfo=CPH))
    finish_bfu(flow)
    engine.correct_legacy_deadlines()
    assert flow.deadlines("investigation_breach")[0]["outcome"] == "breached"


def test_the_one_off_command_shows_then_makes_the_corrections(flow: CaseFlow, database_url: str) -> None:
    """`sagsflow correct-deadlines [--dry-run]` (README) against the same database, as an operator runs it."""
    open_bfu(flow)
    store_as_before_due_dates(engine_of(flow), flow.case_id)
    command = [sys.executable, "-m", "api", "correct-deadlines"]
    env = {**os.environ, "SAGSFLOW_DATABASE_URL": database_url}

    def run(*extra: str) -> list[str]:
        done = subprocess.run(
            [*command, *extra], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout.splitlines()

    *changes, total = run("--dry-run")
    assert total == "would correct 1 case(s)"
    assert any(line.startswith(f"{flow.business_key}: investigation_breach") for line in changes)
    assert flow.deadlines("investigation_breach")[0]["due_date"] is None  # nothing changed
    assert flow.history("deadline_corrected") == []

    *changes, total = run()
    assert total == "corrected 1 case(s)"
    [breach] = flow.deadlines("investigation_breach")
    assert (breach["due_date"], breach["due_at"]) == ("2027-04-02", "2027-04-02T22:00:00Z")
    assert "investigation_breach" in {e["element_id"] for e in flow.history("deadline_corrected")}
