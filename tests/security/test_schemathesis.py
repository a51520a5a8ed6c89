"""Schema-driven fuzzing with schemathesis against the served OpenAPI description: every
operation, a bounded number of generated valid and invalid requests each, authenticated as an admin of one
municipality (OIDC, not dev mode), on SQLite and PostgreSQL. No request may get a 5xx.

The database holds a deployed process and open cases, so list and read routes shape real data.
Operations come from the app's own OpenAPI document, so routes added later are fuzzed unedited.
"""

from __future__ import annotations

import time
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from security_app import Secure
from world import MUNICIPALITY_A, open_case

from engine.model import Role

EXAMPLES_PER_OPERATION = 50  # per operation and mode (valid and invalid requests)


def fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str], failures: list[str]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        try:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])
        except (Exception, BaseExceptionGroup) as error:  # schemathesis raises failure groups
            failures.append(f"{operation.label} ({mode.value}): {str(error)[:600]}")

    try:
        run()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE  # nothing can be invalid about e.g. GET /health


def test_no_operation_answers_with_a_server_error(secure: Secure) -> None:
    for _ in range(3):
        open_case(secure.engine, MUNICIPALITY_A)
    headers = secure.headers_for("fuzz-admin", MUNICIPALITY_A, Role.ADMIN)
    schema = schemathesis.openapi.from_asgi("/openapi.json", secure.app)
    started = time.monotonic()
    failures: list[str] = []
    labels = []
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(operation, mode, headers, failures)
    assert len(labels) >= 15, labels
    assert not failures, "\n".join(failures)
    assert time.monotonic() - started < 150
