"""Calendar deadlines in the pages (inbox, task header, case timeline, the leaders' Overblik): a last
day is shown as that day, never as 00.00 of the next."""

from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from browser.browsing import Api, login, shot

from support.live import LiveServer

# A professional's report received Wed 2 Dec 2026: the receipt's 6 working days are Thu 3, Fri 4,
# Mon 7, Tue 8, Wed 9 and Thu 10 December, so it is due by the end of Thursday 10 December.
RECEIVED = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
LAST_WORKING_DAY = "senest torsdag 10.12.2026"


def test_a_working_day_deadline_shows_its_last_working_day(page: Page, server: LiveServer, api: Api) -> None:
    case = api.open_case(reporter="professional", received=RECEIVED)
    receipt = api.task(case["id"], "send_receipt")
    assert (receipt["due_date"], receipt["due_kind"]) == ("2026-12-10", "calendar")

    login(page, server.url, server.token, f"/ui/tasks?business_key={case['business_key']}")
    row = page.locator("#results tbody tr").filter(has_text="Send kvittering til underretter")
    expect(row).to_contain_text(LAST_WORKING_DAY)
    expect(row).not_to_contain_text("11.12.2026")
    # The 24-hour assessment is an instant and keeps its time of day.
    expect(page.locator("#results tbody tr").filter(has_text="Vurdér barnets sikkerhed")).to_contain_text(
        "03.12.2026"
    )
    row.get_by_role("link", name="Send kvittering til underretter").click()
    expect(page.locator(".task-facts")).to_contain_text(LAST_WORKING_DAY)
    shot(page, "deadline-last-day-inbox")

    page.goto(f"{server.url}/ui/case?id={case['id']}")
    deadlines = page.locator("#timeline table")
    expect(deadlines).to_contain_text(LAST_WORKING_DAY)
    expect(deadlines).not_to_contain_text("11.12.2026")
    shot(page, "deadline-last-day-case")
    expect(page.locator("#timeline .track-end")).to_have_text("torsdag 10.12.2026")

    # The leaders' Overblik: "Frister der snart udløber" (or, once the day has ended, the breached).
    page.goto(f"{server.url}/ui/")
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")
    listed = page.locator("#due-soon tbody tr, #breached tbody tr").filter(has_text=case["business_key"])
    receipt_row = listed.filter(has_text="Kvittering til underretter")
    expect(receipt_row).to_contain_text(LAST_WORKING_DAY)
    expect(receipt_row).not_to_contain_text("11.12.2026")
