"""Rewriting a Camunda Modeler document into what SpiffWorkflow evaluates, and refusing what it
cannot run correctly.

Conditions (`${…}`) and timer bodies (`PT24H`, `${deadline}`) are rewritten in place as Python.
Constructs SpiffWorkflow silently gets wrong (link events, interrupting event subprocesses,
compensation, conditional events, non-Python scripts, specific call-activity variable mappings)
are reported as problems with their element ids, so a deploy fails loudly instead of a case
failing silently months later.
"""

from __future__ import annotations

from lxml import etree

from engine.bpmn.decision_task import reference_problems
from engine.bpmn.expressions import (
    ExpressionError,
    juel_to_python,
    normalise_timer,
)
from engine.bpmn.scripting import HELPER_NAMES
from engine.errors import DefinitionProblem

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN, "camunda": CAMUNDA}

_UNSUPPORTED = {
    "linkEventDefinition": "link events are not supported; connect the flow directly",
    "compensateEventDefinition": "compensation is not supported",
    "conditionalEventDefinition": "conditional events are not supported; use a gateway",
    "complexGateway": "complex gateways are not supported",
}
CALL_MAPPING_MESSAGE = "only camunda:in/out variables='all' is supported: all variables are passed in and out"
INTERRUPTING_MESSAGE = (
    "interrupting event subprocesses are not supported; set isInterrupting='false' or use a boundary event"
)
_PYTHON_SCRIPT_FORMATS = {"", "python", "text/x-python"}


def normalise_bpmn(tree: etree._ElementTree, resource: str) -> list[DefinitionProblem]:
    """Rewrite conditions and timers of `tree` in place; return the problems found."""
    root = tree.getroot()
    _name_anonymous_flows(root)
    problems: list[DefinitionProblem] = []
    problems += _check_unsupported(root, resource)
    problems += _rewrite_conditions(root, resource)
    problems += _rewrite_timers(root, resource)
    problems += _check_scripts(root, resource)
    problems += _check_call_activities(root, resource)
    problems += _check_business_rule_tasks(root, resource)
    problems += _check_event_subprocesses(root, resource)
    problems += _check_connections(root, resource)
    if not root.xpath(".//bpmn:process[@isExecutable='true']", namespaces=NS):
        problems.append(DefinitionProblem("no executable process (isExecutable='true')", resource))
    for process in root.iterfind("bpmn:process", NS):
        if process.find("bpmn:startEvent", NS) is None:
            problems.append(_problem(process, resource, "the process has no start event"))
    return problems


def _name_anonymous_flows(root: etree._Element) -> None:
    """Give each sequence flow without an id (valid BPMN; Camunda accepts it) a deterministic one:
    SpiffWorkflow connects flow nodes by flow id and would silently leave the flow unconnected."""
    taken = {str(element.get("id")) for element in root.iter() if element.get("id")}
    for flow in root.iter(f"{{{BPMN}}}sequenceFlow"):
        if flow.get("id"):
            continue
        base = f"Flow_{flow.get('sourceRef')}_{flow.get('targetRef')}"
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base}_{number}"
        flow.set("id", candidate)
        taken.add(candidate)


def _owner_id(element: etree._Element) -> str | None:
    node: etree._Element | None = element
    while node is not None:
        identifier = node.get("id")
        if identifier:
            return str(identifier)
        node = node.getparent()
    return None


def _problem(element: etree._Element, resource: str, message: str) -> DefinitionProblem:
    return DefinitionProblem(message, resource, _owner_id(element), element.sourceline)


def _check_unsupported(root: etree._Element, resource: str) -> list[DefinitionProblem]:
    problems = []
    for tag, message in _UNSUPPORTED.items():
        for element in root.iter(f"{{{BPMN}}}{tag}"):
            problems.append(_problem(element, resource, message))
    return problems


def _rewrite_conditions(root: etree._Element, resource: str) -> list[DefinitionProblem]:
    problems = []
    for element in root.iter(
        f"{{{BPMN}}}conditionExpression",
        f"{{{BPMN}}}completionCondition",
        f"{{{BPMN}}}loopCardinality",
    ):
        language = (element.get("language") or "").lower()
        if language not in ("", "juel", "python"):
            problems.append(_problem(element, resource, f"expression language '{language}' is not supported"))
            continue
        try:
            element.text = juel_to_python(element.text or "", HELPER_NAMES)
        except ExpressionError as err:
            problems.append(_problem(element, resource, str(err)))
    return problems


def _rewrite_timers(root: etree._Element, resource: str) -> list[DefinitionProblem]:
    problems = []
    for definition in root.iter(f"{{{BPMN}}}timerEventDefinition"):
        bodies = [child for child in definition if isinstance(child.tag, str)]
        if len(bodies) != 1:
            problems.append(
                _problem(
                    definition,
                    resource,
                    "a timer needs exactly one of timeDate, timeDuration or timeCycle",
                )
            )
            continue
        try:
            bodies[0].text = normalise_timer(bodies[0].text or "", HELPER_NAMES).python
        except ExpressionError as err:
            problems.append(_problem(definition.getparent(), resource, str(err)))
    return problems


def _check_scripts(root: etree._Element, resource: str) -> list[DefinitionProblem]:
    problems = []
    for task in root.iter(f"{{{BPMN}}}scriptTask"):
        script_format = (task.get("scriptFormat") or "").lower()
        if script_format not in _PYTHON_SCRIPT_FORMATS:
            problems.append(
                _problem(
                    task,
                    resource,
                    f"script format '{script_format}' is not supported; scripts are restricted Python",
                )
            )
        if task.get(f"{{{CAMUNDA}}}resource"):
            problems.append(_problem(task, resource, "external script resources are not supported"))
        if task.find(f"{{{BPMN}}}script") is None:
            problems.append(_problem(task, resource, "the script task has no script"))
    return problems


def _check_call_activities(root: etree._Element, resource: str) -> list[DefinitionProblem]:
    problems = []
    for activity in root.iter(f"{{{BPMN}}}callActivity"):
        if not activity.get("calledElement"):
            problems.append(_problem(activity, resource, "the call activity has no calledElement"))
        mappings = [*activity.iterfind(".//camunda:in", NS), *activity.iterfind(".//camunda:out", NS)]
        if any(mapping.get("variables") != "all" for mapping in mappings):
            problems.append(_problem(activity, resource, CALL_MAPPING_MESSAGE))
    return problems


def _check_business_rule_tasks(root: etree._Element, resource: str) -> list[DefinitionProblem]:
    problems = []
    for task in root.iter(f"{{{BPMN}}}businessRuleTask"):
        problems += [_problem(task, resource, message) for message in reference_problems(task)]
    return problems


_FLOW_NODES = (
    "task",
    "userTask",
    "serviceTask",
    "scriptTask",
    "businessRuleTask",
    "manualTask",
    "sendTask",
    "receiveTask",
    "callActivity",
    "subProcess",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "startEvent",
    "endEvent",
)


def _check_connections(root: etree._Element, resource: str) -> list[DefinitionProblem]:
    """Every flow node is reachable and leads somewhere (SpiffWorkflow would silently stall)."""
    problems = []
    sources = {flow.get("sourceRef") for flow in root.iter(f"{{{BPMN}}}sequenceFlow")}
    targets = {flow.get("targetRef") for flow in root.iter(f"{{{BPMN}}}sequenceFlow")}
    for tag in _FLOW_NODES:
        for node in root.iter(f"{{{BPMN}}}{tag}"):
            if node.get("triggeredByEvent") == "true":
                continue
            identifier = node.get("id")
            if tag != "startEvent" and identifier not in targets:
                problems.append(_problem(node, resource, "no sequence flow leads to this element"))
            if tag != "endEvent" and identifier not in sources:
                problems.append(_problem(node, resource, "no sequence flow leaves this element"))
    return problems


def _check_event_subprocesses(root: etree._Element, resource: str) -> list[DefinitionProblem]:
    problems = []
    for subprocess in root.iter(f"{{{BPMN}}}subProcess"):
        if subprocess.get("triggeredByEvent") != "true":
            continue
        for start in subprocess.iterfind("bpmn:startEvent", NS):
            if start.get("isInterrupting", "true") != "false":
                problems.append(_problem(start, resource, INTERRUPTING_MESSAGE))
    return problems
