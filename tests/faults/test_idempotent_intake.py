"""An integrator's `POST /cases` times out: the server opened the case and died before answering
(`os._exit` right after the commit, engine/faults.py). Retried with the same Idempotency-Key on the
restarted server, the request is answered with the first answer and there is one case, not two
(SQLite and PostgreSQL, real uvicorn processes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from engine.bootstrap import build_engine
from engine.clock import SystemClock
from engine.faults import ENVIRONMENT

from support.actors import ADMIN
from support.lifecycle import WORKFLOWS, report_of_concern
from support.live import LiveServer
from support.settings import engine_settings

CRASHED = 137
KEY = {"Idempotency-Key": "2b9e6f1a-intake-retry"}


def test_a_retry_after_a_time_out_gets_the_first_answer_and_one_case(database_url: str) -> None:
    engine = build_engine(engine_settings(database_url), SystemClock(), migrate=False)
    engine.deploy_directory(WORKFLOWS, actor=ADMIN)
    engine.store.dispose()
    body = {**report_of_concern(datetime.now(UTC) - timedelta(hours=1)), "case_number": "S-2026-TIMEOUT"}
    env = {"SAGSFLOW_RUN_SCHEDULER": "0"}

    dying = LiveServer(database_url, env={**env, ENVIRONMENT: "step.after_commit"}).start()
    with dying.client() as client, pytest.raises(httpx.TransportError):  # no answer ever comes
        client.post("/cases", json=body, headers=KEY)
    assert dying.wait_exit() == CRASHED

    server = LiveServer(database_url, env=env).start()
    try:
        with server.client() as client:
            retry = client.post("/cases", json=body, headers=KEY)
            again = client.post("/cases", json=body, headers=KEY)
            without_key = client.post("/cases", json=body)
            cases = client.get("/cases", params={"business_key": "S-2026-TIMEOUT"}).json()
    finally:
        server.stop()
    assert (retry.status_code, retry.headers.get("Idempotent-Replayed")) == (201, "true")
    assert again.content == retry.content
    assert [c["id"] for c in cases["items"]] == [retry.json()["id"]]
    assert retry.json()["tasks"][0]["element_id"] == "assess_report"  # the case as it was opened
    assert without_key.status_code == 409 and without_key.json()["existing_case_id"] == retry.json()["id"]
