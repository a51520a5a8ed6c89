"""The forms of user tasks and start events: which form, its deployed file, and checking a submission.

A task names its form in its row (`form_key`, `form_ref`, mirrored when the task is created); a
start event in its spec. The deployed file is found by `definitions.deployed_form`. When the form
is a Camunda Form, every submission (task completion, `submit-form`, a start by form) is checked
against its schema on the server (engine/camunda_forms.py) before anything changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from engine import access, audit, camunda_forms, definitions
from engine.bpmn.starts import start_form_reference
from engine.errors import InvalidVariablesError, NotFoundError, VariableProblem
from engine.model import Actor, FormContent, FormInfo
from engine.runner import Runner
from engine.store import definitions as definition_repo
from engine.store import instances as instance_repo
from engine.store import tasks as task_repo
from engine.store.tables import Definition, Instance, Task


def reference_of(task: Task) -> camunda_forms.FormReference:
    return camunda_forms.FormReference.from_json(task.form_key, task.form_ref)


def task_form(session: Session, runner: Runner, task_id: str, *, actor: Actor) -> FormInfo:
    task, instance = _visible_task(session, task_id, actor)
    _audit(session, runner, actor, instance, f"form of {task.element_id}")
    return _info(reference_of(task))


def task_form_file(session: Session, runner: Runner, task_id: str, *, actor: Actor) -> FormContent | None:
    """The deployed file of the task's form; None when it names none (or nothing deployed matches)."""
    task, instance = _visible_task(session, task_id, actor)
    definition = _definition(session, instance.definition_id)
    found = definitions.deployed_form(session, definition, reference_of(task))
    _audit(session, runner, actor, instance, f"deployed form of {task.element_id}")
    return FormContent(found.name, found.content, found.media_type) if found is not None else None


def start_form(session: Session, runner: Runner, definition: Definition) -> FormInfo:
    return _info(start_form_reference(runner.cache.get(session, definition.id).spec))


def start_form_file(session: Session, runner: Runner, definition: Definition) -> FormContent:
    reference = start_form_reference(runner.cache.get(session, definition.id).spec)
    found = definitions.deployed_form(session, definition, reference)
    if found is None:
        raise NotFoundError("deployed start form", definition.id)
    return FormContent(found.name, found.content, found.media_type)


def check_submission(
    session: Session,
    definition: Definition,
    reference: camunda_forms.FormReference,
    submitted: Mapping[str, Any],
    current: Mapping[str, Any],
) -> None:
    """Refuse (422/400) a submission its Camunda Form does not allow; other forms are not read here."""
    if not reference.is_camunda_form:
        return
    found = definitions.deployed_form(session, definition, reference)
    if found is None:
        raise InvalidVariablesError(
            [VariableProblem("form", f"the form {_name(reference)} is not deployed, so it cannot be checked")]
        )
    try:
        schema = camunda_forms.parse_schema(found.content, found.name)
    except camunda_forms.FormSchemaError as err:
        raise InvalidVariablesError([VariableProblem("form", str(err))]) from None
    problems = camunda_forms.validate(schema, submitted, current)
    if problems:
        raise InvalidVariablesError(problems)


def check_task_submission(
    session: Session, task: Task, instance: Instance, submitted: Mapping[str, Any], current: Mapping[str, Any]
) -> None:
    """`check_submission` for a task's completion. The definition is read only for a task with a
    Camunda Form: completing any other task costs no statement here (test_step_statements.py)."""
    reference = reference_of(task)
    if not reference.is_camunda_form:
        return
    definition = definition_repo.get(session, instance.definition_id)
    if definition is not None:
        check_submission(session, definition, reference, submitted, current)


def _name(reference: camunda_forms.FormReference) -> str:
    return f"'{reference.ref}'" if reference.ref else f"'{reference.key}'"


def _info(reference: camunda_forms.FormReference) -> FormInfo:
    ref = {"key": reference.ref, "binding": reference.binding, "version": reference.version}
    return FormInfo(key=reference.key, ref=ref if reference.ref else None)


def _definition(session: Session, definition_id: str) -> Definition:
    row = definition_repo.get(session, definition_id)
    if row is None:
        raise NotFoundError("process definition", definition_id)
    return row


def _visible_task(session: Session, task_id: str, actor: Actor) -> tuple[Task, Instance]:
    access.require(actor, *access.CASE_READERS)
    task = task_repo.get(session, task_id, actor.municipality)
    instance = instance_repo.get(session, task.instance_id, actor.municipality) if task else None
    if task is None or instance is None or task.kind != "user":
        raise NotFoundError("task", task_id)
    assignees = {task.assignee} if task.assignee else set()
    if not access.may_see_case(actor, instance.team, instance.caseworker, assignees):
        raise NotFoundError("task", task_id)
    return task, instance


def _audit(session: Session, runner: Runner, actor: Actor, instance: Instance, purpose: str) -> None:
    audit.record(
        session, actor, action="read", purpose=purpose, at=runner.clock.now(), instance_id=instance.id
    )
