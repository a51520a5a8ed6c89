"""Interrupting event subprocesses, as Camunda 7 runs them.

SpiffWorkflow starts an event subprocess when its start event fires but ignores
`isInterrupting`: the rest of the enclosing process runs on beside it. In BPMN (and Camunda) an
interrupting event subprocess (the default; error start events always are) cancels every other
activity of its enclosing scope first, and the scope ends when the event subprocess ends.

`interrupt` applies that after each engine step: for every event subprocess whose interrupting
start event has fired, every unfinished task of the enclosing workflow outside the event
subprocess is cancelled (with its boundary events, timers and inner subprocesses).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.util.task import TaskState

NON_INTERRUPTING = "bpmn:isInterrupting"
TRIGGERED_BY_EVENT = "bpmn:triggeredByEvent"  # SpiffWorkflow parses event subprocesses as call activities


def is_event_subprocess(spec: Any) -> bool:
    return (getattr(spec, "extensions", None) or {}).get(TRIGGERED_BY_EVENT) == "true"


def is_interrupting(start_spec: Any) -> bool:
    return (getattr(start_spec, "extensions", None) or {}).get(NON_INTERRUPTING) != "false"


def interrupt(workflow: BpmnWorkflow) -> bool:
    """Cancel what interrupting event subprocesses interrupt; True if anything was cancelled."""
    cancelled = False
    for task_id, sub in list(workflow.subprocesses.items()):
        owner = workflow.get_task_from_id(task_id)
        if owner is None or not is_event_subprocess(owner.task_spec) or not _fired_interrupting(sub):
            continue
        for other in _interrupted(owner):
            other.cancel()
            cancelled = True
    return cancelled


def active_interrupting(workflow: BpmnWorkflow) -> bool:
    """True while an interrupting event subprocess of the top process runs (its other event
    subprocesses can no longer start, as in Camunda)."""
    for task_id, sub in workflow.subprocesses.items():
        owner = workflow.get_task_from_id(task_id)
        if (
            owner is not None
            and owner.workflow is workflow
            and is_event_subprocess(owner.task_spec)
            and not owner.has_state(TaskState.FINISHED_MASK)
            and _fired_interrupting(sub)
        ):
            return True
    return False


def _fired_interrupting(sub: Any) -> bool:
    starts = [t for t in sub.get_tasks(skip_subprocesses=True) if isinstance(t.task_spec, StartEvent)]
    return any(t.state == TaskState.COMPLETED and is_interrupting(t.task_spec) for t in starts)


def _interrupted(owner: Any) -> list[Any]:
    """The highest unfinished tasks of `owner`'s workflow outside the event subprocess task and
    everything below it (cancelling a task cancels everything below it)."""
    found = []
    pending = [owner.workflow.task_tree]
    while pending:
        task = pending.pop()
        if task is owner:
            continue
        if _is_ancestor(task, owner) or task.has_state(TaskState.FINISHED_MASK):
            pending.extend(task.children)
        else:
            found.append(task)
    return found


def _is_ancestor(task: Any, of: Any) -> bool:
    node = of.parent
    while node is not None:
        if node is task:
            return True
        node = node.parent
    return False
