"""Sign-in through OIDC (authorization code + PKCE) against a real OpenID provider (the certified
`oidc-provider` package), on SQLite and PostgreSQL: the groups in the ID token give the mapped
rights; a wrong nonce, a wrong state or a used code is refused with nothing created and logged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from engine.clock import FakeClock
from engine.service import Engine
from signin.conftest import TEST_BASE
from signin.providers import Providers, op_answer

from support.live import free_port
from support.settings import DEV_TOKEN, engine_settings
from support.signin import counts, sign_in_log

NOTHING = {"WebSession": 0, "SignInAttempt": 0, "UsedAssertion": 0, "Instance": 0}


@pytest.fixture
def rp(providers: Providers, database_url: str, clock: FakeClock) -> Iterator[TestClient]:
    settings = ApiSettings(dev_mode=True, dev_token=DEV_TOKEN, **providers.settings(TEST_BASE))
    app = create_app(settings, engine_settings(database_url), clock=clock)
    with TestClient(app, base_url=TEST_BASE) as client:
        yield client


@pytest.fixture
def rp_sqlite(providers: Providers, sqlite_url: str, clock: FakeClock) -> Iterator[TestClient]:
    """For what does not depend on the database (the hostile cases run on both)."""
    settings = ApiSettings(dev_mode=True, dev_token=DEV_TOKEN, **providers.settings(TEST_BASE))
    with TestClient(
        create_app(settings, engine_settings(sqlite_url), clock=clock), base_url=TEST_BASE
    ) as client:
        yield client


def engine_of(client: TestClient) -> Engine:
    return client.app.state.engine  # type: ignore[attr-defined,no-any-return]


def start(client: TestClient, next_page: str = "") -> str:
    response = client.get(
        "/auth/oidc/login", params={"next": next_page} if next_page else None, follow_redirects=False
    )
    assert response.status_code == 303
    return str(response.headers["location"])


def back(client: TestClient, url: str) -> Any:
    """The browser, sent back by the provider, opens our callback."""
    return client.get(url.removeprefix(TEST_BASE), follow_redirects=False)


def with_param(url: str, name: str, value: str) -> str:
    parsed = urlparse(url)
    query = {k: v[0] for k, v in parse_qs(parsed.query).items()} | {name: value}
    return parsed._replace(query=urlencode(query)).geturl()


def assert_refused(client: TestClient, response: Any, reason: str, *, before: int = 0) -> None:
    assert (response.status_code, response.headers["location"]) == (303, "/ui/login?error=refused")
    assert client.get("/auth/session").status_code == 401 or before
    assert counts(engine_of(client)) == NOTHING | {"WebSession": before}
    refusals = [p for action, _, p in sign_in_log(engine_of(client)) if action == "sign-in-refused"]
    assert refusals[0] == f"oidc: {reason}", refusals


def test_a_caseworker_signs_in_with_the_rights_of_their_groups(rp: TestClient, providers: Providers) -> None:
    response = back(rp, op_answer(start(rp), "cw-a", TEST_BASE))
    assert (response.status_code, response.headers["location"]) == (303, "/ui/tasks")
    me = rp.get("/auth/session").json()
    assert (me["user"], me["municipality"], me["roles"], me["teams"], me["provider"]) == (
        "cw-a",
        "0101",
        ["caseworker"],
        ["team-a"],
        "oidc",
    )
    assert sign_in_log(engine_of(rp)) == [("sign-in", "cw-a", "sign-in through oidc")]


def test_a_leader_lands_on_the_overview_and_next_wins_over_it(rp_sqlite: TestClient) -> None:
    assert back(rp_sqlite, op_answer(start(rp_sqlite), "leader", TEST_BASE)).headers["location"] == "/ui/"
    rp_sqlite.cookies.clear()
    url = op_answer(start(rp_sqlite, "/ui/cases?team=team-a"), "leader", TEST_BASE)
    assert back(rp_sqlite, url).headers["location"] == "/ui/cases?team=team-a"


def test_sign_out_ends_the_session_and_leads_to_the_providers_logout(
    rp_sqlite: TestClient, providers: Providers
) -> None:
    back(rp_sqlite, op_answer(start(rp_sqlite), "cw-a", TEST_BASE))
    csrf = rp_sqlite.get("/auth/session").json()["csrf_token"]
    redirect = rp_sqlite.post("/auth/logout", headers={"X-CSRF-Token": csrf}).json()["redirect"]
    query = parse_qs(urlparse(redirect).query)
    assert redirect.startswith(f"{providers.issuer}/session/end?")
    assert (
        query["post_logout_redirect_uri"] == [f"{TEST_BASE}/ui/login?signed_out=1"] and query["id_token_hint"]
    )
    assert (
        rp_sqlite.get("/auth/session").status_code == 401 and counts(engine_of(rp_sqlite))["WebSession"] == 0
    )


def test_a_person_whose_groups_give_no_role_is_not_signed_in(rp: TestClient) -> None:
    assert_refused(rp, back(rp, op_answer(start(rp), "nobody", TEST_BASE)), "no known role")


def test_an_id_token_with_another_nonce_is_refused(rp: TestClient) -> None:
    """The authorization request changed on its way (another nonce, the rest intact): the
    provider issues an ID token for that nonce, and it is not the one this browser holds."""
    tampered = with_param(start(rp), "nonce", "attacker-chosen-nonce")
    assert_refused(
        rp, back(rp, op_answer(tampered, "cw-a", TEST_BASE)), "the ID token's nonce is not this browser's"
    )


def test_an_answer_with_another_state_is_refused(rp: TestClient) -> None:
    url = op_answer(start(rp), "cw-a", TEST_BASE)
    reason = "the answer is not to this browser's request (state)"
    assert_refused(rp, back(rp, with_param(url, "state", "forged-state")), reason)


def test_a_code_is_used_once(rp: TestClient) -> None:
    url = op_answer(start(rp), "cw-a", TEST_BASE)
    assert back(rp, url).headers["location"] == "/ui/tasks"
    assert_refused(rp, back(rp, url), "no sign-in under way in this browser", before=1)


def test_an_error_from_the_provider_signs_nobody_in(rp: TestClient) -> None:
    start(rp)
    assert_refused(
        rp,
        rp.get("/auth/oidc/callback?error=access_denied", follow_redirects=False),
        "the provider answered with an error",
    )


def test_an_unreachable_provider_is_a_refusal_not_a_server_error(
    providers: Providers, database_url: str, clock: FakeClock
) -> None:
    settings = ApiSettings(
        dev_mode=True,
        dev_token=DEV_TOKEN,
        **providers.settings(TEST_BASE, login_oidc_issuer=f"http://127.0.0.1:{free_port()}"),
    )
    with TestClient(
        create_app(settings, engine_settings(database_url), clock=clock), base_url=TEST_BASE
    ) as client:
        response = client.get("/auth/oidc/login", follow_redirects=False)
        assert_refused(client, response, "the provider's discovery document cannot be read")
