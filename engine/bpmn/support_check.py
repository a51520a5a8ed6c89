"""Walking a BPMN or DMN file against the support registry (engine/bpmn/support.py).

Every element, attribute and enumerated value is looked up; whatever the registry refuses, or
does not know, becomes a `DefinitionProblem` with the resource, the line and the id of the
nearest BPMN element. A refused element is reported once, with a word on what it holds (a
listener's event and implementation, a script's format), and its children are not reported
again. The shape rules (an interrupting event subprocess, a service task without a worker topic)
look at more than one node; each is an entry of `SHAPES`, so flipping it to `runs` turns it off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lxml import etree

from engine import cron
from engine.bpmn import support
from engine.bpmn.support import Support
from engine.bpmn.xml import BPMN_NS, DMN_NAMESPACES
from engine.errors import DefinitionProblem

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
_PREFIXES = {BPMN_NS: "bpmn", CAMUNDA_NS: "camunda", support.CAMUNDA_DMN_NS: "camunda"}


def check_support(tree: etree._ElementTree, resource: str) -> list[DefinitionProblem]:
    """Every part of the file that Sagsflow refuses or does not know, in document order."""
    root = tree.getroot()
    problems = list(_walk(root, resource))
    if etree.QName(root).namespace == BPMN_NS:
        for name, rule in _SHAPE_RULES.items():
            entry = support.SHAPES[name]
            if entry.refused:
                problems += [_problem(node, resource, entry.note) for node in rule(root)]
    return problems


def _walk(element: etree._Element, resource: str) -> Iterator[DefinitionProblem]:
    if not isinstance(element.tag, str):
        return  # comments and processing instructions
    namespace = etree.QName(element).namespace or ""
    if namespace in support.LAYOUT_NAMESPACES:
        return
    entry = _element_entry(element, namespace)
    if entry is None or entry.refused:
        yield _problem(element, resource, _element_reason(element, namespace, entry))
        return
    if entry.verdict is support.Verdict.NO_EFFECT:
        return  # nothing in it is executed, so nothing in it can be skipped
    yield from _attributes(element, namespace, resource)
    for child in element:
        yield from _walk(child, resource)


def _element_entry(element: etree._Element, namespace: str) -> Support | None:
    local = etree.QName(element).localname
    if namespace == BPMN_NS:
        return support.BPMN_ELEMENTS.get(local)
    if namespace == CAMUNDA_NS:
        extension = support.CAMUNDA_ELEMENTS.get(local)
        return extension.support if extension else None
    if namespace in DMN_NAMESPACES:
        return support.DMN_ELEMENTS.get(local)
    if namespace in support.METADATA_NAMESPACES:
        return support.no_effect("Modeler metadata")
    return None


def _element_reason(element: etree._Element, namespace: str, entry: Support | None) -> str:
    name = _qualified(element)
    if entry is None:
        where = "" if namespace in _PREFIXES else f" (namespace {namespace or 'none'})"
        return f"{name}{where} is not known to Sagsflow, so it would not run; remove it"
    detail = _detail(element)
    return f"{name}{f' ({detail})' if detail else ''}: {entry.note}"


def _detail(element: etree._Element) -> str:
    """What a refused listener or script holds, so the process owner finds it."""
    parts = []
    event = element.get("event")
    if event:
        parts.append(f"event '{event}'")
    for attribute in ("class", "delegateExpression", "expression"):
        if element.get(attribute):
            parts.append(f"{attribute} '{element.get(attribute)}'")
    for script in element.iter(f"{{{CAMUNDA_NS}}}script"):
        parts.append(f"a {script.get('scriptFormat') or 'script'} script")
    if etree.QName(element).localname in ("inputParameter", "outputParameter") and element.get("name"):
        parts.append(f"'{element.get('name')}'")
    return ", ".join(parts)


def _attributes(element: etree._Element, namespace: str, resource: str) -> Iterator[DefinitionProblem]:
    """One problem per reason, naming each attribute that has it (empty attributes mean nothing)."""
    reasons: dict[str, list[str]] = {}
    for name, value in element.attrib.items():
        reason = _attribute_reason(element, namespace, etree.QName(name), value)
        if reason is not None:
            label = _attribute_label(etree.QName(name))
            reasons.setdefault(reason, []).append(f"{label}='{_short(value)}'")
    owner = f"{_qualified(element)} " if namespace == CAMUNDA_NS else ""
    for reason, labels in reasons.items():
        yield _problem(element, resource, f"{owner}{' '.join(labels)}: {reason}")


def _attribute_reason(element: etree._Element, namespace: str, name: etree.QName, value: str) -> str | None:
    local = etree.QName(element).localname
    entry, values = _attribute_entry(local, namespace, name.namespace or "", name.localname)
    if entry is None:
        return f"not known to Sagsflow on {_qualified(element)}; remove it"
    if entry.refused:
        return entry.note if value.strip() else None
    if values is None:
        return None
    verdict = values.get(value.strip()) or values.get(value.strip().lower())
    if verdict is None:
        return f"'{_short(value)}' is not supported"
    return verdict.note if verdict.refused else None


AttributeEntry = tuple[Support | None, dict[str, Support] | None]


def _attribute_entry(element: str, namespace: str, attribute_ns: str, attribute: str) -> AttributeEntry:
    if attribute_ns in support.METADATA_NAMESPACES:
        return support.no_effect("Modeler metadata"), None
    if namespace == BPMN_NS and not attribute_ns:
        return (
            support.lookup(support.BPMN_ATTRIBUTES, element, attribute),
            support.value_lookup(support.BPMN_VALUES, element, attribute),
        )
    if namespace == BPMN_NS and attribute_ns == CAMUNDA_NS:
        return (
            support.lookup(support.CAMUNDA_ATTRIBUTES, element, attribute),
            support.value_lookup(support.CAMUNDA_VALUES, element, attribute),
        )
    if namespace == CAMUNDA_NS and not attribute_ns:
        extension = support.CAMUNDA_ELEMENTS.get(element)
        entry = extension.attributes.get(attribute) if extension else None
        return entry, support.value_lookup(support.CAMUNDA_VALUES, element, attribute)
    if namespace in DMN_NAMESPACES and not attribute_ns:
        return (
            support.lookup(support.DMN_ATTRIBUTES, element, attribute),
            support.value_lookup(support.DMN_VALUES, element, attribute),
        )
    if namespace in DMN_NAMESPACES and attribute_ns == support.CAMUNDA_DMN_NS:
        return support.lookup(support.CAMUNDA_DMN_ATTRIBUTES, element, attribute), None
    return None, None


def _attribute_label(attribute: etree.QName) -> str:
    prefix = _PREFIXES.get(attribute.namespace or "") or support.METADATA_NAMESPACES.get(
        attribute.namespace or ""
    )
    if prefix:
        return f"{prefix}:{attribute.localname}"
    if attribute.namespace:
        return f"{{{attribute.namespace}}}{attribute.localname}"
    return str(attribute.localname)


def _qualified(element: etree._Element) -> str:
    qname = etree.QName(element)
    namespace = qname.namespace or ""
    prefix = _PREFIXES.get(namespace) or ("dmn" if namespace in DMN_NAMESPACES else element.prefix)
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def _short(value: str, limit: int = 80) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _owner_id(element: etree._Element) -> str | None:
    node: etree._Element | None = element
    while node is not None:
        identifier = node.get("id")
        if identifier and etree.QName(node).namespace != CAMUNDA_NS:
            return str(identifier)
        node = node.getparent()
    return None


def _problem(element: etree._Element, resource: str, message: str) -> DefinitionProblem:
    return DefinitionProblem(message, resource, _owner_id(element), element.sourceline)


# --- shape rules ------------------------------------------------------------------------------

_NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}


def _interrupting_event_subprocess_starts(root: etree._Element) -> list[etree._Element]:
    return [
        start
        for start in root.xpath(
            ".//bpmn:subProcess[@triggeredByEvent='true']/bpmn:startEvent", namespaces=_NS
        )
        if start.get("isInterrupting", "true") != "false"
    ]


def _camunda(element: etree._Element, attribute: str) -> str | None:
    value = element.get(f"{{{CAMUNDA_NS}}}{attribute}")
    return str(value) if value is not None else None


_IMPLEMENTATIONS = ("class", "delegateExpression", "expression", "type")


def _service_tasks_without_implementation(root: etree._Element) -> list[etree._Element]:
    found = []
    for task in root.iter(f"{{{BPMN_NS}}}serviceTask"):
        has_connector = task.find("bpmn:extensionElements/camunda:connector", _NS) is not None
        if not has_connector and not any(_camunda(task, a) for a in _IMPLEMENTATIONS):
            found.append(task)
    return found


def _external_tasks_without_topic(root: etree._Element) -> list[etree._Element]:
    return [
        node
        for node in root.iter()
        if isinstance(node.tag, str) and _camunda(node, "type") == "external" and not _camunda(node, "topic")
    ]


def _cron_texts(root: etree._Element) -> list[etree._Element]:
    return [
        cycle
        for cycle in root.iter(f"{{{BPMN_NS}}}timeCycle")
        if (cycle.text or "").strip() and not (cycle.text or "").strip().startswith(("R", "$", "#"))
    ]


def _unsupported_cron(root: etree._Element) -> list[etree._Element]:
    return [c for c in _cron_texts(root) if cron.unsupported_marks(c.text or "")]


def _call_activities_without_target(root: etree._Element) -> list[etree._Element]:
    return [a for a in root.iter(f"{{{BPMN_NS}}}callActivity") if not a.get("calledElement")]


def _script_tasks_without_script(root: etree._Element) -> list[etree._Element]:
    return [
        task
        for task in root.iter(f"{{{BPMN_NS}}}scriptTask")
        if task.find("bpmn:script", _NS) is None and not _camunda(task, "resource")
    ]


def _process_timer_starts(root: etree._Element) -> list[etree._Element]:
    return [
        start
        for start in root.xpath("./bpmn:process/bpmn:startEvent", namespaces=_NS)
        if start.find("bpmn:timerEventDefinition", _NS) is not None
    ]


def _conditional_starts(root: etree._Element) -> list[etree._Element]:
    return list(root.xpath(".//bpmn:startEvent[bpmn:conditionalEventDefinition]", namespaces=_NS))


def _nested_event_subprocess_starts(root: etree._Element) -> list[etree._Element]:
    """SpiffWorkflow starts event subprocesses on messages, errors, escalations and signals only at
    the process level; nested in a subprocess only timer starts run."""
    starts = root.xpath(
        ".//bpmn:subProcess/bpmn:subProcess[@triggeredByEvent='true']/bpmn:startEvent", namespaces=_NS
    )
    return [
        start
        for start in starts
        if any(
            str(d.tag).endswith("EventDefinition") and not str(d.tag).endswith("}timerEventDefinition")
            for d in start
        )
    ]


_SHAPE_RULES: dict[str, Callable[[etree._Element], list[etree._Element]]] = {
    "interrupting event subprocess": _interrupting_event_subprocess_starts,
    "service task without an implementation": _service_tasks_without_implementation,
    "external task without a topic": _external_tasks_without_topic,
    "cron timer cycle with L, W or #": _unsupported_cron,
    "call activity without calledElement": _call_activities_without_target,
    "script task without a script": _script_tasks_without_script,
    "process-level timer start event": _process_timer_starts,
    "conditional start event": _conditional_starts,
    "nested event subprocess not started by a timer": _nested_event_subprocess_starts,
}
