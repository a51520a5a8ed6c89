"""Conditional events (intermediate catch and boundary), as Camunda 7 runs them.

Camunda evaluates a conditional event's condition when the token arrives (a boundary event:
when its activity is entered) and again whenever process variables change, optionally only for
`camunda:variableName` and the `camunda:variableEvents` (create, update, delete) listed. A
condition over a variable that does not exist is false, not an error (Camunda's tryEvaluate).

SpiffWorkflow evaluates the condition only when the waiting task is updated, over that task's
own (stale) copy of the data. `reevaluate` runs after each command and engine step: it compares
the newest variables (the data of the most recently completed task) with what each waiting
conditional event saw last, and on a relevant change evaluates the condition over them and
fires the event if it holds. A non-interrupting boundary event fires once per activity.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import (
    ConditionalEventDefinition as SpiffConditional,
)
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.scripting import evaluate_expression

SEEN = "sagsflow_condition_seen"
VARIABLE_EVENTS = frozenset({"create", "update", "delete"})


class ConditionalEventDefinition(SpiffConditional):  # type: ignore[misc]
    def __init__(
        self,
        expression: str,
        variable_name: str | None = None,
        variable_events: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(expression, **kwargs)
        self.variable_name = variable_name
        self.variable_events = variable_events

    def has_fired(self, my_task: Any) -> bool:
        return bool(my_task._get_internal_data("event_fired", False)) or self.holds(my_task.data)

    def holds(self, data: dict[str, Any]) -> bool:
        try:
            return bool(evaluate_expression(self.expression, data, missing_as_none=True))
        except Exception:
            return False

    def relevant(self, changes: dict[str, str]) -> bool:
        """`changes`: variable name -> "create" | "update" | "delete"."""
        if self.variable_name is not None:
            changes = {k: v for k, v in changes.items() if k == self.variable_name}
        if self.variable_events:
            changes = {k: v for k, v in changes.items() if v in self.variable_events}
        return bool(changes)


def own_conditional(definition: Any, node: Any, camunda_ns: str) -> Any:
    """Replace SpiffWorkflow's conditional definition, keeping camunda:variableName/variableEvents."""
    if type(definition) is not SpiffConditional:
        return definition
    events = (node.get(f"{{{camunda_ns}}}variableEvents") or "").replace(" ", "")
    return ConditionalEventDefinition(
        definition.expression,
        node.get(f"{{{camunda_ns}}}variableName") or None,
        tuple(e for e in events.split(",") if e),
        description=definition.description,
    )


NOTED = "_sagsflow_noted_variables"  # set on the live workflow object only, never saved


def note_changes(workflow: BpmnWorkflow, changed: dict[str, Any], deleted: list[str]) -> None:
    """Variables a command set (or deleted) on the instance directly, not by completing a task."""
    setattr(workflow, NOTED, (dict(changed), list(deleted)))


def reevaluate(workflow: BpmnWorkflow) -> bool:
    """Fire the waiting conditional events whose condition holds after a relevant change of the
    variables; True if any fired."""
    noted: tuple[dict[str, Any], list[str]] = getattr(workflow, NOTED, ({}, []))
    setattr(workflow, NOTED, ({}, []))
    waiting = [
        t
        for t in workflow.get_tasks(state=TaskState.WAITING)
        if isinstance(getattr(t.task_spec, "event_definition", None), ConditionalEventDefinition)
    ]
    if not waiting:
        return False
    current = {**_newest_variables(workflow), **noted[0]}
    for name in noted[1]:
        current.pop(name, None)
    digests = {k: _digest(v) for k, v in current.items() if not k.startswith("_")}
    fired = False
    for task in waiting:
        definition = task.task_spec.event_definition
        changes = _changes(task.internal_data.get(SEEN), digests)
        task.internal_data[SEEN] = digests
        if not definition.relevant(changes):
            continue
        task.set_data(**{k: v for k, v in current.items() if k in digests})
        for name in noted[1]:
            task.data.pop(name, None)
        if definition.holds(task.data):
            task.task_spec.catch(task, BpmnEvent(definition))
            task.task_spec._update(task)
            fired = True
    return fired


def _newest_variables(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The data of the most recently completed task, here or in any subprocess."""
    scopes = [workflow, *workflow.subprocesses.values()]
    last = [s.last_task for s in scopes if s.last_task is not None]
    if not last:
        return dict(workflow.task_tree.data)
    return dict(max(last, key=lambda t: t.last_state_change).data)


def _changes(seen: dict[str, str] | None, now: dict[str, str]) -> dict[str, str]:
    before = seen or {}
    changes = {k: "create" for k in now if k not in before}
    changes |= {k: "update" for k in now if k in before and before[k] != now[k]}
    changes |= {k: "delete" for k in before if k not in now}
    return changes


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]
