"""Helpers for the browser tests: Debian's Chromium driven by Playwright, the API for set-up, and
screenshots saved as test artefacts."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from support.lifecycle import report_of_concern

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
VENDOR = ROOT / "api" / "web" / "static" / "vendor"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
# Without the background-networking flags Chromium keeps trying to reach Google's services, which
# this machine's closed network refuses; a fresh user-data-dir comes from the fixture.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SESSION_COOKIE = "sagsflow-session"  # dev mode serves plain http: no __Host- prefix, no Secure


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/browser/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page: Page, base_url: str, token: str, path: str = "/ui/") -> None:
    """Open `path`, get sent to the login page, sign in with the dev token, and land on `path`."""
    page.goto(base_url + path)
    page.wait_for_url("**/ui/login?next=*")
    page.fill("#token", token)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(base_url + path)


def wait_for_the_inbox(page: Page) -> None:
    """Until the inbox's lists have answered, so no call of the page is still in flight."""
    expect(page.locator("body")).to_have_attribute("data-list-loaded", re.compile(r"\d+"))


class Api:
    """The dev admin's API client, to set cases up and check what the pages did."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def get(self, path: str, **params: Any) -> Any:
        response = self.client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def open_case(
        self,
        *,
        reporter: str = "anonymous",  # no receipt task in the way (every other reporter gets one)
        hours_ago: float = 1,
        team: str = "team-a",
        received: datetime | None = None,
    ) -> Any:
        received = received or datetime.now(UTC) - timedelta(hours=hours_ago)
        response = self.client.post(
            "/cases", json=report_of_concern(received, reporter=reporter, team=team, child_ref="B-7")
        )
        assert response.status_code == 201, response.text
        return response.json()

    def task(self, case_id: str, element_id: str) -> Any:
        tasks = {t["element_id"]: t for t in self.get(f"/cases/{case_id}")["tasks"] if t["state"] == "open"}
        assert element_id in tasks, f"{element_id} is not open; open: {sorted(tasks)}"
        return tasks[element_id]

    def complete(self, case_id: str, element_id: str, variables: dict[str, Any]) -> Any:
        task = self.task(case_id, element_id)
        response = self.client.post(f"/tasks/{task['id']}/complete", json={"variables": variables})
        assert response.status_code == 200, response.text
        return response.json()

    def to_screening(self, case: Any) -> Any:
        """Complete the 24-hour assessment and the first talks: the case stands at screening."""
        self.complete(case["id"], "assess_report", {"child_in_danger": False, "acute_measures": False})
        today = datetime.now(UTC).date().isoformat()
        open_tasks = {
            t["element_id"] for t in self.get(f"/cases/{case['id']}")["tasks"] if t["state"] == "open"
        }
        if "send_receipt" in open_tasks:  # every identifiable reporter gets a receipt (§ 137)
            self.complete(case["id"], "send_receipt", {"receipt_sent_at": today})
        return self.complete(case["id"], "first_talks", {"child_talk_held_at": today})

    def to_decision(self, case: Any) -> Any:
        """Through screening with early support: the case stands at the decision (afgørelse)."""
        self.to_screening(case)
        return self.complete(
            case["id"],
            "screening",
            {"screening_assessment": "Vurderet", "screening_outcome": "early_support"},
        )

    def to_follow_up(self, case: Any) -> Any:
        """Decided (support § 32) and started: the case waits for its first follow-up."""
        self.to_decision(case)
        today = datetime.now(UTC).date()
        self.complete(
            case["id"],
            "decision",
            {
                "decision_date": today.isoformat(),
                "measure_type": "support_s32",
                "measure_paragraph": "§ 32, stk. 1",
                "purpose": "Trivsel i skolen",
                "expected_duration": "6 måneder",
                "concern_level": "medium",
                "child_plan_decided": True,
                "child_perspective_obtained": True,
                "child_perspective": "Barnet vil gerne have hjælp",
            },
        )
        return self.complete(
            case["id"],
            "kickoff_meeting",
            {
                "participants": "Barn, forældre",
                "intervention_started_at": today.isoformat(),
                "next_follow_up_date": (today + timedelta(days=30)).isoformat(),
            },
        )

    def wait_for_breach(self, business_key: str, timeout: float = 10) -> None:
        """Until the scheduler has fired the case's overdue 24-hour deadline."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            breached = self.get("/reports/deadlines")["breached"]
            if any(d["business_key"] == business_key for d in breached):
                return
            time.sleep(0.2)
        raise AssertionError(f"no breached deadline for {business_key} after {timeout} s")
