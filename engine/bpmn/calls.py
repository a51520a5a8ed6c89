"""Call activities as Camunda 7 runs them.

The called process is not frozen into the caller at deploy: `camunda:calledElementBinding`
(`latest`, the default; `deployment`; `version` with `camunda:calledElementVersion`; `versionTag`
with `camunda:calledElementVersionTag`) is resolved when a token reaches the call activity, and
the called process runs as a child process instance of its own definition version
(engine/bpmn/workflow.py). Variables pass only as `camunda:in`/`camunda:out` say (none without
them), and the business key only with `<camunda:in businessKey="…"/>`. This module holds the
call activity's task spec, what it reads from the XML, the target it asks for when reached, and
the variables it passes in and out.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.defaults import CallActivity, EventSubprocess, TransactionSubprocess

from engine.bpmn.expressions import ExpressionError, is_juel, juel_to_python
from engine.bpmn.scripting import HELPER_NAMES, as_stored, check_expression, evaluate_expression

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
BINDINGS = ("latest", "deployment", "version", "versionTag")


@dataclass(frozen=True)
class VariableMapping:
    """One `camunda:in` or `camunda:out`: a variable, an expression or all variables."""

    source: str | None = None
    source_expression: str | None = None
    target: str | None = None
    variables: str | None = None  # "all"
    local: bool = False

    @property
    def all_variables(self) -> bool:
        return self.variables == "all"

    def problems(self, kind: str) -> list[str]:
        what = f"camunda:{kind}"
        if self.variables is not None and not self.all_variables:
            return [f"{what} variables='{self.variables}': only 'all' exists"]
        given = [self.all_variables, self.source is not None, self.source_expression is not None]
        if sum(given) != 1:
            return [f"{what} needs exactly one of source, sourceExpression or variables='all'"]
        if not self.all_variables and not self.target:
            return [f"{what} with a source needs a target"]
        if self.source_expression is not None:
            return _expression_problems(self.source_expression, f"{what} sourceExpression")
        return []


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
        variables=element.get("variables"),
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
    for text in (settings.called_element, settings.version, settings.version_tag, settings.business_key):
        if text and is_juel(text):
            problems += _expression_problems(text, "expression")
    problems += [p for m in settings.inputs for p in m.problems("in")]
    problems += [p for m in settings.outputs for p in m.problems("out")]
    return problems


def _expression_problems(text: str, what: str) -> list[str]:
    try:
        check_expression(juel_to_python(text, HELPER_NAMES))
    except ExpressionError as err:
        return [f"{what} '{text}': {err}"]
    return []


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

    def business_key(self, my_task: Any, caller_business_key: str | None) -> str | None:
        """The called process's business key: `<camunda:in businessKey="…"/>` evaluated in the
        caller (`#{execution.processBusinessKey}` is the caller's); none without it, as in Camunda."""
        raw = self.call.business_key
        if raw is None or not is_juel(raw):
            return raw
        names = {**my_task.data, "execution": _execution(caller_business_key)}
        try:
            value = evaluate_expression(juel_to_python(raw, HELPER_NAMES), names)
        except Exception as err:
            raise WorkflowTaskException(
                f"businessKey expression '{raw}' failed: {err}", task=my_task
            ) from err
        return None if value is None else str(value)

    def start_workflow(self, my_task: Any) -> None:
        subworkflow = my_task.workflow.top_workflow.call_process(my_task)
        subworkflow.completed_event.connect(self._on_subworkflow_completed, my_task)
        self.copy_data(my_task, subworkflow)
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True, spec_name="Start")
        start.run()

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        """Into the called process: what its camunda:in mappings name, evaluated in the caller;
        nothing without mappings, as in Camunda."""
        if self.pass_all:
            super().copy_data(my_task, subworkflow)
            return
        caller_key = my_task.workflow.top_workflow.business_key_of(my_task.workflow)
        variables = _mapped(self.call.inputs, my_task, my_task.data, caller_key)
        start = subworkflow.get_next_task(subworkflow.task_tree, skip_subprocesses=True, spec_name="Start")
        start.set_data(**variables)

    def update_data(self, my_task: Any, subworkflow: Any) -> None:
        """Back into the caller when the called process ends: what its camunda:out mappings name,
        evaluated in the called process; the caller's other variables stay as they were."""
        if self.pass_all:
            super().update_data(my_task, subworkflow)
            return
        final = subworkflow.last_task.data if subworkflow.last_task is not None else {}
        # local="true" maps into the call activity's own scope, which only camunda:outputParameter
        # would read; Sagsflow does not run those, so such a mapping passes nothing back.
        outputs = [m for m in self.call.outputs if not m.local]
        my_task.set_data(**_mapped(outputs, my_task, final, subworkflow.business_key))


def _execution(business_key: str | None) -> dict[str, Any]:
    """What `execution.…` reads in a call activity's expressions."""
    return {"processBusinessKey": business_key, "businessKey": business_key}


def _mapped(
    mappings: tuple[VariableMapping, ...] | list[VariableMapping],
    my_task: Any,
    data: dict[str, Any],
    business_key: str | None,
) -> dict[str, Any]:
    """The variables `mappings` give, in order (a later one overrides an earlier one), read from
    `data`. A missing source variable maps to null, as in Camunda. `local="true"` reads the call
    activity's local variables: only camunda:inputParameter declares those, and Sagsflow does not
    run them, so that scope is empty."""
    visible = {k: v for k, v in data.items() if not k.startswith("_") and k != "data_objects"}
    result: dict[str, Any] = {}
    for mapping in mappings:
        scope: dict[str, Any] = {} if mapping.local else visible
        if mapping.all_variables:
            result.update(scope)
        elif mapping.source is not None and mapping.target:
            result[mapping.target] = scope.get(mapping.source)
        elif mapping.source_expression is not None and mapping.target:
            result[mapping.target] = _evaluate(my_task, mapping.source_expression, scope, business_key)
    return deepcopy(result)


def _evaluate(my_task: Any, expression: str, scope: dict[str, Any], business_key: str | None) -> Any:
    names = {**scope, "execution": _execution(business_key)}
    try:
        return as_stored(evaluate_expression(juel_to_python(expression, HELPER_NAMES), names))
    except Exception as err:
        raise WorkflowTaskException(f"expression '{expression}' failed: {err}", task=my_task) from err


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
