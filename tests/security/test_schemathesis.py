"""The OpenAPI document is honest: schemathesis sends generated valid and invalid requests to every
operation of the served document, authenticated as an admin of one municipality (OIDC, not dev
mode), on SQLite and PostgreSQL, and checks every answer against the document: its status code is
one the operation lists, its content type and body fit the listed schema (the problem+json
`Problem` on native errors, Camunda's error object under /engine-rest), its headers are the listed
ones, and it is never a server error.

Random ids only ever find nothing, so each operation that names an object in its path is also
called with the ids of a real case (its user task, external task, definition, process key), opened
fresh for that operation: the success answers of reads and commands are checked too.

Operations come from the app's own document, so routes added later are checked unedited.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from security_app import Secure
from world import MUNICIPALITY_A, PROCESS_KEY, Case, open_case

from engine.model import Role

# The work is bounded by examples, not by a clock (speed belongs in benchmarks/): at most
# EXAMPLES_PER_OPERATION valid and as many invalid requests per operation, and EXAMPLES_WITH_REAL_IDS
# more for an operation that names an object in its path.
EXAMPLES_PER_OPERATION = 15
EXAMPLES_WITH_REAL_IDS = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
PARAMETER = re.compile(r"{(\w+)}")
READS_OF_REAL_OBJECTS = (
    "GET /cases/{case_id}",
    "GET /cases/{case_id}/diagram",
    "GET /tasks/{task_id}",
    "GET /definitions/{definition_id}",
    "GET /engine-rest/process-instance/{instance_id}",
    "GET /engine-rest/external-task/{task_id}",
    "GET /engine-rest/task/{task_id}",
)


def real_ids(path: str, case: Case) -> dict[str, str]:
    """The path parameters of `path` as the ids of `case`'s objects."""
    external = "/external-task/" in path
    values = {
        "case_id": case.instance_id,
        "instance_id": case.instance_id,
        "task_id": case.external_task_id if external else case.user_task_id,
        "definition_id": case.definition_id,
        "key": PROCESS_KEY,
        "name": "x",
        "tenant_id": MUNICIPALITY_A,
        "job_id": case.external_task_id,
    }
    return {name: values[name] for name in PARAMETER.findall(path) if name in values}


def run(
    operation: Any,
    strategy: Any,
    examples: int,
    headers: dict[str, str],
    failures: dict[str, str],
    label: str,
    answered: set[int] | None = None,
) -> None:
    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate),  # a failure is recorded, never shrunk: no extra calls
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Any) -> None:
        try:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            if answered is not None:
                answered.add(response.status_code)
        except (Exception, BaseExceptionGroup) as error:  # schemathesis raises failure groups
            key = f"{operation.label} ({label}): {type(error).__name__}"
            failures.setdefault(key, str(error)[:800])

    try:
        call()
    except Unsatisfiable:
        assert label == GenerationMode.NEGATIVE.value  # nothing can be invalid about e.g. GET /health


def short_polls(case: Any) -> Any:
    """A worker's long poll (fetchAndLock's asyncResponseTimeout) waits up to 30 minutes when nothing
    is there to fetch; the fuzzing keeps it under a second."""
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("asyncResponseTimeout"), int):
        body["asyncResponseTimeout"] = min(body["asyncResponseTimeout"], 500)
    return case


def with_ids(operation: Any, ids: Callable[[], dict[str, str]]) -> Any:
    def substitute(case: Any) -> Any:
        case.path_parameters = {**(case.path_parameters or {}), **ids()}
        return case

    return operation.as_strategy(generation_mode=GenerationMode.POSITIVE).map(substitute).map(short_polls)


@pytest.mark.timeout(900)  # a guard against a hang, not a speed check
def test_every_operation_answers_as_its_openapi_document_says(secure: Secure) -> None:
    for _ in range(3):
        open_case(secure.engine, MUNICIPALITY_A)
    headers = secure.headers_for("fuzz-admin", MUNICIPALITY_A, Role.ADMIN)
    schema = schemathesis.openapi.from_asgi("/openapi.json", secure.app)
    failures: dict[str, str] = {}
    labels = []
    succeeded: dict[str, set[int]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode).map(short_polls)
            run(operation, strategy, EXAMPLES_PER_OPERATION, headers, failures, mode.value)
        if PARAMETER.search(operation.path):
            case = open_case(secure.engine, MUNICIPALITY_A)
            strategy = with_ids(operation, lambda case=case, path=operation.path: real_ids(path, case))
            answered = succeeded.setdefault(operation.label, set())
            run(operation, strategy, EXAMPLES_WITH_REAL_IDS, headers, failures, "real ids", answered)
    assert len(labels) >= 60, labels
    for label in READS_OF_REAL_OBJECTS:  # the real ids reached real objects: success answers were checked
        assert any(200 <= s < 300 for s in succeeded[label]), (label, succeeded[label])
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in sorted(failures.items()))
