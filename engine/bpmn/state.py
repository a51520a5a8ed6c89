"""Saving and loading a running case (a SpiffWorkflow instance) as JSON, without its spec.

The spec is parsed once per definition version and cached (`engine/definitions.py`), so the
stored state holds only the task tree and data, and a load neither re-parses BPMN nor
re-deserializes a spec. A called process's state names the definition it was bound to
(`definition_id`), so the load takes its spec from that version (engine/bpmn/workflow.py); an
embedded subprocess, or a call entered before bindings were recorded, takes it from its
parent's definition. The restricted script engine is attached on every load: SpiffWorkflow
does not serialize it and would otherwise fall back to unrestricted `eval`.

Format 2 states are compacted (`engine/bpmn/compaction.py`) and carry the completed marks of the
elements compaction removed (`marks`: definition id, process id, element ids). Format 1 states,
written before compaction existed, load and are compacted on the spot: a case that looped for
years is deeper than SpiffWorkflow can walk.

A task's data is stored as SpiffWorkflow stores it (a delta against its parent's), except for a
task that keeps no key of its parent's unchanged (`_TaskConverter`): SpiffWorkflow's own loader
reads either form, so states written before and after load alike.
"""

from __future__ import annotations

import json
import threading
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    TaskConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.serializer.event_definition import MessageEventDefinitionConverter
from SpiffWorkflow.task import Task

from engine.bpmn.compaction import compact, completed_marks
from engine.bpmn.events import MessageEventDefinition
from engine.bpmn.workflow import (
    CaseSubWorkflow,
    CaseWorkflow,
    DefinitionSpecs,
    SpecSource,
    join_all_triggered,
)

STATE_FORMAT = "sagsflow-state-2"
LEGACY_FORMAT = "sagsflow-state-1"  # not compacted, no marks
SPIFF_SERIALIZER_VERSION = "1.5"


class _StateConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """The workflow converter minus the spec, which is supplied by the caller on restore."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def restore(self, dct: dict[str, Any], definition: DefinitionSpecs, specs: SpecSource) -> CaseWorkflow:
        workflow = CaseWorkflow(definition, specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class _TaskConverter(TaskConverter):  # type: ignore[misc]
    """A task's data as SpiffWorkflow stores it (a delta against its parent's: changed keys and
    deleted keys), except where the task inherits no key unchanged from its parent: then its own
    data is stored whole and the delta left empty, which SpiffWorkflow's loader reads as "the
    data as stored". Most such tasks are predicted ones (FUTURE, LIKELY, MAYBE) or joins with no
    data yet, whose delta listed every key of their parent's as deleted: a third of a placed
    case's state. The stored data is never larger, and loads into the same `task.data`."""

    def to_dict(self, task: Task) -> dict[str, Any]:
        dct: dict[str, Any] = super().to_dict(task)
        delta = dct["delta"]
        if task.parent is not None and len(delta["updates"]) == len(task.data):
            dct["data"], dct["delta"] = task.data, {}
        return dct


class _SubWorkflowConverter(BpmnSubWorkflowConverter):  # type: ignore[misc]
    """A subprocess's state plus, for a called process, the definition it was bound to."""

    def to_dict(self, workflow: CaseSubWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = super().to_dict(workflow)
        if workflow.bound:
            dct["definition_id"] = workflow.definition_id
            if workflow.business_key is not None:
                dct["business_key"] = workflow.business_key
        return dct

    def from_dict(self, dct: dict[str, Any], task: Any, top_workflow: CaseWorkflow) -> CaseSubWorkflow:
        bound = dct.get("definition_id")
        owner = bound or task.workflow.definition_id
        definition = top_workflow.specs.definition(owner)
        spec = definition.spec if bound else definition.subprocess_specs.get(task.task_spec.spec)
        if spec is None:
            raise ValueError(f"stored state: no spec for subprocess '{task.task_spec.spec}' in {owner}")
        subprocess = CaseSubWorkflow(
            spec,
            task.id,
            top_workflow,
            definition_id=owner,
            bound=bool(bound),
            business_key=dct.get("business_key"),
            deserializing=True,
        )
        subprocess.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=subprocess)
        subprocess.task_tree = subprocess.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(subprocess, dct)
        return subprocess


class _Serializer:
    def __init__(self) -> None:
        self.registry = BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG)
        MessageEventDefinitionConverter(
            MessageEventDefinition, self.registry, typename="SagsflowMessageEventDefinition"
        )
        _TaskConverter(Task, self.registry, typename="Task")
        # the typename every stored subprocess already carries
        _SubWorkflowConverter(CaseSubWorkflow, self.registry, typename="BpmnSubWorkflow")
        self.converter = _StateConverter(CaseWorkflow, self.registry)
        self.encoder = create_encoder(self.registry, None)


_local = threading.local()


def _serializer() -> _Serializer:
    # The registry toggles an "encoder mode" flag while serializing, so each thread gets its own.
    serializer: _Serializer | None = getattr(_local, "serializer", None)
    if serializer is None:
        serializer = _local.serializer = _Serializer()
    return serializer


def stored_state(workflow: BpmnWorkflow) -> str:
    """The state to store for `workflow`: compacted first (what nothing can return to leaves it),
    so no writer stores a format 2 state that is not compacted."""
    compact(workflow)
    return dump_state(workflow)


def dump_state(workflow: BpmnWorkflow) -> str:
    """`workflow` as it is, as text (`stored_state` is what a writer stores)."""
    serializer = _serializer()
    serializer.registry._encoder_mode = True
    try:
        dct = serializer.converter.to_dict(workflow)
    finally:
        serializer.registry._encoder_mode = False
    dct["marks"] = [[owner, name, ids] for (owner, name), ids in completed_marks(workflow).items()]
    dct["format"] = STATE_FORMAT
    dct["spiff_serializer_version"] = SPIFF_SERIALIZER_VERSION
    return json.dumps(dct, cls=serializer.encoder, separators=(",", ":"), allow_nan=False)


def load_state(
    text: str,
    definition: DefinitionSpecs,
    specs: SpecSource,
    script_engine: PythonScriptEngine,
    business_key: str | None = None,
    *,
    compact_legacy: bool = True,
) -> CaseWorkflow:
    """The case saved as `text`, whose top workflow runs `definition`; `specs` supplies the
    definitions its subprocesses were built from and binds the calls it reaches next. A state
    stored before compaction is compacted unless not `compact_legacy` (a reader that needs its
    finished tasks); the next save compacts it anyway."""
    dct = json.loads(text)
    stored = (dct.pop("format", None), dct.pop("spiff_serializer_version", None))
    if stored[0] not in (STATE_FORMAT, LEGACY_FORMAT) or stored[1] != SPIFF_SERIALIZER_VERSION:
        raise ValueError(f"unsupported stored state format {stored}")
    marks = dct.pop("marks", [])
    workflow = _serializer().converter.restore(dct, definition, specs)
    workflow.script_engine = script_engine
    workflow.business_key = business_key
    completed_marks(workflow).update(((owner, name), list(ids)) for owner, name, ids in marks)
    join_all_triggered(workflow)
    if stored[0] == LEGACY_FORMAT and compact_legacy:
        compact(workflow)
    return workflow


def stored_format(text: str) -> str | None:
    """The format a stored state was written in (`STATE_FORMAT` or `LEGACY_FORMAT`), read without
    parsing the state: the key is written after the task tree, so its last occurrence is the key."""
    key = '"format":"'
    start = text.rfind(key)
    if start < 0:
        return None
    start += len(key)
    return text[start : text.find('"', start)]


def new_workflow(
    definition: DefinitionSpecs,
    specs: SpecSource,
    script_engine: PythonScriptEngine,
    business_key: str | None = None,
) -> CaseWorkflow:
    return CaseWorkflow(definition, specs, business_key, script_engine=script_engine)
