"""The leaders' dashboard: the report figures as Chart.js charts and tables."""

from playwright.sync_api import Page, expect

from browser.browsing import Api, login, shot

from support.live import LiveServer

PHASE_NAMES = {"underretning": "Underretning", "screening": "Screening"}


def chart_data(page: Page, canvas_id: str) -> dict[str, list[object]]:
    return page.evaluate(
        """id => {
            const chart = Chart.getChart(document.getElementById(id));
            return {labels: chart.data.labels.map(l => [].concat(l).join(' ')), values: chart.data.datasets[0].data};
        }""",
        canvas_id,
    )


def test_the_dashboard_charts_the_report_figures(page: Page, server: LiveServer, api: Api) -> None:
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
    shot(page, "dashboard")
