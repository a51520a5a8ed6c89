"""The pages under /ui: public shells under a strict Content-Security-Policy, with no inline
script, handler or style, and scripts that never build markup from data. (What the pages do in a
browser is in tests/browser.)"""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from api.web import routes

PAGE_PATHS = ["/ui/", "/ui/login", "/ui/cases", "/ui/case", "/ui/tasks", "/ui/migration"]
PAGE_FILES = sorted(routes.PAGES.glob("*.html"))
SCRIPTS = sorted((routes.STATIC / "js").glob("*.js"))
MARKUP_SINKS = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function")


@pytest.fixture(scope="module")
def pages() -> TestClient:
    """The app without its lifespan: the pages need no engine and no token."""
    return TestClient(create_app(ApiSettings(dev_mode=True, dev_token="pages-test")))


def policy(header: str) -> dict[str, str]:
    pairs = (d.strip().partition(" ") for d in header.split(";") if d.strip())
    return {name: value for name, _, value in pairs}


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_each_page_is_served_without_a_token_under_a_strict_policy(pages: TestClient, path: str) -> None:
    response = pages.get(path)
    assert response.status_code == 200 and response.headers["content-type"] == "text/html; charset=utf-8"
    found = policy(response.headers["content-security-policy"])
    assert (found["default-src"], found["script-src"], found["style-src"]) == ("'none'", "'self'", "'self'")
    assert found["frame-ancestors"] == "'none'" and found["base-uri"] == "'none'"
    assert "unsafe" not in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_ui_without_a_slash_goes_to_the_dashboard(pages: TestClient) -> None:
    response = pages.get("/ui", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/ui/"


class Markup(HTMLParser):
    """What a page loads, and anything that a strict policy would block."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.inline += [f"<{tag} {name}>" for name, _ in attrs if name.startswith("on") or name == "style"]
        if tag == "style":
            self.inline.append("<style>")
        if tag == "script":
            self._in_script = True
            self.loads.append(values.get("src") or "")
        if tag == "link" and values.get("href"):
            self.loads.append(str(values["href"]))

    def handle_endtag(self, tag: str) -> None:
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append("<script> with a body")


def markup(page: Path) -> Markup:
    parser = Markup()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize("page", PAGE_FILES, ids=[p.name for p in PAGE_FILES])
def test_a_page_has_no_inline_script_handler_or_style(page: Path) -> None:
    found = markup(page)
    assert found.inline == []
    assert found.loads and all(src.startswith("/ui/static/") for src in found.loads), found.loads


@pytest.mark.parametrize("page", PAGE_FILES, ids=[p.name for p in PAGE_FILES])
def test_every_file_of_our_own_that_a_page_loads_is_served(pages: TestClient, page: Path) -> None:
    own = [src for src in markup(page).loads if not src.startswith("/ui/static/vendor/")]
    assert own and all(pages.get(src).status_code == 200 for src in own), own


def test_each_page_route_serves_its_own_file(pages: TestClient) -> None:
    served = {pages.get(path).text for path in PAGE_PATHS}
    assert served == {page.read_text(encoding="utf-8") for page in PAGE_FILES}


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.name for s in SCRIPTS])
def test_a_script_never_builds_markup_from_strings(script: Path) -> None:
    text = script.read_text(encoding="utf-8")
    assert [sink for sink in MARKUP_SINKS if sink in text] == []


def test_without_the_npm_files_the_app_still_serves_the_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = tmp_path / "static"
    (bare / "js").mkdir(parents=True)
    (bare / "app.css").write_text("body {}")
    monkeypatch.setattr(routes, "STATIC", bare)  # as before scripts/setup-web: no vendor folder
    client = TestClient(create_app(ApiSettings(dev_mode=True, dev_token="pages-test")))
    assert client.get("/ui/case").status_code == 200
    assert client.get("/ui/static/app.css").status_code == 200
    assert client.get("/ui/static/vendor/chart.js/chart.umd.min.js").status_code == 404
