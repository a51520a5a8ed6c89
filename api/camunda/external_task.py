"""External-task workers: fetch and lock (long polling), complete, failure, BPMN error, leases.

Every command answers 204 with an empty body, as Camunda does (the Python client accepts
nothing else). Errors: 404 unknown task, 400 locked by another worker or bad input.
"""

from __future__ import annotations

from fastapi import Request, Response
from fastapi.responses import PlainTextResponse

from api.camunda.deps import Worker
from api.camunda.query import CamundaRouter
from api.camunda.schemas import (
    BpmnErrorIn,
    CompleteIn,
    ExtendLockIn,
    FailureIn,
    FetchIn,
    LockedExternalTaskOut,
    LockIn,
    RetriesIn,
    TopicIn,
)
from api.camunda.variables import from_camunda, plain_values
from api.deps import EngineDep
from engine.model import FetchRequest, TopicSubscription

router = CamundaRouter(tags=["camunda: external tasks"])
DEFAULT_RETRY_TIMEOUT_MS = 0


def _no_content() -> Response:
    return Response(status_code=204)


def _topic(t: TopicIn) -> TopicSubscription:
    ids = (t.processDefinitionIdIn or []) + ([t.processDefinitionId] if t.processDefinitionId else [])
    keys = (t.processDefinitionKeyIn or []) + ([t.processDefinitionKey] if t.processDefinitionKey else [])
    return TopicSubscription(
        name=t.topicName,
        lock_ms=t.lockDuration or 0,
        variables=tuple(t.variables) if t.variables is not None else None,
        business_key=t.businessKey,
        definition_ids=tuple(ids) or None,
        definition_keys=tuple(keys) or None,
        process_variables=tuple(plain_values(t.processVariables).items()),
        extension_properties=bool(t.includeExtensionProperties),
    )


@router.post("/external-task/fetchAndLock", response_model=list[LockedExternalTaskOut])
async def fetch_and_lock(
    request: Request, engine: EngineDep, actor: Worker, body: FetchIn
) -> list[LockedExternalTaskOut]:
    """Lock up to `maxTasks`; with `asyncResponseTimeout` (ms, at most 1 800 000) wait for work."""
    fetch = FetchRequest(
        worker_id=body.workerId,
        topics=tuple(_topic(t) for t in body.topics or []),
        max_tasks=body.maxTasks if body.maxTasks is not None else 1,
        use_priority=bool(body.usePriority),
    )
    locked = await engine.fetch_and_lock_waiting(
        fetch, actor=actor, timeout_ms=body.asyncResponseTimeout or 0, stop=request.is_disconnected
    )
    return [LockedExternalTaskOut.of(t) for t in locked]


@router.post("/external-task/{task_id}/complete", status_code=204, response_class=Response)
def complete(engine: EngineDep, actor: Worker, task_id: str, body: CompleteIn) -> Response:
    engine.complete_external_task(
        task_id,
        worker_id=body.workerId or "",
        variables=from_camunda(body.variables),
        local_variables=from_camunda(body.localVariables, "localVariables"),
        actor=actor,
    )
    return _no_content()


@router.post("/external-task/{task_id}/failure", status_code=204, response_class=Response)
def failure(engine: EngineDep, actor: Worker, task_id: str, body: FailureIn) -> Response:
    """Retries count down; at 0 an incident (`failedExternalTask`) is opened."""
    engine.fail_external_task(
        task_id,
        worker_id=body.workerId or "",
        error_message=body.errorMessage,
        error_details=body.errorDetails,
        retries=body.retries if body.retries is not None else 0,
        retry_timeout_ms=body.retryTimeout if body.retryTimeout is not None else DEFAULT_RETRY_TIMEOUT_MS,
        actor=actor,
    )
    return _no_content()


@router.post("/external-task/{task_id}/bpmnError", status_code=204, response_class=Response)
def bpmn_error(engine: EngineDep, actor: Worker, task_id: str, body: BpmnErrorIn) -> Response:
    """Caught by a matching error boundary event; without one the task's branch ends (Camunda's default)."""
    engine.throw_bpmn_error(
        task_id,
        worker_id=body.workerId or "",
        error_code=body.errorCode,
        error_message=body.errorMessage,
        variables=from_camunda(body.variables),
        actor=actor,
    )
    return _no_content()


@router.post("/external-task/{task_id}/extendLock", status_code=204, response_class=Response)
def extend_lock(engine: EngineDep, actor: Worker, task_id: str, body: ExtendLockIn) -> Response:
    engine.extend_external_task_lock(
        task_id, worker_id=body.workerId or "", duration_ms=body.newDuration, actor=actor
    )
    return _no_content()


@router.post("/external-task/{task_id}/lock", status_code=204, response_class=Response)
def lock(engine: EngineDep, actor: Worker, task_id: str, body: LockIn) -> Response:
    engine.lock_external_task(task_id, worker_id=body.workerId, duration_ms=body.lockDuration, actor=actor)
    return _no_content()


@router.post("/external-task/{task_id}/unlock", status_code=204, response_class=Response)
def unlock(engine: EngineDep, actor: Worker, task_id: str) -> Response:
    """No body: the JS client sends none, camunda-client an empty one with a JSON content type."""
    engine.unlock_external_task(task_id, actor=actor)
    return _no_content()


@router.put("/external-task/{task_id}/retries", status_code=204, response_class=Response)
def set_retries(engine: EngineDep, actor: Worker, task_id: str, body: RetriesIn) -> Response:
    """More than 0 resolves the task's incident and makes it fetchable again."""
    engine.set_external_task_retries(task_id, retries=body.retries, actor=actor)
    return _no_content()


@router.get("/external-task/{task_id}", response_model=LockedExternalTaskOut)
def get_external_task(engine: EngineDep, actor: Worker, task_id: str) -> LockedExternalTaskOut:
    return LockedExternalTaskOut.of(engine.get_external_task(task_id, actor=actor))


@router.get("/external-task/{task_id}/errorDetails", response_class=PlainTextResponse)
def error_details(engine: EngineDep, actor: Worker, task_id: str) -> Response:
    details = engine.get_external_task(task_id, actor=actor).error_details
    return PlainTextResponse(details) if details else _no_content()
