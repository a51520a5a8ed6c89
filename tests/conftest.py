"""Shared fixtures: a real PostgreSQL for the session, a fresh database per test on SQLite and
PostgreSQL, a fake clock, an engine, and an HTTP client on the dev-mode app. Values tests import
(actors, settings) live in tests/support/, never here."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from engine.bootstrap import build_engine
from engine.bpmn.state import STATE_FORMAT, dump_state, stored_format
from engine.clock import FakeClock
from engine.runner import Runner
from engine.service import Engine

from support.actors import MUNICIPALITY
from support.databases import DatabaseFactory
from support.postgres import PostgresServer
from support.settings import DEV_TOKEN, engine_settings

pytest_plugins = ("support.camunda_fixtures",)


@pytest.fixture(autouse=True)
def loaded_workflows_match_their_saved_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every workflow a step starts from, whether kept in memory since the last step or loaded from
    the database, must be exactly the committed state of its case: throughout the suite, any
    change to a kept workflow that was not saved fails the test that made it. (A state saved
    before compaction existed is compacted as it loads, so there it must equal a fresh load.)"""
    load = Runner.load

    def checked_load(self: Runner, session: Any, row: Any) -> Any:
        workflow = load(self, session, row)
        committed = (
            row.state if stored_format(row.state) == STATE_FORMAT else dump_state(self.view(session, row))
        )
        assert dump_state(workflow) == committed, (
            f"the workflow of case {row.id} differs from its saved state"
        )
        return workflow

    monkeypatch.setattr(Runner, "load", checked_load)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer | None]:
    if os.environ.get("SAGSFLOW_TEST_SKIP_POSTGRES") == "1":
        yield None
        return
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory, postgres: PostgresServer | None) -> DatabaseFactory:
    return DatabaseFactory(tmp_path_factory.mktemp("databases"), postgres)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, databases: DatabaseFactory) -> str:
    if request.param == "postgresql" and databases.postgres is None:
        pytest.fail("PostgreSQL tests must run: unset SAGSFLOW_TEST_SKIP_POSTGRES")
    return databases.create(request.param)


@pytest.fixture
def sqlite_url(databases: DatabaseFactory) -> str:
    return databases.sqlite()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def engine(database_url: str, clock: FakeClock) -> Iterator[Engine]:
    built = build_engine(engine_settings(database_url), clock, migrate=False)
    yield built
    built.store.dispose()


@pytest.fixture
def client(database_url: str, clock: FakeClock) -> Iterator[TestClient]:
    app = create_app(
        ApiSettings(dev_mode=True, dev_token=DEV_TOKEN, dev_municipality=MUNICIPALITY),
        engine_settings(database_url),
        clock=clock,
    )
    with TestClient(app, headers={"Authorization": f"Bearer {DEV_TOKEN}"}) as test_client:
        yield test_client
