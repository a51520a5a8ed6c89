"""Use cases on user tasks: list, read, claim, unclaim, complete.

Completing is the step the law cares most about (it is where the written assessments and
decisions are recorded), so its checks are strict: the task must be open and READY in the
instance, the submitted variables must satisfy the task's form, and exactly one of several
concurrent completions wins; the others get `WrongStateError` (409).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlmodel import Session

from engine import access, audit, contract, facts, info, inputs, task_forms
from engine.bpmn import guards, inspect
from engine.bpmn.error_events import throw_error, throw_escalation
from engine.deadlines import DEADLINE_VARIABLES, DeadlineSettings
from engine.errors import (
    ForbiddenError,
    InvalidVariablesError,
    NotFoundError,
    VariableProblem,
    WrongStateError,
)
from engine.model import Actor, Page, Role, TaskFilter, TaskInfo
from engine.runner import Runner, StepResult
from engine.store import instances as instance_repo
from engine.store import tasks as repo
from engine.store.tables import Instance, Task
from engine.variables import validate_variables


def search(
    session: Session, runner: Runner, f: TaskFilter, *, actor: Actor, offset: int, limit: int
) -> Page[TaskInfo]:
    rows, total = repo.search(session, access.scoped(f, actor), offset=offset, limit=limit)
    audit.record_each(
        session,
        actor,
        action="search",
        purpose="task list",
        at=runner.clock.now(),
        instance_ids=[i.id for _, i in rows],
    )
    return Page(tuple(info.task_info(t, i) for t, i in rows), total, offset, limit)


def get(session: Session, runner: Runner, task_id: str, *, actor: Actor) -> TaskInfo:
    task, instance = _visible(session, task_id, actor)
    form: tuple[Any, ...] = ()
    variables = None
    if task.state == "open":
        workflow = runner.view(session, instance)
        live = workflow.get_task_from_id(UUID(task_id))
        if live is not None:
            form = inspect.form_fields(live, opened_at=runner.clock.now())
            variables = {k: v for k, v in live.data.items() if not k.startswith("_")}
    audit.record(
        session,
        actor,
        action="read",
        purpose=f"task {task.element_id}",
        at=runner.clock.now(),
        instance_id=instance.id,
    )
    return info.task_info(task, instance, form, variables)


def claim(
    session: Session, runner: Runner, task_id: str, *, actor: Actor, user_id: str | None = None
) -> TaskInfo:
    """Assign the task to `user_id` (default: the actor). Leaders may assign to others."""
    access.require(actor, *access.TASK_ASSIGNERS)
    assignee = user_id or actor.user_id
    if assignee != actor.user_id and not actor.has(Role.LEADER, Role.ADMIN):
        raise ForbiddenError("only a leader may assign a task to someone else")
    task, instance = _open_user_task(session, runner, task_id, actor)
    if task.assignee not in (None, assignee) and not actor.has(Role.LEADER, Role.ADMIN):
        raise WrongStateError(f"task {task_id} is already claimed by {task.assignee}")
    return _set_assignee(session, runner, task, instance, assignee, actor)


def unclaim(session: Session, runner: Runner, task_id: str, *, actor: Actor) -> TaskInfo:
    access.require(actor, *access.TASK_ASSIGNERS)
    task, instance = _open_user_task(session, runner, task_id, actor)
    if task.assignee not in (None, actor.user_id) and not actor.has(Role.LEADER, Role.ADMIN):
        raise ForbiddenError("only the assignee or a leader may unclaim a task")
    return _set_assignee(session, runner, task, instance, None, actor)


def complete(
    session: Session,
    runner: Runner,
    task_id: str,
    variables: dict[str, Any],
    *,
    actor: Actor,
    deadlines: DeadlineSettings,
) -> StepResult:
    access.require(actor, *access.CASE_WRITERS)
    task, instance = _open_user_task(session, runner, task_id, actor)
    if task.assignee not in (None, actor.user_id) and not actor.has(Role.LEADER, Role.ADMIN):
        raise ForbiddenError(f"task {task_id} is assigned to someone else")
    workflow = runner.load(session, instance)
    live = _ready(workflow, task_id)
    try:
        checked = inputs.prepare(
            variables, current=live.data, form=inspect.form_fields(live), deadlines=deadlines
        )
    except InvalidVariablesError as refused:  # say at once what the guards would refuse too
        raise InvalidVariablesError([*refused.problems, *_guards_also(live, variables, refused)]) from None
    broken = guards.violations(inspect.extensions(live), {**live.data, **checked})
    if broken:
        raise InvalidVariablesError(broken)
    task_forms.check_task_submission(session, task, instance, checked, live.data)

    def run(_: BpmnWorkflow) -> None:
        live.set_data(**checked)
        live.run()

    now = runner.clock.now()
    completed = instance_repo.NewEvent(
        now, "task_completed", actor.user_id, task.element_id, task_id, {"variables": checked}
    )
    result = runner.advance(
        session,
        instance,
        workflow,
        actor=actor,
        command=run,
        completed_task_id=task_id,
        command_events=[completed],
        case_values=facts.on_completion(session, instance, task.element_id, checked, now),
    )
    audit.record(
        session,
        actor,
        action="update",
        purpose=f"complete {task.element_id}",
        at=now,
        instance_id=instance.id,
    )
    return result


MAX_CODE = 2000


def throw(
    session: Session,
    runner: Runner,
    task_id: str,
    *,
    kind: str,
    code: str,
    message: str | None,
    variables: dict[str, Any],
    actor: Actor,
    deadlines: DeadlineSettings,
) -> StepResult:
    """A user task throws BPMN `kind` ("error" or "escalation") `code` (Camunda's /task/{id}/bpmnError
    and /bpmnEscalation). An error boundary event catches an error, or the task's branch ends; an
    escalation no boundary event catches is refused and changes nothing, as in Camunda."""
    access.require(actor, *access.CASE_WRITERS)
    task, instance = _open_user_task(session, runner, task_id, actor)
    if not code or len(code) > MAX_CODE:
        raise InvalidVariablesError([VariableProblem(f"{kind}Code", f"must be 1-{MAX_CODE} characters")])
    workflow = runner.load(session, instance)
    live = _ready(workflow, task_id)
    checked = inputs.prepare(variables, current=live.data, deadlines=deadlines)
    data: dict[str, Any] = {"code": code}

    def run(_: BpmnWorkflow) -> None:
        if kind == "error":
            data["caught_by"] = throw_error(live, code, message, checked)
            return
        data["caught_by"] = throw_escalation(live, code, checked)
        if data["caught_by"] is None:
            raise WrongStateError(
                f"Execution with id '{task.element_id}' throws an escalation event with escalationCode "
                f"'{code}', but no escalation handler was defined."
            )

    now = runner.clock.now()
    thrown = instance_repo.NewEvent(now, f"task_bpmn_{kind}", actor.user_id, task.element_id, task_id, data)
    result = runner.advance(session, instance, workflow, actor=actor, command=run, command_events=[thrown])
    audit.record(
        session,
        actor,
        action="update",
        purpose=f"bpmn {kind} {task.element_id}",
        at=now,
        instance_id=instance.id,
    )
    return result


def _guards_also(
    live: Any, variables: dict[str, Any], refused: InvalidVariablesError
) -> list[VariableProblem]:
    """The guards that fail on a submission the form already refused, so the caseworker sees every
    problem at once; none when the values are not even valid variables or a guard cannot be
    evaluated on them (the refusal stands either way)."""
    try:
        safe = validate_variables(variables, protected=DEADLINE_VARIABLES)
        found = guards.violations(inspect.extensions(live), {**live.data, **safe})
    except Exception:
        return []
    known = {(p.name, p.message) for p in refused.problems}
    return [p for p in found if (p.name, p.message) not in known]


def _visible(session: Session, task_id: str, actor: Actor) -> tuple[Task, Instance]:
    task = repo.get(session, task_id, actor.municipality)
    instance = instance_repo.get(session, task.instance_id, actor.municipality) if task else None
    if task is None or instance is None or not _may_see(actor, task, instance):
        raise NotFoundError("task", task_id)
    return task, instance


def _may_see(actor: Actor, task: Task, instance: Instance) -> bool:
    assignees = {task.assignee} if task.assignee else set()
    return access.may_see_case(actor, instance.team, instance.caseworker, assignees)


def _open_user_task(session: Session, runner: Runner, task_id: str, actor: Actor) -> tuple[Task, Instance]:
    """The task and its instance, with the instance locked and the task read under the lock."""
    instance = runner.lock_for_task(session, task_id, actor.municipality, kind="task")
    task = repo.get(session, task_id, actor.municipality)
    if task is None or not _may_see(actor, task, instance):
        raise NotFoundError("task", task_id)
    if task.kind != "user":
        raise WrongStateError(f"task {task_id} is an external task; workers complete it")
    if task.state != "open":
        raise WrongStateError(f"task {task_id} is already {task.state}")
    return task, instance


def _ready(workflow: BpmnWorkflow, task_id: str) -> Any:
    live = workflow.get_task_from_id(UUID(task_id))
    if live is None or live.state != TaskState.READY or not live.task_spec.manual:
        raise WrongStateError(f"task {task_id} is not ready")
    return live


def _set_assignee(
    session: Session,
    runner: Runner,
    task: Task,
    instance: Instance,
    assignee: str | None,
    actor: Actor,
) -> TaskInfo:
    now = runner.clock.now()
    previous = task.assignee
    task.assignee = assignee
    session.add(task)
    instance_repo.add_event(
        session,
        instance,
        at=now,
        kind="task_assigned",
        actor=actor.user_id,
        element_id=task.element_id,
        task_id=task.id,
        data={"from": previous, "to": assignee},
    )
    if assignee and assignee != instance.caseworker and f",{contract.CASEWORKERS}," in task.candidate_groups:
        instance_repo.add_event(
            session,
            instance,
            at=now,
            kind="caseworker_changed",
            actor=actor.user_id,
            data={"from": instance.caseworker, "to": assignee},
        )
        # the first caseworker on a case is not a change of caseworker
        changes = instance.caseworker_changes + (1 if instance.caseworker is not None else 0)
        instance_repo.save(
            session, instance, {"caseworker": assignee, "caseworker_changes": changes, "updated_at": now}
        )
        facts.follow_caseworker(session, instance.id, assignee)
    audit.record(
        session,
        actor,
        action="update",
        purpose=f"assign {task.element_id}",
        at=now,
        instance_id=instance.id,
    )
    return info.task_info(task, instance)
