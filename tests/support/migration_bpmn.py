"""Two versions of a case process that waits in every kind of wait state at once, for the
migration tests: a user task with a due date and a pending boundary timer, an external task, a
message catch, a call activity and an armed message event subprocess."""

from __future__ import annotations

from support import bpmn

TOPIC = "migration-topic"
PING, PONG = "ping", "pong"


def _task(element: str, name: str, boundary: str, following: str) -> str:
    """User task `element` (due in 5 days) whose outgoing flow goes to `following`, with the
    boundary events `boundary`."""
    return f"""
    <bpmn:userTask id="{element}" name="{name}" camunda:dueDate="P5D"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>g1</bpmn:outgoing></bpmn:userTask>
    {boundary}
    <bpmn:sequenceFlow id="g1" sourceRef="{element}" targetRef="{following}" />"""


def timer_boundary(element: str, attached: str, duration: str, flow: str) -> str:
    return f"""
    <bpmn:boundaryEvent id="{element}" attachedToRef="{attached}" cancelActivity="false"><bpmn:outgoing>{flow}</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{duration}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:endEvent id="{element}_end"><bpmn:incoming>{flow}</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="{flow}" sourceRef="{element}" targetRef="{element}_end" />"""


def case_process(
    *, first: str = "work", first_body: str | None = None, extra: str = "", called: str = "barn"
) -> bytes:
    """start → fork → (`first` user task | ext | wait_msg | call) → join → end, plus the event
    subprocess `esp` (message pong). `first_body` replaces the user task part (it must take
    flow f1 and leave by g1 to the join or to what `extra` adds)."""
    body = (
        first_body
        if first_body is not None
        else _task(first, "Arbejde", timer_boundary("late", first, "P10D", "h1"), "join")
    )
    return bpmn.document(
        "sag",
        f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="fork"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:outgoing>f1</bpmn:outgoing><bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing></bpmn:parallelGateway>
    {body}
    {extra}
    <bpmn:serviceTask id="ext" name="Ekstern" camunda:type="external" camunda:topic="{TOPIC}"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:intermediateCatchEvent id="wait_msg" name="Venter"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>g3</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="msg_ping" /></bpmn:intermediateCatchEvent>
    <bpmn:callActivity id="call" name="Kald" calledElement="{called}"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>g4</bpmn:outgoing></bpmn:callActivity>
    <bpmn:parallelGateway id="join"><bpmn:incoming>{"g1b" if extra else "g1"}</bpmn:incoming><bpmn:incoming>g2</bpmn:incoming>
      <bpmn:incoming>g3</bpmn:incoming><bpmn:incoming>g4</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>f9</bpmn:incoming></bpmn:endEvent>
    <bpmn:subProcess id="esp" triggeredByEvent="true">
      <bpmn:startEvent id="esp_start" isInterrupting="false"><bpmn:outgoing>e1</bpmn:outgoing><bpmn:messageEventDefinition messageRef="msg_pong" /></bpmn:startEvent>
      <bpmn:userTask id="esp_task" name="Ny henvendelse"><bpmn:incoming>e1</bpmn:incoming><bpmn:outgoing>e2</bpmn:outgoing></bpmn:userTask>
      <bpmn:endEvent id="esp_end"><bpmn:incoming>e2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="e1" sourceRef="esp_start" targetRef="esp_task" />
      <bpmn:sequenceFlow id="e2" sourceRef="esp_task" targetRef="esp_end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="{first}" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="ext" />
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="wait_msg" />
    <bpmn:sequenceFlow id="f4" sourceRef="fork" targetRef="call" />
    <bpmn:sequenceFlow id="g2" sourceRef="ext" targetRef="join" />
    <bpmn:sequenceFlow id="g3" sourceRef="wait_msg" targetRef="join" />
    <bpmn:sequenceFlow id="g4" sourceRef="call" targetRef="join" />
    <bpmn:sequenceFlow id="f9" sourceRef="join" targetRef="end" />""",
        extra=f'  <bpmn:message id="msg_ping" name="{PING}" />\n  <bpmn:message id="msg_pong" name="{PONG}" />\n',
        name="Sag",
    )


VERSION_1 = case_process()

# Version 2: the user task is renamed `review`, its timer `late2`, a reminder timer is added on it,
# and a new user task `extra` follows it.
VERSION_2 = case_process(
    first="review",
    first_body=_task(
        "review",
        "Vurdering",
        timer_boundary("late2", "review", "P10D", "h1") + timer_boundary("remind", "review", "P1D", "h2"),
        "extra",
    ),
    extra="""
    <bpmn:userTask id="extra" name="Ekstra"><bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g1b</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="g1b" sourceRef="extra" targetRef="join" />""",
)

# Version 3: the user task lost its boundary timer.
WITHOUT_TIMER = case_process(first_body=_task("work", "Arbejde", "", "join"))


def guarded(expression: str) -> bytes:
    """Version 1 whose user task has a completion guard `expression`."""
    guard = (
        "<bpmn:extensionElements><camunda:properties>"
        f'<camunda:property name="guard:consent" value="{expression}" />'
        '<camunda:property name="guard:consent:message" value="Samtykke mangler." />'
        "</camunda:properties></bpmn:extensionElements>"
    )
    return VERSION_1.replace(b'camunda:dueDate="P5D">', f'camunda:dueDate="P5D">{guard}'.encode(), 1)


CHILD_1 = bpmn.called_process("barn", "Barn")
CHILD_2 = bpmn.document(
    "barn",
    """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work" name="Barn v2"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="follow" name="Opfølgning"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="follow" />
    <bpmn:sequenceFlow id="f3" sourceRef="follow" targetRef="end" />""",
)


# --- diagrams: the pages draw these files, so they carry a simple BPMNDI layout ---------------

_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_SIZES = {"task": (100, 80), "event": (36, 36), "gateway": (50, 50)}


def _size(tag: str) -> tuple[int, int]:
    if tag.endswith("Event"):
        return _SIZES["event"]
    if tag.endswith("Gateway"):
        return _SIZES["gateway"]
    return _SIZES["task"]


def with_diagram(content: bytes) -> bytes:
    """`content` with a BPMNDI layout: nodes in columns by their distance from the start, each
    boundary event on its activity's lower edge, the event subprocess below the rest."""
    import xml.etree.ElementTree as ET  # noqa: PLC0415

    process = next(ET.fromstring(content).iter(f"{_BPMN}process"))
    bounds: dict[str, tuple[int, int, int, int]] = {}
    bottom = _layout(process, bounds, 100, 80)
    for sub in process.findall(f"{_BPMN}subProcess"):
        inner = _layout(sub, bounds, 140, bottom + 80)
        right = max(x + w for key, (x, _, w, _) in bounds.items() if key in _ids(sub))
        bounds[sub.get("id", "")] = (100, bottom + 40, right - 60, inner - bottom)
    shapes = []
    for element_id, (x, y, w, h) in bounds.items():
        expanded = ' isExpanded="true"' if element_id.startswith("esp") and w > 100 else ""
        shapes.append(
            f'<bpmndi:BPMNShape id="{element_id}_di" bpmnElement="{element_id}"{expanded}>'
            f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}" /></bpmndi:BPMNShape>'
        )
    for flow in process.iter(f"{_BPMN}sequenceFlow"):
        (sx, sy, sw, sh), (tx, ty, _, th) = (
            bounds[flow.get("sourceRef", "")],
            bounds[flow.get("targetRef", "")],
        )
        shapes.append(
            f'<bpmndi:BPMNEdge id="{flow.get("id")}_di" bpmnElement="{flow.get("id")}">'
            f'<di:waypoint x="{sx + sw}" y="{sy + sh // 2}" /><di:waypoint x="{tx}" y="{ty + th // 2}" />'
            "</bpmndi:BPMNEdge>"
        )
    diagram = (
        '<bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="'
        + process.get("id", "")
        + '">'
        + "".join(shapes)
        + "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
    )
    namespaces = (
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
    )
    text = content.decode().replace("<bpmn:definitions ", f"<bpmn:definitions {namespaces}", 1)
    return text.replace("</bpmn:definitions>", diagram + "</bpmn:definitions>").encode()


def _ids(scope: object) -> set[str]:
    return {e.get("id", "") for e in scope.iter() if e.get("id")}  # type: ignore[attr-defined]


def _layout(scope: object, bounds: dict[str, tuple[int, int, int, int]], left: int, top: int) -> int:
    """Lay the direct flow nodes of `scope` out in columns; returns the lowest y used."""
    nodes = {
        e.get("id", ""): e
        for e in scope  # type: ignore[attr-defined]
        if not e.tag.endswith(("sequenceFlow", "subProcess", "boundaryEvent")) and e.get("id")
    }
    flows = [(f.get("sourceRef"), f.get("targetRef")) for f in scope if f.tag.endswith("sequenceFlow")]  # type: ignore[attr-defined]
    column = {i: 0 for i, e in nodes.items() if e.tag.endswith("startEvent")}
    for _ in range(len(nodes)):
        for source, target in flows:
            if source in column and target in nodes and target not in column:
                column[target] = column[source] + 1
    rows: dict[int, int] = {}
    lowest = top
    for element_id, element in nodes.items():
        col = column.get(element_id, max(column.values(), default=0) + 1)
        row = rows.get(col, 0)
        rows[col] = row + 1
        w, h = _size(element.tag)
        x, y = left + col * 170, top + row * 130
        bounds[element_id] = (x, y, w, h)
        lowest = max(lowest, y + h)
    on_host: dict[str, int] = {}
    for event in (e for e in scope if e.tag.endswith("boundaryEvent")):  # type: ignore[attr-defined]
        host = event.get("attachedToRef", "")
        hx, hy, _, hh = bounds[host]
        slot = on_host[host] = on_host.get(host, -1) + 1
        bounds[event.get("id", "")] = (hx + 10 + slot * 40, hy + hh - 18, 36, 36)
        end = f"{event.get('id')}_end"
        if end in bounds:
            bounds[end] = (hx + 10 + slot * 40, hy + hh + 60, 36, 36)
    return lowest + 60
