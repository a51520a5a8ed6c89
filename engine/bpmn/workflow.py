"""A case's SpiffWorkflow instance: one top workflow that knows which definition version each of
its (sub)workflows was built from.

SpiffWorkflow creates every subprocess from `top_workflow.subprocess_specs[name]`, one flat map
fixed when the case starts. Here each workflow carries the id of the definition that owns its
spec: an embedded or event subprocess takes its spec from its parent's definition, and a call
activity binds a definition when it is reached (`SpecSource.bind`) and becomes a *child process
instance* of that definition. The state (engine/bpmn/state.py) records each child's bound
definition, so a load rebuilds every child from the version it entered.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow

from engine.bpmn.calls import CallTarget
from engine.bpmn.decision_task import DecisionRef
from engine.bpmn.dmn.model import DecisionModel


class DefinitionSpecs(Protocol):
    """The parsed specs of one definition version."""

    @property
    def id(self) -> str: ...
    @property
    def spec(self) -> Any: ...
    @property
    def subprocess_specs(self) -> dict[str, Any]: ...


class UnboundCallError(Exception):
    """The process a call activity asks for cannot be bound (not deployed, ambiguous)."""


class SpecSource(Protocol):
    """Where a case finds definition specs: by id (loads) and by a call activity's target."""

    def definition(self, definition_id: str) -> DefinitionSpecs: ...

    def bind(self, target: CallTarget, caller_definition_id: str) -> DefinitionSpecs:
        """The definition `target` resolves to now; raises `UnboundCallError`."""
        ...

    def decision(self, ref: DecisionRef, caller_definition_id: str) -> DecisionModel:
        """The DMN file of the decision `ref` resolves to now; raises `DecisionNotFoundError`."""
        ...


class CaseSubWorkflow(BpmnSubWorkflow):  # type: ignore[misc]
    """A subprocess of a case. `bound`: a called process (a child process instance) bound to
    `definition_id`; otherwise an embedded or event subprocess, or a call that was entered before
    bindings were recorded, whose spec belongs to `definition_id` (its parent's definition)."""

    def __init__(
        self,
        spec: Any,
        parent_task_id: Any,
        top_workflow: CaseWorkflow,
        *,
        definition_id: str,
        bound: bool,
        business_key: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.definition_id = definition_id
        self.bound = bound
        self.business_key = business_key  # a called process's, passed by <camunda:in businessKey>
        super().__init__(spec, parent_task_id, top_workflow, **kwargs)

    @property
    def instance_id(self) -> str:
        """A called process's process instance id: the id of its own root task."""
        return str(self.task_tree.id)


class CaseWorkflow(BpmnWorkflow):  # type: ignore[misc]
    """The top workflow of a case, built from definition `definition.id`."""

    def __init__(
        self, definition: DefinitionSpecs, specs: SpecSource, business_key: str | None = None, **kwargs: Any
    ) -> None:
        self.definition_id = definition.id
        self.specs = specs
        self.business_key = business_key  # the case's (not saved with the state: the runner sets it)
        super().__init__(definition.spec, definition.subprocess_specs, **kwargs)

    def call_process(self, my_task: Any) -> CaseSubWorkflow:
        """Bind the target of the call activity `my_task` and create its child process instance."""
        target = my_task.task_spec.target(my_task)
        try:
            bound = self.specs.bind(target, my_task.workflow.definition_id)
        except UnboundCallError as err:
            raise WorkflowTaskException(str(err), task=my_task) from None
        business_key = my_task.task_spec.business_key(my_task, self.business_key_of(my_task.workflow))
        child = CaseSubWorkflow(
            bound.spec, my_task.id, self, definition_id=bound.id, bound=True, business_key=business_key
        )
        self.subprocesses[my_task.id] = child
        return child

    def decision(self, my_task: Any, ref: DecisionRef) -> DecisionModel:
        """Bind the decision of the business rule task `my_task` (engine/bpmn/decision_task.py),
        for the definition that holds the task (its deployment, for the `deployment` binding)."""
        return self.specs.decision(ref, my_task.workflow.definition_id)

    def create_subprocess(self, my_task: Any, spec_name: str) -> CaseSubWorkflow:
        """An embedded, transaction or event subprocess, from its parent's definition."""
        owner = my_task.workflow.definition_id
        spec = self.specs.definition(owner).subprocess_specs.get(spec_name)
        if spec is None:
            raise WorkflowTaskException(f"The subprocess '{spec_name}' was not found.", task=my_task)
        child = CaseSubWorkflow(spec, my_task.id, self, definition_id=owner, bound=False)
        self.subprocesses[my_task.id] = child
        return child

    def children(self) -> list[CaseSubWorkflow]:
        """The case's child process instances (bound calls), parents before their children."""
        return [sub for sub in self.subprocesses.values() if getattr(sub, "bound", False)]

    def business_key_of(self, workflow: Any) -> str | None:
        """The business key of the process instance `workflow` belongs to."""
        return process_of(workflow).business_key

    def child(self, instance_id: str) -> CaseSubWorkflow | None:
        return next((c for c in self.children() if c.instance_id == instance_id), None)


def process_of(workflow: Any) -> CaseWorkflow | CaseSubWorkflow:
    """The process instance a (sub)workflow belongs to: the case's top workflow or a called
    process; an embedded or event subprocess belongs to the one around it."""
    while isinstance(workflow, CaseSubWorkflow) and not workflow.bound:
        workflow = workflow.parent_workflow
    assert isinstance(workflow, CaseWorkflow | CaseSubWorkflow)
    return workflow


_TRIGGERS = threading.Lock()


def join_triggered(workflow: Any, task: Any) -> None:
    """Join a running event subprocess's spec to its process's start, as SpiffWorkflow's
    `BpmnStartTask.trigger_wf` does when the event arrives. A spec parsed after that (a restarted
    service, another worker, a migration's target) has not seen the trigger, and the running
    subprocess task would fail its next update ("no input task connected")."""
    spec = workflow.spec
    with _TRIGGERS:
        if spec.start not in task.task_spec.inputs:
            spec.start.connect(task.task_spec)
            task.task_spec.connect(spec.end)


def join_all_triggered(workflow: CaseWorkflow) -> None:
    """`join_triggered` for every running event subprocess of the case (on load)."""
    for process in [workflow, *workflow.subprocesses.values()]:
        for task in process.tasks.values():
            if task.triggered:
                join_triggered(process, task)
