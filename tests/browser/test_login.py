"""Signing in to the pages in dev mode: the dev token starts a server-side session (an HttpOnly
cookie the page's scripts never see); signing out ends it. (The real identity providers are in
tests/signin/.)"""

from playwright.sync_api import BrowserContext, Page, expect

from browser.accessibility import assert_accessible
from browser.browsing import SESSION_COOKIE, login, shot, wait_for_the_inbox

from support.live import LiveServer


def session_cookie(context: BrowserContext) -> dict[str, object] | None:
    return next((c for c in context.cookies() if c["name"] == SESSION_COOKIE), None)  # type: ignore[misc]


def test_a_page_without_a_session_sends_to_login_and_back_after_signing_in(
    page: Page, server: LiveServer, context: BrowserContext
) -> None:
    page.goto(server.url + "/ui/cases")
    page.wait_for_url("**/ui/login?next=%2Fui%2Fcases")
    expect(page.locator("form")).to_contain_text("scripts/serve")  # where the dev token comes from
    expect(page.locator("#providers")).to_be_hidden()  # no identity provider in dev mode
    shot(page, "login")
    page.fill("#token", server.token)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(server.url + "/ui/cases")
    expect(page.locator("#cases-table")).not_to_be_empty()  # the list answered (no 401)
    cookie = session_cookie(context)
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert SESSION_COOKIE not in page.evaluate("() => document.cookie")
    assert server.token not in cookie["value"]  # type: ignore[operator]


def test_a_wrong_token_is_refused_and_no_session_starts(
    page: Page, server: LiveServer, context: BrowserContext
) -> None:
    page.goto(server.url + "/ui/login")
    page.fill("#token", "not-the-token")
    page.get_by_role("button", name="Log ind").click()
    expect(page.locator("#login-message")).to_contain_text("Tokenet blev afvist")
    assert_accessible(page)  # the refusal, announced beside the form
    assert page.url.startswith(server.url + "/ui/login?error=token") and session_cookie(context) is None


def test_an_ended_or_forged_session_sends_the_user_back_to_login(
    page: Page, server: LiveServer, context: BrowserContext
) -> None:
    login(page, server.url, server.token, "/ui/tasks")
    wait_for_the_inbox(page)  # else a call still in flight meets the forged cookie and leaves for login first
    context.add_cookies([{"name": SESSION_COOKIE, "value": "forged", "url": server.url}])
    page.goto(server.url + "/ui/tasks?candidate_group=leder")
    page.wait_for_url("**/ui/login?next=%2Fui%2Ftasks%3Fcandidate_group%3Dleder")


def test_login_never_sends_the_user_to_another_site(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/ui/login?next=//example.org/ui/")
    page.fill("#token", server.token)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(server.url + "/ui/")


def test_signing_out_ends_the_session_on_the_server(
    page: Page, server: LiveServer, context: BrowserContext
) -> None:
    login(page, server.url, server.token, "/ui/cases")
    cookie = session_cookie(context)
    assert cookie is not None
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url("**/ui/login?signed_out=1")
    expect(page.locator("#login-message")).to_contain_text("Du er logget ud")
    assert session_cookie(context) is None
    context.add_cookies([{"name": SESSION_COOKIE, "value": str(cookie["value"]), "url": server.url}])
    page.goto(server.url + "/ui/cases")  # the old cookie, replayed: the session is gone
    page.wait_for_url("**/ui/login?next=%2Fui%2Fcases")
