"""Which variables the diagrams of a process family set, and which their expressions read.

Read from the Modeler XML (before any rewriting): form fields, script assignments, DMN outputs,
error and escalation variables, multi-instance element variables and message result variables
set variables; conditions, timers, due dates, assignments, form defaults, guards, DMN inputs,
scripts and message payload expressions read them. engine/bpmn/contract_checks.py compares the
two for the case processes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

from engine import contract
from engine.bpmn.expressions import ExpressionError, is_juel, juel_to_python, normalise_timer
from engine.bpmn.scripting import FORM_DEFAULT_HELPERS, HELPER_NAMES, script_builtin_names

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": BPMN, "camunda": CAMUNDA}
EXPRESSION_ATTRIBUTES = ("dueDate", "followUpDate", "assignee", "candidateGroups", "candidateUsers")


@dataclass(frozen=True)
class Read:
    """A variable an expression reads: where, and in what."""

    name: str
    element: etree._Element
    what: str  # e.g. "the timer", "guard 'plan_reason'", "the condition"
    text: str


def properties(element: etree._Element) -> dict[str, str]:
    """The camunda:properties of an element, by name."""
    found: dict[str, str] = {}
    for prop in element.iterfind("bpmn:extensionElements/camunda:properties/camunda:property", NS):
        if prop.get("name"):
            found[str(prop.get("name"))] = str(prop.get("value") or "")
    return found


def camunda(element: etree._Element, attribute: str) -> str | None:
    value = element.get(f"{{{CAMUNDA}}}{attribute}")
    return None if value is None else str(value)


def local(element: etree._Element) -> str:
    return str(etree.QName(element).localname)


# --- what sets variables ----------------------------------------------------------------------


def form_fields(element: etree._Element) -> list[str]:
    return [
        str(f.get("id")) for f in element.iterfind(".//camunda:formData/camunda:formField", NS) if f.get("id")
    ]


def set_by(element: etree._Element, decision_outputs: dict[str, list[str]]) -> set[str]:
    """The variables one flow element sets when it runs (not counting message payloads)."""
    names: set[str] = set()
    tag = local(element)
    if tag in ("userTask", "startEvent"):
        names.update(form_fields(element))
    if tag == "scriptTask":
        names |= _script_stores(_script_text(element))
    if tag == "businessRuleTask":
        result = camunda(element, "resultVariable")
        names.update([result] if result else decision_outputs.get(camunda(element, "decisionRef") or "", []))
    for definition in element.iter(f"{{{BPMN}}}errorEventDefinition", f"{{{BPMN}}}escalationEventDefinition"):
        names.update(
            v
            for a in ("errorCodeVariable", "errorMessageVariable", "escalationCodeVariable")
            if (v := camunda(definition, a))
        )
    for loop in element.iterfind("bpmn:multiInstanceLoopCharacteristics", NS):
        names.update(v for v in [camunda(loop, "elementVariable")] if v)
    for definition in element.iterfind("bpmn:messageEventDefinition", NS):
        names.update(v for v in [camunda(definition, "resultVariable")] if v)
    for mapping in element.iterfind("bpmn:extensionElements/camunda:out", NS):
        names.update(v for v in [mapping.get("target")] if v)
    for mapping in element.iterfind("bpmn:extensionElements/camunda:in", NS):
        names.update(v for v in [mapping.get("target")] if v)  # set in the called process
    return names


def decision_outputs(decision: etree._Element) -> list[str]:
    namespace = etree.QName(decision).namespace
    return [str(o.get("name")) for o in decision.iter(f"{{{namespace}}}output") if o.get("name")]


def _script_text(element: etree._Element) -> str:
    script = element.find("bpmn:script", NS)
    return (script.text or "") if script is not None else ""


def _script_tree(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except SyntaxError:
        return None  # reported by the compile stage


def _script_stores(text: str) -> set[str]:
    tree = _script_tree(text)
    if tree is None:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


# --- what reads variables ---------------------------------------------------------------------


def reads_of(element: etree._Element) -> Iterator[Read]:
    """Every variable the expressions written on one element read."""
    yield from _expression_reads(element)
    for attribute in EXPRESSION_ATTRIBUTES:
        value = camunda(element, attribute)
        if value and is_juel(value):
            yield from _juel(value, element, f"camunda:{attribute}")
    for field in element.iterfind(".//camunda:formData/camunda:formField", NS):
        default = field.get("defaultValue") or ""
        if is_juel(default):
            what = f"the default of form field '{field.get('id')}'"
            yield from _juel(default, element, what, FORM_DEFAULT_HELPERS)
    yield from _property_reads(element)
    yield from _mapping_reads(element)
    if local(element) == "scriptTask":
        yield from _script_reads(_script_text(element), element)


def _expression_reads(element: etree._Element) -> Iterator[Read]:
    """Conditions, loop expressions, timers and message payloads."""
    for condition in element.iterfind("bpmn:conditionExpression", NS):
        if (condition.get("language") or "juel").lower() in ("juel", ""):
            yield from _juel(condition.text or "", element, "the condition")
    for child in ("completionCondition", "loopCardinality"):
        for node in element.iterfind(f"bpmn:multiInstanceLoopCharacteristics/bpmn:{child}", NS):
            yield from _juel(node.text or "", element, f"the {child}")
    for timer in element.iterfind("bpmn:timerEventDefinition/*", NS):
        yield from _timer(timer.text or "", element)
    for definition in element.iterfind("bpmn:messageEventDefinition", NS):
        expression = camunda(definition, "expression")
        if expression:
            yield from _juel(expression, element, "the message payload")


def _property_reads(element: etree._Element) -> Iterator[Read]:
    props = properties(element)
    for name, value in props.items():
        if name.startswith(contract.GUARD_PREFIX) and not name.endswith(
            (contract.GUARD_MESSAGE, contract.GUARD_FIELD)
        ):
            yield from _juel(value, element, f"guard '{name[len(contract.GUARD_PREFIX) :]}'")
    fact = props.get(contract.START_FACT)
    if fact:
        yield Read(fact.strip(), element, f"the property {contract.START_FACT}", fact)


def _mapping_reads(element: etree._Element) -> Iterator[Read]:
    """What a call activity passes in: `camunda:in source` and `sourceExpression`."""
    for mapping in element.iterfind("bpmn:extensionElements/camunda:in", NS):
        source, expression = mapping.get("source"), mapping.get("sourceExpression")
        if source:
            yield Read(source, element, "camunda:in source", source)
        if expression:
            yield from _juel(expression, element, "camunda:in sourceExpression")


def decision_reads(decision: etree._Element) -> Iterator[Read]:
    """The variables a DMN decision table's input expressions read."""
    namespace = etree.QName(decision).namespace
    for expression in decision.iter(f"{{{namespace}}}inputExpression"):
        text = expression.findtext(f"{{{namespace}}}text") or ""
        yield from _python(text, decision, "a decision input", text, HELPER_NAMES)


def _timer(text: str, element: etree._Element) -> Iterator[Read]:
    try:
        python = normalise_timer(text, HELPER_NAMES)
    except ExpressionError:
        return  # reported by the compile stage
    if python.literal is None:
        yield from _python(python.python, element, "the timer", text, HELPER_NAMES)


def _juel(
    text: str, element: etree._Element, what: str, helpers: frozenset[str] = HELPER_NAMES
) -> Iterator[Read]:
    try:
        python = juel_to_python(text, helpers)
    except ExpressionError:
        return  # reported by the compile stage
    yield from _python(python, element, what, text, helpers)


def _python(
    python: str, element: etree._Element, what: str, text: str, helpers: frozenset[str]
) -> Iterator[Read]:
    try:
        tree = ast.parse(python.strip(), mode="eval")
    except SyntaxError:
        return
    for name in sorted(free_names(tree) - helpers):
        yield Read(name, element, what, text)


def free_names(tree: ast.AST) -> set[str]:
    """Names an expression loads that it does not bind itself (comprehension variables)."""
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound


def _script_reads(text: str, element: etree._Element) -> Iterator[Read]:
    tree = _script_tree(text)
    if tree is None:
        return
    defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    for name in sorted(free_names(tree) - defined - script_builtin_names()):
        yield Read(name, element, "the script", name)


def flow_elements(process: etree._Element) -> Iterable[etree._Element]:
    """Every element of a process, its subprocesses included, that has an id."""
    return [e for e in process.iter() if isinstance(e.tag, str) and e.get("id") and e is not process]
