"""Event subprocesses as Camunda runs them (SQLite and PostgreSQL, fake clock): an interrupting one
cancels the rest of its scope and the case ends with it; a non-interrupting one runs beside it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from engine.clock import FakeClock

from support.bpmn import document

ENGINE = "/engine-rest"


def deploy_and_start(client: TestClient, key: str, body: str, extra: str = "") -> str:
    deployed = client.post(
        f"{ENGINE}/deployment/create",
        files=[(f"{key}.bpmn", (f"{key}.bpmn", document(key, body, extra=extra), "text/xml"))],
    )
    assert deployed.status_code == 200, deployed.text
    started = client.post(f"{ENGINE}/process-definition/key/{key}/start", json={"businessKey": f"B-{key}"})
    assert started.status_code == 200, started.text
    instance_id: str = started.json()["id"]
    return instance_id


def tasks(client: TestClient, instance_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get(
        f"{ENGINE}/task", params={"processInstanceId": instance_id}
    ).json()
    return found


def keys(client: TestClient, instance_id: str) -> list[str]:
    return sorted(t["taskDefinitionKey"] for t in tasks(client, instance_id))


def complete(client: TestClient, instance_id: str, key: str) -> None:
    (task,) = [t for t in tasks(client, instance_id) if t["taskDefinitionKey"] == key]
    assert client.post(f"{ENGINE}/task/{task['id']}/complete", json={}).status_code == 204


def state(client: TestClient, instance_id: str) -> str:
    return str(client.get(f"{ENGINE}/history/process-instance/{instance_id}").json()["state"])


def event_subprocess(start_definition: str, interrupting: bool = True) -> str:
    flag = "" if interrupting else ' isInterrupting="false"'
    return f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="more"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="more" />
    <bpmn:sequenceFlow id="f3" sourceRef="more" targetRef="end" />
    <bpmn:subProcess id="handler" triggeredByEvent="true">
      <bpmn:startEvent id="handler_start"{flag}><bpmn:outgoing>h1</bpmn:outgoing>{start_definition}</bpmn:startEvent>
      <bpmn:userTask id="clean_up"><bpmn:incoming>h1</bpmn:incoming><bpmn:outgoing>h2</bpmn:outgoing></bpmn:userTask>
      <bpmn:endEvent id="handler_end"><bpmn:incoming>h2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="h1" sourceRef="handler_start" targetRef="clean_up" />
      <bpmn:sequenceFlow id="h2" sourceRef="clean_up" targetRef="handler_end" />
    </bpmn:subProcess>"""


MESSAGE = '<bpmn:messageEventDefinition messageRef="cancel" />'
CANCEL = '  <bpmn:message id="cancel" name="{name}" />\n'


def test_an_interrupting_message_event_subprocess_cancels_the_scope_and_ends_the_case(
    client: TestClient,
) -> None:
    instance_id = deploy_and_start(
        client, "esp_msg", event_subprocess(MESSAGE), CANCEL.format(name="stop_esp")
    )
    assert keys(client, instance_id) == ["work"]
    sent = client.post(f"{ENGINE}/message", json={"messageName": "stop_esp", "businessKey": "B-esp_msg"})
    assert sent.status_code == 204, sent.text
    assert keys(client, instance_id) == ["clean_up"]
    again = client.post(f"{ENGINE}/message", json={"messageName": "stop_esp", "businessKey": "B-esp_msg"})
    assert again.status_code == 400  # an interrupted scope no longer waits for its other events
    complete(client, instance_id, "clean_up")
    assert state(client, instance_id) == "COMPLETED"


def test_a_non_interrupting_event_subprocess_runs_beside_the_scope(client: TestClient) -> None:
    body = event_subprocess(MESSAGE, interrupting=False)
    instance_id = deploy_and_start(client, "esp_non", body, CANCEL.format(name="note_esp"))
    sent = client.post(f"{ENGINE}/message", json={"messageName": "note_esp", "businessKey": "B-esp_non"})
    assert sent.status_code == 204, sent.text
    assert keys(client, instance_id) == ["clean_up", "work"]
    complete(client, instance_id, "clean_up")
    complete(client, instance_id, "work")
    complete(client, instance_id, "more")
    assert state(client, instance_id) == "COMPLETED"


def test_an_interrupting_timer_event_subprocess_fires_and_interrupts(
    client: TestClient, clock: FakeClock
) -> None:
    timer = (
        "<bpmn:timerEventDefinition><bpmn:timeDuration>PT2H</bpmn:timeDuration></bpmn:timerEventDefinition>"
    )
    instance_id = deploy_and_start(client, "esp_timer", event_subprocess(timer))
    complete(client, instance_id, "work")
    assert keys(client, instance_id) == ["more"]
    clock.advance(timedelta(hours=2, seconds=1))
    client.app.state.engine.fire_due_timers()  # type: ignore[attr-defined]
    assert keys(client, instance_id) == ["clean_up"]
    complete(client, instance_id, "clean_up")
    assert state(client, instance_id) == "COMPLETED"


def test_an_error_event_subprocess_catches_an_error_end_event(client: TestClient) -> None:
    body = """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="fork"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:outgoing>f3</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="fail_here"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="other"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="boom"><bpmn:incoming>f4</bpmn:incoming><bpmn:errorEventDefinition errorRef="err" /></bpmn:endEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="fail_here" />
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="other" />
    <bpmn:sequenceFlow id="f4" sourceRef="fail_here" targetRef="boom" />
    <bpmn:sequenceFlow id="f5" sourceRef="other" targetRef="end" />
    <bpmn:subProcess id="handler" triggeredByEvent="true">
      <bpmn:startEvent id="handler_start"><bpmn:outgoing>h1</bpmn:outgoing><bpmn:errorEventDefinition errorRef="err" /></bpmn:startEvent>
      <bpmn:userTask id="clean_up"><bpmn:incoming>h1</bpmn:incoming><bpmn:outgoing>h2</bpmn:outgoing></bpmn:userTask>
      <bpmn:endEvent id="handler_end"><bpmn:incoming>h2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="h1" sourceRef="handler_start" targetRef="clean_up" />
      <bpmn:sequenceFlow id="h2" sourceRef="clean_up" targetRef="handler_end" />
    </bpmn:subProcess>"""
    instance_id = deploy_and_start(client, "esp_error", body, '  <bpmn:error id="err" errorCode="BOOM" />\n')
    assert keys(client, instance_id) == ["fail_here", "other"]
    complete(client, instance_id, "fail_here")
    assert keys(client, instance_id) == ["clean_up"]
    complete(client, instance_id, "clean_up")
    assert state(client, instance_id) == "COMPLETED"


def test_a_message_event_subprocess_nested_in_a_subprocess_is_refused_at_deploy(client: TestClient) -> None:
    """SpiffWorkflow would never start it; a Camunda user would expect it to."""
    body = f"""
    <bpmn:startEvent id="outer_start"><bpmn:outgoing>o1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:subProcess id="outer"><bpmn:incoming>o1</bpmn:incoming><bpmn:outgoing>o2</bpmn:outgoing>
      {event_subprocess(MESSAGE)}
    </bpmn:subProcess>
    <bpmn:endEvent id="outer_end"><bpmn:incoming>o2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="o1" sourceRef="outer_start" targetRef="outer" />
    <bpmn:sequenceFlow id="o2" sourceRef="outer" targetRef="outer_end" />"""
    content = document("esp_nested", body, extra=CANCEL.format(name="nested_stop"))
    response = client.post(f"{ENGINE}/deployment/create", files=[("n.bpmn", ("n.bpmn", content, "text/xml"))])
    assert response.status_code == 400
    (error,) = response.json()["details"]["n.bpmn"]["errors"]
    assert error["mainBpmnElementId"] == "handler_start" and "never start" in error["message"]


def test_quartz_cron_with_l_w_or_hash_is_refused_where_it_stands(client: TestClient) -> None:
    """Quartz cron runs on timer start events and boundary/intermediate timers
    (tests/camunda/test_camunda_timer_starts.py); L, W and # are refused at deploy, each named."""
    last = (
        "<bpmn:timerEventDefinition><bpmn:timeCycle>0 0 12 L * ?</bpmn:timeCycle></bpmn:timerEventDefinition>"
    )
    nth = "<bpmn:timerEventDefinition><bpmn:timeCycle>0 0 9 ? * 2#1</bpmn:timeCycle></bpmn:timerEventDefinition>"
    body = f"""
    <bpmn:startEvent id="monthly"><bpmn:outgoing>f1</bpmn:outgoing>{last}</bpmn:startEvent>
    <bpmn:userTask id="work"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="reminder" attachedToRef="work" cancelActivity="false"><bpmn:outgoing>f3</bpmn:outgoing>{nth}</bpmn:boundaryEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="reminded"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="monthly" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:sequenceFlow id="f3" sourceRef="reminder" targetRef="reminded" />"""
    content = document("cron", body)
    response = client.post(f"{ENGINE}/deployment/create", files=[("c.bpmn", ("c.bpmn", content, "text/xml"))])
    assert response.status_code == 400
    errors = response.json()["details"]["c.bpmn"]["errors"]
    assert {e["mainBpmnElementId"] for e in errors} == {"monthly", "reminder"}
    assert all("not supported" in e["message"] for e in errors)
