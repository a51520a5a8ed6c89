"""Where a new instance starts, as Camunda 7 chooses it.

Camunda starts an instance at exactly one start event: a message start event when a message
starts it (`POST /message`), otherwise the process's none start event or, when the process
has a single start event of another kind, that one. SpiffWorkflow instead readies every top-level
start event and lets the first that fires win, so a process whose only start event is a message
start event would wait for the message after being started explicitly. `fire_start` releases the
start event Camunda would have used.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition as BpmnMessage
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.events import CYCLE_FIRE, CycleTimerEventDefinition, MessageEventDefinition
from engine.camunda_forms import FormReference


def start_events(spec: Any) -> list[Any]:
    """The top-level start event specs of a process spec (event subprocesses have their own specs)."""
    return [s for s in spec.task_specs.values() if isinstance(s, StartEvent)]


def start_messages(spec: Any) -> frozenset[str]:
    """Names of the messages that start the process (its top-level message start events)."""
    return frozenset(
        s.event_definition.name for s in start_events(spec) if isinstance(s.event_definition, BpmnMessage)
    )


def initiator_variables(spec: Any, user_id: str) -> dict[str, str]:
    """`camunda:initiator="name"` on a start event: the variable `name` holds who started the instance."""
    names = [(getattr(s, "extensions", None) or {}).get("camunda:initiator") for s in start_events(spec)]
    return {name: user_id for name in names if name}


def start_form_reference(spec: Any) -> FormReference:
    """The form of the start event an explicit start uses: the none start event's, else the only one's."""
    specs = start_events(spec)
    chosen = [s for s in specs if isinstance(s.event_definition, NoneEventDefinition)] or specs[:1]
    extensions = (getattr(chosen[0], "extensions", None) or {}) if chosen else {}
    version = extensions.get("camunda:formRefVersion")
    return FormReference(
        key=extensions.get("camunda:formKey"),
        ref=extensions.get("camunda:formRef"),
        binding=extensions.get("camunda:formRefBinding") or "latest",
        version=int(version) if version and str(version).isdigit() else None,
    )


class NoStartEventError(ValueError):
    """The process cannot be started this way (no such start event, or no single initial one)."""


def fire_start(workflow: BpmnWorkflow, message_name: str | None = None, event_id: str | None = None) -> bool:
    """Release the start event Camunda would use (True); False when a none start event already ran.

    `message_name`: the message start event for that message; `event_id`: that start event (a
    timer start that fell due). Otherwise the single start event of a process without a none
    start event (a process with several such start events has no initial activity in Camunda
    and cannot be started explicitly)."""
    waiting = [
        t
        for t in workflow.get_tasks(state=TaskState.WAITING, skip_subprocesses=True)
        if isinstance(t.task_spec, StartEvent)
    ]
    if event_id is not None:  # a timer start event that fell due
        chosen = [t for t in waiting if t.task_spec.bpmn_id == event_id]
        if not chosen:
            raise NoStartEventError(f"the process has no start event '{event_id}' waiting")
    elif message_name is not None:
        chosen = [t for t in waiting if _message_name(t) == message_name]
        if not chosen:
            raise NoStartEventError(f"the process has no message start event for '{message_name}'")
    else:
        specs = start_events(workflow.spec)
        if any(isinstance(s.event_definition, NoneEventDefinition) for s in specs) or not waiting:
            return False
        if len(specs) != 1:
            raise NoStartEventError(
                "the process has no none start event and several start events: start it by message"
            )
        chosen = waiting
    _release(chosen[0])
    return True


def keep_only(workflow: BpmnWorkflow, message_name: str | None, event_id: str | None) -> None:
    """Before the first step of an instance a message or timer starts: cancel the process's other
    start events, so that a none start event beside it does not run as well (Camunda starts at
    exactly one start event)."""
    if message_name is None and event_id is None:
        return
    for task in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK, skip_subprocesses=True):
        spec = task.task_spec
        if not isinstance(spec, StartEvent) or task.workflow is not workflow:
            continue
        chosen = spec.bpmn_id == event_id if event_id is not None else _message_name(task) == message_name
        if not chosen:
            task.cancel()


def _message_name(task: Any) -> str | None:
    definition = task.task_spec.event_definition
    return str(definition.name) if isinstance(definition, BpmnMessage) else None


def _release(task: Any) -> None:
    definition = task.task_spec.event_definition
    if isinstance(definition, CycleTimerEventDefinition):  # one slot of the cycle, then done
        task.internal_data["event_value"] = {"cycles": 1, "next": None, "fired": 0}
        task.internal_data[CYCLE_FIRE] = True
        task.task_spec._update(task)
        task.task_spec._update(task)
        return
    payload: Any = (
        {"payload": None, "result_var": None} if isinstance(definition, MessageEventDefinition) else {}
    )
    task.task_spec.catch(task, BpmnEvent(definition, payload))
    task.task_spec._update(task)
