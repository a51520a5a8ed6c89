"""Small BPMN documents for tests, written the way Camunda Modeler writes them."""

from __future__ import annotations

from pathlib import Path

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_{pid}" '
    'targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.50.1">\n'
)


def document(process_id: str, body: str, *, extra: str = "", name: str = "Test") -> bytes:
    return (
        HEADER.format(pid=process_id)
        + f'  <bpmn:process id="{process_id}" name="{name}" isExecutable="true">\n{body}\n  </bpmn:process>\n'
        + extra
        + "</bpmn:definitions>\n"
    ).encode()


def user_task_process(process_id: str = "one_task", *, form: str = "") -> bytes:
    """start -> user task 'work' (candidate group raadgiver) -> end."""
    extension = (
        f"<bpmn:extensionElements><camunda:formData>{form}</camunda:formData></bpmn:extensionElements>"
        if form
        else ""
    )
    return document(
        process_id,
        f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work" name="Arbejde" camunda:candidateGroups="raadgiver">{extension}
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />""",
    )


def gateway_process(process_id: str, condition: str) -> bytes:
    """start -> user task -> exclusive gateway (flow 'yes' has `condition`, default 'no') -> ends."""
    return document(
        process_id,
        f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="decide" name="Beslut"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="gw" default="no"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>yes</bpmn:outgoing><bpmn:outgoing>no</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end_yes"><bpmn:incoming>yes</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_no"><bpmn:incoming>no</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="gw" />
    <bpmn:sequenceFlow id="yes" sourceRef="gw" targetRef="end_yes">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="no" sourceRef="gw" targetRef="end_no" />""",
    )


def script_process(process_id: str, script: str) -> bytes:
    """start -> user task 'before' -> script task 'run_script' -> user task 'after' -> end."""
    escaped = script.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return document(
        process_id,
        f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="before"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="run_script" scriptFormat="python"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:script>{escaped}</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="after"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="before" />
    <bpmn:sequenceFlow id="f2" sourceRef="before" targetRef="run_script" />
    <bpmn:sequenceFlow id="f3" sourceRef="run_script" targetRef="after" />
    <bpmn:sequenceFlow id="f4" sourceRef="after" targetRef="end" />""",
    )


def timer_process(
    process_id: str, timer: str, *, kind: str = "timeDuration", purpose: str = "", deadline: str = "test"
) -> bytes:
    """start -> intermediate timer 'wait' -> user task 'after' -> end (a `purpose` comes with the
    `deadline` rule it is counted by, as the diagram contract asks)."""
    props = (
        f'<bpmn:extensionElements><camunda:properties><camunda:property name="purpose" value="{purpose}" />'
        f'<camunda:property name="deadline" value="{deadline}" />'
        "</camunda:properties></bpmn:extensionElements>"
        if purpose
        else ""
    )
    return document(
        process_id,
        f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait" name="Vent">{props}<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:{kind} xsi:type="bpmn:tFormalExpression">{timer}</bpmn:{kind}></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="after"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="after" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />""",
    )


def message_process(process_id: str, message_name: str) -> bytes:
    """start -> intermediate message catch -> user task 'after' -> end."""
    extra = f'  <bpmn:message id="msg" name="{message_name}" />\n'
    return document(
        process_id,
        """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait_msg"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="msg" /></bpmn:intermediateCatchEvent>
    <bpmn:userTask id="after"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_msg" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait_msg" targetRef="after" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />""",
        extra=extra,
    )


def task_timer_task_process(process_id: str) -> bytes:
    """start -> user task 'first' -> timer 'wait' (timeDate `${due}`) -> user task 'second' -> end."""
    return document(
        process_id,
        """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="first" name="Første"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:intermediateCatchEvent id="wait" name="Vent"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">${due}</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="second" name="Anden"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first" />
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="wait" />
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="second" />
    <bpmn:sequenceFlow id="f4" sourceRef="second" targetRef="end" />""",
    )


def caller_process(process_id: str, called: str, *, attributes: str = "", extensions: str = "") -> bytes:
    """start -> user task 'before' -> call activity 'call' (calledElement `called`, extra
    `attributes` and camunda:in/out `extensions`) -> user task 'after' -> end."""
    extension_elements = (
        f"<bpmn:extensionElements>{extensions}</bpmn:extensionElements>" if extensions else ""
    )
    return document(
        process_id,
        f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="before" name="Før"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:callActivity id="call" name="Kald" calledElement="{called}" {attributes}>{extension_elements}
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:callActivity>
    <bpmn:userTask id="after" name="Efter"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="before" />
    <bpmn:sequenceFlow id="f2" sourceRef="before" targetRef="call" />
    <bpmn:sequenceFlow id="f3" sourceRef="call" targetRef="after" />
    <bpmn:sequenceFlow id="f4" sourceRef="after" targetRef="end" />""",
    )


def called_process(process_id: str, task_name: str, *, version_tag: str | None = None) -> bytes:
    """A process to call: start -> user task 'work' named `task_name` -> end (`version_tag`:
    camunda:versionTag)."""
    content = user_task_process(process_id).replace(b'name="Arbejde"', f'name="{task_name}"'.encode())
    if version_tag is not None:
        content = content.replace(
            b'isExecutable="true"', f'isExecutable="true" camunda:versionTag="{version_tag}"'.encode()
        )
    return content
