"""Cases stored before compaction keep working: a case 240 follow-ups deep, stored by the code of
commit 8edc859 (tests/engine/fixtures/make_legacy_deep_case.py made the fixture), loads, steps and
is compacted by its first step after the upgrade, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Boolean, Integer, LargeBinary, Table
from sqlmodel import SQLModel

from engine.bootstrap import build_engine
from engine.bpmn.state import LEGACY_FORMAT, STATE_FORMAT, stored_format
from engine.clock import FakeClock
from engine.service import Engine
from engine.store import tables  # noqa: F401 - registers the tables in SQLModel.metadata
from engine.store.types import UTCDateTime

from support.long_case import LongCase
from support.settings import engine_settings

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "legacy_deep_case.json.gz"


@pytest.fixture
def legacy(database_url: str) -> Iterator[LongCase]:
    """The fixture's rows in a fresh database, and the engine and clock to go on with the case."""
    fixture = json.loads(gzip.decompress(FIXTURE.read_bytes()))
    clock = FakeClock(datetime.fromisoformat(fixture["clock"]))
    engine = build_engine(engine_settings(database_url), clock, migrate=False)
    with engine.store.write() as session:
        for name, rows in fixture["rows"].items():
            table = SQLModel.metadata.tables[name]
            if rows:
                session.connection().execute(table.insert(), [_row(table, row) for row in rows])
    case = LongCase(engine, clock, case_id=fixture["case_id"], business_key=fixture["business_key"])
    case.refresh()
    yield case
    engine.store.dispose()


def _row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """A row as SQLite stored it then, as the current columns take it (unknown columns dropped, and
    numbered keys left to the database, whose counters would otherwise repeat them)."""
    values = {}
    for column in table.columns:
        if column.name not in row or (column.primary_key and isinstance(column.type, Integer)):
            continue
        value = row[column.name]
        if value is not None and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(value).replace(tzinfo=UTC)
        elif value is not None and isinstance(column.type, Boolean):
            value = bool(value)
        elif value is not None and isinstance(column.type, LargeBinary):
            value = base64.b64decode(value["base64"])
        values[column.name] = value
    return values


def _stored_depth(case: LongCase) -> int:
    """Tasks in the case's biggest (sub)process, as stored."""
    state = json.loads(case.stored_state())
    return max(len(state["tasks"]), *(len(s["tasks"]) for s in state["subprocesses"].values()))


def test_a_case_stored_240_follow_ups_deep_steps_and_is_compacted_by_its_first_step(legacy: LongCase) -> None:
    assert stored_format(legacy.stored_state()) == LEGACY_FORMAT
    assert _stored_depth(legacy) > 1_500  # the follow-up chain SpiffWorkflow could no longer walk
    before = len(legacy.stored_state())
    assert set(legacy.open_tasks) == {"follow_up", "supervision_visit"}

    legacy.follow_up()

    assert stored_format(legacy.stored_state()) == STATE_FORMAT
    assert _stored_depth(legacy) < 40
    assert len(legacy.stored_state()) < before // 10
    for _ in range(10):  # and on it goes: follow-ups, tilsyn, a new underretning
        legacy.follow_up()
        legacy.visit()
    legacy.new_report()
    assert set(legacy.open_tasks) == {"follow_up", "supervision_visit"}


def test_its_timers_fire_and_its_diagram_keeps_what_it_did_before_the_upgrade(legacy: LongCase) -> None:
    engine: Engine = legacy.engine
    diagrams = {d.process_id: d for d in engine.case_diagrams(legacy.case_id, actor=legacy.actor)}
    assert {"follow_up", "supervision_visit", "kickoff_meeting"} <= set(diagrams["indsats"].completed)
    assert {"assess_report", "report_join"} <= set(diagrams["underretning"].completed)
    assert legacy.advance(timedelta(days=40)) == 1  # the follow-up deadline, set before the upgrade
    assert "escalate_deadline" in legacy.open_tasks
    legacy.complete("escalate_deadline", {})
    legacy.follow_up("close")
    case = engine.get_case(legacy.case_id, actor=legacy.actor)
    assert "closing" in legacy.open_tasks, case.current_activities
    after = {d.process_id: d for d in engine.case_diagrams(legacy.case_id, actor=legacy.actor)}
    assert set(diagrams["indsats"].completed) | {"measure_closed"} <= set(after["indsats"].completed)
