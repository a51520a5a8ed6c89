"""Authentication modes and the refusal to run unauthenticated on a network address."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from oidc_tokens import AUDIENCE, ISSUER, Issuer, basic
from security_app import BASIC_ADMIN, BASIC_INTEGRATOR, Secure, engine_settings
from sqlmodel import select
from world import MUNICIPALITY_A

from api.app import ConfigurationError, create_app, security_problems
from api.auth import Authenticator
from api.deps import AdminActor, allow
from api.settings import ApiSettings, is_loopback
from engine.clock import FakeClock
from engine.model import Actor, Role
from engine.store.tables import AccessLog

from support.live import free_port

ROOT = Path(__file__).resolve().parents[2]
IntegratorActor = Annotated[Actor, allow(Role.INTEGRATOR)]


def _problems(**values: object) -> list[str]:
    settings = ApiSettings(**values)  # type: ignore[arg-type]
    return security_problems(settings, Authenticator(settings))


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost", "::ffff:127.0.0.1"])
def test_dev_mode_may_bind_to_loopback(host: str) -> None:
    assert is_loopback(host) and _problems(dev_mode=True, host=host) == []


@pytest.mark.parametrize(
    "host",
    ["0.0.0.0", "::", "10.0.0.5", "192.168.1.2", "sagsflow.example", "::ffff:10.0.0.5", "localhost.evil"],
)
def test_dev_mode_refuses_any_other_address(host: str) -> None:
    problems = _problems(dev_mode=True, host=host)
    assert len(problems) == 1 and "loopback" in problems[0] and host in problems[0]
    with pytest.raises(ConfigurationError, match="refusing to start"):
        create_app(ApiSettings(dev_mode=True, host=host))


def test_no_authentication_is_refused_even_on_loopback() -> None:
    assert "no authentication configured" in _problems(host="127.0.0.1")[0]


def test_incomplete_oidc_is_refused(issuer: Issuer) -> None:
    assert "ISSUER and SAGSFLOW_OIDC_AUDIENCE" in _problems(oidc_jwks_file=issuer.jwks_file)[0]
    only_hmac = _problems(
        oidc_jwks_file=issuer.jwks_file,
        oidc_issuer=ISSUER,
        oidc_audience=AUDIENCE,
        oidc_algorithms="HS256,none",
    )
    assert "allows none of" in only_hmac[0]
    assert (
        _problems(oidc_jwks_file=issuer.jwks_file, oidc_issuer=ISSUER, oidc_audience=AUDIENCE, host="0.0.0.0")
        == []
    )


def _sagsflow(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SAGSFLOW_")}
    return subprocess.run(
        [sys.executable, "-m", "api", *args],
        cwd=ROOT,
        env={**clean, "SAGSFLOW_DATABASE_URL": "sqlite:////nonexistent/never.db", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_on_all_interfaces_without_authentication_refuses() -> None:
    result = _sagsflow("serve", "--host", "0.0.0.0", "--port", str(free_port()), env={})
    assert result.returncode != 0
    assert "refusing to start: no authentication configured" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_in_dev_mode_on_all_interfaces_refuses() -> None:
    port = str(free_port())
    result = _sagsflow("serve", "--host", "0.0.0.0", "--port", port, env={"SAGSFLOW_DEV_MODE": "1"})
    assert result.returncode != 0
    assert "SAGSFLOW_DEV_MODE=1 only serves on loopback" in result.stderr and "0.0.0.0" in result.stderr
    flag = _sagsflow("serve", "--dev", "--host", "0.0.0.0", "--port", port, env={})
    assert flag.returncode != 0 and "only serves on loopback" in flag.stderr


def test_uvicorn_factory_in_dev_mode_on_a_network_host_refuses() -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SAGSFLOW_")}
    env = {
        **clean,
        "SAGSFLOW_DEV_MODE": "1",
        "SAGSFLOW_HOST": "0.0.0.0",
        "SAGSFLOW_DATABASE_URL": "sqlite://",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.app:app_factory",
        "--factory",
        "--port",
        str(free_port()),
    ]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0 and "only serves on loopback" in result.stderr


@pytest.fixture
def dev_client(database_url: str) -> Iterator[TestClient]:
    app = create_app(
        ApiSettings(dev_mode=True, dev_token="the-dev-token"),
        engine_settings(database_url),
        clock=FakeClock(),
    )
    _mount_camunda_probe(app)
    with TestClient(app) as client:
        yield client


def test_dev_mode_requires_its_token(dev_client: TestClient) -> None:
    assert dev_client.get("/cases").status_code == 401
    assert dev_client.get("/cases", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert dev_client.get("/cases", headers={"Authorization": "Bearer the-dev-token"}).status_code == 200
    assert dev_client.get("/health").status_code == 200
    # Camunda Modeler's deploy dialog: Basic with the token as the password
    modeler = {"Authorization": basic("anyone", "the-dev-token")}
    assert dev_client.get("/engine-rest/probe", headers=modeler).json()["user"] == "dev"
    assert (
        dev_client.get("/engine-rest/probe", headers={"Authorization": basic("x", "nope")}).status_code == 401
    )


def test_dev_mode_answers_only_loopback_clients(database_url: str) -> None:
    app = create_app(
        ApiSettings(dev_mode=True, dev_token="the-dev-token"),
        engine_settings(database_url),
        clock=FakeClock(),
    )
    headers = {"Authorization": "Bearer the-dev-token"}
    with TestClient(app, client=("10.1.2.3", 40000)) as remote:
        response = remote.get("/cases", headers=headers)
        assert response.status_code == 403 and "loopback" in response.json()["detail"]
        assert remote.get("/health").status_code == 403
    with TestClient(app, client=("127.0.0.1", 40000)) as local:
        assert local.get("/cases", headers=headers).status_code == 200


def test_dev_token_is_worthless_outside_dev_mode(database_url: str, issuer: Issuer) -> None:
    settings = issuer.settings(dev_token="static-token-left-in-production")
    app = create_app(settings, engine_settings(database_url), clock=FakeClock())
    with TestClient(app) as client:
        response = client.get("/cases", headers={"Authorization": "Bearer static-token-left-in-production"})
        assert response.status_code == 401


def _mount_camunda_probe(app: object) -> None:
    router = APIRouter()

    @router.get("/engine-rest/probe")
    def probe(actor: AdminActor) -> dict[str, object]:
        return {"user": actor.user_id, "municipality": actor.municipality, "roles": sorted(actor.roles)}

    @router.get("/engine-rest/integrator-probe")
    def integrator_probe(actor: IntegratorActor) -> dict[str, str]:
        return {"user": actor.user_id}

    app.include_router(router)  # type: ignore[attr-defined]


def test_basic_service_accounts_only_on_camunda_routes(fresh: Secure) -> None:
    _mount_camunda_probe(fresh.app)
    client = fresh.client
    admin = client.get("/engine-rest/probe", headers={"Authorization": basic(BASIC_ADMIN)})
    assert admin.status_code == 200
    assert admin.json() == {"user": BASIC_ADMIN, "municipality": MUNICIPALITY_A, "roles": ["admin"]}
    wrong = client.get("/engine-rest/probe", headers={"Authorization": basic(BASIC_ADMIN, "guess")})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Basic")
    assert wrong.json()["type"] == "AuthenticationException"
    unknown = client.get("/engine-rest/probe", headers={"Authorization": basic("nobody")})
    assert unknown.status_code == 401
    native = client.get("/cases", headers={"Authorization": basic(BASIC_ADMIN)})
    assert native.status_code == 401
    integrator = client.get("/engine-rest/probe", headers={"Authorization": basic(BASIC_INTEGRATOR)})
    assert integrator.status_code == 403
    ok = client.get("/engine-rest/integrator-probe", headers={"Authorization": basic(BASIC_INTEGRATOR)})
    assert ok.status_code == 200
    bearer = client.get("/engine-rest/probe", headers=fresh.headers_for("u", MUNICIPALITY_A, Role.ADMIN))
    assert bearer.status_code == 200 and bearer.json()["user"] == "u"


def test_nested_role_claims_and_hostile_claims(fresh: Secure, tmp_path: Path) -> None:
    issuer = fresh.issuer
    app = create_app(
        issuer.settings(claim_roles="realm_access.roles"),
        engine_settings(fresh.engine.store.url),
        engine=fresh.engine,
    )
    with TestClient(app) as client:
        claims = issuer.claims("kc-user", MUNICIPALITY_A, ())
        claims["realm_access"] = {"roles": ["leader", "offline_access"]}
        keycloak = client.get("/cases", headers={"Authorization": f"Bearer {issuer.sign(claims)}"})
        assert keycloak.status_code == 200
    hostile = {
        "municipality": "0101' OR 1=1 --",
        "sub": "x" * 5000,
        "teams": ["t"] * 500,
    }
    for claim, value in hostile.items():
        claims = {**issuer.claims("u", MUNICIPALITY_A, ("admin",)), claim: value}
        response = fresh.client.get("/cases", headers={"Authorization": f"Bearer {issuer.sign(claims)}"})
        assert response.status_code == 401, claim
    unknown_kid = issuer.sign(issuer.claims("u", MUNICIPALITY_A, ("admin",)), kid="rotated-away")
    assert fresh.client.get("/cases", headers={"Authorization": f"Bearer {unknown_kid}"}).status_code == 401
    huge = "a" * 20_000
    assert fresh.client.get("/cases", headers={"Authorization": f"Bearer {huge}"}).status_code == 401


def test_nbf_can_be_dropped_for_identity_providers_without_it(fresh: Secure) -> None:
    issuer = fresh.issuer
    claims = {k: v for k, v in issuer.claims("u", MUNICIPALITY_A, ("admin",)).items() if k != "nbf"}
    token = {"Authorization": f"Bearer {issuer.sign(claims)}"}
    assert fresh.client.get("/cases", headers=token).status_code == 401  # required by default
    relaxed = create_app(
        issuer.settings(oidc_required_claims="exp,iss,aud,sub"),
        engine_settings(fresh.engine.store.url),
        engine=fresh.engine,
    )
    with TestClient(relaxed) as client:
        assert client.get("/cases", headers=token).status_code == 200


def test_request_ids_are_kept_only_when_harmless(fresh: Secure) -> None:
    headers = fresh.headers_for("u", MUNICIPALITY_A, Role.ADMIN)
    fresh.client.get("/cases", headers={**headers, "X-Request-ID": "abc-123"})
    fresh.client.get("/cases", headers={**headers, "X-Request-ID": "010203-4567 Jens"})
    with fresh.engine.store.read() as session:
        ids = [r.request_id for r in session.exec(select(AccessLog).where(AccessLog.actor == "u")).all()]
    assert ids[0] == "abc-123" and ids[1] != "010203-4567 Jens" and len(ids[1] or "") == 32
    assert json.dumps(ids).find("Jens") == -1
