"""Staff sign in through the real providers in headless Chromium: KOMBIT-style SAML and OIDC.
Each lands on the page for their role, sees only the cases their data limits allow, and signs
out (single logout at the provider)."""

from __future__ import annotations

from browser.accessibility import assert_accessible
from browser.browsing import Api, shot
from playwright.sync_api import Page, expect

from support.live import LiveServer


def case_rows(page: Page) -> list[str]:
    page.goto(page.url.split("/ui/")[0] + "/ui/cases")
    expect(page.locator("#cases-table")).not_to_be_empty()
    return page.locator("#cases-table tbody tr").all_inner_texts()


def test_a_caseworker_signs_in_through_the_context_handler_sees_their_units_cases_and_signs_out(
    page: Page, live: LiveServer, api: Api
) -> None:
    ours, theirs = api.open_case(team="team-a"), api.open_case(team="team-b")
    page.goto(live.url + "/ui/login")
    expect(page.locator("#login-oidc")).to_be_visible()
    assert_accessible(page)  # the sign-in page with its providers
    shot(page, "signin-login-page")
    page.get_by_role("link", name="Log ind via Fælleskommunal Adgangsstyring (KOMBIT)").click()
    page.select_option("#user", "sagsbehandler-a")
    shot(page, "signin-saml-idp")
    page.get_by_role("button", name="Log ind hos IdP").click()
    page.wait_for_url(live.url + "/ui/tasks")  # a caseworker lands on the inbox
    expect(page.locator("#who")).to_have_text("cw-saml-a")
    rows = "\n".join(case_rows(page))
    assert ours["business_key"] in rows and theirs["business_key"] not in rows
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(live.url + "/ui/login?signed_out=1")  # through the IdP's single logout
    expect(page.locator("#login-message")).to_contain_text("Du er logget ud")
    assert_accessible(page)
    page.goto(live.url + "/ui/cases")
    page.wait_for_url("**/ui/login?next=%2Fui%2Fcases")


def test_a_caseworker_signs_in_through_oidc_sees_their_teams_cases_and_signs_out(
    page: Page, live: LiveServer, api: Api
) -> None:
    ours, theirs = api.open_case(team="team-a"), api.open_case(team="team-b")
    page.goto(live.url + "/ui/cases")
    page.wait_for_url("**/ui/login?next=%2Fui%2Fcases")
    page.get_by_role("link", name="Log ind med kommunens login").click()
    page.fill("input[name=login]", "cw-a")
    page.fill("input[name=password]", "any")
    shot(page, "signin-oidc-provider")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(live.url + "/ui/cases")  # back where the caseworker was going
    rows = "\n".join(case_rows(page))
    assert ours["business_key"] in rows and theirs["business_key"] not in rows
    page.get_by_role("button", name="Log ud").click()
    page.get_by_role("button", name="Yes, sign me out").click()  # the provider's own logout page
    page.wait_for_url(live.url + "/ui/login?signed_out=1")
    page.goto(live.url + "/ui/tasks")
    page.wait_for_url("**/ui/login?next=%2Fui%2Ftasks")


def test_a_leader_lands_on_the_overview_and_sees_every_case(page: Page, live: LiveServer, api: Api) -> None:
    first, second = api.open_case(team="team-a"), api.open_case(team="team-b")
    page.goto(live.url + "/ui/login")
    page.get_by_role("link", name="Log ind med kommunens login").click()
    page.fill("input[name=login]", "leader")
    page.fill("input[name=password]", "any")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(live.url + "/ui/")
    shot(page, "signin-leader-overview")
    rows = "\n".join(case_rows(page))
    assert first["business_key"] in rows and second["business_key"] in rows
