"""Fixtures for tests/camunda (loaded by tests/conftest.py): secured live servers on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.camunda import CamundaServer, Keys, secured_env, write_users_file
from support.databases import DatabaseFactory
from support.live import LiveServer


@pytest.fixture(scope="session")
def auth_material(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Keys]:
    directory = tmp_path_factory.mktemp("camunda-auth")
    return write_users_file(directory), Keys(directory)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def camunda(
    request: pytest.FixtureRequest, databases: DatabaseFactory, auth_material: tuple[Path, Keys]
) -> Iterator[CamundaServer]:
    """One secured server per test module and database; tests isolate by their own diagram."""
    if request.param == "postgresql" and databases.postgres is None:
        pytest.fail("PostgreSQL tests must run: unset SAGSFLOW_TEST_SKIP_POSTGRES")
    users_file, keys = auth_material
    server = LiveServer(databases.create(request.param), env=secured_env(users_file, keys)).start()
    try:
        yield CamundaServer(server, keys)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def camunda_sqlite(databases: DatabaseFactory, auth_material: tuple[Path, Keys]) -> Iterator[CamundaServer]:
    users_file, keys = auth_material
    server = LiveServer(databases.sqlite(), env=secured_env(users_file, keys)).start()
    try:
        yield CamundaServer(server, keys)
    finally:
        server.stop()
