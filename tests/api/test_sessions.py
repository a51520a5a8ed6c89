"""The pages' server-side session (here started with the dev token): cookie attributes, CSRF on
state-changing calls, idle and absolute timeouts, sign-out, forged cookies; on SQLite and
PostgreSQL. The identity providers' flows are in tests/signin/."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from api.app import create_app
from api.settings import ApiSettings
from engine.clock import FakeClock
from engine.store.tables import WebSession

from support.actors import MUNICIPALITY
from support.lifecycle import report_of_concern
from support.settings import DEV_TOKEN, engine_settings
from support.signin import counts, sign_in_log

COOKIE = "sagsflow-session"


def _app(database_url: str, clock: FakeClock, **settings: object) -> TestClient:
    values: dict[str, object] = {"dev_mode": True, "dev_token": DEV_TOKEN, "dev_municipality": MUNICIPALITY}
    values.update(settings)
    return TestClient(
        create_app(
            ApiSettings(**values), engine_settings(database_url, deploy_workflows_on_start=True), clock=clock
        )
    )  # type: ignore[arg-type]


@pytest.fixture
def browser(database_url: str, clock: FakeClock) -> Iterator[TestClient]:
    """A client without the dev token header: it acts like a browser, with cookies only."""
    with _app(database_url, clock) as client:
        yield client


def sign_in(client: TestClient, next_page: str = "") -> str:
    response = client.post("/auth/dev", data={"token": DEV_TOKEN, "next": next_page}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return str(client.cookies[COOKIE])


def csrf(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": client.get("/auth/session").json()["csrf_token"]}


def test_signing_in_sets_an_http_only_same_site_cookie_and_logs_the_sign_in(
    browser: TestClient, clock: FakeClock
) -> None:
    response = browser.post(
        "/auth/dev", data={"token": DEV_TOKEN, "next": "/ui/cases"}, follow_redirects=False
    )
    assert response.headers["location"] == "/ui/cases"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # dev mode serves plain http on loopback
    me = browser.get("/auth/session").json()
    assert (me["user"], me["provider"], me["home"]) == ("dev", "dev", "/ui/")
    engine = browser.app.state.engine  # type: ignore[attr-defined]
    assert counts(engine)["WebSession"] == 1
    assert sign_in_log(engine) == [("sign-in", "dev", "sign-in through dev")]


def test_the_database_keeps_only_a_hash_of_the_cookies_secret(browser: TestClient) -> None:
    secret = sign_in(browser)
    engine = browser.app.state.engine  # type: ignore[attr-defined]
    with engine.store.read() as session:
        (row,) = session.exec(select(WebSession)).all()
    assert row.id == hashlib.sha256(secret.encode()).hexdigest() and secret not in str(row)


def test_outside_dev_mode_the_cookies_are_secure_and_host_bound(database_url: str, clock: FakeClock) -> None:
    with _app(database_url, clock, secure_cookies=True) as client:
        response = client.post("/auth/dev", data={"token": DEV_TOKEN}, follow_redirects=False)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"__Host-{COOKIE}=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie


def test_a_wrong_dev_token_starts_no_session_and_is_logged(browser: TestClient) -> None:
    response = browser.post("/auth/dev", data={"token": "guess"}, follow_redirects=False)
    assert response.headers["location"] == "/ui/login?error=token"
    engine = browser.app.state.engine  # type: ignore[attr-defined]
    assert COOKIE not in browser.cookies and counts(engine)["WebSession"] == 0
    assert sign_in_log(engine) == [("sign-in-refused", "anonymous", "dev: wrong dev token")]


def test_a_state_changing_call_without_the_csrf_token_is_refused_and_changes_nothing(
    browser: TestClient, clock: FakeClock
) -> None:
    sign_in(browser)
    body = report_of_concern(clock.now() - timedelta(hours=1))
    engine = browser.app.state.engine  # type: ignore[attr-defined]
    assert browser.post("/cases", json=body).status_code == 403
    assert browser.post("/cases", json=body, headers={"X-CSRF-Token": "x" * 43}).status_code == 403
    assert counts(engine)["Instance"] == 0
    assert browser.post("/cases", json=body, headers=csrf(browser)).status_code == 201


def test_the_csrf_token_of_one_session_does_not_serve_another(database_url: str, clock: FakeClock) -> None:
    with _app(database_url, clock) as first, _app(database_url, clock) as second:
        sign_in(first)
        sign_in(second)
        body = report_of_concern(clock.now() - timedelta(hours=1))
        assert second.post("/cases", json=body, headers=csrf(first)).status_code == 403


def test_a_session_ends_after_idling_and_lives_on_while_used(browser: TestClient, clock: FakeClock) -> None:
    sign_in(browser)
    for _ in range(3):
        clock.advance(timedelta(minutes=25))
        assert browser.get("/cases").status_code == 200  # each call keeps it alive
    clock.advance(timedelta(minutes=30))
    assert browser.get("/cases").status_code == 401


def test_a_session_ends_at_its_absolute_limit_however_busy(browser: TestClient, clock: FakeClock) -> None:
    sign_in(browser)
    for _ in range(10 * 60 // 20 - 1):
        clock.advance(timedelta(minutes=20))
        assert browser.get("/auth/session").status_code == 200
    clock.advance(timedelta(minutes=20))  # 10 hours after signing in
    assert browser.get("/auth/session").status_code == 401


def test_signing_out_ends_the_session_on_the_server(browser: TestClient) -> None:
    secret = sign_in(browser)
    answer = browser.post("/auth/logout", headers=csrf(browser))
    assert answer.json() == {"redirect": "/ui/login?signed_out=1"}
    assert COOKIE not in browser.cookies
    browser.cookies.set(COOKIE, secret)  # the old cookie, replayed
    assert browser.get("/cases").status_code == 401
    engine = browser.app.state.engine  # type: ignore[attr-defined]
    assert counts(engine)["WebSession"] == 0
    assert [a for a, _, _ in sign_in_log(engine)] == ["sign-in", "sign-out", "sign-in-refused"]


def test_signing_out_needs_the_csrf_token(browser: TestClient) -> None:
    sign_in(browser)
    assert browser.post("/auth/logout").status_code == 403
    assert browser.get("/auth/session").status_code == 200


def test_a_forged_session_cookie_is_refused_logged_and_creates_nothing(browser: TestClient) -> None:
    browser.cookies.set(COOKIE, "forged-" + "a" * 40)
    body = report_of_concern(browser.app.state.engine.clock.now())  # type: ignore[attr-defined]
    assert browser.get("/cases").status_code == 401
    assert browser.post("/cases", json=body, headers={"X-CSRF-Token": "forged"}).status_code == 401
    engine = browser.app.state.engine  # type: ignore[attr-defined]
    assert counts(engine) == {"WebSession": 0, "SignInAttempt": 0, "UsedAssertion": 0, "Instance": 0}
    assert sign_in_log(engine) == [("sign-in-refused", "anonymous", "session: no live session")] * 2


def test_a_bearer_token_needs_no_csrf_token_and_cookies_do_not_reach_the_camunda_routes(
    browser: TestClient, clock: FakeClock
) -> None:
    sign_in(browser)
    body = report_of_concern(clock.now() - timedelta(hours=1))
    bearer = {"Authorization": f"Bearer {DEV_TOKEN}"}
    assert browser.post("/cases", json=body, headers=bearer).status_code == 201
    assert browser.get("/engine-rest/task").status_code == 401
