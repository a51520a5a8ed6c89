"""A team leader's day: they land on Overblik, follow an escalation (which rule was missed, by how
much) to the case and back, see who holds what, give a task to a colleague and put it back."""

import re

from playwright.sync_api import Page, expect

from browser.accessibility import assert_accessible
from browser.browsing import Api, shot, wait_for_the_inbox
from browser.personas import COLLEAGUE, LEADER, IdentityProvider

from support.live import LiveServer


def test_a_leader_follows_an_escalation_to_the_case_and_back(
    page: Page, server: LiveServer, api: Api, identities: IdentityProvider
) -> None:
    late = api.open_case(hours_ago=30)  # the 24-hour assessment is six hours overdue
    api.wait_for_breach(late["business_key"])
    identities.sign_in(page, LEADER)
    page.goto(server.url + "/ui/")
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")  # Overblik, not the inbox
    expect(page.locator("#breached")).to_contain_text(late["business_key"])

    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Opgaver").click()
    wait_for_the_inbox(page)
    row = page.locator("#escalations tbody tr").filter(has_text=late["business_key"])
    expect(row).to_have_count(1)
    cause = row.locator(".cause")
    expect(cause).to_contain_text("Frist overskredet: Vurdering af underretning (24 timer)")
    expect(cause).to_contain_text(re.compile(r"overskredet med (5|6) timer"))
    shot(page, "leader-escalations")
    assert_accessible(page)

    cause.get_by_role("link", name=re.compile("Se sagen")).click()
    page.wait_for_url(f"{server.url}/ui/case?id={late['id']}")
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")
    expect(page.locator("#open-tasks")).to_contain_text("Ledelsestilsyn: frist overskredet")
    expect(page.locator("#open-tasks .cause")).to_contain_text("Vurdering af underretning (24 timer)")
    expect(page.locator("#timeline [data-element-id=assess_report_breach]")).to_have_text("Overskredet")
    assert_accessible(page)

    page.go_back()
    wait_for_the_inbox(page)
    row.get_by_role("link", name="Ledelsestilsyn: frist overskredet").click()
    panel = page.locator("#task-panel")
    expect(panel.locator(".cause")).to_contain_text("Vurdering af underretning (24 timer)")
    panel.locator("textarea[name=escalation_note]").fill("Rådgiveren er bedt om at vurdere i dag")
    panel.get_by_role("button", name="Afslut opgaven").click()
    expect(panel).to_contain_text("er afsluttet")
    expect(page.locator("#escalations tbody tr").filter(has_text=late["business_key"])).to_have_count(0)


def test_a_leader_gives_a_task_to_a_colleague_sees_who_holds_it_and_puts_it_back(
    page: Page, server: LiveServer, api: Api, identities: IdentityProvider
) -> None:
    case = api.open_case()
    task = api.task(case["id"], "assess_report")
    identities.sign_in(page, LEADER)
    page.goto(server.url + "/ui/tasks")
    wait_for_the_inbox(page)
    team = page.locator("#team tbody tr").filter(has_text=case["business_key"])
    team.get_by_label(re.compile("Tildel „Vurdér barnets sikkerhed")).fill(COLLEAGUE.user)
    team.get_by_role("button", name="Tildel").click()
    expect(page.locator("#inbox-message")).to_contain_text(f"er tildelt {COLLEAGUE.user}")
    others = page.locator("#others tbody tr").filter(has_text=case["business_key"])
    expect(others).to_contain_text(COLLEAGUE.user)
    expect(team).to_have_count(0)
    holder = page.locator("#holders tbody tr").filter(has_text=COLLEAGUE.user)
    expect(holder.locator("td").nth(1)).not_to_have_text("0")
    assert api.get(f"/tasks/{task['id']}")["assignee"] == COLLEAGUE.user
    shot(page, "leader-assigned")
    assert_accessible(page)

    others.get_by_role("button", name="Læg tilbage").click()
    expect(page.locator("#inbox-message")).to_contain_text("er lagt tilbage")
    expect(page.locator("#team tbody tr").filter(has_text=case["business_key"])).to_have_count(1)
    assert api.get(f"/tasks/{task['id']}")["assignee"] is None
