"""The access log, generated from the route table like the matrix:

- every successful read of case data (a GET route whose answer names the case, or that takes a
  case/task id) leaves exactly one access-log row with the caller, the case, the route and a
  purpose; every successful change through an object route leaves exactly one row too;
- if the row cannot be written (a database trigger refuses it) the request fails with a 5xx
  problem that holds no case data, and nothing changes.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

from probes import build_probe, is_object_route, path_objects
from security_app import Secure
from sqlalchemy import text
from sqlmodel import select
from test_authorization_matrix import ROUTES
from world import CPR, FREE_TEXT, Case, open_case

from engine.model import Role
from engine.store.tables import AccessLog, Instance

GET_ROUTES = [(m, p) for m, p in ROUTES if m == "GET"]
OBJECT_CHANGES = [(m, p) for m, p in ROUTES if m != "GET" and is_object_route(p)]


_municipalities = iter(random.sample(range(9000, 10000), 1000))


def _municipality() -> str:
    """A municipality no other probe of this session uses, so each case is its municipality's only one."""
    return str(next(_municipalities))


def _rows(secure: Secure, user: str) -> list[AccessLog]:
    with secure.engine.store.read() as session:
        return list(session.exec(select(AccessLog).where(AccessLog.actor == user)).all())


def _call(secure: Secure, method: str, path: str, case: Case, user: str) -> Any:
    probe = build_probe(secure.app.openapi(), method, path, case)
    return probe.send(secure.client, secure.headers_for(user, case.municipality, Role.ADMIN))


def _returns_case_data(path: str, response: Any, case: Case) -> bool:
    return is_object_route(path) or any(s in response.text for s in case.secrets())


def test_every_successful_case_read_leaves_exactly_one_row(secure: Secure) -> None:
    readers = []
    for method, path in GET_ROUTES:
        case = open_case(secure.engine, _municipality())  # the only case its municipality has
        user = f"reader-{uuid.uuid4().hex[:8]}"
        response = _call(secure, method, path, case, user)
        if not (200 <= response.status_code < 300 and _returns_case_data(path, response, case)):
            assert not is_object_route(path), f"{path}: {response.status_code} {response.text[:200]}"
            continue
        readers.append(path)
        rows = _rows(secure, user)
        assert len(rows) == 1, f"GET {path} wrote {len(rows)} access-log rows"
        row = rows[0]
        assert (row.instance_id, row.route, row.municipality) == (
            case.instance_id,
            f"GET {path}",
            case.municipality,
        )
        assert row.purpose and row.action in ("read", "search") and row.roles == "admin"
        assert row.request_id
    assert {"/cases", "/cases/{case_id}", "/tasks", "/tasks/{task_id}"} <= set(readers)


def test_every_successful_change_of_a_case_leaves_exactly_one_row(secure: Secure) -> None:
    changed = []
    for method, path in OBJECT_CHANGES:
        case = open_case(secure.engine, _municipality())
        user = f"writer-{uuid.uuid4().hex[:8]}"
        response = _call(secure, method, path, case, user)
        if not 200 <= response.status_code < 300:
            continue
        changed.append(path)
        rows = _rows(secure, user)
        assert len(rows) == 1, f"{method} {path} wrote {len(rows)} access-log rows"
        assert (rows[0].instance_id, rows[0].route) == (case.instance_id, f"{method} {path}")
        assert rows[0].action in ("update", "create", "read")
    assert "/tasks/{task_id}/complete" in changed and "/tasks/{task_id}/claim" in changed


def test_search_without_results_is_logged_too(secure: Secure) -> None:
    user = f"searcher-{uuid.uuid4().hex[:8]}"
    headers = secure.headers_for(user, _municipality(), Role.LEADER)
    assert secure.client.get("/cases", headers=headers).json()["total"] == 0
    rows = _rows(secure, user)
    assert [(r.action, r.instance_id, r.route) for r in rows] == [("search", None, "GET /cases")]


def _refuse_access_log(secure: Secure) -> None:
    """A trigger that makes every access-log insert fail (SQLite and PostgreSQL)."""
    with secure.engine.store.write() as session:
        if secure.kind == "sqlite":
            session.execute(
                text(
                    "CREATE TRIGGER refuse_access_log BEFORE INSERT ON accesslog "
                    "BEGIN SELECT RAISE(ABORT, 'access log unavailable'); END"
                )
            )
        else:
            session.execute(
                text(
                    "CREATE FUNCTION refuse_access_log() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'access log unavailable'; END $$"
                )
            )
            session.execute(
                text(
                    "CREATE TRIGGER refuse_access_log BEFORE INSERT ON accesslog "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_access_log()"
                )
            )


def _state(secure: Secure, case: Case) -> tuple[int, str]:
    with secure.engine.store.read() as session:
        row = session.get(Instance, case.instance_id)
        assert row is not None
        return row.version, row.state


def _assert_refused(response: Any, case: Case, where: str) -> None:
    assert 500 <= response.status_code < 600, f"{where}: {response.status_code} {response.text[:300]}"
    expected = (
        "application/json" if where.split(" ")[1].startswith("/engine-rest") else "application/problem+json"
    )
    assert response.headers["content-type"].startswith(expected), where  # Camunda routes: {type, message}
    body = response.text
    for secret in (case.business_key, case.marker, CPR, FREE_TEXT, case.user_task_id, '"variables"'):
        assert secret not in body, f"{where} leaks {secret}"
    for trace in ("Traceback", 'File "', "access log unavailable", "INSERT", "accesslog"):
        assert trace not in body, f"{where} shows {trace}"


def test_no_read_or_change_succeeds_when_the_access_log_cannot_be_written(fresh: Secure) -> None:
    secure = fresh
    routes = GET_ROUTES + OBJECT_CHANGES
    # First learn which calls succeed while the log works (on twin cases): only those must fail closed.
    succeeds = {
        route: 200
        <= _call(secure, route[0], route[1], open_case(secure.engine, "0101"), "probe").status_code
        < 300
        for route in routes
    }
    cases = {route: open_case(secure.engine, "0101") for route in routes if succeeds[route]}
    before = {route: _state(secure, case) for route, case in cases.items()}
    _refuse_access_log(secure)
    for (method, path), case in cases.items():
        response = _call(secure, method, path, case, "admin-under-test")
        objects = path_objects(path)
        reads_no_case = (
            method == "GET" and not objects and not any(s in response.text for s in case.secrets())
        )
        if reads_no_case and response.status_code < 300:
            continue  # reads no case data (definitions, health): nothing to log
        _assert_refused(response, case, f"{method} {path}")
        assert _state(secure, case) == before[(method, path)], f"{method} {path} changed the case"
    assert ("POST", "/tasks/{task_id}/complete") in cases and ("GET", "/cases/{case_id}") in cases
