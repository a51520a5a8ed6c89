"""Rewriting a Camunda Modeler document into what SpiffWorkflow evaluates, and refusing what it
cannot run correctly.

Conditions (`${…}`) and timer bodies (`PT24H`, `${deadline}`) are rewritten in place as Python.
What SpiffWorkflow cannot run is refused by the support registry (engine/bpmn/support.py), not
here; this module reports only expressions it cannot translate and flow that would stall (an
element no sequence flow reaches or leaves, a process without a start event). It also fills in
what Camunda reads into a valid diagram and SpiffWorkflow does not: ids of sequence flows
without one, QName references, and implicit end events after activities without outgoing flow.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.bpmn.decision_task import reference_problems
from engine.bpmn.expressions import (
    ExpressionError,
    juel_to_python,
    normalise_timer,
)
from engine.bpmn.scripting import HELPER_NAMES
from engine.bpmn.xml import owner_id
from engine.errors import DefinitionProblem

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN, "camunda": CAMUNDA}


def normalise_bpmn(tree: etree._ElementTree, resource: str) -> list[DefinitionProblem]:
    """Rewrite conditions and timers of `tree` in place; return the problems found."""
    root = tree.getroot()
    _drop_data_flow(root)
    _name_anonymous_flows(root)
    _unqualify_references(root)
    _add_implicit_ends(root)
    problems: list[DefinitionProblem] = []
    problems += _rewrite_conditions(root, resource)
    problems += _rewrite_timers(root, resource)
    problems += _check_business_rule_tasks(root, resource)
    problems += _check_connections(root, resource)
    if not root.xpath(".//bpmn:process[@isExecutable='true']", namespaces=NS):
        problems.append(DefinitionProblem("no executable process (isExecutable='true')", resource))
    for process in root.iterfind("bpmn:process", NS):
        if process.find("bpmn:startEvent", NS) is None:
            problems.append(_problem(process, resource, "the process has no start event"))
    return problems


# Camunda 7 ignores these; SpiffWorkflow would move variables through them (engine/bpmn/support.py).
_DATA_FLOW = (
    "ioSpecification",
    "dataInputAssociation",
    "dataOutputAssociation",
    "property",
    "loopDataInputRef",
    "loopDataOutputRef",
    "inputDataItem",
    "outputDataItem",
    "dataStore",
    "dataStoreReference",
    "dataObject",
    "dataObjectReference",
)


def _drop_data_flow(root: etree._Element) -> None:
    for element in list(root.iter(*(f"{{{BPMN}}}{tag}" for tag in _DATA_FLOW))):
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)


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


_REFERENCES = (
    "messageRef",
    "errorRef",
    "escalationRef",
    "signalRef",
    "sourceRef",
    "targetRef",
    "attachedToRef",
)


def _unqualify_references(root: etree._Element) -> None:
    """`messageRef="tns:newInvoice"`, where `tns` is the document's own target namespace, names the
    element `newInvoice` (Camunda resolves the QName; SpiffWorkflow matches the text)."""
    own = root.get("targetNamespace")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in _REFERENCES:
            value = element.get(attribute)
            if value and ":" in value:
                prefix, _, local = value.partition(":")
                if element.nsmap.get(prefix) == own:
                    element.set(attribute, local)


_ACTIVITIES = (
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
)
_IMPLICIT_END_SOURCES = (*_ACTIVITIES, "intermediateCatchEvent", "intermediateThrowEvent")


def _add_implicit_ends(root: etree._Element) -> None:
    """An activity without an outgoing sequence flow ends its path there (BPMN's implicit end, which
    Camunda runs); SpiffWorkflow needs an end event to complete the scope, so one is added."""
    sources = {flow.get("sourceRef") for flow in root.iter(f"{{{BPMN}}}sequenceFlow")}
    for tag in _IMPLICIT_END_SOURCES:
        for node in list(root.iter(f"{{{BPMN}}}{tag}")):
            identifier = node.get("id")
            if not identifier or identifier in sources or node.get("triggeredByEvent") == "true":
                continue
            if node.get("isForCompensation") == "true":
                continue
            parent = node.getparent()
            end = etree.SubElement(parent, f"{{{BPMN}}}endEvent", id=f"{identifier}_implicit_end")
            flow = etree.SubElement(parent, f"{{{BPMN}}}sequenceFlow", id=f"{identifier}_implicit_flow")
            flow.set("sourceRef", identifier)
            flow.set("targetRef", end.get("id"))


_CRON_FIELD = re.compile(r"^[0-9*?/,\-LW#A-Za-z]+$")


def is_cron(text: str) -> bool:
    """Six or seven Quartz fields (seconds first), e.g. '0/5 0/1 * 1/1 * ? *'."""
    fields = text.split()
    return len(fields) in (6, 7) and all(_CRON_FIELD.match(f) for f in fields)


def _problem(element: etree._Element, resource: str, message: str) -> DefinitionProblem:
    return DefinitionProblem(message, resource, owner_id(element), element.sourceline)


def _rewrite_conditions(root: etree._Element, resource: str) -> list[DefinitionProblem]:
    problems = []
    for element in root.iter(
        f"{{{BPMN}}}conditionExpression",
        f"{{{BPMN}}}completionCondition",
        f"{{{BPMN}}}loopCardinality",
        f"{{{BPMN}}}condition",
    ):
        language = (element.get("language") or "").lower()
        if language not in ("", "juel", "python"):
            element.text = "False"  # refused by the support registry; not compiled as Python
            continue
        try:
            element.text = juel_to_python(element.text or "", HELPER_NAMES)
        except ExpressionError as err:
            problems.append(_problem(element, resource, str(err)))
            element.text = "False"  # reported once here, not again when the spec is compiled
    return problems


def _starts_process(timer: etree._Element) -> bool:
    """A timer start event of the process itself (not of an event subprocess)."""
    start = timer.getparent()
    owner = start.getparent() if start is not None else None
    return (
        start is not None
        and owner is not None
        and etree.QName(start).localname == "startEvent"
        and etree.QName(owner).localname == "process"
    )


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
        if _starts_process(definition):  # read and checked by engine/start_schedule.py, not run here
            bodies[0].text = _PLACEHOLDERS.get(etree.QName(bodies[0]).localname, "None")
            continue
        if is_cron(bodies[0].text or ""):  # a Quartz cron cycle: engine/cron.py reads it
            bodies[0].text = repr(" ".join((bodies[0].text or "").split()))
            continue
        try:
            bodies[0].text = normalise_timer(bodies[0].text or "", HELPER_NAMES).python
        except ExpressionError as err:
            problems.append(_problem(definition.getparent(), resource, str(err)))
            bodies[0].text = _PLACEHOLDERS.get(etree.QName(bodies[0]).localname, "None")
    return problems


_FLOW_NODES = (
    *_ACTIVITIES,
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "startEvent",
    "endEvent",
)


# What a timer that could not be translated reads instead (it was reported; the deploy fails).
_PLACEHOLDERS = {
    "timeDate": "'2000-01-01T00:00:00+00:00'",
    "timeDuration": "'PT1H'",
    "timeCycle": "'R1/PT1H'",
}


def _check_business_rule_tasks(root: etree._Element, resource: str) -> list[DefinitionProblem]:
    problems = []
    for task in root.iter(f"{{{BPMN}}}businessRuleTask"):
        problems += [_problem(task, resource, message) for message in reference_problems(task)]
    return problems


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
