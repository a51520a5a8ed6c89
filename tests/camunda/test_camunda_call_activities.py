"""A call activity starts a child process instance, as Camunda 7 shows it over /engine-rest: its
own id and definition, linked to its super instance, its tasks found by its own definition key,
its own activity-instance tree and history."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from support import bpmn

ENGINE = "/engine-rest"
PASS_BUSINESS_KEY = '<camunda:in businessKey="#{execution.processBusinessKey}"/>'


def deploy(client: TestClient, *files: tuple[str, bytes]) -> None:
    response = client.post(
        f"{ENGINE}/deployment/create",
        files=[(name, (name, content, "application/octet-stream")) for name, content in files],
        data={"deployment-name": files[0][0]},
    )
    assert response.status_code == 200, response.text


def get(client: TestClient, path: str, **params: str) -> Any:
    response = client.get(f"{ENGINE}{path}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def start_and_enter_child(client: TestClient, extensions: str = "") -> tuple[str, dict[str, Any]]:
    """Start 'parent' with business key B-1 and complete its first task: the call activity starts
    'child'. Returns the case's id and the child's task."""
    deploy(
        client,
        ("child.bpmn", bpmn.called_process("child", "I barnet")),
        ("parent.bpmn", bpmn.caller_process("parent", "child", extensions=extensions)),
    )
    started = client.post(f"{ENGINE}/process-definition/key/parent/start", json={"businessKey": "B-1"})
    assert started.status_code == 200, started.text
    root = started.json()["id"]
    [before] = get(client, "/task", processInstanceId=root)
    assert client.post(f"{ENGINE}/task/{before['id']}/complete", json={}).status_code == 204
    [task] = get(client, "/task", processDefinitionKey="child")
    return root, task


def test_the_called_process_is_a_child_process_instance(client: TestClient) -> None:
    root, task = start_and_enter_child(client)
    child = task["processInstanceId"]
    assert child != root and task["processDefinitionId"].startswith("child:1:")
    assert get(client, "/task", processInstanceId=child) == [task]
    assert get(client, "/task", processInstanceId=root) == []  # the caller waits in the call activity

    [listed] = get(client, "/process-instance", superProcessInstance=root)
    assert (listed["id"], listed["definitionKey"], listed["ended"]) == (child, "child", False)
    assert listed["businessKey"] is None  # Camunda passes no business key unless told to
    assert [p["id"] for p in get(client, "/process-instance", subProcessInstance=child)] == [root]
    assert {p["id"] for p in get(client, "/process-instance")} == {root, child}
    assert get(client, "/process-instance/count", processDefinitionKey="child") == {"count": 1}
    assert get(client, f"/process-instance/{child}")["definitionId"] == task["processDefinitionId"]

    [history] = get(client, "/history/process-instance", superProcessInstanceId=root)
    assert history["id"] == child and history["state"] == "ACTIVE"
    assert (history["rootProcessInstanceId"], history["superProcessInstanceId"]) == (root, root)
    assert (history["processDefinitionKey"], history["processDefinitionVersion"]) == ("child", 1)
    root_history = get(client, f"/history/process-instance/{root}")
    assert root_history["superProcessInstanceId"] is None and root_history["rootProcessInstanceId"] == root


def test_each_process_instance_has_its_own_activity_tree(client: TestClient) -> None:
    root, task = start_and_enter_child(client)
    child = task["processInstanceId"]
    caller = get(client, f"/process-instance/{root}/activity-instances")
    [call] = caller["childActivityInstances"]
    assert (call["activityId"], call["activityType"], call["childActivityInstances"]) == (
        "call",
        "callActivity",
        [],
    )
    called = get(client, f"/process-instance/{child}/activity-instances")
    assert called["processInstanceId"] == child and called["activityId"] == "child"
    assert [a["activityId"] for a in called["childActivityInstances"]] == ["work"]


def test_the_child_ends_into_history_and_the_caller_moves_on(client: TestClient) -> None:
    root, task = start_and_enter_child(client)
    child = task["processInstanceId"]
    assert client.post(f"{ENGINE}/task/{task['id']}/complete", json={}).status_code == 204

    assert client.get(f"{ENGINE}/process-instance/{child}").status_code == 404  # ended: history only
    ended = get(client, f"/history/process-instance/{child}")
    assert ended["state"] == "COMPLETED" and ended["endTime"] is not None
    assert [t["taskDefinitionKey"] for t in get(client, "/task", processInstanceId=root)] == ["after"]
    assert get(client, "/history/process-instance/count", finished="true") == {"count": 1}
    assert get(client, "/process-instance", superProcessInstance=root) == []


def test_the_business_key_is_passed_when_the_call_activity_says_so(client: TestClient) -> None:
    _, task = start_and_enter_child(client, extensions=PASS_BUSINESS_KEY)
    child = get(client, f"/process-instance/{task['processInstanceId']}")
    assert child["businessKey"] == "B-1"
    assert get(client, "/task", processInstanceBusinessKey="B-1") == [task]


def test_a_timer_of_the_called_process_is_its_job(client: TestClient) -> None:
    deploy(
        client,
        ("waiting.bpmn", bpmn.timer_process("waiting", "P1D")),
        ("parent.bpmn", bpmn.caller_process("parent", "waiting")),
    )
    root = client.post(f"{ENGINE}/process-definition/key/parent/start", json={}).json()["id"]
    [before] = get(client, "/task", processInstanceId=root)
    assert client.post(f"{ENGINE}/task/{before['id']}/complete", json={}).status_code == 204
    [child] = get(client, "/process-instance", superProcessInstance=root)
    [job] = get(client, "/job", processInstanceId=child["id"])
    assert job["processDefinitionKey"] == "waiting" and job["processDefinitionId"] == child["definitionId"]
    assert get(client, "/job", processInstanceId=root) == []


WORKER_TASK = bpmn.document(
    "worked",
    """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="send" camunda:type="external" camunda:topic="called-send">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="send" />
    <bpmn:sequenceFlow id="f2" sourceRef="send" targetRef="end" />""",
)


def test_an_external_task_of_the_called_process_is_fetched_and_fails_there(client: TestClient) -> None:
    deploy(client, ("worked.bpmn", WORKER_TASK), ("parent.bpmn", bpmn.caller_process("parent", "worked")))
    root = client.post(f"{ENGINE}/process-definition/key/parent/start", json={"businessKey": "B-2"}).json()[
        "id"
    ]
    [before] = get(client, "/task", processInstanceId=root)
    assert client.post(f"{ENGINE}/task/{before['id']}/complete", json={}).status_code == 204
    subscription = {"topicName": "called-send", "lockDuration": 10000, "processDefinitionKey": "worked"}
    fetched = client.post(
        f"{ENGINE}/external-task/fetchAndLock",
        json={"workerId": "w", "maxTasks": 1, "topics": [subscription]},
    ).json()
    [task] = fetched
    [child] = get(client, "/process-instance", superProcessInstance=root)
    assert (task["processInstanceId"], task["processDefinitionKey"]) == (child["id"], "worked")
    assert task["businessKey"] is None  # the called process's (none was passed), not the case's
    failure = {"workerId": "w", "errorMessage": "nede", "retries": 0, "retryTimeout": 0}
    assert client.post(f"{ENGINE}/external-task/{task['id']}/failure", json=failure).status_code == 204
    [incident] = get(client, "/incident", processInstanceId=child["id"])
    assert incident["processDefinitionId"] == child["definitionId"]
