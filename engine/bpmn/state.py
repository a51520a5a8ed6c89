"""Saving and loading a running case (a SpiffWorkflow instance) as JSON, without its spec.

The spec is parsed once per definition version and cached (`engine/definitions.py`), so the
stored state holds only the task tree and data, and a load neither re-parses BPMN nor
re-deserializes a spec. The restricted script engine is attached on every load: SpiffWorkflow
does not serialize it and would otherwise fall back to unrestricted `eval`.

Format 2 states are compacted (`engine/bpmn/compaction.py`) and carry the completed marks of the
elements compaction removed (`marks`). Format 1 states, written before compaction existed, load
and are compacted on the spot: a case that looped for years is deeper than SpiffWorkflow can walk.
"""

from __future__ import annotations

import json
import threading
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.serializer.event_definition import MessageEventDefinitionConverter

from engine.bpmn.compaction import compact, completed_marks
from engine.bpmn.events import MessageEventDefinition

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

    def restore(self, dct: dict[str, Any], spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
        workflow = BpmnWorkflow(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class _Serializer:
    def __init__(self) -> None:
        self.registry = BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG)
        MessageEventDefinitionConverter(
            MessageEventDefinition, self.registry, typename="SagsflowMessageEventDefinition"
        )
        self.converter = _StateConverter(BpmnWorkflow, self.registry)
        self.encoder = create_encoder(self.registry, None)


_local = threading.local()


def _serializer() -> _Serializer:
    # The registry toggles an "encoder mode" flag while serializing, so each thread gets its own.
    serializer: _Serializer | None = getattr(_local, "serializer", None)
    if serializer is None:
        serializer = _local.serializer = _Serializer()
    return serializer


def dump_state(workflow: BpmnWorkflow) -> str:
    serializer = _serializer()
    serializer.registry._encoder_mode = True
    try:
        dct = serializer.converter.to_dict(workflow)
    finally:
        serializer.registry._encoder_mode = False
    dct["marks"] = completed_marks(workflow)
    dct["format"] = STATE_FORMAT
    dct["spiff_serializer_version"] = SPIFF_SERIALIZER_VERSION
    return json.dumps(dct, cls=serializer.encoder, separators=(",", ":"), allow_nan=False)


def load_state(
    text: str, spec: Any, subprocess_specs: dict[str, Any], script_engine: PythonScriptEngine
) -> BpmnWorkflow:
    dct = json.loads(text)
    stored = (dct.pop("format", None), dct.pop("spiff_serializer_version", None))
    if stored[0] not in (STATE_FORMAT, LEGACY_FORMAT) or stored[1] != SPIFF_SERIALIZER_VERSION:
        raise ValueError(f"unsupported stored state format {stored}")
    marks = dct.pop("marks", {})
    workflow = _serializer().converter.restore(dct, spec, subprocess_specs)
    workflow.script_engine = script_engine
    completed_marks(workflow).update((name, list(ids)) for name, ids in marks.items())
    if stored[0] == LEGACY_FORMAT:
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
    spec: Any, subprocess_specs: dict[str, Any], script_engine: PythonScriptEngine
) -> BpmnWorkflow:
    return BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
