"""Call activities as Camunda 7 runs them.

The called process is not frozen into the caller at deploy: `camunda:calledElementBinding`
(`latest`, the default; `deployment`; `version` with `camunda:calledElementVersion`; `versionTag`
with `camunda:calledElementVersionTag`) is resolved when a token reaches the call activity, and
the called process runs as a child process instance of its own definition version
(engine/bpmn/workflow.py). This module holds the call activity's task spec, what it reads from
the XML, and the target it asks for when reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.defaults import CallActivity, EventSubprocess, TransactionSubprocess

from engine.bpmn.expressions import ExpressionError, is_juel, juel_to_python
from engine.bpmn.scripting import HELPER_NAMES

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
BINDINGS = ("latest", "deployment", "version", "versionTag")


@dataclass(frozen=True)
class VariableMapping:
    """One `camunda:in` or `camunda:out`: a variable, an expression or all variables."""

    source: str | None = None
    source_expression: str | None = None
    target: str | None = None
    all_variables: bool = False
    local: bool = False


@dataclass(frozen=True)
class CallSettings:
    """What a call activity says about the process it calls and the data it passes."""

    called_element: str
    binding: str = "latest"
    version: str | None = None  # calledElementVersion: a number or ${…}
    version_tag: str | None = None
    inputs: tuple[VariableMapping, ...] = ()
    outputs: tuple[VariableMapping, ...] = ()
    business_key: str | None = None  # the expression of <camunda:in businessKey="…"/>


@dataclass(frozen=True)
class CallTarget:
    """The definition a reached call activity asks for, its expressions evaluated."""

    key: str
    binding: str = "latest"
    version: int | None = None
    version_tag: str | None = None

    @property
    def label(self) -> str:
        """The key, and which version of it the binding asks for."""
        if self.binding == "version":
            return f"{self.key} (version {self.version})"
        if self.binding == "versionTag":
            return f"{self.key} (versionTag {self.version_tag})"
        if self.binding == "deployment":
            return f"{self.key} (in the caller's deployment)"
        return self.key


def call_settings(node: etree._Element) -> CallSettings:
    """Read a `bpmn:callActivity` element."""

    def attribute(name: str) -> str | None:
        value = node.get(f"{{{CAMUNDA}}}{name}")
        return value.strip() if value is not None and value.strip() else None

    mappings = {
        kind: node.xpath(f"./*[local-name()='extensionElements']/*[local-name()='{kind}']")
        for kind in ("in", "out")
    }
    business_keys = [m.get("businessKey") for m in mappings["in"] if m.get("businessKey") is not None]
    return CallSettings(
        called_element=(node.get("calledElement") or "").strip(),
        binding=attribute("calledElementBinding") or "latest",
        version=attribute("calledElementVersion"),
        version_tag=attribute("calledElementVersionTag"),
        inputs=tuple(_mapping(m) for m in mappings["in"] if m.get("businessKey") is None),
        outputs=tuple(_mapping(m) for m in mappings["out"]),
        business_key=business_keys[-1] if business_keys else None,
    )


def _mapping(element: etree._Element) -> VariableMapping:
    return VariableMapping(
        source=element.get("source"),
        source_expression=element.get("sourceExpression"),
        target=element.get("target"),
        all_variables=element.get("variables") == "all",
        local=element.get("local") == "true",
    )


def settings_problems(settings: CallSettings) -> list[str]:
    """What is wrong with a call activity's settings, before anything runs."""
    problems = []
    if not settings.called_element:
        problems.append("the call activity has no calledElement")
    if settings.binding not in BINDINGS:
        problems.append(f"calledElementBinding '{settings.binding}' is not one of {', '.join(BINDINGS)}")
    if settings.binding == "version" and not settings.version:
        problems.append("calledElementBinding 'version' needs camunda:calledElementVersion")
    literal = settings.version if settings.version and not is_juel(settings.version) else None
    if settings.binding == "version" and literal is not None and (not literal.isdigit() or int(literal) < 1):
        problems.append(f"calledElementVersion '{literal}' is not a version number")
    if settings.binding == "versionTag" and not settings.version_tag:
        problems.append("calledElementBinding 'versionTag' needs camunda:calledElementVersionTag")
    for text in (settings.called_element, settings.version, settings.version_tag):
        if text and is_juel(text):
            try:
                juel_to_python(text, HELPER_NAMES)
            except ExpressionError as err:
                problems.append(f"expression '{text}': {err}")
    return problems


def _text(task: Any, raw: str | None) -> str | None:
    """A literal, or the value of a `${…}` expression over the task's data."""
    if raw is None or not is_juel(raw):
        return raw
    try:
        value = task.workflow.script_engine.evaluate(task, juel_to_python(raw, HELPER_NAMES))
    except Exception as err:
        raise WorkflowTaskException(f"expression '{raw}' failed: {err}", task=task) from err
    return None if value is None else str(value)


class BoundCallActivity(CallActivity):  # type: ignore[misc]
    """A call activity whose called process is bound when a token reaches it.

    The case's workflow (`CaseWorkflow.call_process`) resolves `target(task)` to a deployed
    definition and creates the child from that definition's spec, so the caller's definition
    never holds the called process.
    """

    def __init__(
        self,
        wf_spec: Any,
        bpmn_id: str,
        subworkflow_spec: str,
        call: CallSettings | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(wf_spec, bpmn_id, subworkflow_spec, **kwargs)
        self.call = call or CallSettings(subworkflow_spec)
        self.pass_all = False  # set for definitions deployed before the mappings were applied

    def target(self, my_task: Any) -> CallTarget:
        key = _text(my_task, self.call.called_element) or ""
        if not key:
            raise WorkflowTaskException("the calledElement expression gave no process key", task=my_task)
        version = None
        if self.call.binding == "version":
            text = _text(my_task, self.call.version) or ""
            if not text.isdigit():
                raise WorkflowTaskException(
                    f"calledElementVersion '{text}' is not a version number", task=my_task
                )
            version = int(text)
        tag = _text(my_task, self.call.version_tag) if self.call.binding == "versionTag" else None
        return CallTarget(key, self.call.binding, version, tag)

    def start_workflow(self, my_task: Any) -> None:
        subworkflow = my_task.workflow.top_workflow.call_process(my_task)
        subworkflow.completed_event.connect(self._on_subworkflow_completed, my_task)
        self.copy_data(my_task, subworkflow)
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True, spec_name="Start")
        start.run()


class _OwnSpecStart:
    """Embedded, transaction and event subprocesses: their spec comes from the definition that
    holds them (`CaseWorkflow.create_subprocess`), not from the top workflow's specs, so those of
    a called process version are found too."""

    def start_workflow(self, my_task: Any) -> None:
        subworkflow = my_task.workflow.top_workflow.create_subprocess(my_task, self.spec)  # type: ignore[attr-defined]
        subworkflow.completed_event.connect(self._on_subworkflow_completed, my_task)  # type: ignore[attr-defined]
        self.copy_data(my_task, subworkflow)  # type: ignore[attr-defined]
        start = subworkflow.get_next_task(spec_name="Start")
        start.run()


class EmbeddedSubprocess(_OwnSpecStart, CallActivity):  # type: ignore[misc]
    """An embedded `bpmn:subProcess` (SpiffWorkflow's Camunda parser runs it as a call activity
    sharing all data, which is what an embedded subprocess's scope is)."""


class OwnTransaction(_OwnSpecStart, TransactionSubprocess):  # type: ignore[misc]
    pass


class OwnEventSubprocess(_OwnSpecStart, EventSubprocess):  # type: ignore[misc]
    pass
