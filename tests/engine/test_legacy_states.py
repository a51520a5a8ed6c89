"""Cases stored before compaction keep working: a case 240 follow-ups deep, stored by the code of
commit 8edc859 (tests/engine/fixtures/make_legacy_deep_case.py made the fixture) in a database of
that schema, upgraded as a real installation is (migrations, then the start-up deadline
correction), loads, steps and is compacted by its first step, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import gzip
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Boolean, Column, Connection, Integer, LargeBinary, MetaData, Table
from sqlmodel import SQLModel

from engine.bootstrap import build_engine
from engine.bpmn.state import LEGACY_FORMAT, STATE_FORMAT, stored_format
from engine.clock import FakeClock
from engine.service import Engine
from engine.store import tables  # noqa: F401 - registers the tables in SQLModel.metadata
from engine.store.database import Store
from engine.store.types import UTCDateTime

from support.databases import DatabaseFactory
from support.long_case import LongCase
from support.settings import engine_settings

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "legacy_deep_case.json.gz"


FIXTURE_REVISION = "0004"  # the schema of 8edc859, which made the fixture


@pytest.fixture(params=["sqlite", "postgresql"])
def legacy(request: pytest.FixtureRequest, databases: DatabaseFactory) -> Iterator[LongCase]:
    """The fixture's rows in a database at the schema they were written with, upgraded to today's
    (migrations fill what they add); then the engine and clock to go on with the case."""
    url = _empty_database(request.param, databases)
    store = Store(url)
    store.migrate(FIXTURE_REVISION)
    fixture = json.loads(gzip.decompress(FIXTURE.read_bytes()))
    assert stored_format(fixture["rows"]["instance"][0]["state"]) == LEGACY_FORMAT
    with store.write() as session:
        for name, rows in fixture["rows"].items():
            if rows:
                table = _as_stored(name, session.connection())
                session.connection().execute(table.insert(), [_row(table, row) for row in rows])
    store.migrate()
    store.dispose()
    clock = FakeClock(datetime.fromisoformat(fixture["clock"]))
    engine = build_engine(engine_settings(url), clock, migrate=False)
    try:
        case = LongCase(engine, clock, case_id=fixture["case_id"], business_key=fixture["business_key"])
        case.refresh()
        yield case
    finally:
        engine.store.dispose()


def _empty_database(kind: str, databases: DatabaseFactory) -> str:
    name = f"legacy_{uuid.uuid4().hex[:12]}"
    if kind == "sqlite":
        return f"sqlite:///{databases.workdir / name}.db"
    if databases.postgres is None:
        pytest.fail("PostgreSQL tests must run: unset SAGSFLOW_TEST_SKIP_POSTGRES")
    databases.postgres.execute(f"CREATE DATABASE {name}")
    return databases.postgres.sqlalchemy_url(name)


def _as_stored(name: str, connection: Connection) -> Table:
    """Table `name` with the columns the database has now, typed as today's model types them."""
    model = SQLModel.metadata.tables[name]
    found = Table(name, MetaData(), autoload_with=connection)
    return Table(
        name,
        MetaData(),
        *(
            Column(c.name, model.c[c.name].type, primary_key=model.c[c.name].primary_key)
            if c.name in model.c
            else Column(c.name, c.type)
            for c in found.columns
        ),
    )


def _row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """A row as SQLite stored it then, as the columns take it (numbered keys are left to the
    database, whose counters would otherwise repeat them)."""
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


def test_the_start_up_deadline_correction_compacts_it_and_its_timers_and_diagram_go_on(
    legacy: LongCase,
) -> None:
    """Start-up corrects the deadlines of cases stored before due dates (engine/corrections.py):
    it reads the case with every finished task and stores it compacted."""
    engine: Engine = legacy.engine
    before = {d.process_id: d for d in engine.case_diagrams(legacy.case_id, actor=legacy.actor)}
    [corrected] = engine.correct_legacy_deadlines()
    assert corrected.instance_id == legacy.case_id and corrected.changes
    assert stored_format(legacy.stored_state()) == STATE_FORMAT
    assert _stored_depth(legacy) < 40
    diagrams = {d.process_id: d for d in engine.case_diagrams(legacy.case_id, actor=legacy.actor)}
    assert {p: set(d.completed) for p, d in diagrams.items()} == {
        p: set(d.completed) for p, d in before.items()
    }
    assert {"follow_up", "supervision_visit", "kickoff_meeting"} <= set(diagrams["indsats"].completed)
    assert {"assess_report", "report_join"} <= set(diagrams["underretning"].completed)
    assert legacy.advance(timedelta(days=40)) == 1  # the follow-up deadline, set before the upgrade
    assert "escalate_deadline" in legacy.open_tasks
    legacy.complete("escalate_deadline", {})
    legacy.follow_up("close")
    assert "closing" in legacy.open_tasks
    after = {d.process_id: d for d in engine.case_diagrams(legacy.case_id, actor=legacy.actor)}
    assert set(diagrams["indsats"].completed) | {"measure_closed"} <= set(after["indsats"].completed)
