"""Who holds what (GET /reports/workload): per person the open tasks they hold, how many are
overdue or due within the week, and the active cases they are caseworker of (SQLite and PostgreSQL)."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from engine.clock import FakeClock

from support.lifecycle import CaseFlow, deploy_workflows


@pytest.fixture
def flow(client: TestClient, clock: FakeClock) -> CaseFlow:
    deploy_workflows(client)
    return CaseFlow(client, clock)


def test_workload_counts_each_persons_open_overdue_and_soon_due_tasks(flow: CaseFlow) -> None:
    late = CaseFlow(flow.client, flow.clock).open(received_ago=timedelta(hours=30))  # 24 h passed
    soon = CaseFlow(flow.client, flow.clock).open(received_ago=timedelta(hours=1))
    other = CaseFlow(flow.client, flow.clock).open(reporter="professional")
    claim = flow.client.post
    claim(f"/tasks/{late.task('assess_report')['id']}/claim", json={"user_id": "anna"})
    claim(f"/tasks/{soon.task('assess_report')['id']}/claim", json={"user_id": "anna"})
    claim(f"/tasks/{other.task('send_receipt')['id']}/claim", json={"user_id": "bo"})
    rows = flow.client.get("/reports/workload").json()["items"]
    assert rows == [
        {"user": "anna", "open_tasks": 2, "overdue_tasks": 1, "due_soon_tasks": 1, "active_cases": 2},
        {"user": "bo", "open_tasks": 1, "overdue_tasks": 0, "due_soon_tasks": 0, "active_cases": 1},
    ]
    # the receipt is due 6 working days after Monday 5 January: Tuesday the 13th, within 14 days
    fortnight = flow.client.get("/reports/workload", params={"days": 14}).json()["items"]
    assert [(r["user"], r["due_soon_tasks"]) for r in fortnight] == [("anna", 1), ("bo", 1)]
    assert flow.client.get("/reports/workload", params={"team": "team-b"}).json()["items"] == []
    csv = flow.client.get("/reports/workload", params={"format": "csv"}).text.splitlines()
    assert csv[0] == "user,open_tasks,overdue_tasks,due_soon_tasks,active_cases" and csv[1].startswith(
        "anna,2,1,1,"
    )
