"""The caseworkers' inbox: claim a task, fill in its form, complete it; refusals are shown."""

from playwright.sync_api import Page, expect

from browser.browsing import Api, login, shot

from support.live import LiveServer

GUARD_MESSAGE = "Angiv datoen, hvor kommunen fik kendskab til behovet"  # boernesag.bpmn, screening


def test_a_task_is_claimed_filled_in_and_completed_from_the_inbox(
    page: Page, server: LiveServer, api: Api
) -> None:
    case = api.open_case()
    task = api.task(case["id"], "assess_report")
    login(page, server.url, server.token, f"/ui/tasks?business_key={case['business_key']}")
    rows = page.locator("#task-list tbody tr")
    row = rows.filter(has_text="Vurdér barnets sikkerhed")
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Tag opgaven").click()
    expect(row).to_contain_text("dev")  # the dev token's user holds it now
    row.get_by_role("link", name="Vurdér barnets sikkerhed (inden 24 timer)").click()
    form = page.locator("#task-form")
    form.locator("select[name=child_in_danger]").select_option("false")
    form.locator("select[name=acute_measures]").select_option("false")
    form.locator("textarea[name=assessment_note]").fill("Ingen akut fare")
    shot(page, "inbox-form")
    form.get_by_role("button", name="Afslut opgaven").click()
    expect(page.locator("#task-panel")).to_contain_text("er afsluttet")
    expect(rows.filter(has_text="Vurdér barnets sikkerhed")).to_have_count(0)
    expect(rows.filter(has_text="Samtale med barn og forældre")).to_have_count(1)  # the next task
    done = api.get(f"/tasks/{task['id']}")
    assert (done["state"], done["completed_by"]) == ("completed", "dev")
    [completion] = [
        e
        for e in api.get(f"/cases/{case['id']}")["history"]
        if e["task_id"] == task["id"] and e["kind"] == "task_completed"
    ]
    assert completion["data"]["variables"] == {
        "child_in_danger": False,
        "acute_measures": False,
        "assessment_note": "Ingen akut fare",
    }
    shot(page, "inbox-completed")


def test_a_refused_completion_shows_the_problem_next_to_the_form(
    page: Page, server: LiveServer, api: Api
) -> None:
    case = api.open_case()
    api.to_screening(case)
    task = api.task(case["id"], "screening")
    login(page, server.url, server.token, f"/ui/tasks?task={task['id']}")
    form = page.locator("#task-form")
    form.locator("textarea[name=screening_assessment]").fill("Skriftlig vurdering")
    form.locator("select[name=screening_outcome]").select_option("investigation")
    form.locator("input[name=investigation_started_at]").fill("")  # the BFU clock's start left out
    form.get_by_role("button", name="Afslut opgaven").click()
    problem = form.locator(".form-problem")
    expect(problem).to_contain_text("Opgaven blev ikke afsluttet")
    beside = form.locator('[data-field="investigation_started_at"]')
    expect(beside.locator(".field-error")).to_contain_text(GUARD_MESSAGE)  # the guard's field
    expect(beside.locator("input")).to_have_attribute("aria-invalid", "true")
    shot(page, "inbox-refused")
    assert api.get(f"/tasks/{task['id']}")["state"] == "open"
    expect(page.locator("#task-list")).to_contain_text("Screening (§ 18)")


def test_fields_the_server_refuses_are_marked_at_the_field(page: Page, server: LiveServer, api: Api) -> None:
    case = api.open_case()
    task = api.task(case["id"], "assess_report")
    login(page, server.url, server.token, f"/ui/tasks?task={task['id']}")
    form = page.locator("#task-form")
    expect(form).to_be_visible()
    form.evaluate("f => f.noValidate = true")  # let the empty form reach the server
    form.get_by_role("button", name="Afslut opgaven").click()
    field = form.locator('[data-field="child_in_danger"]')
    expect(field.locator(".field-error")).to_have_text("Skal udfyldes.")
    expect(field.locator("select")).to_have_attribute("aria-invalid", "true")
    expect(form.locator('[data-field="assessment_note"] .field-error')).to_have_count(0)  # optional
    assert api.get(f"/tasks/{task['id']}")["state"] == "open"
