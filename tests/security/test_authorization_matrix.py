"""The authorization matrix, generated from the route table: every route × every principal (each
role, and no role, in municipality A and in municipality B; a caseworker of another team) ×
every token defect, on SQLite and PostgreSQL. Nothing here lists routes: a route added later is
probed as it is, and a route without a declared policy fails.

The expected status of each cell follows from the route's declared policy (`api.deps.allow`):

1. Public route (`public()`): never 401/403, whatever the credentials.
2. Defective credentials (missing, expired, wrong audience, wrong issuer, bad signature,
   alg=none, HS256 signed with the public key, not yet valid, ES256 against the RSA key, no
   municipality claim, garbage; Basic on a native route, Basic with a wrong password): 401 with
   a `WWW-Authenticate` challenge.
3. A valid caller without one of the declared roles: 403.
4. A caller with a declared role, on an object route (a path parameter names a case, task or
   instance), whose object belongs to another municipality, or to a team the caseworker is not
   in and no task of it is assigned to them: 404, with the same body as for an id that exists
   nowhere (the response must not reveal that the object exists).
5. Otherwise the caller is allowed: not 401/403 and not 5xx (a 4xx such as 409/422 is fine, the
   generated request is minimal). A GET object route whose path parameters all name objects
   answers 2xx. A caller outside the object's
   municipality or team never sees one of its identifiers (case, task, business key, a marker
   variable) in any response body.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from oidc_tokens import DEFECTS, basic
from probes import Probe, build_probe, is_object_route, only_object_params, stranger
from security_app import BASIC_ADMIN, Secure
from world import MUNICIPALITY_A, MUNICIPALITY_B, TEAM, Case, Principal, open_case, principals

from api.app import ConfigurationError, check_route_policies, create_app
from api.deps import CaseActor, RoutePolicy, route_policies
from api.problems import CAMUNDA_PREFIX
from api.settings import ApiSettings
from engine.model import Role


def _route_table() -> list[tuple[str, str]]:
    app = create_app(ApiSettings(dev_mode=True, dev_token="collect-routes"))
    return sorted((method, p.path) for p in route_policies(app) for method in p.methods if p.kind == "api")


ROUTES = _route_table()


class UndeclaredPolicyError(AssertionError):
    pass


@dataclass(frozen=True)
class Cell:
    who: str
    expect: str  # "401" | "403" | "hidden" | "allowed" | "allowed-2xx" | "public"
    headers: dict[str, str]
    target: Case
    outsider: bool = False


def policy_for(secure: Secure, method: str, path: str) -> RoutePolicy:
    for policy in route_policies(secure.app):
        if policy.path == path and method in policy.methods:
            if policy.roles is None:
                raise UndeclaredPolicyError(f"{method} {path} declares no access policy")
            return policy
    raise AssertionError(f"{method} {path} is not served")


def expectation(policy: RoutePolicy, method: str, who: Principal, case: Case) -> tuple[str, bool]:
    """Rules 3-5 for a principal with valid credentials; returns (expectation, is_outsider)."""
    assert policy.roles is not None
    if not policy.roles:
        return "public", False
    if not set(who.roles) & policy.roles:
        return "403", False
    other_team = who.roles == (Role.CASEWORKER,) and TEAM not in who.teams
    outsider = who.municipality != case.municipality or other_team
    if is_object_route(policy.path):
        if outsider:
            return "hidden", True
        strict = method == "GET" and only_object_params(policy.path)
        return ("allowed-2xx" if strict else "allowed"), False
    return "allowed", outsider


def cells(secure: Secure, policy: RoutePolicy, method: str, case: Case) -> list[Cell]:
    """In order: defects, forbidden roles, outsiders, then allowed callers (who may change state)."""
    admin = Principal("admin", MUNICIPALITY_A, (Role.ADMIN,))
    claims = secure.issuer.claims(admin.user_id, MUNICIPALITY_A, ("admin",), ("team-a",))
    public = policy.roles == frozenset()
    defect_expect = "public" if public else "401"
    found = []
    for defect in DEFECTS:
        token = secure.issuer.defective(defect, claims)
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        found.append(Cell(f"defect:{defect}", defect_expect, headers, case))
    camunda = policy.path.startswith(CAMUNDA_PREFIX)
    found.append(
        Cell("basic:wrong-password", defect_expect, {"Authorization": basic(BASIC_ADMIN, "wrong")}, case)
    )
    basic_expect = expectation(policy, method, admin, case)[0] if camunda else defect_expect
    found.append(Cell("basic:admin", basic_expect, {"Authorization": basic(BASIC_ADMIN)}, case))
    for who in principals():
        expect, outsider = expectation(policy, method, who, case)
        label = f"{who.name}@{who.municipality}"
        found.append(Cell(label, expect, secure.bearer(who), case, outsider))
    order = {"401": 0, "public": 0, "403": 1, "hidden": 2}
    return sorted(found, key=lambda c: (order.get(c.expect, 3), c.outsider is False))


def _normalised(response: Any, case: Case, ghost: Case) -> str:
    text = response.text
    for real, fake in zip(case.secrets(), ghost.secrets(), strict=True):
        text = text.replace(real, "<id>").replace(fake, "<id>")
    try:
        body = json.loads(text)
    except ValueError:
        return text
    return json.dumps(body, sort_keys=True)


def check(secure: Secure, cell: Cell, probe: Probe, ghost: tuple[Probe, Case]) -> str | None:
    """None if the response meets the cell's expectation, else a description of the mismatch."""
    response = probe.send(secure.client, cell.headers)
    status = response.status_code
    problem = None
    if status >= 500:
        problem = "server error"
    elif cell.expect == "401":
        if status != 401 or "www-authenticate" not in response.headers:
            problem = "expected 401 with a challenge"
    elif cell.expect == "403":
        if status != 403:
            problem = "expected 403"
    elif cell.expect == "hidden":
        ghost_probe, ghost_case = ghost
        nowhere = ghost_probe.send(secure.client, cell.headers)
        same = _normalised(response, cell.target, ghost_case) == _normalised(nowhere, cell.target, ghost_case)
        if status != 404:
            problem = "expected 404"
        elif not same:
            problem = "the 404 differs from the one for an id that exists nowhere"
    elif status in (401, 403):
        problem = "expected access"
    elif cell.expect == "allowed-2xx" and not 200 <= status < 300:
        problem = "expected 2xx"
    if problem is None and cell.outsider:
        sent = f"{probe.url} {probe.query} {probe.json if isinstance(probe.json, dict | list) else ''}"
        leaked = [s for s in cell.target.secrets() if s in response.text and s not in sent]
        if leaked:
            problem = f"an outsider sees {leaked}"
    return None if problem is None else f"{cell.who}: {problem}, got {status} {response.text[:200]}"


def run_route(secure: Secure, method: str, path: str) -> list[str]:
    policy = policy_for(secure, method, path)
    case = open_case(secure.engine, MUNICIPALITY_A)
    open_case(secure.engine, MUNICIPALITY_B)  # the outsiders' own case, so their lists are not empty
    spec = secure.app.openapi()
    probe = build_probe(spec, method, path, case)
    ghost = stranger(case)
    ghost_probe = build_probe(spec, method, path, ghost)
    failures = []
    for cell in cells(secure, policy, method, case):
        failure = check(secure, cell, probe, (ghost_probe, ghost))
        if failure:
            failures.append(failure)
    return failures


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_every_cell_of_the_route_matches_its_declared_policy(secure: Secure, method: str, path: str) -> None:
    failures = run_route(secure, method, path)
    assert not failures, f"{method} {path} on {secure.kind}:\n" + "\n".join(failures)


def test_the_matrix_covers_native_routes_and_token_defects() -> None:
    """Guards the generator itself: it must find the object routes and the known defects."""
    paths = {p for _, p in ROUTES}
    assert {"/cases/{case_id}", "/tasks/{task_id}/complete"} <= paths
    assert is_object_route("/cases/{case_id}") and is_object_route("/engine-rest/task/{id}/complete")
    assert is_object_route("/engine-rest/process-instance/{instance_id}/variables/{name}")
    assert is_object_route("/engine-rest/external-task/{id}/complete")
    assert not only_object_params("/engine-rest/process-instance/{instance_id}/variables/{name}")
    assert not is_object_route("/engine-rest/process-definition/{id}") and not is_object_route("/cases")
    assert {"alg_none", "hs256_public_key", "not_yet_valid", "expired", "bad_signature"} <= set(DEFECTS)


def test_a_route_without_a_policy_fails_the_matrix_and_the_app_start(secure: Secure) -> None:
    app = secure.app

    def throwaway(case_id: str) -> dict[str, str]:
        return {"leak": case_id}

    app.add_api_route("/throwaway/{case_id}", throwaway, methods=["GET"])
    try:
        with pytest.raises(UndeclaredPolicyError, match=re.escape("GET /throwaway/{case_id}")):
            run_route(secure, "GET", "/throwaway/{case_id}")
        with pytest.raises(ConfigurationError, match="/throwaway/"):
            check_route_policies(app)
    finally:
        app.router.routes[:] = [
            r for r in app.router.routes if getattr(r, "path", "") != "/throwaway/{case_id}"
        ]


def test_a_declared_route_is_probed_like_any_other(secure: Secure) -> None:
    """A route mounted later with a policy gets the full matrix without any edit here."""

    def peek(case_id: str, actor: CaseActor) -> dict[str, str]:
        info = secure.engine.get_case(case_id, actor=actor)
        return {"id": info.id}

    secure.app.add_api_route("/peek/{case_id}", peek, methods=["GET"])
    secure.app.openapi_schema = None
    try:
        assert run_route(secure, "GET", "/peek/{case_id}") == []
    finally:
        secure.app.router.routes[:] = [
            r for r in secure.app.router.routes if getattr(r, "path", "") != "/peek/{case_id}"
        ]
        secure.app.openapi_schema = None


def test_a_leaky_route_is_caught(secure: Secure) -> None:
    """A route that forgets municipality isolation fails the matrix (the test can fail)."""

    def leaky(case_id: str, actor: CaseActor) -> dict[str, str]:
        owner = dataclasses.replace(actor, municipality=MUNICIPALITY_A, roles=frozenset({Role.ADMIN}))
        return {"id": secure.engine.get_case(case_id, actor=owner).business_key or ""}

    secure.app.add_api_route("/leaky/{case_id}", leaky, methods=["GET"])
    secure.app.openapi_schema = None
    try:
        failures = run_route(secure, "GET", "/leaky/{case_id}")
        assert any(f.startswith(f"admin@{MUNICIPALITY_B}: expected 404") for f in failures), failures
        assert any("caseworker_other_team" in f for f in failures), failures
    finally:
        secure.app.router.routes[:] = [
            r for r in secure.app.router.routes if getattr(r, "path", "") != "/leaky/{case_id}"
        ]
        secure.app.openapi_schema = None
