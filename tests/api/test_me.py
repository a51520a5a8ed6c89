"""Who am I and what time is it: what the pages ask first (GET /me, GET /clock, GET /dev/clock)."""

from datetime import timedelta

from fastapi.testclient import TestClient

from engine.clock import FakeClock

from support.actors import MUNICIPALITY


def test_me_says_who_the_caller_is(client: TestClient) -> None:
    me = client.get("/me").json()
    assert me == {
        "user_id": "dev",
        "municipality": MUNICIPALITY,
        "roles": ["admin", "caseworker", "integrator", "leader", "process_owner"],
        "teams": ["dev"],
    }


def test_the_clock_is_the_services_not_the_callers(client: TestClient, clock: FakeClock) -> None:
    clock.advance(timedelta(days=120))
    assert client.get("/clock").json() == {"now": clock.now().isoformat().replace("+00:00", "Z")}


def test_me_needs_a_sign_in(client: TestClient) -> None:
    assert client.get("/me", headers={"Authorization": ""}).status_code == 401
