"""Sign-in through SAML 2.0 (OIOSAML 3, as KOMBIT's Context Handler) against a real IdP (pysaml2's),
on SQLite and PostgreSQL: a genuine answer signs in with the mapped rights; every hostile answer is
refused with nothing created and a row in the access log."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from api.signin.saml import SamlSignIn
from engine.clock import FakeClock
from engine.model import SignInAttemptInfo
from engine.service import Engine
from signin import saml_forgery as forge
from signin.conftest import OTHER_BASE, TEST_BASE
from signin.providers import Providers, idp_answer, key_pair, request_id

from support.settings import DEV_TOKEN, engine_settings
from support.signin import counts, sign_in_log

NOTHING = {"WebSession": 0, "SignInAttempt": 0, "UsedAssertion": 0, "Instance": 0}


def app(providers: Providers, database_url: str, clock: FakeClock, **overrides: Any) -> TestClient:
    settings = ApiSettings(dev_mode=True, dev_token=DEV_TOKEN, **providers.settings(TEST_BASE, **overrides))
    return TestClient(create_app(settings, engine_settings(database_url), clock=clock), base_url=TEST_BASE)


@pytest.fixture
def wall_clock() -> FakeClock:
    """Our clock where the IdP's is (it stamps its assertions with the wall clock)."""
    return FakeClock(datetime.now(UTC))


@pytest.fixture
def sp(providers: Providers, database_url: str, wall_clock: FakeClock) -> Iterator[TestClient]:
    with app(providers, database_url, wall_clock) as client:
        yield client


@pytest.fixture
def sp_sqlite(providers: Providers, sqlite_url: str, wall_clock: FakeClock) -> Iterator[TestClient]:
    """For what does not depend on the database (the hostile cases run on both)."""
    with app(providers, sqlite_url, wall_clock) as client:
        yield client


def engine_of(client: TestClient) -> Engine:
    return client.app.state.engine  # type: ignore[attr-defined,no-any-return]


def start(client: TestClient) -> str:
    """Start signing in: the redirect to the IdP (the browser's sign-in cookie is set)."""
    response = client.get("/auth/saml/login", follow_redirects=False)
    assert response.status_code == 303
    return str(response.headers["location"])


def post(client: TestClient, answer: str) -> Any:
    return client.post("/auth/saml/acs", data={"SAMLResponse": answer}, follow_redirects=False)


def assert_refused(
    client: TestClient, response: Any, reason: str, *, before: int = 0, pending: int = 0
) -> None:
    """Refused: back to login, no session, no used assertion, and the refusal logged. `before`:
    sign-ins that went before; `pending`: sign-ins still under way in other browsers."""
    assert (response.status_code, response.headers["location"]) == (303, "/ui/login?error=refused")
    assert client.get("/auth/session").status_code == 401
    expected = {"WebSession": before, "UsedAssertion": before, "SignInAttempt": pending}
    assert counts(engine_of(client)) == NOTHING | expected
    refusals = [
        purpose for action, _, purpose in sign_in_log(engine_of(client)) if action == "sign-in-refused"
    ]
    assert refusals[0] == f"saml: {reason}", refusals


def test_a_caseworker_signs_in_with_the_rights_the_configuration_maps(sp: TestClient) -> None:
    response = post(sp, idp_answer(start(sp), "sagsbehandler-a"))
    assert (response.status_code, response.headers["location"]) == (303, "/ui/tasks")
    me = sp.get("/auth/session").json()
    assert (me["user"], me["municipality"], me["roles"], me["teams"]) == (
        "cw-saml-a",
        "0101",
        ["caseworker"],
        ["team-a"],
    )
    assert counts(engine_of(sp)) == NOTHING | {"WebSession": 1, "UsedAssertion": 1}
    assert sign_in_log(engine_of(sp)) == [("sign-in", "cw-saml-a", "sign-in through saml")]


def test_a_leader_lands_on_the_overview(sp_sqlite: TestClient) -> None:
    response = post(sp_sqlite, idp_answer(start(sp_sqlite), "leder"))
    assert response.headers["location"] == "/ui/"
    assert sp_sqlite.get("/auth/session").json()["roles"] == ["leader"]


def test_the_metadata_offers_signed_requests_and_the_keys_to_register(sp_sqlite: TestClient) -> None:
    metadata = sp_sqlite.get("/auth/saml/metadata")
    assert metadata.headers["content-type"].startswith("application/samlmetadata+xml")
    text = metadata.text
    assert 'AuthnRequestsSigned="true"' in text and 'WantAssertionsSigned="true"' in text
    assert f"{TEST_BASE}/auth/saml/acs" in text and f"{TEST_BASE}/auth/saml/slo" in text
    assert 'use="signing"' in text and 'use="encryption"' in text


@pytest.mark.parametrize(
    ("user", "reason"),
    [
        ("lav-sikring", "the NSIS assurance level is below Substantial"),
        ("ukendt-rolle", "no known role"),
        ("anden-kommune", "no known role"),
    ],
)
def test_a_person_without_known_rights_or_assurance_is_not_signed_in(
    sp: TestClient, user: str, reason: str
) -> None:
    assert_refused(sp, post(sp, idp_answer(start(sp), user)), reason)


FORGERIES: dict[str, tuple[Callable[[str], str], str]] = {
    "unsigned": (forge.unsigned, "the signature is missing or wrong"),
    "tampered after signing": (forge.tampered, "the signature is missing or wrong"),
    "xsw: evil assertion first": (forge.wrapped_evil_first, "the signature is missing or wrong"),
    "xsw: genuine inside the evil one": (
        forge.wrapped_original_inside_evil,
        "the signature is missing or wrong",
    ),
    "xsw: same id, genuine in extensions": (forge.wrapped_same_id, "the signature is missing or wrong"),
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_forged_answer_is_refused(sp: TestClient, forgery: str) -> None:
    change, reason = FORGERIES[forgery]
    assert_refused(sp, post(sp, change(idp_answer(start(sp), "sagsbehandler-a"))), reason)


def test_an_answer_signed_with_another_key_is_refused(sp: TestClient, tmp_path: Any) -> None:
    key, cert = key_pair(tmp_path, "attacker")
    answer = forge.signed_by(idp_answer(start(sp), "sagsbehandler-a"), key, cert)
    assert_refused(sp, post(sp, answer), "the signature is missing or wrong")


def not_on_or_after(answer: str) -> datetime:
    found = forge.assertion(forge.parse(answer)).find("saml:Conditions", forge.NS)
    assert found is not None
    return datetime.fromisoformat(found.get("NotOnOrAfter", "").replace("Z", "+00:00"))


def test_an_expired_assertion_is_refused(sp: TestClient, wall_clock: FakeClock) -> None:
    answer = idp_answer(start(sp), "sagsbehandler-a")
    wall_clock.move_to(not_on_or_after(answer) + timedelta(seconds=61))  # the skew allowed is 60 s
    assert_refused(sp, post(sp, answer), "the assertion has expired")


def test_an_assertion_just_past_its_end_is_taken_within_the_skew_allowed(
    sp_sqlite: TestClient, wall_clock: FakeClock
) -> None:
    answer = idp_answer(start(sp_sqlite), "sagsbehandler-a")
    wall_clock.move_to(not_on_or_after(answer) + timedelta(seconds=59))
    assert post(sp_sqlite, answer).headers["location"] == "/ui/tasks"


def test_an_answer_for_another_browsers_request_is_refused(
    providers: Providers, database_url: str, wall_clock: FakeClock, sp: TestClient
) -> None:
    with app(providers, database_url, wall_clock) as victim:
        answer = idp_answer(start(victim), "sagsbehandler-a")
    start(sp)  # the attacker's own sign-in is under way: its cookie names another request
    reason = "the answer is not to this browser's request (InResponseTo)"
    assert_refused(sp, post(sp, answer), reason, pending=1)  # the victim's sign-in is still under way


def test_an_answer_posted_without_a_sign_in_under_way_is_refused(sp: TestClient) -> None:
    answer = idp_answer(start(sp), "sagsbehandler-a")
    sp.cookies.clear()
    assert_refused(sp, post(sp, answer), "no sign-in under way in this browser", pending=1)


def test_an_assertion_for_another_service_provider_is_refused(providers: Providers, sp: TestClient) -> None:
    """Another SP the IdP knows asks for an assertion under the id of our pending request; the
    answer then matches our request but names the other SP as its audience (and recipient)."""
    our_request = request_id(start(sp))
    other = SamlSignIn(ApiSettings(**providers.settings(OTHER_BASE)))
    _, info = other.client.prepare_for_authenticate(entityid=other.idp, message_id=our_request, sign=True)
    answer = idp_answer(dict(info["headers"])["Location"], "sagsbehandler-a")
    assert forge.parse(answer).get("InResponseTo") == our_request
    assert_refused(sp, post(sp, answer), "the answer is not for this service provider")


def test_a_replayed_assertion_is_refused_by_the_database_in_any_worker(
    providers: Providers, database_url: str, wall_clock: FakeClock, sp: TestClient
) -> None:
    """The same assertion twice, the second time to another worker (another app on the same
    database) with a sign-in cookie bound to the same request: the used-assertion row refuses it."""
    answer = idp_answer(start(sp), "sagsbehandler-a")
    assert post(sp, answer).headers["location"] == "/ui/tasks"
    with app(providers, database_url, wall_clock) as other_worker:
        bound = SignInAttemptInfo("saml", str(forge.parse(answer).get("InResponseTo")), {})
        engine_of(other_worker).start_sign_in("replay-cookie", bound, lifetime=timedelta(minutes=5))
        other_worker.cookies.set("sagsflow-signin", "replay-cookie")
        assert_refused(other_worker, post(other_worker, answer), "the assertion was used before", before=1)


def test_a_plain_assertion_is_refused_where_encryption_is_required(
    providers: Providers, database_url: str, wall_clock: FakeClock
) -> None:
    with app(providers, database_url, wall_clock, saml_require_encryption=True) as strict:
        assert_refused(
            strict,
            post(strict, idp_answer(start(strict), "sagsbehandler-a")),
            "the assertion was not encrypted",
        )


def idp_logout_url(providers: Providers, user: str) -> str:
    """The IdP starts single logout of `user`: the redirect it sends the browser to (our SLO)."""
    response = httpx.get(
        f"{providers.idp_base}/slo/initiate", params={"sp": f"{TEST_BASE}/auth/saml/metadata", "user": user}
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).removeprefix(TEST_BASE)


def test_single_logout_from_the_identity_provider_ends_the_session_here(
    sp: TestClient, providers: Providers
) -> None:
    post(sp, idp_answer(start(sp), "sagsbehandler-a"))
    response = sp.get(idp_logout_url(providers, "sagsbehandler-a"), follow_redirects=False)
    assert response.headers["location"].startswith(f"{providers.idp_base}/slo/redirect?SAMLResponse=")
    assert sign_in_log(engine_of(sp))[1] == ("sign-out", "cw-saml-a", "single logout from saml")
    assert sp.get("/auth/session").status_code == 401 and counts(engine_of(sp))["WebSession"] == 0


def test_an_unsigned_logout_request_ends_no_session(sp: TestClient, providers: Providers) -> None:
    post(sp, idp_answer(start(sp), "sagsbehandler-a"))
    url = idp_logout_url(providers, "sagsbehandler-a")
    unsigned = url.split("&SigAlg=")[0].split("&Signature=")[0]
    assert sp.get(unsigned, follow_redirects=False).headers["location"] == "/ui/login?error=refused"
    assert sp.get("/auth/session").status_code == 200
    assert sign_in_log(engine_of(sp))[-1] == (
        "sign-in-refused",
        "anonymous",
        "saml: the logout request is not signed by the identity provider",
    )


XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0">&x;</samlp:Response>"""


@pytest.mark.parametrize(
    "answer", ["", "not base64 !", base64.b64encode(XXE).decode(), base64.b64encode(b"<a>").decode()]
)
def test_garbage_and_xml_with_entities_are_refused_without_a_server_error(
    sp: TestClient, answer: str
) -> None:
    start(sp)
    response = post(sp, answer)
    assert (response.status_code, response.headers["location"]) == (303, "/ui/login?error=refused")
    assert counts(engine_of(sp)) == NOTHING
