"""The app as production runs it (OIDC bearer tokens, Basic service accounts, no dev mode), on
SQLite and on PostgreSQL, with the `matrix` process deployed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from oidc_tokens import Issuer
from security_app import BASIC_ADMIN, BASIC_INTEGRATOR, Secure, secure_app
from world import MUNICIPALITY_A, TEAM

from support.databases import DatabaseFactory


@pytest.fixture(scope="session")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Issuer:
    found = Issuer(tmp_path_factory.mktemp("oidc"))
    found.add_basic_accounts(
        [
            {"username": BASIC_ADMIN, "municipality": MUNICIPALITY_A, "roles": ["admin"], "teams": [TEAM]},
            {"username": BASIC_INTEGRATOR, "municipality": MUNICIPALITY_A, "roles": ["integrator"]},
        ]
    )
    return found


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def secure(request: pytest.FixtureRequest, databases: DatabaseFactory, issuer: Issuer) -> Iterator[Secure]:
    """One app per database for a whole test module (the matrix opens fresh cases per route)."""
    if request.param == "postgresql" and databases.postgres is None:
        pytest.fail("PostgreSQL tests must run: unset SAGSFLOW_TEST_SKIP_POSTGRES")
    yield from secure_app(databases.create(request.param), issuer, request.param)


@pytest.fixture
def fresh(database_url: str, issuer: Issuer) -> Iterator[Secure]:
    """An app on a fresh database of its own (SQLite and PostgreSQL, via `database_url`)."""
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    yield from secure_app(database_url, issuer, kind)
