"""The real identity providers, started once for this package (like PostgreSQL for the session):
the OpenID provider and the SAML IdP know two service providers, the in-process app of the
database tests (`http://testserver`) and the live server of the browser tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser.browsing import CHROMIUM, CHROMIUM_ARGS, Api
from playwright.sync_api import Browser, Page, sync_playwright

from signin.providers import Providers

from support.live import LiveServer, free_port

TEST_BASE = "http://testserver"
OTHER_BASE = "http://other-sp.test"  # another service provider the IdP knows (audience tests)


@pytest.fixture(scope="package")
def live_port() -> int:
    return free_port()


@pytest.fixture(scope="package")
def providers(tmp_path_factory: pytest.TempPathFactory, live_port: int) -> Iterator[Providers]:
    live_base = f"http://127.0.0.1:{live_port}"
    started = Providers(
        tmp_path_factory.mktemp("providers"), [TEST_BASE, live_base, OTHER_BASE], encrypt_for=[live_base]
    ).start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")  # only the browser tests' module: gone before the others run
def live(
    providers: Providers, live_port: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A real server (SQLite, the workflows deployed) that signs in through both providers; it is
    in dev mode too, so the tests set cases up with the dev token's API."""
    database = tmp_path_factory.mktemp("signin-live") / "signin.db"
    env = providers.env(f"http://127.0.0.1:{live_port}") | {"SAGSFLOW_DEPLOY_WORKFLOWS_ON_START": "1"}
    server = LiveServer(f"sqlite:///{database}", port=live_port, env=env).start(
        timeout=120
    )  # a loaded machine
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def api(live: LiveServer) -> Iterator[Api]:
    with live.client() as client:
        yield Api(client)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: run scripts/setup-browser (Debian's chromium package)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and tab; uncaught script errors and CSP violations fail."""
    context = browser.new_context(locale="da-DK", timezone_id="Europe/Copenhagen")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"uncaught error: {error}"))
    tab.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    yield tab
    context.close()
    assert not problems, problems
