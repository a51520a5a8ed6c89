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
