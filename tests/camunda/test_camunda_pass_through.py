"""Valid diagrams that must run as Camunda runs them (SQLite and PostgreSQL): plain and manual
tasks pass through, sequence flows without ids connect, message start events start processes
by `POST /engine-rest/message` and the native `POST /messages`."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from support.bpmn import document

ENGINE = "/engine-rest"


def deploy(client: TestClient, key: str, content: bytes) -> dict[str, Any]:
    response = client.post(
        f"{ENGINE}/deployment/create",
        data={"deployment-name": key, "deployment-source": "Camunda Modeler"},
        files=[(f"{key}.bpmn", (f"{key}.bpmn", content, "text/xml"))],
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def task_keys(client: TestClient, instance_id: str) -> list[str]:
    tasks = client.get(f"{ENGINE}/task", params={"processInstanceId": instance_id}).json()
    return sorted(t["taskDefinitionKey"] for t in tasks)


def history_state(client: TestClient, instance_id: str) -> str:
    return str(client.get(f"{ENGINE}/history/process-instance/{instance_id}").json()["state"])


PASS_THROUGH = """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:task id="plain" name="Noter"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:task>
    <bpmn:manualTask id="manual" name="Ring"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:manualTask>
    <bpmn:userTask id="work"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="plain" />
    <bpmn:sequenceFlow id="f2" sourceRef="plain" targetRef="manual" />
    <bpmn:sequenceFlow id="f3" sourceRef="manual" targetRef="work" />
    <bpmn:sequenceFlow id="f4" sourceRef="work" targetRef="end" />"""


def test_plain_and_manual_tasks_pass_through(client: TestClient) -> None:
    deploy(client, "passing", document("passing", PASS_THROUGH))
    started = client.post(f"{ENGINE}/process-definition/key/passing/start", json={})
    assert started.status_code == 200, started.text
    instance_id = started.json()["id"]
    assert task_keys(client, instance_id) == ["work"]
    assert client.get(f"{ENGINE}/task/count").json() == {"count": 1}


NO_FLOW_IDS = """
    <bpmn:startEvent id="start" />
    <bpmn:exclusiveGateway id="choose" />
    <bpmn:userTask id="yes_task" />
    <bpmn:userTask id="no_task" />
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow sourceRef="start" targetRef="choose" />
    <bpmn:sequenceFlow sourceRef="choose" targetRef="yes_task">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${approved}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow sourceRef="choose" targetRef="no_task">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${!approved}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow sourceRef="yes_task" targetRef="end" />
    <bpmn:sequenceFlow sourceRef="no_task" targetRef="end" />"""


def test_sequence_flows_without_ids_connect(client: TestClient) -> None:
    deploy(client, "anonymous", document("anonymous", NO_FLOW_IDS))
    for approved, expected in ((True, "yes_task"), (False, "no_task")):
        started = client.post(
            f"{ENGINE}/process-definition/key/anonymous/start",
            json={"variables": {"approved": {"value": approved, "type": "Boolean"}}},
        )
        assert started.status_code == 200, started.text
        assert task_keys(client, started.json()["id"]) == [expected]


MESSAGE_START = """
    <bpmn:startEvent id="on_order"><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="order" /></bpmn:startEvent>
    <bpmn:userTask id="handle"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="on_order" targetRef="handle" />
    <bpmn:sequenceFlow id="f2" sourceRef="handle" targetRef="end" />"""


def message_start_process(key: str, message: str) -> bytes:
    return document(key, MESSAGE_START, extra=f'  <bpmn:message id="order" name="{message}" />\n')


def test_a_message_starts_the_process_of_its_message_start_event(client: TestClient) -> None:
    deploy(client, "ordered", message_start_process("ordered", "order_placed"))
    response = client.post(
        f"{ENGINE}/message",
        json={
            "messageName": "order_placed",
            "businessKey": "ORDER-1",
            "processVariables": {"amount": {"value": 30, "type": "Integer"}},
            "resultEnabled": True,
        },
    )
    assert response.status_code == 200, response.text
    (result,) = response.json()
    assert result["resultType"] == "ProcessDefinition" and result["execution"] is None
    instance = result["processInstance"]
    assert instance["businessKey"] == "ORDER-1" and instance["definitionId"].startswith("ordered:1:")
    assert task_keys(client, instance["id"]) == ["handle"]
    variables = client.get(f"{ENGINE}/process-instance/{instance['id']}/variables").json()
    assert variables["amount"]["value"] == 30


def test_the_native_messages_route_starts_it_too(client: TestClient) -> None:
    deploy(client, "ordered_native", message_start_process("ordered_native", "native_order"))
    response = client.post("/messages", json={"name": "native_order", "business_key": "ORDER-2"})
    assert response.status_code == 200, response.text
    (case,) = response.json()
    assert task_keys(client, case["id"]) == ["handle"]


def test_waiting_instances_come_before_message_starts(client: TestClient) -> None:
    """A message start event never catches a message a waiting instance takes; an explicit start
    of a process whose only start event is a message start event starts there, as in Camunda."""
    body = MESSAGE_START.replace(
        '<bpmn:userTask id="handle">', '<bpmn:receiveTask id="handle" messageRef="order">'
    )
    body = body.replace("</bpmn:userTask>", "</bpmn:receiveTask>")
    deploy(client, "both", document("both", body, extra='  <bpmn:message id="order" name="again" />\n'))
    started = client.post(f"{ENGINE}/process-definition/key/both/start", json={"businessKey": "B-1"})
    assert started.status_code == 200, started.text
    first = started.json()["id"]
    waiting = client.post(f"{ENGINE}/message", json={"messageName": "again", "resultEnabled": True})
    (result,) = waiting.json()
    assert (result["resultType"], result["execution"]["processInstanceId"]) == ("Execution", first)
    assert history_state(client, first) == "COMPLETED"


def test_an_unknown_message_is_refused_and_starts_nothing(client: TestClient) -> None:
    deploy(client, "ordered_other", message_start_process("ordered_other", "known_order"))
    response = client.post(f"{ENGINE}/message", json={"messageName": "unknown_order"})
    assert response.status_code == 400
    assert response.json()["type"] == "MismatchingMessageCorrelationException"
    assert client.get(
        f"{ENGINE}/process-instance/count", params={"processDefinitionKey": "ordered_other"}
    ).json() == {"count": 0}


def test_a_message_for_a_given_instance_never_starts_a_process(client: TestClient) -> None:
    deploy(client, "ordered_pinned", message_start_process("ordered_pinned", "pinned_order"))
    response = client.post(
        f"{ENGINE}/message",
        json={"messageName": "pinned_order", "processInstanceId": "00000000-0000-0000-0000-000000000000"},
    )
    assert response.status_code == 400
