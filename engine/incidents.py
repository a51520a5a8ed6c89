"""Never a dead end: a step that fails for an internal reason becomes an incident.

A command that advances a case (complete a task, deliver a message, finish an external task) runs
in one transaction. If it fails with anything but an `EngineError` (a bug, a library limit, a
database fault), the transaction rolls back so the case stays as it was, the error is logged
under a reference (its type and frames only), and in a transaction of its own an incident
(`failedStep`) is opened on the case the command had locked: admins see it in the native
`GET /incidents` and in Camunda's `/incident`. The caller gets `StepFailedError`, which names
the reference and the incident.

A later step of the case that succeeds resolves its step incidents whose task is no longer open
or is the one it completed (a retry after the cause is fixed), and those without a task (a
message): the case has moved on. The case row counts its open step incidents
(`Instance.failed_steps`), so a step of a case without any reads nothing more.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from engine.clock import Clock
from engine.errors import StepFailedError
from engine.logsafety import describe_exception
from engine.store import incidents as repo
from engine.store.database import Store
from engine.store.tables import Incident, Instance

log = logging.getLogger("sagsflow.steps")
STEP_FAILED = "failedStep"


@dataclass
class StepScope:
    """What the command running in this context has locked: the case, and the task it works on."""

    instance_id: str | None = None
    municipality: str | None = None
    task_id: str | None = None


_scope: ContextVar[StepScope | None] = ContextVar("sagsflow_step_scope", default=None)


@contextmanager
def step_scope() -> Iterator[StepScope]:
    """The scope of one command: what it locks is noted in it (`locked`)."""
    scope = StepScope()
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def locked(instance: Instance, task_id: str | None = None) -> None:
    """Called when a command locks a case (and the task it acts on)."""
    scope = _scope.get()
    if scope is not None:
        scope.instance_id, scope.municipality = instance.id, instance.municipality
        scope.task_id = task_id if task_id is not None else scope.task_id


def failed(
    store: Store, clock: Clock, scope: StepScope, command: str, error: BaseException
) -> StepFailedError:
    """Log `error` under a new reference, open an incident on the locked case (if any), and return
    the error to raise. The command's own transaction has rolled back already."""
    reference = log_failure(command, error)
    incident_id = None
    if scope.instance_id is not None and scope.municipality is not None:
        try:
            incident_id = _open(store, clock, scope, command, reference)
        except Exception as second:  # the database may be what failed: the answer still names the reference
            log.error("no incident for reference %s: %s", reference, describe_exception(second))
    return StepFailedError(command, reference, incident_id)


def log_failure(command: str, error: BaseException) -> str:
    """Log `error` (its type and frames, never its message: it may quote case data) under a new
    reference, and return the reference."""
    reference = uuid.uuid4().hex[:12]
    log.error("%s failed (reference %s): %s", command, reference, describe_exception(error))
    return reference


def _open(store: Store, clock: Clock, scope: StepScope, command: str, reference: str) -> str:
    assert scope.instance_id is not None and scope.municipality is not None
    with store.write() as session:
        task = repo.task(session, scope.task_id) if scope.task_id else None
        called = task.process_instance_id if task and task.process_instance_id != task.instance_id else None
        incident = Incident(
            id=str(uuid.uuid4()),
            instance_id=scope.instance_id,
            municipality=scope.municipality,
            task_id=scope.task_id,
            element_id=task.element_id if task else None,
            process_instance_id=called,  # a task of a process a call activity started: that process
            definition_id=task.definition_id if task and called else None,
            process_key=task.process_key if task and called else None,
            type=STEP_FAILED,
            message=f"{command} failed for an internal reason (reference {reference}); nothing was changed",
            created_at=clock.now(),
        )
        repo.add_failed_step(session, incident)
        return incident.id


def resolve_after_step(
    session: Session,
    row: Instance,
    open_task_ids: Iterable[str],
    completed_task_id: str | None,
    now: datetime,
) -> int | None:
    """After a step of `row` that succeeded: resolve its step incidents that no longer apply (their
    task is no longer open, or is the one just completed, or they have none). The count of step
    incidents left open, or None when the case had none (nothing was read)."""
    if not row.failed_steps:
        return None
    still_open = set(open_task_ids) - {completed_task_id}
    return repo.resolve_failed_steps(session, row.id, kind=STEP_FAILED, keep_tasks=still_open, at=now)
