"""Compiling deployed BPMN and DMN resources into SpiffWorkflow specs, with deploy-time checks.

`compile_resources` is the single entry point: it parses safely, normalises Camunda
expressions, parses with `SagsflowParser` (which keeps the Camunda attributes the stock parser
drops) and walks every spec so that each condition, timer, script and form compiles before
anything is stored. All problems are collected and reported together, with element ids.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator, full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import (
    CONDITIONAL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TIMER_EVENT_XPATH,
    EventBasedGatewayParser,
    ReceiveTaskParser,
    SendTaskParser,
)
from SpiffWorkflow.bpmn.parser.task_parsers import (
    CallActivityParser,
    ConditionalGatewayParser,
    GatewayParser,
    SubprocessParser,
    SubWorkflowParser,
)
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import (
    EventBasedGateway,
    ExclusiveGateway,
    InclusiveGateway,
    ParallelGateway,
    ReceiveTask,
    SendTask,
    ServiceTask,
)
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import CamundaStartEventParser
from SpiffWorkflow.camunda.parser.task_spec import CAMUNDA_MODEL_NS, UserTaskParser
from SpiffWorkflow.camunda.specs.user_task import Form, FormField
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine.bpmn.calls import (
    BoundCallActivity,
    CallSettings,
    EmbeddedSubprocess,
    OwnEventSubprocess,
    OwnTransaction,
    call_settings,
    settings_problems,
)
from engine.bpmn.conditions import own_conditional
from engine.bpmn.decision_task import BusinessRuleTask, BusinessRuleTaskParser, DecisionRef, decision_ref_of
from engine.bpmn.dmn.model import DecisionModel
from engine.bpmn.dmn.parse import read_decisions
from engine.bpmn.event_subprocesses import NON_INTERRUPTING, TRIGGERED_BY_EVENT
from engine.bpmn.events import own_message, own_timer
from engine.bpmn.normalise import normalise_bpmn
from engine.bpmn.pass_through import PassThroughManualTask, PassThroughTask
from engine.bpmn.spec_checks import check_specs
from engine.bpmn.support_check import check_support
from engine.bpmn.xml import kind_of, parse_xml
from engine.errors import DefinitionProblem, InvalidDefinitionError

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml")
DMN_SUFFIXES = (".dmn", ".dmn11.xml")
KEPT_ATTRIBUTES = (
    "assignee",
    "candidateGroups",
    "candidateUsers",
    "dueDate",
    "followUpDate",
    "priority",
    "type",
    "topic",
    "formKey",
    "class",
    "delegateExpression",
    "expression",
    "resultVariable",
    "asyncBefore",
    "asyncAfter",
    "versionTag",
    "initiator",
    "formRef",
    "formRefBinding",
    "formRefVersion",
)


@dataclass(frozen=True)
class Resource:
    name: str
    content: bytes
    id: str | None = None

    @property
    def kind(self) -> str:
        lowered = self.name.lower()
        if lowered.endswith(BPMN_SUFFIXES):
            return "bpmn"
        if lowered.endswith(DMN_SUFFIXES):
            return "dmn"
        return "other"


@dataclass(frozen=True)
class CallSite:
    """A call activity of a compiled process, for the deploy-time check of its target."""

    resource_name: str
    element_id: str
    settings: CallSettings
    task_spec: Any = field(compare=False, repr=False, default=None)


@dataclass
class CompiledProcess:
    """A process and the specs of the subprocesses its own resources hold (embedded and event
    subprocesses; a called process only if it happens to be in the same resources, and even then
    it is bound when reached, see engine/bpmn/calls.py)."""

    id: str
    name: str | None
    resource_name: str
    version_tag: str | None
    spec: Any
    subprocess_specs: dict[str, Any]
    kind: ClassVar[str] = "process"

    @property
    def calls(self) -> list[CallSite]:
        found = {}
        for spec in [self.spec, *self.subprocess_specs.values()]:
            for task_spec in spec.task_specs.values():
                if isinstance(task_spec, BoundCallActivity):
                    site = CallSite(
                        spec.file or self.resource_name, task_spec.bpmn_id, task_spec.call, task_spec
                    )
                    found[(site.resource_name, site.element_id)] = site
        return list(found.values())


@dataclass
class CompiledDecision:
    id: str
    name: str | None
    resource_name: str
    version_tag: str | None = None
    kind: ClassVar[str] = "decision"


@dataclass(frozen=True)
class DecisionUse:
    """A business rule task's reference to a decision, for the deploy-time lookup."""

    ref: DecisionRef
    resource_name: str
    element_id: str | None
    line: int | None


@dataclass
class Bundle:
    processes: dict[str, CompiledProcess] = field(default_factory=dict)
    decisions: dict[str, CompiledDecision] = field(default_factory=dict)
    decision_uses: list[DecisionUse] = field(default_factory=list)


class _CamundaAttributes:
    """Mixin: keep camunda:properties, the Camunda attributes and inputOutput in `extensions`."""

    node: etree._Element
    EVENT_SUBPROCESS_CLASS = OwnEventSubprocess

    def parse_extensions(self, node: etree._Element | None = None) -> dict[str, Any]:
        element = self.node if node is None else node
        extensions: dict[str, Any] = {}
        properties = element.xpath(
            "./bpmn:extensionElements/camunda:properties/camunda:property",
            namespaces={
                "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
                "camunda": CAMUNDA_MODEL_NS,
            },
        )
        for prop in properties:
            extensions[prop.get("name")] = prop.get("value")
        for attribute in KEPT_ATTRIBUTES:
            value = element.get(f"{{{CAMUNDA_MODEL_NS}}}{attribute}")
            if value is not None:
                extensions[f"camunda:{attribute}"] = value
        if element.get("isInterrupting") == "false":
            extensions[NON_INTERRUPTING] = "false"
        if element.get("triggeredByEvent") == "true":
            extensions[TRIGGERED_BY_EVENT] = "true"
        input_output = _input_output(element)
        if input_output:
            extensions["camunda:inputOutput"] = input_output
        extensions.update(_error_variables(element))
        return extensions

    def parse_timer_event(self, event: etree._Element) -> Any:
        return own_timer(super().parse_timer_event(event))  # type: ignore[misc]

    def parse_message_event(self, event: etree._Element) -> Any:
        return own_message(super().parse_message_event(event))  # type: ignore[misc]

    def parse_conditional_event(self, event: etree._Element) -> Any:
        return own_conditional(super().parse_conditional_event(event), event, CAMUNDA_MODEL_NS)  # type: ignore[misc]


def _error_variables(element: etree._Element) -> dict[str, str]:
    """camunda:errorCodeVariable / errorMessageVariable / escalationCodeVariable of a boundary
    event's error or escalation definition."""
    found: dict[str, str] = {}
    definitions = "./*[local-name()='errorEventDefinition' or local-name()='escalationEventDefinition']"
    for definition in element.xpath(definitions):
        for attribute in ("errorCodeVariable", "errorMessageVariable", "escalationCodeVariable"):
            value = definition.get(f"{{{CAMUNDA_MODEL_NS}}}{attribute}")
            if value:
                found[f"camunda:{attribute}"] = value
    return found


def _input_output(element: etree._Element) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for kind in ("inputParameter", "outputParameter"):
        nodes = element.xpath(
            f"./*[local-name()='extensionElements']/*[local-name()='inputOutput']/*[local-name()='{kind}']"
        )
        if nodes:
            found[kind] = {n.get("name"): (n.text or "").strip() for n in nodes}
    return found


class _SagsflowUserTaskParser(_CamundaAttributes, UserTaskParser):  # type: ignore[misc]
    def get_form(self) -> Form:
        """Read camunda:formData even without camunda:formKey (the Modeler's generated forms)."""
        form = Form()
        form.key = self.attribute("formKey", "camunda") or ""
        for xml_field in self.xpath(".//camunda:formData/camunda:formField"):
            field_ = self.get_enum_field(xml_field) if xml_field.get("type") == "enum" else FormField()
            field_.id = xml_field.get("id")
            field_.type = xml_field.get("type") or "string"
            field_.label = xml_field.get("label")
            field_.default_value = xml_field.get("defaultValue")
            for child in xml_field:
                if child.tag == f"{{{CAMUNDA_MODEL_NS}}}properties":
                    for prop in child:
                        field_.add_property(prop.get("id"), prop.get("value"))
                if child.tag == f"{{{CAMUNDA_MODEL_NS}}}validation":
                    for constraint in child:
                        field_.add_validation(constraint.get("name"), constraint.get("config"))
            form.add_field(field_)
        return form


class _StartEventParser(_CamundaAttributes, CamundaStartEventParser):  # type: ignore[misc]
    """Also reads error and escalation start events (of event subprocesses), which the stock parser
    takes for none start events: the handler would start at once instead of on the error."""

    def create_task(self) -> Any:
        definition = self.get_event_definition(
            [
                MESSAGE_EVENT_XPATH,
                SIGNAL_EVENT_XPATH,
                TIMER_EVENT_XPATH,
                CONDITIONAL_EVENT_XPATH,
                ERROR_EVENT_XPATH,
                ESCALATION_EVENT_XPATH,
            ]
        )
        task = self._create_task(definition)
        self.spec.start.connect(task)
        return task


class _SagsflowCallActivityParser(_CamundaAttributes, CallActivityParser):  # type: ignore[misc]
    """Reads the binding and the variable mappings of a call activity (engine/bpmn/calls.py)."""

    spec_class: type
    spec: Any
    bpmn_id: str
    bpmn_attributes: dict[str, Any]

    def create_task(self) -> Any:
        called = SubprocessParser.get_call_activity_spec(self)
        return self.spec_class(
            self.spec,
            self.bpmn_id,
            subworkflow_spec=called,
            call=call_settings(self.node),
            **self.bpmn_attributes,
        )


def _with_attributes(parser_class: type) -> type:
    if issubclass(parser_class, _CamundaAttributes):
        return parser_class
    return type(f"Sagsflow{parser_class.__name__}", (_CamundaAttributes, parser_class), {})


class SagsflowParser(CamundaParser):  # type: ignore[misc]
    """CamundaParser that keeps what the stock one drops and uses Sagsflow's timer definitions."""

    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, tuple[type, type]]] = {
        **{
            tag: (_with_attributes(p), spec)
            for tag, (p, spec) in CamundaParser.OVERRIDE_PARSER_CLASSES.items()
        },
        full_tag("userTask"): (
            _SagsflowUserTaskParser,
            CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag("userTask")][1],
        ),
        full_tag("callActivity"): (_SagsflowCallActivityParser, BoundCallActivity),
        full_tag("businessRuleTask"): (_with_attributes(BusinessRuleTaskParser), BusinessRuleTask),
        full_tag("subProcess"): (_with_attributes(SubWorkflowParser), EmbeddedSubprocess),
        full_tag("transaction"): (_with_attributes(SubWorkflowParser), OwnTransaction),
        full_tag("serviceTask"): (_with_attributes(TaskParser), ServiceTask),
        full_tag("startEvent"): (
            _StartEventParser,
            CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag("startEvent")][1],
        ),
        full_tag("task"): (
            _with_attributes(CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag("task")][0]),
            PassThroughTask,
        ),
        full_tag("manualTask"): (
            _with_attributes(CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag("manualTask")][0]),
            PassThroughManualTask,
        ),
        full_tag("sendTask"): (_with_attributes(SendTaskParser), SendTask),
        full_tag("receiveTask"): (_with_attributes(ReceiveTaskParser), ReceiveTask),
        full_tag("eventBasedGateway"): (
            _with_attributes(EventBasedGatewayParser),
            EventBasedGateway,
        ),
        full_tag("exclusiveGateway"): (
            _with_attributes(ConditionalGatewayParser),
            ExclusiveGateway,
        ),
        full_tag("inclusiveGateway"): (
            _with_attributes(ConditionalGatewayParser),
            InclusiveGateway,
        ),
        full_tag("parallelGateway"): (_with_attributes(GatewayParser), ParallelGateway),
    }


_validator_lock = threading.Lock()
_validator: BpmnValidator | None = None


def _schema_validate(tree: etree._ElementTree, resource: str) -> list[DefinitionProblem]:
    global _validator  # noqa: PLW0603 - the XSD is expensive to load; load once, lazily
    with _validator_lock:
        if _validator is None:
            _validator = BpmnValidator()
        try:
            _validator.validate(tree, resource)
        except ValidationException as err:
            return [DefinitionProblem(f"not valid BPMN 2.0: {err}", resource, None, _line(err))]
    return []


def _line(err: ValidationException) -> int | None:
    line = getattr(err, "line_number", None)
    return line if isinstance(line, int) else None


def compile_resources(resources: Sequence[Resource]) -> Bundle:
    """Compile a deployment's resources or raise `InvalidDefinitionError` with every problem.

    Every file is checked on its own first (safe XML, the BPMN schema, the support registry,
    expressions, every DMN cell), and all of them are compiled together even when some had
    problems, so one answer lists the problems of all files. Nothing outside the deployment is
    compiled in: call activities bind their process (engine/bpmn/calls.py) and business rule tasks
    their decision (engine/bpmn/decision_task.py) when they are reached.
    """
    problems: list[DefinitionProblem] = []
    bpmn_trees: list[tuple[Resource, etree._ElementTree]] = []
    decisions: list[tuple[Resource, DecisionModel]] = []
    for resource in resources:
        if resource.kind == "other":
            continue
        tree, found, readable = _prepare(resource)
        problems += found
        if tree is None or not readable:
            continue
        if resource.kind == "dmn":
            model, found = read_decisions(tree.getroot(), resource.name)
            problems += _not_yet_reported(problems, found)
            decisions.append((resource, model))
        else:
            bpmn_trees.append((resource, tree))
    problems += _duplicate_decisions(decisions)
    if not bpmn_trees and not decisions:
        raise InvalidDefinitionError(
            problems or [DefinitionProblem("no BPMN or DMN resource in the deployment")]
        )
    try:
        bundle = _parse(bpmn_trees)
    except InvalidDefinitionError as err:
        raise InvalidDefinitionError(_with_lines(_merge(problems, err), bpmn_trees)) from None
    if problems:
        raise InvalidDefinitionError(problems)
    for resource, model in decisions:
        for decision in model.decisions.values():
            bundle.decisions[decision.id] = CompiledDecision(
                decision.id, decision.name, resource.name, decision.version_tag
            )
    return bundle


def compile_decisions(resource: Resource) -> DecisionModel:
    """The decisions of one stored DMN file (raises `InvalidDefinitionError` if it no longer compiles)."""
    tree, problems, _ = _prepare(resource)
    if tree is None or problems:
        raise InvalidDefinitionError(problems)
    model, problems = read_decisions(tree.getroot(), resource.name)
    if problems:
        raise InvalidDefinitionError(problems)
    return model


def _not_yet_reported(
    reported: list[DefinitionProblem], found: list[DefinitionProblem]
) -> list[DefinitionProblem]:
    """The DMN reader's problems on elements the support registry has not refused already."""
    seen = {(p.resource, p.element_id) for p in reported}
    return [p for p in found if (p.resource, p.element_id) not in seen]


def _duplicate_decisions(decisions: list[tuple[Resource, DecisionModel]]) -> list[DefinitionProblem]:
    seen: dict[str, str] = {}
    problems = []
    for resource, model in decisions:
        for decision_id in model.decisions:
            if decision_id in seen:
                problems.append(
                    DefinitionProblem(
                        f"the decision id '{decision_id}' is also used in {seen[decision_id]}",
                        resource.name,
                        decision_id,
                    )
                )
            seen.setdefault(decision_id, resource.name)
    return problems


class _ParseFailed(InvalidDefinitionError):
    """SpiffWorkflow could not parse the files (it stops at its first error)."""


def _merge(first: list[DefinitionProblem], error: InvalidDefinitionError) -> list[DefinitionProblem]:
    """`first` plus the compile stage's problems that are not a consequence of them.

    A file with refused parts may fail to parse because of them, and an element whose expression
    could not be translated fails again when compiled: those repeats are left out.
    """
    if not first:
        return error.problems
    if isinstance(error, _ParseFailed):
        return first
    reported = {(p.resource, p.element_id) for p in first}
    return first + [p for p in error.problems if (p.resource, p.element_id) not in reported]


def _with_lines(
    problems: list[DefinitionProblem], trees: list[tuple[Resource, etree._ElementTree]]
) -> list[DefinitionProblem]:
    """Give each problem that names an element the line of that element in its file."""
    lines: dict[tuple[str, str], int] = {}
    for resource, tree in trees:
        for node in tree.getroot().iter():
            identifier = node.get("id") if isinstance(node.tag, str) else None
            if identifier and node.sourceline:
                lines.setdefault((resource.name, identifier), node.sourceline)
    return [
        replace(p, line=lines.get((p.resource or "", p.element_id or "")))
        if p.line is None and p.element_id
        else p
        for p in problems
    ]


def _prepare(resource: Resource) -> tuple[etree._ElementTree | None, list[DefinitionProblem], bool]:
    """(tree, problems, readable): readable is False when the file cannot be compiled at all."""
    try:
        tree = parse_xml(resource.content, resource.name)
    except InvalidDefinitionError as err:
        return None, err.problems, False
    kind = kind_of(tree)
    if kind != resource.kind:
        return None, [DefinitionProblem(f"the file is not {resource.kind.upper()} XML", resource.name)], False
    found = check_support(tree, resource.name)
    if kind == "bpmn":
        invalid = _schema_validate(tree, resource.name)
        if invalid:
            return tree, invalid + found, False
        return tree, found + normalise_bpmn(tree, resource.name), True
    return tree, found, True


def _parse(bpmn_trees: list[tuple[Resource, etree._ElementTree]]) -> Bundle:
    parser = SagsflowParser()
    bundle = Bundle()
    try:
        for resource, tree in bpmn_trees:
            parser.add_bpmn_xml(tree, filename=resource.name)
            bundle.decision_uses += _decision_uses(resource, tree)
        for resource, tree in bpmn_trees:
            for process in _executable_processes(tree):
                bundle.processes[process.get("id")] = _compile_process(parser, process, resource.name)
    except (ValidationException, SpiffWorkflowException, NotImplementedError) as err:
        raise _ParseFailed([_problem_from(err)]) from None
    problems = check_specs(bundle.processes.values()) + _call_problems(bundle.processes.values())
    if problems:
        raise InvalidDefinitionError(problems)
    return bundle


def _decision_uses(resource: Resource, tree: etree._ElementTree) -> list[DecisionUse]:
    tasks = tree.getroot().iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}businessRuleTask")
    return [DecisionUse(decision_ref_of(t), resource.name, t.get("id"), t.sourceline) for t in tasks]


def _executable_processes(tree: etree._ElementTree) -> list[etree._Element]:
    return [p for p in tree.getroot().iter(f"{{{BPMN_NS}}}process") if p.get("isExecutable") == "true"]


def _compile_process(parser: SagsflowParser, node: etree._Element, resource_name: str) -> CompiledProcess:
    process_id = node.get("id")
    subprocess_specs = parser.get_subprocess_specs(process_id, require_call_activity_specs=False)
    return CompiledProcess(
        id=process_id,
        name=node.get("name"),
        resource_name=resource_name,
        version_tag=node.get(f"{{{CAMUNDA_MODEL_NS}}}versionTag"),
        spec=parser.get_spec(process_id),
        subprocess_specs={name: spec for name, spec in subprocess_specs.items() if spec is not None},
    )


def _call_problems(processes: Iterable[CompiledProcess]) -> list[DefinitionProblem]:
    return [
        DefinitionProblem(message, call.resource_name, call.element_id)
        for process in processes
        for call in process.calls
        for message in settings_problems(call.settings)
    ]


def _problem_from(err: Exception) -> DefinitionProblem:
    element_id = getattr(err, "id", None) or None
    resource = getattr(err, "file_name", None) or None
    message = str(err).split("\n")[0]
    return DefinitionProblem(
        message, resource, element_id, _line(err) if isinstance(err, ValidationException) else None
    )
