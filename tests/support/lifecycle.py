"""A caseworker's-eye driver for the barnets lov diagrams over HTTP, with a fake clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from engine.clock import FakeClock

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def report_of_concern(
    received: datetime, *, reporter: str = "private", team: str = "team-a", child_ref: str = "B-42"
) -> dict[str, Any]:
    """The body of `POST /cases`: an underretning received at `received`."""
    return {
        "received_at": received.isoformat(),
        "reporter_type": reporter,
        "child_ref": child_ref,
        "text": "Skolen er bekymret",
        "team": team,
    }


def deploy_workflows(client: TestClient) -> None:
    files = [
        ("files", (p.name, p.read_bytes(), "text/xml"))
        for p in sorted(WORKFLOWS.glob("*.*"))
        if p.suffix in (".bpmn", ".dmn")
    ]
    response = client.post("/definitions", files=files)
    assert response.status_code == 201, response.text


class CaseFlow:
    def __init__(self, client: TestClient, clock: FakeClock) -> None:
        self.client = client
        self.clock = clock
        self.case_id = ""
        self.business_key = ""

    def open(self, *, reporter: str = "private", received_ago: timedelta = timedelta(hours=1)) -> CaseFlow:
        received = self.clock.now() - received_ago
        response = self.client.post("/cases", json=report_of_concern(received, reporter=reporter))
        assert response.status_code == 201, response.text
        self.case_id, self.business_key = response.json()["id"], response.json()["business_key"]
        return self

    def case(self) -> dict[str, Any]:
        response = self.client.get(f"/cases/{self.case_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def open_tasks(self) -> dict[str, dict[str, Any]]:
        return {t["element_id"]: t for t in self.case()["tasks"] if t["state"] == "open"}

    def task(self, element_id: str) -> dict[str, Any]:
        tasks = self.open_tasks()
        assert element_id in tasks, f"{element_id} is not open; open: {sorted(tasks)}"
        return tasks[element_id]

    def complete(self, element_id: str, variables: dict[str, Any], *, expect: int = 200) -> dict[str, Any]:
        response = self.client.post(
            f"/tasks/{self.task(element_id)['id']}/complete", json={"variables": variables}
        )
        assert response.status_code == expect, response.text
        return dict(response.json())

    def advance(self, delta: timedelta) -> int:
        self.clock.advance(delta)
        engine = self.client.app.state.engine  # type: ignore[attr-defined]
        return int(engine.fire_due_timers().fired)

    def move_to(self, instant: datetime) -> int:
        return self.advance(instant - self.clock.now())

    def history(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.case()["history"] if e["kind"] == kind]

    def deadlines(self, element_id: str) -> list[dict[str, Any]]:
        return [d for d in self.case()["deadlines"] if d["element_id"] == element_id]

    def today(self, days: int = 0) -> str:
        return (self.clock.now() + timedelta(days=days)).date().isoformat()

    # --- the common path ----------------------------------------------------------------------

    def through_screening(self, outcome: str, **extra: Any) -> None:
        self.complete("assess_report", {"child_in_danger": False, "acute_measures": False})
        if "send_receipt" in self.open_tasks():
            self.complete("send_receipt", {"receipt_sent_at": self.today()})
        self.complete("first_talks", {"child_talk_held_at": self.today()})
        self.complete(
            "screening",
            {"screening_assessment": "Skriftlig vurdering", "screening_outcome": outcome, **extra},
        )
        if "reporter_feedback" in self.open_tasks():  # a professional reporter hears what was started
            self.give_feedback(outcome)

    def give_feedback(self, outcome: str) -> None:
        content = {"investigation": "investigation", "assessment": "assessment", "close": "none"}
        self.complete(
            "reporter_feedback",
            {
                "reporter_feedback_content": content.get(outcome, "measure"),
                "reporter_feedback_at": self.today(),
            },
        )

    def decide(self, **overrides: Any) -> dict[str, Any]:
        variables = {
            "decision_date": self.today(),
            "measure_type": "support_s32",
            "measure_paragraph": "§ 32, stk. 1",
            "purpose": "Styrke barnets trivsel i skolen",
            "expected_duration": "6 måneder",
            "concern_level": "medium",
            "child_plan_decided": True,
            "child_perspective_obtained": True,
            "child_perspective": "Barnet ønsker hjælp til lektier",
        }
        expect = overrides.pop("expect", 200)
        variables.update(overrides)
        return self.complete("decision", {k: v for k, v in variables.items() if v is not None}, expect=expect)

    def kickoff(self, next_date_days: int = 30) -> None:
        self.complete(
            "kickoff_meeting",
            {
                "participants": "Barn, forældre, udfører",
                "intervention_started_at": self.today(),
                "next_follow_up_date": self.today(next_date_days),
            },
        )

    def follow_up(self, outcome: str, next_date_days: int | None = 30, **extra: Any) -> None:
        variables = {
            "child_talk_alone": True,
            "follow_up_assessment": "Går fremad",
            "follow_up_outcome": outcome,
            "follow_up_held_at": self.today(),
            "follow_up_plan": "Opfølgning hver anden måned; barnet taler med rådgiveren alene først",
            "follow_up_plan_explained": True,
            **extra,
        }
        # no next day agreed: the field is left empty (not the day agreed at the last meeting)
        variables["next_follow_up_date"] = None if next_date_days is None else self.today(next_date_days)
        self.complete("follow_up", variables)
