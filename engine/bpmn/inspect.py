"""Reading the wait states of a live SpiffWorkflow instance.

After every step the engine mirrors these into tables (open tasks, timers, message
subscriptions, current activities) so that queries never need to load an instance.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition as BpmnMessage
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.camunda.specs.user_task import UserTask
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import event_subprocesses
from engine.bpmn.events import TIMER_KINDS
from engine.bpmn.expressions import is_juel, juel_to_python
from engine.bpmn.scripting import FORM_DEFAULT_HELPERS, evaluate_expression
from engine.bpmn.workflow import CaseSubWorkflow, CaseWorkflow, process_of
from engine.calendar import local_date, to_utc
from engine.forms import typed_default
from engine.model import FormFieldInfo

ACTIVE = TaskState.READY | TaskState.STARTED | TaskState.WAITING


@dataclass(frozen=True)
class WaitingTimer:
    task: Any
    definition: Any
    kind: str


def element_id(task: Any) -> str | None:
    return getattr(task.task_spec, "bpmn_id", None)


def element_name(task: Any) -> str:
    spec = task.task_spec
    return str(getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name)


def element_names(specs: list[Any]) -> dict[str, str]:
    """id -> label of every named element of these (sub)process specs."""
    names: dict[str, str] = {}
    for spec in specs:
        for task_spec in getattr(spec, "task_specs", {}).values():
            element, name = getattr(task_spec, "bpmn_id", None), getattr(task_spec, "bpmn_name", None)
            if element and name:
                names.setdefault(element, str(name))
    return names


def extensions(task: Any) -> dict[str, Any]:
    return dict(getattr(task.task_spec, "extensions", None) or {})


def guarded_deadline(task: Any) -> str | None:
    """The legal rule (`deadline` property) of the breach timer on `task`'s boundary, if it has one:
    the deadline its due date keeps (e.g. "investigation" on the børnefaglig undersøgelse)."""
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return None
    for spec in parent.task_spec.outputs:
        properties = getattr(spec, "extensions", None) or {}
        if properties.get("purpose") == "breach" and properties.get("deadline"):
            return str(properties["deadline"])
    return None


@dataclass(frozen=True)
class Snapshot:
    """Where an instance stands, read in one walk of its task tree (each walk visits every finished
    task too, so the mirroring after a step reads everything it needs from this one)."""

    workflow: BpmnWorkflow
    active: tuple[Any, ...]

    @cached_property
    def ready_user_tasks(self) -> list[Any]:
        return [t for t in self.active if t.state == TaskState.READY and t.task_spec.manual]

    @cached_property
    def external_tasks(self) -> list[Any]:
        """Service tasks waiting for a worker: SpiffWorkflow leaves them STARTED."""
        return [
            t for t in self.active if t.state == TaskState.STARTED and isinstance(t.task_spec, ServiceTask)
        ]

    @cached_property
    def waiting(self) -> list[Any]:
        return [t for t in self.active if t.state == TaskState.WAITING]

    @cached_property
    def timers(self) -> list[WaitingTimer]:
        found = []
        for task in self.waiting:
            for definition in _event_definitions(task):
                kind = TIMER_KINDS.get(type(definition))
                if kind is not None:
                    found.append(WaitingTimer(task, definition, kind))
        return found

    @cached_property
    def messages(self) -> list[WaitingMessage]:
        """Catch events and receive tasks waiting for a message, plus the message start events of the
        top process's event subprocesses (SpiffWorkflow creates those subprocesses when the message
        arrives; the process's root task stands in for the waiting task)."""
        found = [
            WaitingMessage(task, definition, element_id(task))
            for task in self.waiting
            for definition in _event_definitions(task)
            if isinstance(definition, BpmnMessage)
        ]
        if not self.workflow.completed and not event_subprocesses.active_interrupting(self.workflow):
            found += _event_subprocess_starts(self.workflow)
        return found

    @cached_property
    def current_activities(self) -> list[str]:
        """Element ids where a token stands (user tasks, external tasks, waiting events, subprocesses)."""
        return list(dict.fromkeys(i for t in self.active if (i := element_id(t))))

    @cached_property
    def stuck(self) -> bool:
        """Not completed but nothing can ever move it (e.g. a dead-end flow), here or in a subprocess."""
        if not self.workflow.completed and not self.active:
            return True
        moving = {id(t.workflow) for t in self.active}
        return any(not sub.completed and id(sub) not in moving for sub in self.workflow.subprocesses.values())


@dataclass(frozen=True)
class CalledInstance:
    """A process a call activity started in the case: a child process instance."""

    id: str
    super_id: str | None  # the process instance of the call activity; None: the case itself
    super_task_id: str
    super_element_id: str | None
    definition_id: str
    process_key: str
    business_key: str | None
    state: str  # active, completed or terminated


def called_instances(workflow: CaseWorkflow) -> dict[str, CalledInstance]:
    """The case's child process instances by id, parents before their children."""
    found = {}
    for child in workflow.children():
        call = workflow.get_task_from_id(child.parent_task_id)
        caller = process_of(call.workflow)
        found[child.instance_id] = CalledInstance(
            id=child.instance_id,
            super_id=caller.instance_id if isinstance(caller, CaseSubWorkflow) else None,
            super_task_id=str(child.parent_task_id),
            super_element_id=element_id(call),
            definition_id=child.definition_id,
            process_key=str(child.spec.name),
            business_key=child.business_key,
            state=_state_of(child),
        )
    return found


def _state_of(workflow: Any) -> str:
    if not workflow.completed:
        return "active"
    return "completed" if workflow.success else "terminated"


@dataclass(frozen=True)
class OwningProcess:
    """The process instance a task runs in: a called process (`id`), or the case (`id` None)."""

    id: str | None
    definition_id: str
    process_key: str


def process_instance_of(task: Any) -> OwningProcess:
    process = process_of(task.workflow)
    called = process.instance_id if isinstance(process, CaseSubWorkflow) else None
    return OwningProcess(called, process.definition_id, str(process.spec.name))


def process_variables(workflow: CaseWorkflow, called_id: str | None) -> dict[str, Any] | None:
    """The variables of one process instance of the case (`called_id` None: the case's own; else a
    called process's), as its most advanced active task sees them; None when the case's state
    holds no such called process."""
    process: CaseWorkflow | CaseSubWorkflow | None = (
        workflow if called_id is None else workflow.child(called_id)
    )
    if process is None:
        return None
    active = [t for t in workflow.get_tasks(state=ACTIVE) if process_of(t.workflow) is process]
    source = active[-1] if active else (process.last_task or process.task_tree)
    return {k: v for k, v in source.data.items() if not k.startswith("_") and k != "data_objects"}


def attached_activity(task: Any) -> Any | None:
    """The activity a boundary event's task is attached to (None for any other task)."""
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return None
    return next((c for c in parent.children if not isinstance(c.task_spec, BoundaryEvent)), None)


def find_task(workflow: BpmnWorkflow, task_id: str) -> Any | None:
    """The task `task_id` of `workflow` or one of its subprocesses (None if it is not there)."""
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except (TaskNotFoundException, ValueError):
        return None


def is_completed(workflow: BpmnWorkflow, task_id: str) -> bool:
    """True if the task `task_id` of `workflow` (or of one of its subprocesses) has completed."""
    task = find_task(workflow, task_id)
    return task is not None and task.state == TaskState.COMPLETED


def snapshot(workflow: BpmnWorkflow) -> Snapshot:
    return Snapshot(workflow, tuple(workflow.get_tasks(state=ACTIVE)))


def element_marks(process: Any) -> tuple[list[str], list[str]]:
    """(completed, active) element ids of one process (the top workflow or one subprocess), not of
    the subprocesses it calls. An element in a loop can be both."""
    tasks = process.get_tasks(skip_subprocesses=True)
    completed = [i for t in tasks if t.state == TaskState.COMPLETED and (i := element_id(t))]
    active = [i for t in tasks if t.state & ACTIVE and (i := element_id(t))]
    return completed, active


def _event_definitions(task: Any) -> list[Any]:
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return list(definition.event_definitions)
    return [definition] if definition is not None else []


def waiting_timers(workflow: BpmnWorkflow) -> list[WaitingTimer]:
    return snapshot(workflow).timers


@dataclass(frozen=True)
class WaitingMessage:
    """Something that would catch a message: a waiting task, or an event subprocess's start event."""

    task: Any
    definition: Any
    element_id: str | None


def waiting_messages(workflow: BpmnWorkflow) -> list[WaitingMessage]:
    return snapshot(workflow).messages


def _event_subprocess_starts(workflow: BpmnWorkflow) -> list[WaitingMessage]:
    starts = []
    for name in workflow.spec.start.trigger_specs:
        spec = workflow.subprocess_specs.get(name)
        for start in spec.bpmn_start_events if spec is not None else ():
            if isinstance(start.event_definition, BpmnMessage):
                starts.append(WaitingMessage(workflow.task_tree, start.event_definition, start.bpmn_id))
    return starts


def form_fields(task: Any, *, opened_at: datetime | None = None) -> tuple[FormFieldInfo, ...]:
    """The task's form. With `opened_at` (the instant the form is opened), `${…}` defaults are
    computed from the case data as it stands then, `today()` and `now()` being that day and instant,
    and typed as their field (a yes/no field's default is a boolean, a date field's YYYY-MM-DD);
    otherwise they are left as written."""
    spec = task.task_spec
    if not isinstance(spec, UserTask):
        return ()
    fields = tuple(_form_field(f) for f in spec.form.fields)
    if opened_at is None:
        return fields
    helpers = {
        "today": lambda: local_date(opened_at).isoformat(),
        "now": lambda: to_utc(opened_at).isoformat(),
    }
    return tuple(
        replace(f, default=typed_default(f, _default(f.default, task.data, helpers))) for f in fields
    )


def _default(raw: Any, data: dict[str, Any], helpers: dict[str, Any]) -> Any:
    if not isinstance(raw, str) or not is_juel(raw):
        return raw
    try:
        python = juel_to_python(raw, FORM_DEFAULT_HELPERS)
        return evaluate_expression(python, data, missing_as_none=True, functions=helpers)
    except Exception:
        return None


def _form_field(field: Any) -> FormFieldInfo:
    constraints = tuple((v.name, v.config) for v in field.validation)
    options = tuple((o.id, o.name) for o in getattr(field, "options", []))
    return FormFieldInfo(
        id=field.id,
        label=field.label,
        type=field.type,
        required=any(name == "required" for name, _ in constraints),
        options=options,
        default=field.default_value,
        constraints=constraints,
    )
