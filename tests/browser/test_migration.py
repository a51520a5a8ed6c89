"""Flyt sager: a process owner sees both versions side by side, maps what has no counterpart,
checks which cases can move and why the others cannot, and moves them."""

import re

from playwright.sync_api import Page, expect

from browser.accessibility import assert_accessible
from browser.browsing import Api, login, shot

from support import migration_bpmn as versions
from support.live import LiveServer

MAPPED = re.compile(r"\bsf-mapped\b")
UNMAPPED = re.compile(r"\bsf-unmapped\b")
NEW = re.compile(r"\bsf-new\b")
REFUSED = re.compile(r"\bsf-refused\b")


def _deploy(api: Api, *files: tuple[str, bytes]) -> dict[str, str]:
    parts = [("files", (name, content, "application/xml")) for name, content in files]
    response = api.client.post("/definitions", files=parts)
    assert response.status_code == 201, response.text
    return {d["key"]: d["id"] for d in response.json()["definitions"]}


def test_a_process_owner_maps_checks_and_moves_the_running_cases(
    page: Page, server: LiveServer, api: Api
) -> None:
    source = _deploy(
        api, ("barn.bpmn", versions.CHILD_1), ("sag.bpmn", versions.with_diagram(versions.VERSION_1))
    )["sag"]
    cases = [api.client.post("/processes/sag/start", json={}).json()["id"] for _ in range(2)]
    target = _deploy(api, ("sag.bpmn", versions.with_diagram(versions.VERSION_2)))["sag"]

    login(page, server.url, server.token, f"/ui/migration?from={source}&to={target}")
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")
    expect(page.locator("#migration-body")).to_have_attribute("data-rendered", "true")
    old, new = page.locator("#source-diagram"), page.locator("#target-diagram")
    expect(old.locator('g[data-element-id="ext"]')).to_have_class(MAPPED)
    expect(old.locator('g[data-element-id="work"]')).to_have_class(UNMAPPED)  # renamed in version 2
    expect(new.locator('g[data-element-id="extra"]')).to_have_class(NEW)

    page.get_by_role("button", name="Kontrollér sagerne").click()
    result = page.locator("#result")
    expect(result).to_have_attribute("data-state", "validated")
    expect(result.locator('[data-outcome="refused"]')).to_have_text("2 afvist")
    expect(result).to_contain_text("Sagen står ved «work», som planen ikke flytter til den nye version.")
    expect(old.locator('g[data-element-id="work"]')).to_have_class(REFUSED)
    expect(page.get_by_role("button", name="Flyt sagerne")).to_be_disabled()

    page.get_by_label("Arbejde: bliver til i den nye version").select_option("review")
    page.get_by_label("late: bliver til i den nye version").select_option("late2")
    expect(old.locator('g[data-element-id="work"]')).to_have_class(MAPPED)
    page.get_by_role("button", name="Kontrollér sagerne").click()
    expect(result.locator('[data-outcome="migratable"]')).to_have_text("2 kan flyttes")
    shot(page, "migration-checked")
    assert_accessible(page)

    page.get_by_role("button", name="Flyt sagerne").click()
    expect(result).to_have_attribute("data-state", "executed")
    expect(result.locator('[data-outcome="migrated"]')).to_have_text("2 flyttet")
    shot(page, "migration-done")
    assert {api.get(f"/cases/{case}")["definition_id"] for case in cases} == {target}
