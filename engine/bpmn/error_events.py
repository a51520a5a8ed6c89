"""Throwing a BPMN error or escalation from a waiting task (an external service task or a user task).

Camunda 7 looks for an error boundary event on the task, then on each enclosing subprocess or
call activity, and takes the first whose error code matches (a boundary event without an
error code catches every error, but only if no boundary event on the same activity names the
code). In SpiffWorkflow a boundary event of a STARTED task is a WAITING sibling under the
task's `BoundaryEventSplit`; it is delivered the error with `catch` + `_update`, after which the
boundary join cancels the interrupted activity.

If nothing catches the error, Camunda's default ("none end event semantics") ends the
execution: the task's branch stops, and a scope with nothing left active completes as if it
had reached an end event.

An escalation is caught the same way by an escalation boundary event (interrupting or not);
with nothing to catch it Camunda refuses it, and so does `throw_escalation`.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    CodeEventDefinition,
    ErrorEventDefinition,
    EscalationEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import inspect

ERROR_CODE_VARIABLE = "camunda:errorCodeVariable"
ERROR_MESSAGE_VARIABLE = "camunda:errorMessageVariable"
ESCALATION_CODE_VARIABLE = "camunda:escalationCodeVariable"


def throw_error(task: Any, code: str, message: str | None, variables: dict[str, Any]) -> str | None:
    """Deliver error `code` from `task`; return the catching element's id, or None if it ended."""
    boundary = _find_catcher(task, ErrorEventDefinition, code)
    if boundary is not None:
        _deliver(boundary, ErrorEventDefinition, code, message, variables)
        return inspect.element_id(boundary)
    started = _start_event_subprocess(task, ErrorEventDefinition, code, message, variables)
    if started is not None:
        return started
    task.set_data(**variables)
    _end_branch(task)
    return None


def throw_escalation(task: Any, code: str, variables: dict[str, Any]) -> str | None:
    """Deliver escalation `code` from `task`; return the catching element's id, or None (and change
    nothing) when no escalation boundary event or event subprocess catches it."""
    boundary = _find_catcher(task, EscalationEventDefinition, code)
    if boundary is None:
        return _start_event_subprocess(task, EscalationEventDefinition, code, None, variables)
    _deliver(boundary, EscalationEventDefinition, code, None, variables)
    return inspect.element_id(boundary)


def _start_event_subprocess(
    task: Any, kind: type[CodeEventDefinition], code: str, message: str | None, variables: dict[str, Any]
) -> str | None:
    """Start the process's event subprocess whose error/escalation start event catches `code` (an
    interrupting one then cancels the rest of the process: engine/bpmn/event_subprocesses.py).
    Only that start event receives the event, never another waiting catch event of the case."""
    top = task.workflow.top_workflow
    probe = BpmnEvent(kind("", code), payload={})
    before = set(top.subprocesses)
    top.event_manager.update_collaboration(probe)
    for key, sub in list(top.subprocesses.items()):
        if key in before:
            continue
        for start in sub.get_tasks(state=TaskState.WAITING, skip_subprocesses=True):
            if start.task_spec.catches(start, probe):
                _deliver(start, kind, code, message, {**task.data, **variables})
                return inspect.element_id(start)
    return None


def _find_catcher(task: Any, kind: type[CodeEventDefinition], code: str) -> Any | None:
    """The boundary event on `task`, or on its nearest enclosing activity, that catches `code`."""
    current: Any = task
    while current is not None:
        boundary = _catching_boundary(current, kind, code)
        if boundary is not None:
            return boundary
        current = _enclosing_activity(current)
    return None


def _catching_boundary(task: Any, kind: type[CodeEventDefinition], code: str) -> Any | None:
    if task.parent is None or not isinstance(task.parent.task_spec, BoundaryEventSplit):
        return None
    candidates = [
        sibling
        for sibling in task.parent.children
        if sibling is not task
        and isinstance(sibling.task_spec, BoundaryEvent)
        and sibling.state == TaskState.WAITING
        and isinstance(sibling.task_spec.event_definition, kind)
    ]
    exact = [c for c in candidates if c.task_spec.event_definition.code == code]
    catch_all = [c for c in candidates if c.task_spec.event_definition.code is None]
    return (exact or catch_all or [None])[0]


def _deliver(
    boundary: Any, kind: type[CodeEventDefinition], code: str, message: str | None, variables: dict[str, Any]
) -> None:
    payload = dict(variables)
    extensions = inspect.extensions(boundary)
    for name, value in ((ERROR_CODE_VARIABLE, code), (ESCALATION_CODE_VARIABLE, code)):
        if extensions.get(name):
            payload[extensions[name]] = value
    if extensions.get(ERROR_MESSAGE_VARIABLE):
        payload[extensions[ERROR_MESSAGE_VARIABLE]] = message
    definition = boundary.task_spec.event_definition
    event = BpmnEvent(kind(definition.name, code), payload=payload)
    boundary.task_spec.catch(boundary, event)
    boundary.task_spec._update(boundary)


def _enclosing_activity(task: Any) -> Any | None:
    """The subprocess or call activity task whose subworkflow holds `task` (None at the top)."""
    parent_id = getattr(task.workflow, "parent_task_id", None)
    if parent_id is None:
        return None
    return task.workflow.top_workflow.get_task_from_id(parent_id)


def _end_branch(task: Any) -> None:
    """Stop `task`'s branch; complete every scope that has nothing left active."""
    for member in _attached_group(task):
        if not member.has_state(TaskState.FINISHED_MASK):
            member.cancel()
    scope = task.workflow
    if scope.get_tasks(state=inspect.ACTIVE, skip_subprocesses=True):
        return
    parent = _enclosing_activity(scope.task_tree)
    if parent is None:
        scope.cancel()
        return
    scope.cancel(success=True)
    parent.set_data(**deepcopy(task.data))
    parent._set_state(TaskState.READY)  # runs on the next engine step and continues after the scope


def _attached_group(task: Any) -> list[Any]:
    if task.parent is not None and isinstance(task.parent.task_spec, BoundaryEventSplit):
        return list(task.parent.children)
    return [task]
