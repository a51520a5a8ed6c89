"""The activity-instance tree of a running case: where its tokens stand, Camunda style.

The root is the process; below it every waiting or active activity (user task, external task,
catch event, receive task, event-based gateway), with embedded subprocesses as inner nodes. A
call activity is a leaf: the process it called is a process instance with a tree of its own.
Engine-internal tasks (splits, joins, start markers) and boundary events waiting on an activity
are not activity instances in Camunda and are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import (
    BoundaryEvent,
    EventBasedGateway,
    ReceiveTask,
)
from SpiffWorkflow.bpmn.specs.mixins.service_task import ServiceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity, SubWorkflowTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask

from engine.bpmn import inspect
from engine.model import ActivityInstanceInfo

_TYPES: tuple[tuple[type, str], ...] = (
    (UserTask, "userTask"),
    (ServiceTask, "serviceTask"),
    (ReceiveTask, "receiveTask"),
    (EventBasedGateway, "eventBasedGateway"),
    (CallActivity, "callActivity"),
    (SubWorkflowTask, "subProcess"),
)


def activity_tree(
    workflow: BpmnWorkflow,
    *,
    instance_id: str,
    definition_id: str,
    process_key: str,
    process_name: str | None,
    incidents: Mapping[str, tuple[str, ...]],
) -> ActivityInstanceInfo:
    """`incidents` maps a task id to the ids of its open incidents."""
    return ActivityInstanceInfo(
        id=instance_id,
        activity_id=process_key,
        activity_type="processDefinition",
        name=process_name,
        children=_children(workflow, incidents),
        definition_id=definition_id,
    )


def _children(workflow: Any, incidents: Mapping[str, tuple[str, ...]]) -> tuple[ActivityInstanceInfo, ...]:
    nodes = []
    for task in workflow.get_tasks(state=inspect.ACTIVE, skip_subprocesses=True):
        kind = activity_type(task.task_spec)
        element = inspect.element_id(task)
        if kind is None or element is None:
            continue
        sub = workflow.top_workflow.subprocesses.get(task.id)
        if getattr(sub, "bound", False):
            sub = None  # a called process is a process instance of its own, with its own tree
        nodes.append(
            ActivityInstanceInfo(
                id=f"{element}:{task.id}",
                activity_id=element,
                activity_type=kind,
                name=getattr(task.task_spec, "bpmn_name", None),
                children=_children(sub, incidents) if sub is not None else (),
                incident_ids=incidents.get(str(task.id), ()),
            )
        )
    return tuple(nodes)


def activity_type(spec: Any) -> str | None:
    """Camunda's activityType for a task spec; None for what Camunda does not show."""
    if isinstance(spec, BoundaryEvent):
        return None
    for cls, name in _TYPES:
        if isinstance(spec, cls):
            return name
    if isinstance(spec, CatchingEvent):
        definition = spec.event_definition
        if isinstance(definition, TimerEventDefinition):
            return "intermediateTimer"
        if isinstance(definition, MessageEventDefinition):
            return "intermediateMessageCatch"
        if isinstance(definition, ConditionalEventDefinition):
            return "intermediateConditional"
        return "intermediateCatchEvent"
    return None
