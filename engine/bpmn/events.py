"""Event definitions Sagsflow substitutes for SpiffWorkflow's own.

Timers: firing is decided by Sagsflow's timer table, not by SpiffWorkflow.

SpiffWorkflow's own timers read the wall clock and use UTC day-count month arithmetic (31 Oct
+ P4M = 3 Mar). Here a timer only "has fired" when Sagsflow's tick has claimed its due row and
set the `event_fired` flag; the due instant itself is computed on the Danish legal calendar by
`engine/timers.py` and stored in the task's `event_value`, exactly once, when the token arrives.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition as SpiffCycle,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition as SpiffDuration,
)
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    TimeDateEventDefinition as SpiffTimeDate,
)
from SpiffWorkflow.camunda.specs.event_definitions import (
    MessageEventDefinition as CamundaMessage,
)
from SpiffWorkflow.util.task import TaskState

FIRED = "event_fired"
CYCLE_FIRE = "sagsflow_cycle_fire"


class TimeDateEventDefinition(SpiffTimeDate):  # type: ignore[misc]
    def has_fired(self, my_task: Any) -> bool:
        return bool(my_task._get_internal_data(FIRED, False))


class DurationTimerEventDefinition(SpiffDuration):  # type: ignore[misc]
    def has_fired(self, my_task: Any) -> bool:
        return bool(my_task._get_internal_data(FIRED, False))


class CycleTimerEventDefinition(SpiffCycle):  # type: ignore[misc]
    """A cycle whose slots are computed by Sagsflow; each claimed slot releases one branch."""

    def cycle_complete(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            return False
        if event_value["cycles"] == 0:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data[FIRED] = True
            return False
        if not my_task.internal_data.pop(CYCLE_FIRE, False):
            return False
        event_value["cycles"] -= 1
        event_value["fired"] = event_value.get("fired", 0) + 1
        event_value["next"] = None  # the next slot is computed by engine/timers.py
        return True

    def update_task(self, my_task: Any) -> None:
        if self.cycle_complete(my_task):
            for output in my_task.task_spec.outputs:
                child = my_task._add_child(output, TaskState.FUTURE)
                child.task_spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)
                child.task_spec._update(child)


class MessageEventDefinition(CamundaMessage):  # type: ignore[misc]
    """A Camunda message: variables sent with it become process variables, as in Camunda 7.

    With `camunda:resultVariable` the payload is stored under that one name instead. A throw
    without `camunda:expression` sends no payload rather than failing.
    """

    def throw(self, my_task: Any) -> None:
        result = None
        if self.expression:
            result = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        event = BpmnEvent(self, payload={"payload": result, "result_var": self.result_var})
        my_task.workflow.top_workflow.catch(event)

    def update_internal_data(self, my_task: Any, event: Any) -> None:
        my_task.internal_data[self.name] = event.payload

    def update_task_data(self, my_task: Any) -> None:
        event_data = my_task.internal_data.get(self.name) or {}
        payload = event_data.get("payload")
        result_var = event_data.get("result_var") or self.result_var
        if result_var:
            my_task.data[result_var] = payload
        elif isinstance(payload, dict):
            my_task.data.update(payload)


def own_message(definition: Any) -> Any:
    """Replace a Camunda message definition by Sagsflow's equivalent."""
    if type(definition) is not CamundaMessage:
        return definition
    return MessageEventDefinition(
        definition.name,
        definition.correlation_properties,
        definition.expression,
        definition.result_var,
        description=definition.description,
    )


OWN_TIMER_CLASSES: dict[type, type] = {
    SpiffTimeDate: TimeDateEventDefinition,
    SpiffDuration: DurationTimerEventDefinition,
    SpiffCycle: CycleTimerEventDefinition,
}
TIMER_KINDS: dict[type, str] = {
    TimeDateEventDefinition: "date",
    DurationTimerEventDefinition: "duration",
    CycleTimerEventDefinition: "cycle",
}


def own_timer(definition: Any) -> Any:
    """Replace a SpiffWorkflow timer definition by Sagsflow's equivalent."""
    cls = OWN_TIMER_CLASSES.get(type(definition))
    if cls is None:
        return definition
    return cls(definition.name, definition.expression, description=definition.description)
