"""Use cases of external-task workers: fetch and lock, complete, fail, BPMN error, lock leases.

An external task is a service task with `camunda:type="external"`: SpiffWorkflow leaves it
STARTED and the runner mirrors it into the task table (kind 'external', with its topic). A
worker locks it for a lease, then completes it, reports a failure (retries count down; at zero
an incident is opened and the task is no longer fetched) or throws a BPMN error that an error
boundary event catches. Everything that changes a case locks the instance first (the same rule
as every other command), and everything that advances it goes through `Runner.advance`.

Long polling (`long_poll`) never holds a transaction open: it re-checks in short read
transactions with a growing pause, and only opens a write transaction when something can be
locked. Because it re-reads the database, a task created by another server process wakes it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import anyio
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlmodel import Session

from engine import access, audit, info, inputs
from engine.bpmn import inspect
from engine.bpmn.error_events import throw_error
from engine.deadlines import DeadlineSettings
from engine.errors import (
    InvalidVariablesError,
    LockedByOtherWorkerError,
    NotFoundError,
    VariableProblem,
    WrongStateError,
)
from engine.model import Actor, ExternalTaskInfo, FetchRequest, Role, TopicSubscription
from engine.runner import Runner, StepResult
from engine.store import definitions as definition_repo
from engine.store import external_tasks as repo
from engine.store import instances as instance_repo
from engine.store import process_instances as process_repo
from engine.store import tasks as task_repo
from engine.store.tables import Incident, Instance, Task
from engine.variables import validate_variables

WORKERS = (Role.INTEGRATOR, Role.ADMIN)
MAX_TASKS = 100
MAX_ASYNC_TIMEOUT_MS = 1_800_000
MAX_LOCK_MS = 7 * 24 * 3600 * 1000
MAX_TEXT = 2000
MAX_DETAILS = 65_536
INCIDENT_TYPE = "failedExternalTask"


# --- fetch and lock --------------------------------------------------------------------------


def check_fetch(request: FetchRequest, *, timeout_ms: int = 0) -> None:
    problems = []
    if not 0 <= timeout_ms <= MAX_ASYNC_TIMEOUT_MS:
        problems.append(
            VariableProblem(
                "asyncResponseTimeout",
                "The asynchronous response timeout cannot be set to a value greater than "
                f"{MAX_ASYNC_TIMEOUT_MS} milliseconds",
            )
        )
    if not request.worker_id or len(request.worker_id) > 200:
        problems.append(VariableProblem("workerId", "must be 1-200 characters"))
    if not 0 <= request.max_tasks <= MAX_TASKS:
        problems.append(VariableProblem("maxTasks", f"must be between 0 and {MAX_TASKS}"))
    for topic in request.topics:
        if not 0 < topic.lock_ms <= MAX_LOCK_MS:
            problems.append(VariableProblem(topic.name, "lockDuration must be greater than 0"))
    if problems:
        raise InvalidVariablesError(problems)


def any_fetchable(session: Session, runner: Runner, request: FetchRequest, *, actor: Actor) -> bool:
    access.require(actor, *WORKERS)
    names = [t.name for t in request.topics]
    return bool(names) and repo.any_fetchable(session, actor.municipality, names, runner.clock.now())


def fetch_and_lock(
    session: Session, runner: Runner, request: FetchRequest, *, actor: Actor, postgres: bool
) -> list[ExternalTaskInfo]:
    """Lock up to `max_tasks` open tasks on the requested topics for `worker_id`."""
    access.require(actor, *WORKERS)
    check_fetch(request)
    if request.max_tasks == 0 or not request.topics:
        return []
    now = runner.clock.now()
    topics = {t.name: t for t in request.topics}
    candidates = repo.fetchable(
        session,
        actor.municipality,
        list(topics),
        now,
        by_priority=request.use_priority,
        limit=max(request.max_tasks * 4, 20),
        postgres=postgres,
    )
    locked: list[ExternalTaskInfo] = []
    workflows: dict[str, BpmnWorkflow] = {}
    for task, instance in candidates:
        if len(locked) == request.max_tasks:
            break
        topic = topics[task.topic or ""]
        if not _matches_process(session, topic, task, instance):
            continue
        if instance.id not in workflows:
            if repo.try_lock_instance(session, instance.id, postgres=postgres) is None:
                continue  # being advanced right now; it is fetched on a later poll if still open
            workflows[instance.id] = runner.load(session, instance)
        found = _lock_one(session, runner, task, instance, workflows[instance.id], topic, request, actor)
        if found is not None:
            locked.append(found)
    return locked


def _matches_process(session: Session, topic: TopicSubscription, task: Task, instance: Instance) -> bool:
    """The topic's filters, on the process instance the task runs in (the case or a called process)."""
    if topic.definition_ids is not None and task.definition_id not in topic.definition_ids:
        return False
    if topic.definition_keys is not None and task.process_key not in topic.definition_keys:
        return False
    if topic.business_key is None:
        return True
    if task.process_instance_id == instance.id:
        return instance.business_key == topic.business_key
    called = process_repo.get(session, task.process_instance_id, instance.municipality)
    return called is not None and called[0].business_key == topic.business_key


def _lock_one(
    session: Session,
    runner: Runner,
    task: Task,
    instance: Instance,
    workflow: BpmnWorkflow,
    topic: TopicSubscription,
    request: FetchRequest,
    actor: Actor,
) -> ExternalTaskInfo | None:
    live = workflow.get_task_from_id(UUID(task.id))
    if live is None or live.state != TaskState.STARTED:
        return None
    data = _visible(live.data)
    if any(data.get(name) != value for name, value in topic.process_variables):
        return None
    now = runner.clock.now()
    task.lock_owner = request.worker_id
    task.lock_expires_at = now + timedelta(milliseconds=topic.lock_ms)
    session.add(task)
    audit.record(
        session,
        actor,
        action="read",
        purpose=f"external task {task.element_id}",
        at=now,
        instance_id=instance.id,
    )
    wanted = data if topic.variables is None else {k: data[k] for k in topic.variables if k in data}
    ext = {k: str(v) for k, v in inspect.extensions(live).items() if _is_property(k, v)}
    return _info(session, task, instance, wanted, ext if topic.extension_properties else {})


def _is_property(name: str, value: Any) -> bool:
    return not name.startswith("camunda:") and isinstance(value, str | int | float | bool)


def _visible(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not k.startswith("_") and k != "data_objects"}


def _info(
    session: Session,
    task: Task,
    instance: Instance,
    variables: dict[str, Any] | None = None,
    extension_properties: dict[str, str] | None = None,
    with_details: bool = False,
) -> ExternalTaskInfo:
    definition = definition_repo.get(session, task.definition_id)
    task_info = info.task_info(task, instance)
    if task.process_instance_id != instance.id:  # in a called process: its business key
        called = process_repo.get(session, task.process_instance_id, instance.municipality)
        task_info = replace(task_info, business_key=called[0].business_key if called else None)
    return ExternalTaskInfo(
        task=task_info,
        priority=task.priority,
        version_tag=definition.version_tag if definition else None,
        error_details=task.error_details if with_details else None,
        variables=variables,
        extension_properties=extension_properties or {},
    )


async def long_poll(
    fetch: Callable[[], list[ExternalTaskInfo]],
    available: Callable[[], bool],
    timeout_s: float,
    *,
    stop: Callable[[], Awaitable[bool]] | None = None,
    first_pause: float = 0.05,
    max_pause: float = 0.5,
) -> list[ExternalTaskInfo]:
    """Fetch now; if nothing was locked, re-check until something can be or `timeout_s` passed.

    Each check is a short read transaction in a worker thread; the wait itself holds nothing.
    """
    deadline = time.monotonic() + timeout_s
    found = await anyio.to_thread.run_sync(fetch)
    pause = first_pause
    while not found and (remaining := deadline - time.monotonic()) > 0:
        await anyio.sleep(min(pause, remaining))
        pause = min(pause * 2, max_pause)
        if stop is not None and await stop():
            return []
        if await anyio.to_thread.run_sync(available):
            found = await anyio.to_thread.run_sync(fetch)
    return found


# --- commands on one locked task ---------------------------------------------------------------


def complete(
    session: Session,
    runner: Runner,
    task_id: str,
    *,
    worker_id: str,
    variables: dict[str, Any],
    local_variables: dict[str, Any],
    actor: Actor,
    deadlines: DeadlineSettings,
) -> StepResult:
    """Finish the task with `variables` (process scope) and run the case to its next wait state.

    Local variables are validated and then dropped: in Camunda they live on the task's own
    execution, which ends with the task.
    """
    task, instance = _locked_task(session, runner, task_id, actor, worker_id, "completed")
    workflow = runner.load(session, instance)
    live = _started(workflow, task_id)
    checked = inputs.prepare(variables, current=live.data, deadlines=deadlines)
    validate_variables(local_variables)

    def run(_: BpmnWorkflow) -> None:
        live.set_data(**checked)
        live.complete()

    _event(session, runner, instance, task, actor, "external_task_completed", worker_id, variables=checked)
    result = runner.advance(session, instance, workflow, actor=actor, command=run, completed_task_id=task_id)
    _audit(session, runner, actor, instance, f"complete {task.element_id}")
    return result


def fail(
    session: Session,
    runner: Runner,
    task_id: str,
    *,
    worker_id: str,
    error_message: str | None,
    error_details: str | None,
    retries: int,
    retry_timeout_ms: int,
    actor: Actor,
) -> None:
    """Record a failure: the task is fetchable again after the timeout, or an incident at 0 retries."""
    if retries < 0 or retry_timeout_ms < 0:
        raise InvalidVariablesError([VariableProblem("retries", "retries and retryTimeout must be >= 0")])
    task, instance = _locked_task(session, runner, task_id, actor, worker_id, "failed")
    now = runner.clock.now()
    task.retries = retries
    task.error_message = (error_message or "")[:MAX_TEXT] or None
    task.error_details = (error_details or "")[:MAX_DETAILS] or None
    task.retry_at = task.lock_expires_at = now + timedelta(milliseconds=retry_timeout_ms)
    session.add(task)
    if retries == 0:
        _open_incident(session, task, now)
    _event(session, runner, instance, task, actor, "external_task_failed", worker_id, retries=retries)
    _audit(session, runner, actor, instance, f"failure {task.element_id}")


def bpmn_error(
    session: Session,
    runner: Runner,
    task_id: str,
    *,
    worker_id: str,
    error_code: str,
    error_message: str | None,
    variables: dict[str, Any],
    actor: Actor,
    deadlines: DeadlineSettings,
) -> StepResult:
    """Throw BPMN error `error_code` at the task: an error boundary event catches it, or (as in
    Camunda by default) the task's branch ends."""
    if not error_code or len(error_code) > MAX_TEXT:
        raise InvalidVariablesError([VariableProblem("errorCode", "must be 1-2000 characters")])
    task, instance = _locked_task(session, runner, task_id, actor, worker_id, "reported a BPMN error")
    workflow = runner.load(session, instance)
    live = _started(workflow, task_id)
    checked = inputs.prepare(variables, current=live.data, deadlines=deadlines)
    outcome: dict[str, str | None] = {}

    def run(_: BpmnWorkflow) -> None:
        outcome["caught_by"] = throw_error(live, error_code, error_message, checked)

    result = runner.advance(session, instance, workflow, actor=actor, command=run)
    _event(
        session,
        runner,
        instance,
        task,
        actor,
        "external_task_bpmn_error",
        worker_id,
        error_code=error_code,
        caught_by=outcome.get("caught_by"),
    )
    _audit(session, runner, actor, instance, f"bpmn error {task.element_id}")
    return result


def extend_lock(
    session: Session, runner: Runner, task_id: str, *, worker_id: str, duration_ms: int, actor: Actor
) -> None:
    if not 0 < duration_ms <= MAX_LOCK_MS:
        raise InvalidVariablesError([VariableProblem("newDuration", "must be greater than 0")])
    task, instance = _locked_task(session, runner, task_id, actor, worker_id, "extended")
    now = runner.clock.now()
    if task.lock_expires_at is None or task.lock_expires_at <= now:
        raise WrongStateError(f"Cannot extend a lock that expired: external task {task_id}")
    task.lock_expires_at = now + timedelta(milliseconds=duration_ms)
    session.add(task)
    _audit(session, runner, actor, instance, f"extend lock {task.element_id}")


def lock(
    session: Session, runner: Runner, task_id: str, *, worker_id: str, duration_ms: int, actor: Actor
) -> None:
    """Lock one known task for `worker_id` (allowed when it is free, expired or already its own)."""
    if not 0 < duration_ms <= MAX_LOCK_MS or not worker_id:
        raise InvalidVariablesError([VariableProblem("lockDuration", "must be greater than 0")])
    task, instance = _open_task(session, runner, task_id, actor)
    now = runner.clock.now()
    held = task.lock_expires_at is not None and task.lock_expires_at > now
    if held and task.lock_owner not in (None, worker_id):
        raise LockedByOtherWorkerError(
            f"External Task {task_id} cannot be locked by worker '{worker_id}'. "
            f"It is locked by worker '{task.lock_owner}'."
        )
    task.lock_owner, task.lock_expires_at = worker_id, now + timedelta(milliseconds=duration_ms)
    session.add(task)
    _audit(session, runner, actor, instance, f"lock {task.element_id}")


def unlock(session: Session, runner: Runner, task_id: str, *, actor: Actor) -> None:
    task, instance = _open_task(session, runner, task_id, actor)
    task.lock_owner = task.lock_expires_at = None
    session.add(task)
    _audit(session, runner, actor, instance, f"unlock {task.element_id}")


def set_retries(session: Session, runner: Runner, task_id: str, *, retries: int, actor: Actor) -> None:
    """Set the retries; more than zero resolves the task's incident and makes it fetchable again."""
    if retries < 0:
        raise InvalidVariablesError([VariableProblem("retries", "must be >= 0")])
    task, instance = _open_task(session, runner, task_id, actor)
    now = runner.clock.now()
    task.retries = retries
    session.add(task)
    incident = repo.open_incident_for(session, task.id)
    if retries > 0 and incident is not None:
        incident.resolved_at = now
        session.add(incident)
    elif retries == 0:
        _open_incident(session, task, now)
    _audit(session, runner, actor, instance, f"retries {task.element_id}")


def get(session: Session, runner: Runner, task_id: str, *, actor: Actor) -> ExternalTaskInfo:
    access.require(actor, *WORKERS)
    task = task_repo.get(session, task_id, actor.municipality)
    instance = instance_repo.get(session, task.instance_id, actor.municipality) if task else None
    if task is None or instance is None or task.kind != "external":
        raise NotFoundError("External task", task_id)
    _audit(session, runner, actor, instance, f"external task {task.element_id}", action="read")
    return _info(session, task, instance, with_details=True)


# --- helpers -----------------------------------------------------------------------------------


def _open_task(session: Session, runner: Runner, task_id: str, actor: Actor) -> tuple[Task, Instance]:
    """The open external task with its instance locked (the same per-instance rule as every command)."""
    access.require(actor, *WORKERS)
    instance = runner.lock_for_task(session, task_id, actor.municipality, kind="External task")
    task = task_repo.get(session, task_id, actor.municipality)
    if task is None or task.kind != "external" or task.state != "open":
        raise NotFoundError("External task", task_id)
    return task, instance


def _locked_task(
    session: Session, runner: Runner, task_id: str, actor: Actor, worker_id: str, verb: str
) -> tuple[Task, Instance]:
    task, instance = _open_task(session, runner, task_id, actor)
    if task.lock_owner != worker_id:
        raise LockedByOtherWorkerError(
            f"External Task {task_id} cannot be {verb} by worker '{worker_id}'. "
            f"It is locked by worker '{task.lock_owner}'."
        )
    return task, instance


def _started(workflow: BpmnWorkflow, task_id: str) -> Any:
    live = workflow.get_task_from_id(UUID(task_id))
    if live is None or live.state != TaskState.STARTED:
        raise WrongStateError(f"external task {task_id} is not waiting for a worker")
    return live


def _open_incident(session: Session, task: Task, now: datetime) -> None:
    if repo.open_incident_for(session, task.id) is not None:
        return
    called = task.process_instance_id if task.process_instance_id != task.instance_id else None
    session.add(
        Incident(
            id=str(uuid.uuid4()),
            instance_id=task.instance_id,
            municipality=task.municipality,
            task_id=task.id,
            element_id=task.element_id,
            process_instance_id=called,
            definition_id=task.definition_id if called else None,
            process_key=task.process_key if called else None,
            type=INCIDENT_TYPE,
            message=task.error_message or "the external task has no retries left",
            created_at=now,
        )
    )


def _event(
    session: Session,
    runner: Runner,
    instance: Instance,
    task: Task,
    actor: Actor,
    kind: str,
    worker_id: str,
    **data: Any,
) -> None:
    instance_repo.add_event(
        session,
        instance,
        at=runner.clock.now(),
        kind=kind,
        actor=actor.user_id,
        element_id=task.element_id,
        task_id=task.id,
        data={"worker": worker_id, **data},
    )


def _audit(
    session: Session, runner: Runner, actor: Actor, instance: Instance, purpose: str, action: str = "update"
) -> None:
    audit.record(
        session, actor, action=action, purpose=purpose, at=runner.clock.now(), instance_id=instance.id
    )
