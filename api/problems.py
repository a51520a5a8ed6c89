"""The one table mapping engine errors to HTTP, and the two error body shapes.

Native routes answer RFC 9457 `application/problem+json`; the Camunda-compatible routes under
/engine-rest answer Camunda 7's `{"type": …, "message": …}` with `application/json`.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine.errors import (
    CaseNumberInUseError,
    ConcurrentUpdateError,
    DecisionError,
    DefinitionProblem,
    EngineError,
    ForbiddenError,
    IdempotencyKeyReusedError,
    InvalidDefinitionError,
    InvalidVariablesError,
    LockedByOtherWorkerError,
    MigrationPlanError,
    MigrationRefusedError,
    NotCorrelatedError,
    NotFoundError,
    ProcessError,
    StepFailedError,
    TooLargeError,
    VariableProblem,
    WrongStateError,
)
from engine.logsafety import describe_exception

log = logging.getLogger("sagsflow.api")
PROBLEM_JSON = "application/problem+json"
CAMUNDA_PREFIX = "/engine-rest"


@dataclass(frozen=True)
class ProblemType:
    status: int
    slug: str
    title: str
    camunda_type: str
    camunda_status: int | None = None


PROBLEMS: dict[type[EngineError], ProblemType] = {
    NotFoundError: ProblemType(404, "not-found", "Not found", "InvalidRequestException"),
    CaseNumberInUseError: ProblemType(
        409, "case-number-in-use", "An open case has this case number", "InvalidRequestException"
    ),
    IdempotencyKeyReusedError: ProblemType(
        409, "idempotency-key-reused", "Idempotency-Key used for another request", "InvalidRequestException"
    ),
    WrongStateError: ProblemType(409, "wrong-state", "Wrong state", "InvalidRequestException"),
    ConcurrentUpdateError: ProblemType(
        409, "concurrent-update", "Changed by another request", "OptimisticLockingException"
    ),
    ForbiddenError: ProblemType(403, "forbidden", "Forbidden", "AuthorizationException"),
    InvalidDefinitionError: ProblemType(
        422, "invalid-definition", "Invalid BPMN or DMN", "ParseException", 400
    ),
    InvalidVariablesError: ProblemType(
        422, "invalid-variables", "Invalid variables", "InvalidRequestException", 400
    ),
    ProcessError: ProblemType(
        422, "process-error", "The diagram failed while running", "ProcessEngineException", 500
    ),
    DecisionError: ProblemType(
        422, "decision-failed", "The decision could not be evaluated", "RestException", 500
    ),
    NotCorrelatedError: ProblemType(
        409,
        "not-correlated",
        "Message not correlated",
        "MismatchingMessageCorrelationException",
        400,
    ),
    LockedByOtherWorkerError: ProblemType(
        409, "locked", "Locked by another worker", "InvalidRequestException", 400
    ),
    TooLargeError: ProblemType(413, "too-large", "Too large", "InvalidRequestException"),
    StepFailedError: ProblemType(500, "step-failed", "Internal error", "ProcessEngineException"),
    MigrationPlanError: ProblemType(
        422,
        "invalid-migration-plan",
        "The migration plan cannot be applied",
        "MigrationPlanValidationException",
        400,
    ),
    MigrationRefusedError: ProblemType(
        409,
        "migration-refused",
        "A process instance cannot be migrated",
        "MigratingProcessInstanceValidationException",
        400,
    ),
}


class AuthError(Exception):
    """Missing or invalid credentials (401)."""

    def __init__(self, message: str, scheme: str = "Bearer") -> None:
        super().__init__(message)
        self.message = message
        self.scheme = scheme


def problem_type(error: EngineError) -> ProblemType:
    for cls in type(error).__mro__:
        found = PROBLEMS.get(cls)
        if found is not None:
            return found
    return ProblemType(400, "bad-request", "Bad request", "InvalidRequestException")


def _is_camunda(request: Request) -> bool:
    return request.url.path.startswith(CAMUNDA_PREFIX)


def error_response(
    request: Request,
    status: int,
    slug: str,
    title: str,
    detail: str,
    camunda_type: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    if _is_camunda(request):
        body: dict[str, Any] = {"type": camunda_type, "message": detail}
        for key in ("details", "validationReport"):
            if extra and key in extra:
                body[key] = extra[key]
        return JSONResponse(body, status_code=status, headers=headers)
    body = {
        "type": f"https://sagsflow.dk/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update(extra or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _extra(error: EngineError, camunda: bool) -> dict[str, Any]:
    if isinstance(error, InvalidDefinitionError):
        if camunda:
            return {"details": _camunda_parse_details(error)}
        return {
            "errors": [definition_problem(p) for p in error.problems],
            "warnings": [definition_problem(p) for p in error.warnings],
        }
    if isinstance(error, InvalidVariablesError):
        return {"errors": [_variable_problem(p) for p in error.problems]}
    if isinstance(error, MigrationPlanError | MigrationRefusedError):
        return migration_problems(error, camunda)
    if isinstance(error, CaseNumberInUseError):
        return {"existing_case_id": error.existing_id, "case_number": error.case_number}
    if isinstance(error, ProcessError) and error.element_id:
        return {"element_id": error.element_id}
    if isinstance(error, StepFailedError):
        return {"reference": error.reference, "incident_id": error.incident_id}
    return {}


def migration_problems(error: MigrationPlanError | MigrationRefusedError, camunda: bool) -> dict[str, Any]:
    """A refused plan lists each failing instruction; a refused process instance its problems
    (on /engine-rest as Camunda's `validationReport`)."""
    if isinstance(error, MigrationPlanError):
        if camunda:
            return {
                "validationReport": {
                    "instructionReports": camunda_instruction_reports(error.failures),
                    "variableReports": {},
                }
            }
        return {
            "errors": [
                {
                    "index": f.index,
                    "plan": f.plan,
                    "source": f.source,
                    "target": f.target,
                    "failures": list(f.failures),
                }
                for f in error.failures
            ]
        }
    if not camunda:
        return {"errors": [{"element_id": e, "task_id": t, "message": m} for e, t, m in error.problems]}
    reports = [
        {
            "migrationInstruction": None,
            "activityInstanceId": f"{element}:{task}" if element and task else None,
            "sourceScopeId": element,
            "failures": [message],
        }
        for element, task, message in error.problems
    ]
    return {
        "validationReport": {
            "processInstanceId": error.process_instance_id,
            "failures": [],
            "activityInstanceValidationReports": reports,
            "transitionInstanceValidationReports": [],
        }
    }


def camunda_instruction_reports(failures: Any) -> list[dict[str, Any]]:
    """Camunda's MigrationInstructionValidationReportDto list."""
    return [
        {
            "instruction": {
                "sourceActivityIds": [f.source],
                "targetActivityIds": [f.target],
                "updateEventTrigger": f.update_event_trigger,
            },
            "failures": list(f.failures),
        }
        for f in failures
    ]


def _variable_problem(problem: VariableProblem) -> dict[str, Any]:
    """`name`: the form field (or variable); `message` English, `message_da` Danish; `rule` the guard."""
    found: dict[str, Any] = {"name": problem.name, "message": problem.message}
    if problem.message_da:
        found["message_da"] = problem.message_da
    if problem.rule:
        found["rule"] = problem.rule
    return found


def definition_problem(problem: DefinitionProblem) -> dict[str, Any]:
    """One problem (or warning) of a deployment: where, what, and the contract item it concerns."""
    return {
        "message": problem.message,
        "resource": problem.resource,
        "element_id": problem.element_id,
        "line": problem.line,
        "item": problem.item,
    }


def _camunda_parse_details(error: InvalidDefinitionError) -> dict[str, Any]:
    """Camunda's ParseException details: per resource, its errors and warnings."""
    details: dict[str, Any] = {}
    for kind, problems in (("errors", error.problems), ("warnings", error.warnings)):
        for p in problems:
            entry = details.setdefault(p.resource or "deployment", {"errors": [], "warnings": []})
            entry[kind].append(
                {
                    "message": p.message,
                    "line": p.line or 0,
                    "column": 0,
                    "mainBpmnElementId": p.element_id,
                    "bpmnElementIds": [p.element_id] if p.element_id else [],
                }
            )
    return details


async def engine_error_handler(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, EngineError)
    kind = problem_type(error)
    camunda = _is_camunda(request)
    status = (kind.camunda_status or kind.status) if camunda else kind.status
    detail = error.message
    if camunda and isinstance(error, InvalidDefinitionError):
        detail = f"ENGINE-09005 Could not parse BPMN process. Errors: {error.message}"
    return error_response(
        request, status, kind.slug, kind.title, detail, kind.camunda_type, _extra(error, camunda)
    )


async def auth_error_handler(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AuthError)
    challenge = 'Basic realm="sagsflow"' if _is_camunda(request) else 'Bearer realm="sagsflow"'
    return error_response(
        request,
        401,
        "unauthenticated",
        "Unauthenticated",
        error.message,
        "AuthenticationException",
        headers={"WWW-Authenticate": challenge},
    )


async def validation_error_handler(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"name": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg"))}
        for e in error.errors()
    ]
    detail = "; ".join(f"{e['name']}: {e['message']}" for e in errors) or "invalid request"
    return error_response(
        request,
        422 if not _is_camunda(request) else 400,
        "invalid-request",
        "Invalid request",
        detail[:2000],
        "InvalidRequestException",
        {"errors": errors[:50]},
    )


async def http_error_handler(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    title = str(error.detail) if error.detail else "Error"
    return error_response(
        request,
        error.status_code,
        "http-error",
        title,
        title,
        "RestException",
        headers=getattr(error, "headers", None),
    )


def unexpected_error_response(request: Request, error: BaseException) -> JSONResponse:
    """A 500 with a reference to the log line; the body never holds a traceback or any value."""
    reference = uuid.uuid4().hex[:12]
    route = getattr(request.scope.get("route"), "path", None) or "(no route)"
    log.error(
        "unexpected error %s on %s %s: %s",
        reference,
        request.method,
        route,
        describe_exception(error),
    )
    return error_response(
        request,
        500,
        "internal",
        "Internal error",
        f"an unexpected error occurred (reference {reference})",
        "ProcessEngineException",
    )


class CatchAll:
    """Outermost middleware: any exception becomes the 500 problem and goes no further.

    Starlette would re-raise it to the server, which logs the exception's message, and database
    errors quote the values they choke on. Here only its type and frames are logged.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception as error:
            request = Request(scope)
            response = unexpected_error_response(request, error)
            if not started:
                await response(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(EngineError, engine_error_handler)
    app.add_exception_handler(AuthError, auth_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
