"""A caseworker's day in the inbox: they land on it, see their own and their team's tasks with
case, phase, legal deadline and when each falls due, take one and complete it with the keyboard
alone; every refusal is shown beside the field it concerns, in Danish."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from browser.accessibility import assert_accessible, tab_to
from browser.browsing import Api, shot, wait_for_the_inbox
from browser.personas import CASEWORKER, IdentityProvider
from engine.calendar import working_day_on_or_before

from support.live import LiveServer

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def open_inbox(page: Page, server: LiveServer, identities: IdentityProvider, path: str = "/ui/") -> None:
    identities.sign_in(page, CASEWORKER)
    page.goto(server.url + path)
    wait_for_the_inbox(page)


def test_a_caseworker_lands_on_the_inbox_and_completes_a_task_with_the_keyboard_alone(
    page: Page, server: LiveServer, api: Api, identities: IdentityProvider
) -> None:
    case = api.open_case(hours_ago=2, reporter="anonymous")  # no receipt: the first talks come next
    task = api.task(case["id"], "assess_report")
    open_inbox(page, server, identities)  # the start page sends a caseworker on to the inbox
    assert page.url == server.url + "/ui/tasks"
    expect(page.get_by_role("navigation", name="Hovedmenu")).not_to_contain_text("Overblik")
    team = page.locator("#team tbody tr").filter(has_text=case["business_key"])
    expect(team).to_contain_text("Vurdér barnets sikkerhed (inden 24 timer)")
    expect(team).to_contain_text("Underretning")  # the phase, in Danish
    expect(team).to_contain_text("Vurdering af underretning (24 timer)")  # the legal deadline
    expect(team).to_contain_text("(om 21 timer)")  # due 24 hours after receipt, 2 hours ago
    assert_accessible(page)

    tab_to(page, f'button[data-claim="{task["id"]}"]')
    page.keyboard.press("Enter")
    mine = page.locator("#mine tbody tr").filter(has_text=case["business_key"])
    expect(mine).to_have_count(1)
    expect(page.locator("#inbox-message")).to_contain_text("Du har taget")
    expect(mine.locator(f'a[data-task-id="{task["id"]}"]')).to_be_focused()  # the keyboard stays at the task
    page.keyboard.press("Enter")
    expect(page.locator("#task-title")).to_be_focused()
    facts = page.locator(".task-facts")
    expect(facts).to_contain_text(case["business_key"])
    expect(facts).to_contain_text("Vurdering af underretning (24 timer)")
    tab_to(page, "#field-child_in_danger")
    page.keyboard.press("n")  # "Nej"
    tab_to(page, "#field-acute_measures")
    page.keyboard.press("n")
    tab_to(page, "#field-assessment_note")
    page.keyboard.type("Ingen akut fare")
    shot(page, "inbox-form")
    assert_accessible(page)
    tab_to(page, "#task-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#task-panel")).to_contain_text("er afsluttet")
    expect(page.locator("#task-panel .message-success")).to_be_focused()
    done = api.get(f"/tasks/{task['id']}")
    assert (done["state"], done["completed_by"]) == ("completed", CASEWORKER.user)
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
    expect(page.locator("#team tbody tr").filter(has_text="Samtale med barn og forældre")).to_have_count(1)
    shot(page, "inbox-completed")


def test_a_caseworker_puts_a_task_back(
    page: Page, server: LiveServer, api: Api, identities: IdentityProvider
) -> None:
    case = api.open_case()
    task = api.task(case["id"], "assess_report")
    open_inbox(page, server, identities, "/ui/tasks")
    page.locator(f'button[data-claim="{task["id"]}"]').click()
    row = page.locator("#mine tbody tr").filter(has_text=case["business_key"])
    row.get_by_role("button", name="Læg tilbage").click()
    expect(row).to_have_count(0)
    expect(page.locator("#team tbody tr").filter(has_text=case["business_key"])).to_have_count(1)
    assert api.get(f"/tasks/{task['id']}")["assignee"] is None


def test_every_refusal_of_a_decision_is_shown_beside_its_field(
    page: Page, server: LiveServer, api: Api, identities: IdentityProvider
) -> None:
    case = api.open_case()
    api.to_decision(case)
    task = api.task(case["id"], "decision")
    open_inbox(page, server, identities, f"/ui/tasks?task={task['id']}")
    form = page.locator("#task-form")
    form.locator("input[name=decision_date]").fill(f"{datetime.now(UTC).date():%d.%m.%Y}")
    form.locator("select[name=measure_type]").select_option("placement_s46")  # no BFU, no date
    form.locator("textarea[name=measure_paragraph]").fill("§ 46")
    form.locator("textarea[name=purpose]").fill("Sikre barnets trivsel")
    form.locator("textarea[name=expected_duration]").fill("1 år")
    form.locator("select[name=concern_level]").select_option("high")
    form.locator("select[name=child_plan_decided]").select_option("false")  # and no reason given
    form.locator("select[name=child_perspective_obtained]").select_option("true")
    form.evaluate("f => f.noValidate = true")  # the child's perspective is left out: the server says so
    form.get_by_role("button", name="Afslut opgaven").click()
    expected = {
        "measure_type": "en anbringelse med samtykke (§ 46) kræver en børnefaglig undersøgelse, afsluttet eller i gang",
        "child_plan_decided": "Ved anbringelse skal der udarbejdes en barnets plan (§ 91, stk. 2)",
        "placement_started_at": "Angiv anbringelsesdatoen",
        "child_plan_reason": "Begrund, hvorfor der ikke udarbejdes en plan (§ 91)",
        "child_perspective": "Skal udfyldes.",
    }
    for field, text in expected.items():
        beside = form.locator(f'[data-field="{field}"]')
        expect(beside.locator(".field-error")).to_contain_text(text)
        expect(beside.locator("[name]")).to_have_attribute("aria-invalid", "true")
    expect(form.locator('[data-field="purpose"] .field-error')).to_have_count(0)
    expect(form.locator(".form-problem")).to_contain_text("Opgaven blev ikke afsluttet")
    shot(page, "inbox-refused")
    assert_accessible(page)
    assert api.get(f"/tasks/{task['id']}")["state"] == "open"


def test_a_follow_up_agreed_before_the_meeting_is_refused_beside_the_date_with_the_local_day(
    page: Page, server: LiveServer, api: Api, identities: IdentityProvider
) -> None:
    case = api.open_case()
    api.to_follow_up(case)
    task = api.task(case["id"], "follow_up")
    open_inbox(page, server, identities, f"/ui/tasks?task={task['id']}")
    form = page.locator("#task-form")
    today = datetime.now(COPENHAGEN).date()
    expect(form.locator("input[name=follow_up_held_at]")).to_have_value(f"{today:%d.%m.%Y}")  # opened today
    form.locator("select[name=child_talk_alone]").select_option("true")
    form.locator("textarea[name=follow_up_assessment]").fill("Går fremad")
    form.locator("select[name=follow_up_outcome]").select_option("continue")
    form.locator("input[name=follow_up_held_at]").fill("19.11.2027")
    form.locator("input[name=next_follow_up_date]").fill("21.10.2027")
    form.locator("[name=follow_up_plan]").fill("Hver anden måned")
    form.locator("select[name=follow_up_plan_explained]").select_option("true")
    form.get_by_role("button", name="Afslut opgaven").click()
    beside = form.locator('[data-field="next_follow_up_date"] .field-error')
    expect(beside).to_have_text("Næste opfølgning skal ligge efter mødet den 19.11.2027.")
    assert api.get(f"/tasks/{task['id']}")["state"] == "open"


def test_a_follow_up_proposes_the_next_date_from_the_day_it_is_opened(
    page: Page, server: LiveServer, api: Api, identities: IdentityProvider
) -> None:
    """Not from the follow-up's own due date (30 days ahead here): a late follow-up would
    otherwise propose a next date that lies before the meeting."""
    case = api.open_case()
    api.to_follow_up(case)
    task = api.task(case["id"], "follow_up")
    interval = api.get(f"/tasks/{task['id']}")["variables"]["follow_up_interval_days"]
    open_inbox(page, server, identities, f"/ui/tasks?task={task['id']}")
    # the day the DMN's interval gives, moved back onto a working day (engine/bpmn/date_functions.py)
    day = working_day_on_or_before((datetime.now(COPENHAGEN) + timedelta(days=interval)).date())
    proposed = f"{day:%d.%m.%Y}"
    expect(page.locator("input[name=next_follow_up_date]")).to_have_value(proposed)
