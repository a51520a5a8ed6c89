"""A small builder for Camunda-Modeler-style BPMN with diagram interchange (shapes and edges).

Used by tools/generate_workflows.py to scaffold the diagrams in workflows/. The .bpmn files are
the source of truth afterwards: process owners edit them in Camunda Modeler. Elements are placed
on a grid (column, row); edges are routed orthogonally.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
MODELER = "http://camunda.org/schema/modeler/1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {
    "bpmn": BPMN,
    "bpmndi": BPMNDI,
    "dc": DC,
    "di": DI,
    "camunda": CAMUNDA,
    "modeler": MODELER,
    "xsi": XSI,
}

COL, ROW, X0, Y0 = 160, 130, 180, 120
SIZES = {
    "startEvent": (36, 36),
    "endEvent": (36, 36),
    "intermediateThrowEvent": (36, 36),
    "intermediateCatchEvent": (36, 36),
    "boundaryEvent": (36, 36),
    "exclusiveGateway": (50, 50),
    "parallelGateway": (50, 50),
}
TASK_SIZE = (100, 80)


def b(tag: str) -> str:
    return f"{{{BPMN}}}{tag}"


def c(tag: str) -> str:
    return f"{{{CAMUNDA}}}{tag}"


@dataclass
class Field:
    id: str
    label: str
    type: str = "string"
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()
    default: str | None = None


@dataclass
class Node:
    kind: str
    id: str
    name: str | None
    col: float
    row: float
    attrs: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)
    form: list[Field] = field(default_factory=list)
    event: tuple[str, dict[str, str]] | None = None  # ("timer", {"timeDate": ...}) / ("signal", {...})
    attached_to: str | None = None
    slot: int = 0
    script: str | None = None
    children: Diagram | None = None  # event subprocess

    @property
    def size(self) -> tuple[int, int]:
        return SIZES.get(self.kind, TASK_SIZE)


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str | None = None
    condition: str | None = None
    route: str = "auto"  # auto, or "row:<r>": run along grid row r (loops and bypasses)


class Diagram:
    def __init__(self, process_id: str, name: str, origin: tuple[float, float] = (X0, Y0)) -> None:
        self.process_id = process_id
        self.name = name
        self.origin = origin
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []
        self.defaults: dict[str, str] = {}

    # --- elements ---------------------------------------------------------------------------
    def add(self, kind: str, id: str, name: str | None, col: float, row: float, **kw: Any) -> Node:
        node = Node(kind, id, name, col, row, **kw)
        self.nodes[id] = node
        return node

    def flow(
        self,
        source: str,
        target: str,
        *,
        id: str | None = None,
        name: str | None = None,
        condition: str | None = None,
        default: bool = False,
        route: str = "auto",
    ) -> Flow:
        flow = Flow(id or f"flow_{source}_to_{target}", source, target, name, condition, route)
        self.flows.append(flow)
        if default:
            self.defaults[source] = flow.id
        return flow

    def chain(self, *ids: str) -> None:
        for source, target in itertools.pairwise(ids):
            self.flow(source, target)

    # --- geometry ---------------------------------------------------------------------------
    def center(self, node: Node) -> tuple[float, float]:
        if node.attached_to:
            host = self.nodes[node.attached_to]
            hx, hy = self.center(host)
            return hx - 25 + 50 * node.slot, hy + host.size[1] / 2
        return self.origin[0] + node.col * COL, self.origin[1] + node.row * ROW

    def bounds(self, node: Node) -> tuple[float, float, float, float]:
        if node.children is not None:
            return node.children.frame()
        cx, cy = self.center(node)
        w, h = node.size
        return cx - w / 2, cy - h / 2, w, h

    def frame(self) -> tuple[float, float, float, float]:
        boxes = [self.bounds(n) for n in self.nodes.values()]
        left = min(x for x, _, _, _ in boxes) - 40
        top = min(y for _, y, _, _ in boxes) - 30
        right = max(x + w for x, _, w, _ in boxes) + 40
        bottom = max(y + h for _, y, _, h in boxes) + 40
        return left, top, right - left, bottom - top

    def waypoints(self, flow: Flow) -> list[tuple[float, float]]:
        source, target = self.nodes[flow.source], self.nodes[flow.target]
        sx, sy, sw, sh = self.bounds(source)
        tx, ty, tw, th = self.bounds(target)
        scx, scy = sx + sw / 2, sy + sh / 2
        tcx, tcy = tx + tw / 2, ty + th / 2
        if flow.route.startswith("row:"):
            via = self.origin[1] + float(flow.route[4:]) * ROW
            exit_y = sy + sh if via > scy else sy
            entry_y = ty + th if via > tcy else ty
            return [(scx, exit_y), (scx, via), (tcx, via), (tcx, entry_y)]
        if source.attached_to:
            if abs(scx - tcx) < 1:
                return [(scx, sy + sh), (tcx, ty)]
            return [(scx, sy + sh), (scx, tcy), (tx, tcy)]
        if abs(scy - tcy) < 1:
            return [(sx + sw, scy), (tx, tcy)]
        if abs(scx - tcx) < 1:
            return [(scx, sy + sh), (tcx, ty)] if tcy > scy else [(scx, sy), (tcx, ty + th)]
        if source.kind.endswith("Gateway"):
            exit_y = sy + sh if tcy > scy else sy
            return [(scx, exit_y), (scx, tcy), (tx, tcy)]
        if target.kind.endswith("Gateway"):
            entry_y = ty + th if scy > tcy else ty
            return [(sx + sw, scy), (tcx, scy), (tcx, entry_y)]
        middle = (sx + sw + tx) / 2
        return [(sx + sw, scy), (middle, scy), (middle, tcy), (tx, tcy)]


class Document:
    """One .bpmn file: processes (each a Diagram), messages and signals."""

    def __init__(self, definitions_id: str) -> None:
        self.definitions_id = definitions_id
        self.diagrams: list[Diagram] = []
        self.messages: dict[str, str] = {}
        self.signals: dict[str, str] = {}

    def xml(self) -> bytes:
        root = etree.Element(b("definitions"), nsmap=NSMAP)
        root.set("id", self.definitions_id)
        root.set("targetNamespace", "http://bpmn.io/schema/bpmn")
        root.set("exporter", "Camunda Modeler")
        root.set("exporterVersion", "5.50.1")
        root.set(f"{{{MODELER}}}executionPlatform", "Camunda Platform")
        root.set(f"{{{MODELER}}}executionPlatformVersion", "7.23.0")
        for diagram in self.diagrams:
            process = etree.SubElement(
                root, b("process"), id=diagram.process_id, name=diagram.name, isExecutable="true"
            )
            process.set(c("versionTag"), "1")
            process.set(c("historyTimeToLive"), "P3650D")
            _elements(process, diagram)
        for message_id, name in self.messages.items():
            etree.SubElement(root, b("message"), id=message_id, name=name)
        for signal_id, name in self.signals.items():
            etree.SubElement(root, b("signal"), id=signal_id, name=name)
        for diagram in self.diagrams:
            _diagram_interchange(root, diagram)
        etree.indent(root, space="  ")
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _elements(parent: etree._Element, diagram: Diagram) -> None:
    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow in diagram.flows:
        outgoing.setdefault(flow.source, []).append(flow.id)
        incoming.setdefault(flow.target, []).append(flow.id)
    for node in diagram.nodes.values():
        element = _node_element(parent, node, diagram.defaults.get(node.id))
        for flow_id in incoming.get(node.id, []):
            etree.SubElement(element, b("incoming")).text = flow_id
        for flow_id in outgoing.get(node.id, []):
            etree.SubElement(element, b("outgoing")).text = flow_id
        _event(element, node)
        if node.script is not None:
            etree.SubElement(element, b("script")).text = node.script
        if node.children is not None:
            _elements(element, node.children)
    for flow in diagram.flows:
        _flow_element(parent, flow)


def _node_element(parent: etree._Element, node: Node, default_flow: str | None) -> etree._Element:
    element = etree.SubElement(parent, b(node.kind), id=node.id)
    if node.name:
        element.set("name", node.name)
    for key, value in node.attrs.items():
        element.set(c(key[len("camunda:") :]) if key.startswith("camunda:") else key, value)
    if default_flow:
        element.set("default", default_flow)
    if node.attached_to:
        element.set("attachedToRef", node.attached_to)
    _extensions(element, node)
    return element


def _flow_element(parent: etree._Element, flow: Flow) -> None:
    element = etree.SubElement(
        parent, b("sequenceFlow"), id=flow.id, sourceRef=flow.source, targetRef=flow.target
    )
    if flow.name:
        element.set("name", flow.name)
    if flow.condition:
        condition = etree.SubElement(element, b("conditionExpression"))
        condition.set(f"{{{XSI}}}type", "bpmn:tFormalExpression")
        condition.text = flow.condition


def _extensions(element: etree._Element, node: Node) -> None:
    if not node.form and not node.properties:
        return
    extensions = etree.SubElement(element, b("extensionElements"))
    if node.form:
        form = etree.SubElement(extensions, c("formData"))
        for f in node.form:
            item = etree.SubElement(form, c("formField"), id=f.id, label=f.label, type=f.type)
            if f.default is not None:
                item.set("defaultValue", f.default)
            if f.required:
                validation = etree.SubElement(item, c("validation"))
                etree.SubElement(validation, c("constraint"), name="required")
            for value_id, value_name in f.options:
                etree.SubElement(item, c("value"), id=value_id, name=value_name)
    if node.properties:
        properties = etree.SubElement(extensions, c("properties"))
        for name, value in node.properties.items():
            etree.SubElement(properties, c("property"), name=name, value=value)


def _event(element: etree._Element, node: Node) -> None:
    if node.event is None:
        return
    kind, spec = node.event
    if kind == "timer":
        definition = etree.SubElement(element, b("timerEventDefinition"), id=f"{node.id}_timer")
        for body_tag, text in spec.items():
            body = etree.SubElement(definition, b(body_tag))
            body.set(f"{{{XSI}}}type", "bpmn:tFormalExpression")
            body.text = text
    elif kind == "signal":
        etree.SubElement(element, b("signalEventDefinition"), id=f"{node.id}_signal", signalRef=spec["ref"])
    elif kind == "message":
        etree.SubElement(
            element, b("messageEventDefinition"), id=f"{node.id}_message", messageRef=spec["ref"]
        )


def _diagram_interchange(root: etree._Element, diagram: Diagram) -> None:
    di_root = etree.SubElement(root, f"{{{BPMNDI}}}BPMNDiagram", id=f"BPMNDiagram_{diagram.process_id}")
    plane = etree.SubElement(
        di_root,
        f"{{{BPMNDI}}}BPMNPlane",
        id=f"BPMNPlane_{diagram.process_id}",
        bpmnElement=diagram.process_id,
    )
    _shapes(plane, diagram)


def _shapes(plane: etree._Element, diagram: Diagram) -> None:
    for node in diagram.nodes.values():
        shape = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", id=f"{node.id}_di", bpmnElement=node.id)
        if node.children is not None:
            shape.set("isExpanded", "true")
        if node.kind.endswith("Gateway"):
            shape.set("isMarkerVisible", "true")
        x, y, w, h = diagram.bounds(node)
        etree.SubElement(shape, f"{{{DC}}}Bounds", x=_n(x), y=_n(y), width=_n(w), height=_n(h))
        if node.name and (node.kind.endswith("Event") or node.kind.endswith("Gateway")):
            label = etree.SubElement(shape, f"{{{BPMNDI}}}BPMNLabel")
            etree.SubElement(
                label, f"{{{DC}}}Bounds", x=_n(x + w / 2 - 45), y=_n(y + h + 5), width="90", height="27"
            )
        if node.children is not None:
            _shapes(plane, node.children)
    for flow in diagram.flows:
        edge = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", id=f"{flow.id}_di", bpmnElement=flow.id)
        points = diagram.waypoints(flow)
        for px, py in points:
            etree.SubElement(edge, f"{{{DI}}}waypoint", x=_n(px), y=_n(py))
        if flow.name:
            label = etree.SubElement(edge, f"{{{BPMNDI}}}BPMNLabel")
            lx, ly = points[1] if len(points) > 2 else points[0]
            etree.SubElement(label, f"{{{DC}}}Bounds", x=_n(lx + 5), y=_n(ly - 20), width="80", height="14")


def _n(value: float) -> str:
    return str(round(value))
