"""WCAG 2.1 AA on every page (axe-core: no serious or critical violation), and the pages in an
English browser on New York time: dates, times and numbers stay Danish and in Copenhagen time,
and a caseworker completes a task there too.

The other pages and states are checked where a test reaches them: the migration page
(test_migration.py), a Camunda Form in the task page (test_camunda_form.py), the sign-in page's
refusal (test_login.py), the sign-in page with its providers and after signing out
(tests/signin/test_browser.py), the caseworker's and leader's landing pages (test_inbox.py,
test_leader.py), the case list and a missing case (test_cases.py) and the dashboard with data (test_dashboard.py)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from browser.accessibility import assert_accessible
from browser.browsing import Api, login, shot, wait_for_the_inbox
from browser.personas import CASEWORKER, LEADER, IdentityProvider

from support.live import LiveServer

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def danish_time(instant: str) -> str:
    return f"{datetime.fromisoformat(instant).astimezone(COPENHAGEN):%d.%m.%Y, %H.%M}"


def test_every_page_passes_axe_without_serious_violations(page: Page, server: LiveServer, api: Api) -> None:
    case = api.open_case(reporter="professional")
    task = api.task(case["id"], "assess_report")
    page.goto(server.url + "/ui/login")
    expect(page.locator("#login-form")).to_be_visible()
    assert_accessible(page)
    login(page, server.url, server.token, "/ui/")
    pages = {
        "/ui/": ("body", "data-loaded"),
        "/ui/cases": ("body", "data-loaded"),
        f"/ui/case?id={case['id']}": ("#diagrams", "data-rendered"),
        f"/ui/tasks?task={task['id']}": ("body", "data-list-loaded"),
    }
    for path, (where, attribute) in pages.items():
        page.goto(server.url + path)
        expect(page.locator(where)).to_have_attribute(attribute, re.compile(r"."))
        assert_accessible(page)


def test_an_english_browser_gets_danish_dates_and_completes_a_task(
    english_page: Page, server: LiveServer, api: Api, identities: IdentityProvider
) -> None:
    page = english_page
    assert page.evaluate("() => navigator.language") == "en-US"
    assert page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone") == "America/New_York"
    case = api.open_case()
    api.complete(case["id"], "assess_report", {"child_in_danger": False, "acute_measures": False})
    task = api.task(case["id"], "first_talks")
    identities.sign_in(page, CASEWORKER)
    page.goto(server.url + f"/ui/tasks?task={task['id']}")
    wait_for_the_inbox(page)
    started = danish_time(api.get(f"/cases/{case['id']}")["started_at"])
    expect(page.locator("#task-panel")).to_contain_text(case["business_key"])
    talk = page.locator("input[name=child_talk_held_at]")
    expect(talk).to_have_attribute("placeholder", "dd.mm.åååå")
    talk.fill("1.12.2026")  # a Danish date, whatever the browser's language
    page.locator("#task-form").get_by_role("button", name="Afslut opgaven").click()
    expect(page.locator("#task-panel")).to_contain_text("er afsluttet")
    variables = api.get(f"/cases/{case['id']}")["variables"]
    assert variables["child_talk_held_at"] == "2026-12-01"
    page.goto(server.url + f"/ui/case?id={case['id']}")
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")
    expect(page.locator("#case-facts")).to_contain_text(started)  # Copenhagen time, dd.mm.yyyy, hh.mm
    assert_accessible(page)
    shot(page, "english-browser-case")


def test_an_english_browser_gets_danish_numbers_on_the_dashboard(
    english_page: Page, server: LiveServer, api: Api, identities: IdentityProvider
) -> None:
    late = api.open_case(hours_ago=30)
    api.open_case()
    api.wait_for_breach(late["business_key"])
    identities.sign_in(english_page, LEADER)
    english_page.goto(server.url + "/ui/")
    expect(english_page.locator("body")).to_have_attribute("data-loaded", "true")
    share = english_page.locator("#compliance tbody td.num").last
    expect(share).to_have_text(re.compile(r"^\d+\u00a0%$"))  # "75 %", never "75%"
    due = english_page.locator("#breached tbody tr").filter(has_text=late["business_key"]).locator("time")
    expect(due).to_have_text(re.compile(r"^\d\d\.\d\d\.\d{4}, \d\d\.\d\d$"))
    shot(english_page, "english-browser-dashboard")
