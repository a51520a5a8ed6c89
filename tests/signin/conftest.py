"""The real identity providers, started once for this package (like PostgreSQL for the session):
the OpenID provider and the SAML IdP know two service providers, the in-process app of the
database tests (`http://testserver`) and the live server of the browser tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from signin.providers import Providers

from support.live import free_port

TEST_BASE = "http://testserver"


@pytest.fixture(scope="package")
def live_port() -> int:
    return free_port()


@pytest.fixture(scope="package")
def providers(tmp_path_factory: pytest.TempPathFactory, live_port: int) -> Iterator[Providers]:
    live_base = f"http://127.0.0.1:{live_port}"
    started = Providers(
        tmp_path_factory.mktemp("providers"), [TEST_BASE, live_base], encrypt_for=[live_base]
    ).start()
    try:
        yield started
    finally:
        started.stop()
