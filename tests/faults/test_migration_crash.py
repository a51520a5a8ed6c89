"""A migration killed mid-batch (`sagsflow migrate` in a subprocess, `os._exit(137)` at a named
point: engine/faults.py) leaves every case entirely migrated or entirely not, and a re-run
finishes the rest (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from engine.bootstrap import build_engine
from engine.clock import SystemClock
from engine.definitions import DeployRequest
from engine.faults import ENVIRONMENT
from engine.model import MigrationSelection
from engine.service import Engine
from engine.store.tables import Instance

from support import migration_bpmn as versions
from support.actors import ADMIN, MUNICIPALITY
from support.consistency import picture, problems
from support.live import ROOT
from support.settings import engine_settings

CRASHED = 137
CASES = 3


def _world(url: str) -> tuple[Engine, str, str, list[str]]:
    engine = build_engine(engine_settings(url), SystemClock(), migrate=False)
    first = engine.deploy(
        DeployRequest([("barn.bpmn", versions.CHILD_1), ("sag.bpmn", versions.VERSION_1)], name="v1"),
        actor=ADMIN,
    )
    cases = [engine.start_instance(actor=ADMIN, key="sag").id for _ in range(CASES)]
    second = engine.deploy(DeployRequest([("sag.bpmn", versions.VERSION_2)], name="v2"), actor=ADMIN)
    source = next(d.id for d in first.definitions if d.key == "sag")
    return engine, source, second.new_definitions[0].id, cases


def _version(engine: Engine, case: str) -> str:
    """The definition the case runs on (read without an access-log row, unlike a case read)."""
    with engine.store.read() as session:
        row = session.get(Instance, case)
        assert row is not None
        return row.definition_id


def _migrate(url: str, crash_at: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SAGSFLOW_DATABASE_URL": url}
    if crash_at:
        env[ENVIRONMENT] = crash_at
    command = [sys.executable, "-m", "api", "migrate", "--from", "sag:1", "--to", "sag:2"]
    command += [
        "--municipality",
        MUNICIPALITY,
        "--map",
        "work=review",
        "--map",
        "late=late2",
        "--batch-size",
        "1",
    ]
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("point", "migrated_before_the_crash"),
    [("migration.after_rows", 0), ("migration.after_case", 1)],
)
def test_a_crash_mid_batch_leaves_every_case_whole(
    database_url: str, point: str, migrated_before_the_crash: int
) -> None:
    engine, source, target, cases = _world(database_url)
    before = {case: picture(engine, case) for case in cases}

    crashed = _migrate(database_url, point)

    assert crashed.returncode == CRASHED, crashed.stdout + crashed.stderr
    on = {case: _version(engine, case) for case in cases}
    assert sorted(on.values()) == sorted(
        [target] * migrated_before_the_crash + [source] * (CASES - migrated_before_the_crash)
    )
    for case in cases:
        assert problems(engine, case) == []
        if on[case] == source:  # not migrated: exactly as before, nothing half-written
            assert picture(engine, case) == before[case]

    finished = _migrate(database_url, None)

    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert f"{CASES - migrated_before_the_crash} migrated" in finished.stdout
    assert {_version(engine, case) for case in cases} == {target}
    assert all(problems(engine, case) == [] for case in cases)
    again = engine.migrate(
        engine.generate_migration(source, target, actor=ADMIN), MigrationSelection(tuple(cases)), actor=ADMIN
    )
    assert {i.outcome for i in again.instances} == {"already migrated"}
    engine.store.dispose()
