"""Logging in with a pasted bearer token, kept in the tab's sessionStorage."""

from playwright.sync_api import Page, expect

from browser.browsing import TOKEN_KEY, login, shot

from support.live import LiveServer


def stored_token(page: Page) -> str | None:
    return page.evaluate(f"() => sessionStorage.getItem('{TOKEN_KEY}')")


def test_a_page_without_a_token_sends_to_login_and_back_after_logging_in(
    page: Page, server: LiveServer
) -> None:
    page.goto(server.url + "/ui/cases")
    page.wait_for_url("**/ui/login?next=%2Fui%2Fcases")
    expect(page.locator("form")).to_contain_text("scripts/serve")  # where the dev token comes from
    shot(page, "login")
    page.fill("#token", server.token)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(server.url + "/ui/cases")
    expect(page.locator("#cases-table table")).to_be_visible()
    assert stored_token(page) == server.token


def test_a_wrong_token_is_refused_and_not_kept(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/ui/login")
    page.fill("#token", "not-the-token")
    page.get_by_role("button", name="Log ind").click()
    expect(page.locator("#login-message")).to_contain_text("Tokenet blev afvist")
    assert page.url == server.url + "/ui/login" and stored_token(page) is None


def test_a_401_from_the_api_sends_the_user_back_to_login(page: Page, server: LiveServer) -> None:
    login(page, server.url, server.token, "/ui/tasks")
    page.evaluate(f"() => sessionStorage.setItem('{TOKEN_KEY}', 'revoked')")
    page.goto(server.url + "/ui/tasks?candidate_group=leder")
    page.wait_for_url("**/ui/login?next=%2Fui%2Ftasks%3Fcandidate_group%3Dleder")
    assert stored_token(page) is None


def test_login_never_sends_the_user_to_another_site(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/ui/login?next=//example.org/ui/")
    page.fill("#token", server.token)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(server.url + "/ui/")
