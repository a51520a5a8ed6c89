"""CPR numbers and free text never reach the application logs, and a 500 shows nothing inside.

Flows run with a CPR-shaped child reference and a sentence of free text: opening a case,
reading and listing it, completing its task with more free text, correlating a new report,
hostile variables that quote the CPR, a script that fails on it, and unexpected errors whose
messages quote it. Everything logged at DEBUG (root level; libraries that would log payloads
are held at WARNING by the app) and a live server's whole output are searched.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from oidc_tokens import Issuer
from security_app import Secure, engine_settings
from sqlalchemy import create_engine, text
from world import CPR, FREE_TEXT, MATRIX_BPMN, MUNICIPALITY_A

from api.app import create_app
from engine.clock import FakeClock
from engine.model import Role

from support import bpmn
from support.lifecycle import WORKFLOWS
from support.live import LiveServer

CPR_PATTERN = re.compile(r"\b\d{6}-?\d{4}\b")
SECOND_CPR = "3112209999"
MORE_TEXT = "Far har ringet og truet sagsbehandleren"


def _report(team: str = "team-a") -> dict[str, Any]:
    return {
        "received_at": "2026-01-05T07:00:00+00:00",
        "reporter_type": "professional",
        "child_ref": CPR,
        "text": FREE_TEXT,
        "team": team,
    }


def run_flows(client: Any, headers: dict[str, str]) -> None:
    """Everything a day of casework does, plus the refusals, with CPR numbers and free text.

    The case runs on the barnets lov diagrams in workflows/ (the case process); `matrix` is an
    ordinary process for the refused starts."""
    files = [
        ("files", (p.name, p.read_bytes(), "text/xml"))
        for p in sorted(WORKFLOWS.glob("*.*"))
        if p.suffix in (".bpmn", ".dmn")
    ]
    files.append(("files", ("matrix.bpmn", MATRIX_BPMN, "text/xml")))
    deployed = client.post("/definitions", files=files, headers=headers)
    assert deployed.status_code == 201, deployed.text
    script = bpmn.script_process("cpr_script", "number = int(child_ref)")
    client.post("/definitions", files=[("files", ("s.bpmn", script, "text/xml"))], headers=headers)
    opened = client.post("/cases", json=_report(), headers=headers)
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert client.get(f"/cases/{case['id']}", headers=headers).status_code == 200
    assert (
        client.get("/cases", headers=headers, params={"business_key": case["business_key"]}).status_code
        == 200
    )
    task_id = next(t["id"] for t in case["tasks"] if t["element_id"] == "assess_report")
    assert client.get(f"/tasks/{task_id}", headers=headers).status_code == 200
    assert client.get("/tasks", headers=headers).status_code == 200
    assessment = {"child_in_danger": False, "acute_measures": False, "assessment_note": MORE_TEXT}
    done = client.post(f"/tasks/{task_id}/complete", json={"variables": assessment}, headers=headers)
    assert done.status_code == 200, done.text
    new_report = {
        "name": "ny_underretning",
        "business_key": case["business_key"],
        "variables": {
            "report_received_at": "2026-01-06T07:00:00+00:00",
            "reporter_type": "private",
            "report_text": f"{MORE_TEXT} ({SECOND_CPR})",
        },
    }
    correlated = client.post("/messages", json=new_report, headers=headers)
    assert correlated.status_code == 200, correlated.text
    refusals = [
        client.post("/processes/matrix/start", json={"variables": {CPR: 1}}, headers=headers),
        client.post("/processes/matrix/start", json={"variables": {"x": f"{CPR}\u0000"}}, headers=headers),
        client.post(
            "/messages", json={"name": "ny_underretning", "business_key": SECOND_CPR}, headers=headers
        ),
        client.get(f"/cases/{CPR}", headers=headers),
        client.post(
            "/cases", json={**_report(), "received_at": "2999-01-01T00:00:00+00:00"}, headers=headers
        ),
        client.post("/cases", json={**_report(), "reporter_type": FREE_TEXT}, headers=headers),
    ]
    assert all(400 <= r.status_code < 500 for r in refusals), [r.status_code for r in refusals]
    started = client.post(
        "/processes/cpr_script/start", json={"variables": {"child_ref": CPR}}, headers=headers
    )
    assert started.status_code == 201, started.text
    before = next(t["id"] for t in started.json()["tasks"])
    failed = client.post(f"/tasks/{before}/complete", json={"variables": {}}, headers=headers)
    assert failed.status_code == 422 and failed.json()["element_id"] == "run_script", failed.text


def assert_clean(text: str, where: str) -> None:
    found = [text[max(0, m.start() - 300) : m.end() + 50] for m in CPR_PATTERN.finditer(text)]
    assert not found, f"CPR-shaped numbers in {where}: {found}"
    for secret in (FREE_TEXT, MORE_TEXT, "Moren", "truet"):
        assert secret not in text, f"free text in {where}: {secret}"


_STANDARD = frozenset(vars(logging.LogRecord("n", 0, "p", 0, "m", None, None))) | {"message", "asctime"}


def _record_text(record: logging.LogRecord) -> str:
    """The message, its exception text and every extra (structured handlers would write them)."""
    extras = " ".join(f"{k}={v!r}" for k, v in vars(record).items() if k not in _STANDARD)
    return f"{record.name}: {record.getMessage()} {record.exc_text or ''} {extras}"


CLIENT_LOGGERS = ("httpx", "httpx2", "httpcore")  # the tests' own HTTP client, not the service


def server_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if not r.name.startswith(CLIENT_LOGGERS)]


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    yield caplog


def test_flows_log_no_cpr_and_no_free_text(
    database_url: str, issuer: Issuer, captured: pytest.LogCaptureFixture
) -> None:
    app = create_app(
        issuer.settings(),
        engine_settings(database_url),
        clock=FakeClock(),
    )
    with TestClient(app) as client:
        secure = Secure(app, client, app.state.engine, issuer, "", "")
        headers = secure.headers_for("admin-1", MUNICIPALITY_A, Role.ADMIN, Role.PROCESS_OWNER)
        run_flows(client, headers)
    records = server_records(captured)
    assert records, "nothing was logged at all: the capture is not working"
    assert_clean("\n".join(_record_text(r) for r in records), "log records")


def test_unexpected_errors_show_and_log_nothing_of_the_case(
    fresh: Secure, captured: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: Any, **kwargs: Any) -> Any:
        try:
            raise KeyError(CPR)
        except KeyError as err:
            raise RuntimeError(f"failed for child {CPR}: {FREE_TEXT}") from err

    monkeypatch.setattr(type(fresh.engine), "list_cases", explode)
    headers = fresh.headers_for("admin-1", MUNICIPALITY_A, Role.ADMIN)
    response = fresh.client.get("/cases", headers=headers)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail"} and "reference" in body["detail"]
    assert "Traceback" not in response.text and "RuntimeError" not in response.text
    assert_clean(response.text, "the 500 body")
    reference = body["detail"].split("reference ")[1].rstrip(")")
    logged = [r for r in captured.records if reference in r.getMessage()]
    assert len(logged) == 1 and "RuntimeError (from KeyError)" in logged[0].getMessage()
    assert "GET /cases" in logged[0].getMessage()
    assert_clean("\n".join(_record_text(r) for r in server_records(captured)), "log output")


def test_a_live_server_logs_no_cpr_and_no_free_text(sqlite_url: str) -> None:
    server = LiveServer(
        sqlite_url,
        env={"SAGSFLOW_LOG_LEVEL": "DEBUG"},
    ).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            run_flows(client, {"Authorization": f"Bearer {server.token}"})
            database = create_engine(sqlite_url)
            with database.begin() as connection:  # every access-log write now fails
                connection.execute(
                    text(
                        "CREATE TRIGGER refuse BEFORE INSERT ON accesslog "
                        "BEGIN SELECT RAISE(ABORT, 'nope'); END"
                    )
                )
            database.dispose()
            failed = client.get("/cases", headers={"Authorization": f"Bearer {server.token}"})
            assert failed.status_code == 500
    finally:
        server.stop()
    output = server.output()
    assert "DEV MODE" in output and "unexpected error" in output and "IntegrityError" in output
    assert_clean(output.replace(server.token, "<token>"), "the live server's output")
