"""The leaders' dashboard: the report figures as Chart.js charts and tables, laid out so that every
column is seen whole and no chart label runs into another; caseworkers never land here."""

import re

from playwright.sync_api import Page, expect

from browser.accessibility import assert_accessible
from browser.browsing import Api, login, shot
from browser.personas import CASEWORKER, IdentityProvider

from support.live import LiveServer

CHARTS = ("chart-phases", "chart-compliance", "chart-shares", "chart-caseload")


def chart_data(page: Page, canvas_id: str) -> dict[str, list[object]]:
    return page.evaluate(
        """id => {
            const chart = Chart.getChart(document.getElementById(id));
            return {labels: chart.data.labels.map(l => [].concat(l).join(' ')), values: chart.data.datasets[0].data};
        }""",
        canvas_id,
    )


def label_overlaps(page: Page, canvas_id: str) -> list[str]:
    """Pairs of neighbouring category labels whose drawn boxes overlap (Chart.js's own layout)."""
    return page.evaluate(
        """id => {
            const chart = Chart.getChart(document.getElementById(id));
            const axis = chart.options.indexAxis === 'y' ? chart.scales.y : chart.scales.x;
            const items = axis.getLabelItems();
            const extent = (item) => {
                const lines = [].concat(item.label);
                const height = lines.length * item.font.lineHeight;
                const ctx = chart.ctx;
                ctx.font = item.font.string;
                const width = Math.max(...lines.map((l) => ctx.measureText(l).width));
                const [x, y] = [item.options.translation[0], item.options.translation[1]];
                return axis.isHorizontal() ? [x - width / 2, x + width / 2] : [y - height / 2, y + height / 2];
            };
            const found = [];
            for (let i = 1; i < items.length; i++) {
                const [a, b] = [extent(items[i - 1]), extent(items[i])];
                if (a[1] > b[0] + 0.5) found.push(`${items[i - 1].label} / ${items[i].label}`);
            }
            return found;
        }""",
        canvas_id,
    )


def clipped_tables(page: Page) -> list[str]:
    """Cards whose table is wider than the card shows (a column cut off, e.g. Andel)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.figures')]
            .filter((box) => box.scrollWidth > box.clientWidth + 1)
            .map((box) => box.parentElement.id)"""
    )


def test_the_dashboard_charts_the_report_figures_without_clipping_or_overlap(
    page: Page, server: LiveServer, api: Api
) -> None:
    late = api.open_case(hours_ago=30)  # received 30 hours ago: the 24-hour assessment is overdue
    api.to_screening(api.open_case())
    api.wait_for_breach(late["business_key"])
    overview = api.get("/reports/overview")
    login(page, server.url, server.token, "/ui/")
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")
    phases = chart_data(page, "chart-phases")
    assert phases["values"] == [p["cases"] for p in overview["phases"]]
    assert {"Underretning", "Screening"} <= set(phases["labels"])
    compliance = chart_data(page, "chart-compliance")
    assert compliance["values"] == [c["share_met"] for c in overview["compliance"]]
    assert "Vurdering af underretning (24 timer)" in compliance["labels"]
    expect(page.locator("#breached")).to_contain_text(late["business_key"])
    expect(page.locator("#throughput")).to_contain_text("Fra underretning til første samtale")
    expect(page.locator("#compliance thead")).to_contain_text("Andel")
    expect(page.locator("#compliance tbody td.num").last).to_have_text(
        re.compile(r"^\d+\s%$")
    )  # Danish: "75 %"
    assert clipped_tables(page) == []
    for canvas in ("chart-phases", "chart-compliance", "chart-caseload"):
        assert label_overlaps(page, canvas) == [], canvas
    expect(page.locator("#chart-shares")).to_be_hidden()  # no talk recorded yet: no share to draw
    shot(page, "dashboard")
    assert_accessible(page)


def test_the_compliance_chart_keeps_six_rules_apart(page: Page, server: LiveServer, api: Api) -> None:
    """All six rules of barnets lov at once (as a municipality's dashboard has them): one line each;
    and every share of the child's participation with a figure."""
    login(page, server.url, server.token, "/ui/")
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")
    overview = api.get("/reports/overview")
    page.route(
        "**/reports/overview*",
        lambda route: route.fulfill(
            json={
                **overview,
                "shares": [{**share, "yes": 1, "total": 2, "share": 0.5} for share in overview["shares"]],
                "compliance": [
                    {"deadline": d, "met": 3, "breached": 1, "share_met": 0.75}
                    for d in (
                        "report_assessment",
                        "report_receipt",
                        "investigation",
                        "child_plan",
                        "follow_up",
                        "supervision",
                    )
                ],
            }
        ),
    )
    page.get_by_role("button", name="Opdatér").click()
    expect(page.locator("#compliance tbody tr")).to_have_count(6)
    assert label_overlaps(page, "chart-compliance") == []
    expect(page.locator("#chart-shares")).to_be_visible()
    assert len(chart_data(page, "chart-shares")["labels"]) == len(overview["shares"]) >= 3
    assert label_overlaps(page, "chart-shares") == []
    assert clipped_tables(page) == []
    shot(page, "dashboard-six-rules")


def test_a_caseworker_is_sent_from_the_dashboard_to_their_inbox(
    page: Page, server: LiveServer, identities: IdentityProvider
) -> None:
    identities.sign_in(page, CASEWORKER)
    page.goto(server.url + "/ui/")
    page.wait_for_url(server.url + "/ui/tasks")
    expect(page.locator("#mine")).to_contain_text("Mine opgaver")


def test_a_team_without_cases_gets_words_instead_of_empty_charts(page: Page, server: LiveServer) -> None:
    login(page, server.url, server.token, "/ui/")
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")
    page.locator("#filters input[name=team]").fill("team-uden-sager")
    page.get_by_role("button", name="Opdatér").click()
    expect(page.locator("#phases")).to_contain_text("Ingen aktive sager.")
    expect(page.locator("#caseload")).to_contain_text("Ingen aktive sager.")
    expect(page.locator("#compliance")).to_contain_text("Ingen frister i perioden.")
    expect(page.locator("#breached")).to_contain_text("Ingen overskredne frister.")
    for canvas in CHARTS:  # no bare axes around nothing
        expect(page.locator(f"#{canvas}")).to_be_hidden()
    shot(page, "dashboard-empty")
    assert_accessible(page)
