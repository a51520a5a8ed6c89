"""Cases that live for years: the runtime state stays the size of what is active in the case
(engine/bpmn/compaction.py), on the real barnets lov diagrams, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from engine.bootstrap import build_engine
from engine.bpmn import state as state_module
from engine.clock import FakeClock
from engine.service import Engine

from support.databases import DatabaseFactory
from support.long_case import LongCase
from support.settings import engine_settings

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_two_thousand_follow_ups_store_no_more_than_the_first_twenty(
    engine: Engine, clock: FakeClock
) -> None:
    """Before compaction the 244th follow-up failed (RecursionError) and every step cost more.
    Every tenth round also has a tilsyn visit and the clock moves on (timers are fired)."""
    case = LongCase(engine, clock)
    case.deploy()
    case.open(placement=True)
    sizes: dict[int, tuple[int, int]] = {}
    for number in range(1, 2001):
        case.follow_up()
        if number % 10 == 0:
            case.visit()
            case.advance(timedelta(days=20))
        if number in (20, 1000, 2000):
            sizes[number] = (case.stored_tasks(), len(case.stored_state()))
    (tasks_20, bytes_20), (tasks_2000, bytes_2000) = sizes[20], sizes[2000]
    assert tasks_2000 == tasks_20 == sizes[1000][0]
    assert abs(bytes_2000 - bytes_20) <= bytes_20 // 100  # dates and timestamps change length a little
    assert set(case.open_tasks) == {"follow_up", "supervision_visit"}
    diagrams = {d.process_id: d for d in _diagrams(engine, case)}
    assert {"follow_up", "follow_up_route", "supervision_visit"} <= set(diagrams["indsats"].completed)
    assert "handle_report" in diagrams["boernesag"].completed


def _diagrams(engine: Engine, case: LongCase) -> list[Any]:
    return engine.case_diagrams(case.case_id, actor=case.actor)


def _life(case: LongCase) -> Iterator[str]:
    """A placed child's case: follow-ups and tilsyn, a new underretning, a missed deadline and its
    escalation, a new investigation (the measure's call activity runs again), then closing."""
    case.deploy()
    case.open(placement=True)
    yield "opened"
    for _ in range(3):
        case.follow_up()
        case.visit()
        case.advance(timedelta(days=10))
        yield "follow-up and visit"
    case.new_report()
    yield "new underretning assessed"
    case.advance(timedelta(days=40))  # past the agreed follow-up date: the breach timer fires
    yield "follow-up deadline breached"
    case.complete("escalate_deadline", {})
    yield "escalation handled"
    for _ in range(2):
        case.follow_up()
        case.visit()
        yield "follow-up and visit"
    case.follow_up("new_investigation", investigation_started_at=case.today())
    yield "new investigation"
    case.complete("investigation", {"investigation_completed_at": case.today()})
    case.complete("decision", case.decision_answers(placement=False))
    case.complete("child_plan", {"child_plan_made_at": case.today()})
    case.complete(
        "kickoff_meeting", {"intervention_started_at": case.today(), "next_follow_up_date": case.today(30)}
    )
    yield "second measure"
    case.follow_up()
    case.follow_up("close")
    yield "measure closed"
    case.complete("closing", {"closing_method": "letter"})
    yield "case closed"


def _observe(engine: Engine, case: LongCase) -> tuple[Any, ...]:
    info = engine.get_case(case.case_id, actor=case.actor)
    diagrams = {d.process_id: (set(d.completed), set(d.active)) for d in _diagrams(engine, case)}
    return (
        info.status,
        info.phase,
        sorted((t.element_id, t.state) for t in info.tasks),
        info.variables,
        sorted((t.element_id, t.due_at, t.status, t.outcome) for t in info.timers),
        [(e.kind, e.element_id, (e.data or {}).get("outcome")) for e in info.history],
        info.current_activities,
        diagrams,
    )


def test_a_long_case_does_on_a_compacted_state_what_it_does_on_a_full_one(
    databases: DatabaseFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The diagrams' completed marks come from the kept marks where compaction removed tasks."""
    runs: dict[bool, list[tuple[str, tuple[Any, ...]]]] = {}
    for compacting in (False, True):
        clock = FakeClock(START)
        engine = build_engine(engine_settings(databases.create("sqlite")), clock, migrate=False)
        case = LongCase(engine, clock)
        with monkeypatch.context() as patch:
            if not compacting:
                patch.setattr(state_module, "compact", lambda workflow: 0)
            runs[compacting] = [(label, _observe(engine, case)) for label in _life(case)]
        engine.store.dispose()
    for (label, plain), (_, compacted) in zip(runs[False], runs[True], strict=True):
        assert compacted == plain, f"after '{label}' the compacted case differs"
    final = runs[True][-1][1]
    assert final[0] == "completed"
    assert "afslutning" in final[7] and "closing" in final[7]["afslutning"][0]
