"""Idempotent intake: `POST /cases` and `POST /messages` with an `Idempotency-Key` answer a retry
with the first answer and do nothing twice; one open case per case number (SQLite and PostgreSQL).
The retry after a server that died before answering is in tests/faults/test_idempotent_intake.py."""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier
from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.clock import FakeClock
from engine.idempotency import IdempotentRequest
from engine.instances import ReportOfConcern
from engine.model import Role
from engine.service import Engine

from support.actors import ADMIN, actor
from support.lifecycle import WORKFLOWS, deploy_workflows, report_of_concern

KEY = "6f1c2a9e-4b7d-4d1a-9c3e-2f8b7a6d5e41"
NUMBER = "S-2026-0042"


@pytest.fixture
def intake(client: TestClient) -> TestClient:
    deploy_workflows(client)
    return client


def report(clock: FakeClock, **extra: Any) -> dict[str, Any]:
    return {**report_of_concern(clock.now() - timedelta(hours=1)), "case_number": NUMBER, **extra}


def post_case(client: TestClient, body: dict[str, Any], key: str | None = KEY, **kwargs: Any) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/cases", json=body, headers=headers, **kwargs)


def numbered(client: TestClient, number: str = NUMBER) -> list[str]:
    return [c["id"] for c in client.get("/cases", params={"business_key": number}).json()["items"]]


def test_a_retry_with_the_same_key_and_body_gets_the_first_answer_and_one_case(
    intake: TestClient, clock: FakeClock
) -> None:
    body = report(clock)
    first = post_case(intake, body)
    clock.advance(timedelta(minutes=5))
    respaced = json.dumps(dict(reversed(list(body.items()))), indent=2)  # the same request, written otherwise
    retry = intake.post(
        "/cases", content=respaced, headers={"Idempotency-Key": KEY, "content-type": "application/json"}
    )
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    assert (retry.status_code, retry.headers["Idempotent-Replayed"]) == (201, "true")
    assert retry.content == first.content  # the first answer, byte for byte
    assert numbered(intake) == [first.json()["id"]]


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(
    intake: TestClient, clock: FakeClock
) -> None:
    first = post_case(intake, report(clock))
    other = post_case(intake, report(clock, case_number="S-2026-0043"))
    assert other.status_code == 409 and other.headers["content-type"] == "application/problem+json"
    assert other.json()["type"] == "https://sagsflow.dk/problems/idempotency-key-reused"
    assert numbered(intake, "S-2026-0043") == [] and numbered(intake) == [first.json()["id"]]


def test_a_second_open_case_with_the_same_case_number_is_refused_naming_the_first(
    intake: TestClient, clock: FakeClock
) -> None:
    first = post_case(intake, report(clock), key=None).json()
    second = post_case(intake, report(clock, child_ref="B-43"), key="another-key")
    assert second.status_code == 409
    problem = second.json()
    assert problem["type"] == "https://sagsflow.dk/problems/case-number-in-use"
    assert (problem["existing_case_id"], problem["case_number"]) == (first["id"], NUMBER)
    assert first["id"] in problem["detail"]
    assert numbered(intake) == [first["id"]]


def test_a_key_is_the_callers_own(engine: Engine, clock: FakeClock) -> None:
    """Another caller sending the same key gets its own answer, not the first caller's."""
    engine.deploy_directory(WORKFLOWS, actor=ADMIN)
    request = IdempotentRequest("open case", KEY, "same-fingerprint")

    def open_as(caller: str, number: str) -> str:
        concern = ReportOfConcern(clock.now(), "private", "B-1", "", business_key=number)
        return engine.open_case_once(
            concern, actor=actor(Role.INTEGRATOR, user=caller), request=request, render=lambda c: c.id
        ).text

    first, second = open_as("integrator-1", "S-1"), open_as("integrator-2", "S-2")
    assert first != second and open_as("integrator-1", "S-1") == first


def test_concurrent_requests_with_the_same_key_open_one_case(intake: TestClient, clock: FakeClock) -> None:
    body = report(clock)
    barrier = Barrier(4)

    def send(_: int) -> Any:
        barrier.wait()
        return post_case(intake, body)

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(send, range(4)))
    assert sorted(a.status_code for a in answers) == [201, 201, 201, 201], [a.text for a in answers]
    assert len({a.content for a in answers}) == 1
    assert len(numbered(intake)) == 1


def test_a_retried_message_is_delivered_once(intake: TestClient, clock: FakeClock) -> None:
    case = post_case(intake, report(clock), key=None).json()
    message = {
        "name": "ny_underretning",
        "business_key": NUMBER,
        "variables": {"report_received_at": clock.now().isoformat(), "reporter_type": "private"},
    }
    headers = {"Idempotency-Key": "message-1"}
    first = intake.post("/messages", json=message, headers=headers)
    retry = intake.post("/messages", json=message, headers=headers)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.content == first.content and retry.headers["Idempotent-Replayed"] == "true"
    tasks = intake.get(f"/cases/{case['id']}").json()["tasks"]
    assert [t["element_id"] for t in tasks if t["state"] == "open"].count("assess_new_report") == 1


@pytest.mark.parametrize("key", ["", "x" * 201, "with space", "tab\tkey"])
def test_a_malformed_key_is_refused(intake: TestClient, clock: FakeClock, key: str) -> None:
    response = intake.post("/cases", json=report(clock), headers={"Idempotency-Key": key})
    assert response.status_code == 422 and response.json()["errors"][0]["name"] == "Idempotency-Key"
    assert numbered(intake) == []


def test_kept_answers_are_pruned_after_seven_days(intake: TestClient, clock: FakeClock) -> None:
    engine: Engine = intake.app.state.engine  # type: ignore[attr-defined]
    first = post_case(intake, report(clock)).json()
    clock.advance(timedelta(days=7, minutes=1))
    engine.maintain()
    again = post_case(intake, report(clock))  # the key is forgotten: a new request, refused by number
    assert again.status_code == 409 and again.json()["existing_case_id"] == first["id"]
