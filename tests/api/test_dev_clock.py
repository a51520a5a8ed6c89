"""Dev mode can jump the clock forward through the API, firing what fell due (a demo of four months)."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings

from support import bpmn
from support.settings import DEV_TOKEN, engine_settings


@pytest.fixture
def dev_client(sqlite_url: str) -> Iterator[TestClient]:
    app = create_app(
        ApiSettings(dev_mode=True, dev_token=DEV_TOKEN, dev_clock=True), engine_settings(sqlite_url)
    )
    with TestClient(app, headers={"Authorization": f"Bearer {DEV_TOKEN}"}) as client:
        yield client


def test_advancing_the_dev_clock_fires_due_timers(dev_client: TestClient) -> None:
    dev_client.post("/definitions", files=[("files", ("t.bpmn", bpmn.timer_process("t", "P4M"), "text/xml"))])
    case = dev_client.post("/processes/t/start", json={}).json()
    assert case["current_activities"] == ["wait"]
    early = dev_client.post("/dev/clock/advance", json={"days": 100}).json()
    assert early["fired"] == 0
    late = dev_client.post("/dev/clock/advance", json={"days": 30}).json()
    assert late["fired"] == 1 and late["offset_seconds"] == 130 * 86400
    assert dev_client.get(f"/cases/{case['id']}").json()["current_activities"] == ["after"]


def test_the_dev_clock_is_off_unless_enabled(client: TestClient) -> None:
    assert client.post("/dev/clock/advance", json={"days": 1}).status_code == 404


def test_the_dev_clock_never_moves_backwards(dev_client: TestClient) -> None:
    assert dev_client.post("/dev/clock/advance", json={"days": -1}).status_code == 422


def test_the_dev_clock_says_where_it_stands(dev_client: TestClient) -> None:
    before = dev_client.get("/dev/clock").json()
    assert before["offset_seconds"] == 0
    dev_client.post("/dev/clock/advance", json={"hours": 5})
    after = dev_client.get("/dev/clock").json()
    assert after["offset_seconds"] == 5 * 3600 and after["now"] > before["now"]
    assert dev_client.get("/clock").json()["now"] >= after["now"]


def test_reading_the_dev_clock_is_off_unless_enabled(client: TestClient) -> None:
    assert client.get("/dev/clock").status_code == 404
