"""Without the npm files (scripts/setup-web not run) the pages still work and say what is missing."""

from playwright.sync_api import Page, Route, expect

from browser.browsing import Api, login, shot

from support.live import LiveServer


def missing(route: Route) -> None:
    route.fulfill(status=404, body="")


def test_without_the_npm_files_the_pages_say_how_to_install_them(
    page: Page, server: LiveServer, api: Api
) -> None:
    page.route("**/ui/static/vendor/**", missing)
    case = api.open_case()
    login(page, server.url, server.token, f"/ui/case?id={case['id']}")
    expect(page.locator("#diagrams")).to_contain_text("scripts/setup-web")
    expect(page.locator("#timeline")).to_contain_text("24 timer")  # the rest of the page works
    shot(page, "case-without-npm-files")
    page.goto(server.url + "/ui/")
    expect(page.locator("#dashboard-message")).to_contain_text("scripts/setup-web")
    expect(page.locator("#phases table")).to_be_visible()
