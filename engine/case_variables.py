"""Setting or deleting a running process instance's variables directly (Camunda's
POST /process-instance/{id}/variables): a case's, or those of a process its call activities started.

The variables go to every active task of the case (where the next steps read them), are
validated like every other input, and count as a change of variables: waiting conditional
events are evaluated again (see engine/bpmn/conditions.py) and may move the case on.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlmodel import Session

from engine import access, audit, inputs
from engine.bpmn import conditions, inspect
from engine.bpmn.workflow import process_of
from engine.deadlines import DEADLINE_VARIABLES, DeadlineSettings
from engine.errors import InvalidVariablesError, NotFoundError, VariableProblem, WrongStateError
from engine.model import Actor
from engine.runner import Runner, StepResult
from engine.store import instances as repo
from engine.store import process_instances as process_repo
from engine.store import tasks as task_repo
from engine.variables import is_valid_name

MAX_DELETIONS = 200
PROCESS_INSTANCE = "Process instance"


def change(
    session: Session,
    runner: Runner,
    instance_id: str,
    *,
    modifications: dict[str, Any],
    deletions: list[str],
    actor: Actor,
    deadlines: DeadlineSettings,
) -> StepResult:
    """`instance_id`: a case, or a process its call activities started (that process's tasks get them)."""
    access.require(actor, *access.CASE_WRITERS)
    found = process_repo.get(session, instance_id, actor.municipality)
    if found is None:
        raise NotFoundError(PROCESS_INSTANCE, instance_id)
    process = found[0]
    row = runner.lock(session, process.root_id, actor.municipality)
    assignees = {t.assignee for t in task_repo.for_instance(session, row.id) if t.assignee}
    if not access.may_see_case(actor, row.team, row.caseworker, assignees):
        raise NotFoundError(PROCESS_INSTANCE, instance_id)
    if row.status != "active" or process.state != "active":
        raise WrongStateError(f"process instance {instance_id} has ended; its variables can no longer change")
    _check_deletions(deletions)
    workflow = runner.load(session, row)
    scope = workflow if process.id == row.id else workflow.child(process.id)
    if scope is None:
        raise NotFoundError(PROCESS_INSTANCE, instance_id)
    active = [t for t in workflow.get_tasks(state=inspect.ACTIVE) if process_of(t.workflow) is scope]
    checked = inputs.prepare(modifications, current=active[-1].data if active else {}, deadlines=deadlines)

    def apply(wf: BpmnWorkflow) -> None:
        for task in active:
            task.set_data(**checked)
            _delete(task, deletions)
        conditions.note_changes(wf, checked, deletions)

    now = runner.clock.now()
    event = repo.NewEvent(
        now, "variables_changed", actor.user_id, data={"set": checked, "deleted": deletions}
    )
    result = runner.advance(session, row, workflow, actor=actor, command=apply, command_events=[event])
    audit.record(session, actor, action="update", purpose="change variables", at=now, instance_id=row.id)
    return result


def _delete(task: Any, names: list[str]) -> None:
    """Delete from the task and the tasks before it, from which SpiffWorkflow lets a task inherit
    its data again when it becomes ready."""
    node = task
    while node is not None and names:
        for name in names:
            node.data.pop(name, None)
        node = node.parent


def _check_deletions(deletions: list[str]) -> None:
    if len(deletions) > MAX_DELETIONS:
        raise InvalidVariablesError([VariableProblem("deletions", f"more than {MAX_DELETIONS} names")])
    bad = [n for n in deletions if not isinstance(n, str) or not is_valid_name(n) or n in DEADLINE_VARIABLES]
    if bad:
        problems = [VariableProblem("deletions", f"{name!r} cannot be deleted") for name in bad[:20]]
        raise InvalidVariablesError(problems)
