"""The OpenAPI document as the service really answers: every operation lists the error responses
it gives, with their body schema (RFC 9457 problem+json on the native routes, Camunda's error
object under /engine-rest), and the security schemes it accepts.

FastAPI documents a 422 `{detail: [...]}` the service never sends and no other error. Here the
generated document is rewritten once: errors every route can give come from the request pipeline
(401/403 from authentication and roles, 422/400 from request validation and the URL checks, 413
from the body limit), errors a route gives itself are declared on the route (`problems(404, 409)`).
`tests/security/test_schemathesis.py` checks real answers against this document for every route.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.camunda.deps import PREFIX as CAMUNDA
from api.deps import route_policies
from api.problems import PROBLEM_JSON

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
CAMUNDA_ERROR_REF = {"$ref": "#/components/schemas/CamundaError"}
UNSAFE = frozenset({"post", "put", "patch", "delete"})

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` names each field (or element) a refusal concerns",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {
            "type": "string",
            "format": "uri",
            "examples": ["https://sagsflow.dk/problems/invalid-variables"],
        },
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "in English, for integrators"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": "the form field, request field or variable"},
                    "message": {"type": "string", "description": "in English"},
                    "message_da": {"type": "string", "description": "in Danish, dates as local days"},
                    "rule": {"type": "string", "description": "the completion guard that refused"},
                    "resource": {"type": ["string", "null"]},
                    "element_id": {"type": ["string", "null"]},
                    "line": {"type": ["integer", "null"]},
                },
                "additionalProperties": True,
            },
        },
        "element_id": {"type": "string", "description": "the BPMN element that failed (process-error)"},
        "existing_case_id": {"type": "string", "description": "case-number-in-use: the open case"},
        "case_number": {"type": "string", "description": "case-number-in-use: the number"},
        "reference": {"type": "string", "description": "step-failed: the log line that tells why"},
        "incident_id": {"type": ["string", "null"], "description": "step-failed: the incident opened"},
    },
    "additionalProperties": True,
}
CAMUNDA_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "CamundaError",
    "description": "Camunda 7's error object (ExceptionDto)",
    "required": ["type", "message"],
    "properties": {
        "type": {"type": "string", "examples": ["InvalidRequestException"]},
        "message": {"type": "string"},
        "code": {"type": ["integer", "null"]},
        "details": {"type": "object"},
    },
    "additionalProperties": True,
}
SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An OIDC access token from the municipality's identity provider (SAGSFLOW_OIDC_*); "
        "in dev mode the printed dev token",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "__Host-sagsflow-session",
        "description": "The pages' session after signing in (/ui/login; the cookie is sagsflow-session in "
        "dev mode over plain http); state-changing calls also carry the session's CSRF token in "
        "X-CSRF-Token (GET /auth/session)",
    },
    "basic": {
        "type": "http",
        "scheme": "basic",
        "description": "Service accounts (SAGSFLOW_BASIC_USERS_FILE), only under /engine-rest",
    },
}
DESCRIPTIONS = {
    "400": "the request is invalid: a body that cannot be parsed (under /engine-rest: any invalid "
    "request, where the native API answers 422)",
    "401": "no valid credentials (WWW-Authenticate says which scheme)",
    "403": "the caller's roles do not allow this (or a session call lacks its CSRF token)",
    "404": "no such object in the caller's municipality, or one the caller may not see",
    "409": "the object is not in a state where this applies, or changed meanwhile",
    "413": "the request body is larger than the limit",
    "422": "the request or its variables are invalid; `errors` names each field",
    "500": "a step failed for an internal reason and changed nothing (`reference` names the log line, "
    "`incident_id` the incident opened on the case); under /engine-rest also a diagram or decision "
    "that failed while running (Camunda's ProcessEngineException or RestException)",
}


# Errors a route gives itself, beyond those of the request pipeline (401/403/422 or 400, 404 for a
# route that names an object, 413 and 400 for a body): the engine's refusals it can meet.
OWN_ERRORS: dict[tuple[str, str], tuple[int, ...]] = {
    ("post", "/cases"): (404, 409, 500),  # no case process deployed; case number in use, key reused
    ("post", "/processes/{key}/start"): (409,),
    ("post", "/messages"): (404, 409, 500),  # no such case; no case waits (or several)
    ("post", "/definitions"): (409,),  # deployed concurrently
    ("post", "/tasks/{task_id}/claim"): (409,),
    ("post", "/tasks/{task_id}/unclaim"): (409,),
    ("post", "/tasks/{task_id}/complete"): (409, 500),  # 500: an internal failure (step-failed)
    ("get", "/dev/clock"): (404,),  # the dev clock is off
    ("post", "/dev/clock/advance"): (404,),
    ("post", "/migrations/plan"): (404,),  # no such process definition
    ("post", "/migrations/validate"): (404,),
    ("post", "/migrations/execute"): (404,),
    ("post", "/engine-rest/migration/generate"): (404,),
    ("post", "/engine-rest/migration/validate"): (404,),
    ("post", "/engine-rest/migration/execute"): (404,),
    ("post", "/engine-rest/message"): (404, 409),
    ("post", "/engine-rest/task/{task_id}/bpmnError"): (409,),
    ("post", "/engine-rest/task/{task_id}/bpmnEscalation"): (409,),
    ("post", "/engine-rest/task/{task_id}/submit-form"): (409,),
    ("post", "/engine-rest/task/{task_id}/complete"): (409,),
}
# Camunda operations that run the diagram (or a decision): a failure in it is Camunda's 500
# ProcessEngineException (RestException for a decision), where the native API answers 422; and
# those among them that advance a case can fail for an internal reason (StepFailedError, 500).
RUNS_THE_DIAGRAM = frozenset(
    {
        ("post", f"{CAMUNDA}/decision-definition/key/{{key}}/evaluate"),
        ("post", f"{CAMUNDA}/decision-definition/{{definition_id}}/evaluate"),
        ("post", f"{CAMUNDA}/process-definition/key/{{key}}/start"),
        ("post", f"{CAMUNDA}/process-definition/key/{{key}}/tenant-id/{{tenant_id}}/start"),
        ("post", f"{CAMUNDA}/process-definition/{{definition_id}}/start"),
        ("post", f"{CAMUNDA}/process-definition/key/{{key}}/submit-form"),
        ("post", f"{CAMUNDA}/process-definition/{{definition_id}}/submit-form"),
        ("post", f"{CAMUNDA}/process-instance/{{instance_id}}/variables"),
        ("put", f"{CAMUNDA}/process-instance/{{instance_id}}/variables/{{name}}"),
        ("delete", f"{CAMUNDA}/process-instance/{{instance_id}}/variables/{{name}}"),
        ("post", f"{CAMUNDA}/message"),
        ("post", f"{CAMUNDA}/external-task/{{task_id}}/complete"),
        ("post", f"{CAMUNDA}/external-task/{{task_id}}/bpmnError"),
        ("post", f"{CAMUNDA}/task/{{task_id}}/complete"),
        ("post", f"{CAMUNDA}/task/{{task_id}}/submit-form"),
        ("post", f"{CAMUNDA}/task/{{task_id}}/bpmnError"),
        ("post", f"{CAMUNDA}/task/{{task_id}}/bpmnEscalation"),
        ("post", f"{CAMUNDA}/job/{{job_id}}/execute"),
        ("post", f"{CAMUNDA}/migration/execute"),
    }
)
# Success answers FastAPI cannot see (a route that answers 204 when there is nothing to say, or a
# body whose type the route's return annotation does not tell).
FORM_FILE = {
    "application/json": {"schema": {"type": "object", "description": "a Camunda Form (form-js schema)"}},
    "text/html": {"schema": {"type": "string", "description": "an embedded form"}},
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
}
OWN_SUCCESSES: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("get", "/engine-rest/external-task/{task_id}/errorDetails"): {
        "204": {"description": "no error details"}
    },
    ("post", "/engine-rest/task/{task_id}/complete"): {
        "204": {"description": "completed (the variables only with withVariablesInReturn)"}
    },
    ("post", "/engine-rest/message"): {
        "204": {"description": "correlated (the results only with resultEnabled)"}
    },
    ("get", "/tasks/{task_id}/camunda-form"): {
        "200": {
            "description": "the task's Camunda Form",
            "content": {"application/json": FORM_FILE["application/json"]},
        },
        "204": {"description": "the task names no Camunda Form"},
    },
    ("get", "/engine-rest/task/{task_id}/deployed-form"): {
        "200": {"description": "the deployed form file", "content": FORM_FILE},
        "204": {"description": "the task names no deployed form"},
    },
}
CSV = {"text/csv": {"schema": {"type": "string"}}}


def _problem(status: str) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS.get(status, "error"),
        "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
    }


def _camunda(status: str) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS.get(status, "error"),
        "content": {"application/json": {"schema": CAMUNDA_ERROR_REF}},
    }


def install(app: FastAPI) -> None:
    """Serve the rewritten document at /openapi.json (built once, on first request)."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = rewrite(app, _generated(app))
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


def _generated(app: FastAPI) -> dict[str, Any]:
    return get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)


def rewrite(app: FastAPI, document: dict[str, Any]) -> dict[str, Any]:
    document = _plain_names(document)
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["CamundaError"] = CAMUNDA_ERROR_SCHEMA
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    components["securitySchemes"] = SECURITY_SCHEMES
    public = {(p.path, m.lower()) for p in route_policies(app) if p.roles == frozenset() for m in p.methods}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            _operation(path, method, operation, is_public=(path, method) in public)
    return document


def _operation(path: str, method: str, operation: dict[str, Any], *, is_public: bool) -> None:
    camunda = path.startswith(CAMUNDA)
    responses = operation.setdefault("responses", {})
    if _is_fastapi_validation(responses.get("422")):
        del responses["422"]  # FastAPI's {detail: [...]}, which the service never sends
    error: Callable[[str], dict[str, Any]] = _camunda if camunda else _problem
    common = ["400"] if camunda else ["422"]
    if not is_public:
        common += ["401", "403"]
        operation["security"] = (
            [{"basic": []}, {"bearer": []}] if camunda else [{"bearer": []}, {"session": []}]
        )
    else:
        operation["security"] = []
    if "{" in path:
        common.append("404")
    if method in UNSAFE and "requestBody" in operation:
        common += ["400", "413"]  # a body that cannot be parsed at all; a body too large
    common += [str(s) for s in OWN_ERRORS.get((method, path), ())]
    if (method, path) in RUNS_THE_DIAGRAM:
        common.append("500")
    for status in common:
        responses.setdefault(status, error(status))
    responses.update(OWN_SUCCESSES.get((method, path), {}))
    if method == "get" and path.startswith("/reports/") and "200" in responses:  # ?format=csv
        responses["200"].setdefault("content", {}).update(CSV)


def _plain_names(document: dict[str, Any]) -> dict[str, Any]:
    """FastAPI names two schemas of one class name by module ("api__camunda__schemas__TaskOut");
    integrators read "CamundaTaskOut", "TaskOut" (the cases schemas) and "ReportsDeadlineOut"."""
    renamed = {}
    for name in document.get("components", {}).get("schemas", {}):
        if "__" not in name:
            continue
        parts = name.split("__")
        module, cls = parts[-2], parts[-1]
        prefix = "Camunda" if "camunda" in parts else "" if module == "cases" else module.title()
        renamed[name] = prefix + cls
    text = json.dumps(document)
    for old, new in renamed.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
        text = text.replace(f'"{old}":', f'"{new}":')
    found: dict[str, Any] = json.loads(text)
    return found


def _is_fastapi_validation(response: dict[str, Any] | None) -> bool:
    if not response:
        return False
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref", "").endswith("/HTTPValidationError"))
