"""A real Sagsflow server (uvicorn, dev mode, SQLite, the barnets lov workflows deployed at start)
and Debian's headless Chromium driven by Playwright. Playwright never downloads a browser here:
a missing Chromium or missing front-end files fail the tests with the command that installs them.

The fixtures live as long as this package's tests, no longer: Playwright's sync API keeps an
asyncio loop running in the main thread while it is open (later tests call asyncio.run), and the
server's scheduler should not tick through the rest of the suite."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, sync_playwright

from browser.browsing import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, VENDOR, Api, shot
from browser.personas import IdentityProvider

from support.live import LiveServer

TIMEOUT_MS = 10_000
FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """Remember whether the test itself failed, for the screenshot in `page`'s teardown."""
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


@pytest.fixture(scope="package")
def identities(tmp_path_factory: pytest.TempPathFactory) -> IdentityProvider:
    return IdentityProvider(tmp_path_factory.mktemp("identities"))


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory, identities: IdentityProvider) -> Iterator[LiveServer]:
    if not (VENDOR / "bpmn-js" / "bpmn-navigated-viewer.production.min.js").is_file():
        pytest.fail(f"the pages' npm files are missing in {VENDOR}: run scripts/setup-web")
    database = tmp_path_factory.mktemp("browser") / "pages.db"
    env = {"SAGSFLOW_DEPLOY_WORKFLOWS_ON_START": "1", **identities.environment()}
    live = LiveServer(f"sqlite:///{database}", env=env).start(timeout=90)  # a busy machine starts slowly
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="package")
def api(server: LiveServer) -> Iterator[Api]:
    with server.client() as client:
        yield Api(client)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: run scripts/setup-browser (Debian's chromium package)"
        )
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # the screenshots are this run's
    with sync_playwright() as found:
        yield found


def _chromium(
    playwright: Playwright, profile: Path, *, locale: str, zone: str, language: str
) -> BrowserContext:
    browser = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS, f"--lang={language}"],
        locale=locale,
        timezone_id=zone,
        viewport={"width": 1400, "height": 1000},
    )
    browser.set_default_timeout(TIMEOUT_MS)
    return browser


@pytest.fixture(scope="package")
def context(playwright: Playwright, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """Chromium as a Danish caseworker has it: Danish language and locale, Copenhagen time."""
    browser = _chromium(
        playwright,
        tmp_path_factory.mktemp("chromium-profile"),
        locale="da-DK",
        zone="Europe/Copenhagen",
        language="da",
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="package")
def english_context(
    playwright: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BrowserContext]:
    """Chromium in English on another continent's clock: the pages must still write Danish dates
    and numbers in Copenhagen time."""
    browser = _chromium(
        playwright,
        tmp_path_factory.mktemp("chromium-profile-en"),
        locale="en-US",
        zone="America/New_York",
        language="en-US",
    )
    try:
        yield browser
    finally:
        browser.close()


def _watched(tab: Page) -> list[str]:
    """Uncaught script errors and Content-Security-Policy violations of `tab`."""
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(f"uncaught error: {error}"))
    tab.on(
        "console",
        lambda m: problems.append(f"CSP: {m.text}") if "Content Security Policy" in m.text else None,
    )
    return problems


def _tab(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh tab of `context`, signed out (its cookies are cleared). Uncaught script errors and
    Content-Security-Policy violations fail the test; a failing test leaves a screenshot."""
    context.clear_cookies()
    tab = context.new_page()
    problems = _watched(tab)
    yield tab
    if request.node.stash.get(FAILED, False):
        shot(tab, f"FAILED-{request.node.name}")
    tab.close()
    assert not problems, problems


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from _tab(context, request)


@pytest.fixture
def english_page(english_context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A tab of the English browser (see `english_context`)."""
    yield from _tab(english_context, request)
