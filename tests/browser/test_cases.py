"""The case list with filters, and a case with its diagram, deadlines, tasks and history."""

import re
import xml.etree.ElementTree as ET

from playwright.sync_api import Locator, Page, expect

from browser.accessibility import assert_accessible
from browser.browsing import ROOT, Api, login, shot

from support.live import LiveServer

ACTIVE = re.compile(r"\bsf-active\b")
COMPLETED = re.compile(r"\bsf-completed\b")
TAKEN = re.compile(r"\bsf-taken\b")
MARKED = re.compile(r"\bsf-")
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def shape(figure: Locator, element_id: str) -> Locator:
    return figure.locator(f'g[data-element-id="{element_id}"]')


def flow_between(source: str, target: str) -> str:
    tree = ET.parse(ROOT / "workflows" / "underretning.bpmn")
    for flow in tree.iter(f"{BPMN}sequenceFlow"):
        if (flow.get("sourceRef"), flow.get("targetRef")) == (source, target):
            return str(flow.get("id"))
    raise AssertionError(f"no flow {source} -> {target}")


def test_the_case_list_filters_by_phase_and_business_key(page: Page, server: LiveServer, api: Api) -> None:
    new = api.open_case()
    screened = api.to_screening(api.open_case())
    login(page, server.url, server.token, "/ui/cases")
    page.select_option("select[name=phase]", "screening")
    page.get_by_role("button", name="Søg").click()
    rows = page.locator("#cases-table tbody tr")
    expect(rows.filter(has_text=screened["business_key"])).to_have_count(1)
    expect(rows.filter(has_text=new["business_key"])).to_have_count(0)
    expect(rows.first).to_contain_text("Screening")
    expect(rows.filter(has_text=screened["business_key"])).to_contain_text("Screening (§ 18)")  # by its label
    expect(page.locator("#cases-table")).not_to_contain_text("screening,")
    page.select_option("select[name=phase]", "")
    page.fill("input[name=business_key]", new["business_key"])
    page.get_by_role("button", name="Søg").click()
    expect(rows).to_have_count(1)
    shot(page, "case-list")
    assert_accessible(page)
    rows.get_by_role("link", name=new["business_key"]).click()
    page.wait_for_url(f"{server.url}/ui/case?id={new['id']}")
    expect(page.locator("h1")).to_have_text(f"Sag {new['business_key']}")


def test_the_case_page_highlights_the_current_activity_in_the_diagram(
    page: Page, server: LiveServer, api: Api
) -> None:
    case = api.open_case(reporter="professional")
    login(page, server.url, server.token, f"/ui/case?id={case['id']}")
    expect(page.locator("#diagrams")).to_have_attribute("data-rendered", "true")
    main = page.locator('figure[data-process-id="boernesag"]')
    report = page.locator('figure[data-process-id="underretning"]')
    expect(shape(report, "assess_report")).to_have_class(ACTIVE)
    expect(shape(report, "send_receipt")).to_have_class(ACTIVE)
    expect(shape(report, "report_start")).to_have_class(COMPLETED)
    expect(shape(report, "report_end")).not_to_have_class(MARKED)
    expect(
        report.locator(f'g[data-element-id="{flow_between("report_start", "report_fork")}"]')
    ).to_have_class(TAKEN)
    expect(shape(main, "handle_report")).to_have_class(ACTIVE)
    expect(shape(main, "case_received")).to_have_class(COMPLETED)
    expect(shape(main, "screening")).not_to_have_class(MARKED)
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Vurdér barnets sikkerhed (inden 24 timer): 24 timer")
    expect(timeline.locator('[data-element-id="assess_report_breach"]')).to_have_text("Løber")
    expect(page.locator("#open-tasks")).to_contain_text("Send kvittering til underretter")
    expect(page.locator("#history")).to_contain_text("Sagen er oprettet")
    facts = page.locator("#case-facts")
    expect(facts).to_contain_text("Børnesag efter barnets lov")  # the process by its name …
    expect(facts).not_to_contain_text("boernesag")  # … its id only under "Tekniske detaljer"
    expect(page.locator("#case-ids")).to_contain_text("boernesag")
    shot(page, "case")
    assert_accessible(page)


def test_the_completed_path_moves_on_with_the_case(page: Page, server: LiveServer, api: Api) -> None:
    case = api.open_case()
    api.to_screening(case)
    login(page, server.url, server.token, f"/ui/case?id={case['id']}")
    expect(page.locator("#diagrams")).to_have_attribute("data-rendered", "true")
    main = page.locator('figure[data-process-id="boernesag"]')
    report = page.locator('figure[data-process-id="underretning"]')
    expect(shape(main, "screening")).to_have_class(ACTIVE)
    for done in ("handle_report", "first_talks"):
        expect(shape(main, done)).to_have_class(COMPLETED)
        expect(shape(main, done)).not_to_have_class(ACTIVE)
    expect(shape(report, "assess_report")).to_have_class(COMPLETED)
    expect(page.locator("#timeline [data-element-id=assess_report_breach]")).to_have_text("Overholdt")


def test_a_missing_case_says_so_instead_of_showing_empty_cards(page: Page, server: LiveServer) -> None:
    login(page, server.url, server.token, "/ui/case?id=00000000-0000-0000-0000-000000000000")
    expect(page.locator("body")).to_have_attribute("data-loaded", "missing")
    expect(page.locator("h1")).to_have_text("Sagen blev ikke fundet")
    expect(page.locator("#case-message")).to_contain_text("Findes ikke, eller du har ikke adgang til den.")
    expect(page.locator("#case-body")).to_be_hidden()
    expect(page.get_by_role("link", name="Gå til listen over sager")).to_be_visible()
    shot(page, "case-missing")
    assert_accessible(page)


def test_the_timeline_marks_now_by_the_services_clock(page: Page, server: LiveServer, api: Api) -> None:
    """The service's clock, not the browser's: here weeks ahead of it (as a dev clock moved on)."""
    case = api.open_case()
    page.route(
        "**/clock",
        lambda route: route.fulfill(json={"now": "2027-01-15T12:00:00Z"}),
    )
    login(page, server.url, server.token, f"/ui/case?id={case['id']}")
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")
    expect(page.locator("#timeline caption")).to_contain_text("Nu er 15.01.2027, 13.00")
    expect(page.locator("#timeline .track-now")).to_have_attribute("title", "Nu: 15.01.2027, 13.00")
    # "now" lies after every deadline: the marker stands at the right end of the track
    assert page.locator("#timeline .track-now").evaluate("el => el.style.left") == "100%"
    expect(page.locator("#open-tasks")).to_contain_text("overskredet med")
