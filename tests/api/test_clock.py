"""What time it is for the pages: the service's clock (GET /clock), not the browser's."""

from datetime import timedelta

from fastapi.testclient import TestClient

from engine.clock import FakeClock


def test_the_clock_is_the_services_not_the_callers(client: TestClient, clock: FakeClock) -> None:
    clock.advance(timedelta(days=120))
    assert client.get("/clock").json() == {"now": clock.now().isoformat().replace("+00:00", "Z")}


def test_the_clock_needs_a_sign_in(client: TestClient) -> None:
    assert client.get("/clock", headers={"Authorization": ""}).status_code == 401
