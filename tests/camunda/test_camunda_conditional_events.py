"""Conditional events as Camunda runs them (SQLite and PostgreSQL): evaluated on arrival and again
whenever variables change (optionally only for `camunda:variableName`), a missing variable is
false; boundary conditional events interrupt their activity, even an embedded subprocess."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from support.bpmn import document

ENGINE = "/engine-rest"


def deploy(client: TestClient, key: str, body: str) -> Any:
    content = document(key, body)
    return client.post(
        f"{ENGINE}/deployment/create", files=[(f"{key}.bpmn", (f"{key}.bpmn", content, "text/xml"))]
    )


def start(client: TestClient, key: str, body: str, variables: dict[str, Any] | None = None) -> str:
    deployed = deploy(client, key, body)
    assert deployed.status_code == 200, deployed.text
    typed = {k: {"value": v} for k, v in (variables or {}).items()}
    started = client.post(f"{ENGINE}/process-definition/key/{key}/start", json={"variables": typed})
    assert started.status_code == 200, started.text
    instance_id: str = started.json()["id"]
    return instance_id


def keys(client: TestClient, instance_id: str) -> list[str]:
    found = client.get(f"{ENGINE}/task", params={"processInstanceId": instance_id}).json()
    return sorted(t["taskDefinitionKey"] for t in found)


def complete(client: TestClient, instance_id: str, key: str, **variables: Any) -> None:
    found = client.get(f"{ENGINE}/task", params={"processInstanceId": instance_id}).json()
    (task,) = [t for t in found if t["taskDefinitionKey"] == key]
    body = {"variables": {k: {"value": v} for k, v in variables.items()}}
    response = client.post(f"{ENGINE}/task/{task['id']}/complete", json=body)
    assert response.status_code == 204, response.text


def parallel_with_condition(condition: str, attributes: str = "") -> str:
    """Branch A: user tasks first, second; branch B: a conditional catch event, then user task after."""
    return f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="fork"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>a1</bpmn:outgoing>
      <bpmn:outgoing>b1</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="first"><bpmn:incoming>a1</bpmn:incoming><bpmn:outgoing>a2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="second"><bpmn:incoming>a2</bpmn:incoming><bpmn:outgoing>a3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end_a"><bpmn:incoming>a3</bpmn:incoming></bpmn:endEvent>
    <bpmn:intermediateCatchEvent id="until"><bpmn:incoming>b1</bpmn:incoming><bpmn:outgoing>b2</bpmn:outgoing>
      <bpmn:conditionalEventDefinition{attributes}>
        <bpmn:condition xsi:type="bpmn:tFormalExpression">{condition}</bpmn:condition>
      </bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:userTask id="after"><bpmn:incoming>b2</bpmn:incoming><bpmn:outgoing>b3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end_b"><bpmn:incoming>b3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork" />
    <bpmn:sequenceFlow id="a1" sourceRef="fork" targetRef="first" />
    <bpmn:sequenceFlow id="a2" sourceRef="first" targetRef="second" />
    <bpmn:sequenceFlow id="a3" sourceRef="second" targetRef="end_a" />
    <bpmn:sequenceFlow id="b1" sourceRef="fork" targetRef="until" />
    <bpmn:sequenceFlow id="b2" sourceRef="until" targetRef="after" />
    <bpmn:sequenceFlow id="b3" sourceRef="after" targetRef="end_b" />"""


def test_a_condition_that_holds_on_arrival_passes_at_once(client: TestClient) -> None:
    instance_id = start(client, "cond_now", parallel_with_condition("${approved}"), {"approved": True})
    assert keys(client, instance_id) == ["after", "first"]


def test_a_waiting_condition_fires_when_a_variable_changes(client: TestClient) -> None:
    instance_id = start(client, "cond_later", parallel_with_condition("${approved}"))
    assert keys(client, instance_id) == ["first"]  # a missing variable is false, not an error
    complete(client, instance_id, "first", approved=False)
    assert keys(client, instance_id) == ["second"]
    complete(client, instance_id, "second", approved=True)
    assert keys(client, instance_id) == ["after"]
    activity = client.get(f"{ENGINE}/process-instance/{instance_id}/activity-instances").json()
    assert [c["activityType"] for c in activity["childActivityInstances"]] == ["userTask"]


def test_variable_name_limits_which_changes_are_evaluated(client: TestClient) -> None:
    body = parallel_with_condition("${y == 1}", ' camunda:variableName="x"')
    instance_id = start(client, "cond_named", body)
    complete(client, instance_id, "first", y=1)
    assert keys(client, instance_id) == ["second"]  # y changed, but only x is watched
    complete(client, instance_id, "second", x=5)
    assert keys(client, instance_id) == ["after"]


BOUNDARY_ON_SUBPROCESS = """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:subProcess id="order"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:startEvent id="inner_start"><bpmn:outgoing>i1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:userTask id="create_invoice"><bpmn:incoming>i1</bpmn:incoming><bpmn:outgoing>i2</bpmn:outgoing></bpmn:userTask>
      <bpmn:userTask id="ship"><bpmn:incoming>i2</bpmn:incoming><bpmn:outgoing>i3</bpmn:outgoing></bpmn:userTask>
      <bpmn:endEvent id="inner_end"><bpmn:incoming>i3</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="i1" sourceRef="inner_start" targetRef="create_invoice" />
      <bpmn:sequenceFlow id="i2" sourceRef="create_invoice" targetRef="ship" />
      <bpmn:sequenceFlow id="i3" sourceRef="ship" targetRef="inner_end" />
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="dated" attachedToRef="order"><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:conditionalEventDefinition>
        <bpmn:condition xsi:type="bpmn:tFormalExpression">${date != null}</bpmn:condition>
      </bpmn:conditionalEventDefinition></bpmn:boundaryEvent>
    <bpmn:userTask id="store"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="stored"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="order" />
    <bpmn:sequenceFlow id="f2" sourceRef="order" targetRef="end" />
    <bpmn:sequenceFlow id="f3" sourceRef="dated" targetRef="store" />
    <bpmn:sequenceFlow id="f4" sourceRef="store" targetRef="stored" />"""


def test_a_boundary_condition_interrupts_the_subprocess_when_a_variable_inside_changes(
    client: TestClient,
) -> None:
    instance_id = start(client, "cond_boundary", BOUNDARY_ON_SUBPROCESS)
    assert keys(client, instance_id) == ["create_invoice"]
    complete(client, instance_id, "create_invoice", date="2026-01-05")
    assert keys(client, instance_id) == ["store"]
    complete(client, instance_id, "store")
    state = client.get(f"{ENGINE}/history/process-instance/{instance_id}").json()["state"]
    assert state == "COMPLETED"


def test_without_the_variable_the_subprocess_runs_to_its_end(client: TestClient) -> None:
    instance_id = start(client, "cond_boundary_not", BOUNDARY_ON_SUBPROCESS)
    complete(client, instance_id, "create_invoice", amount=3)
    assert keys(client, instance_id) == ["ship"]


def test_a_conditional_start_event_is_refused_at_deploy(client: TestClient) -> None:
    body = """
    <bpmn:startEvent id="when"><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">${x}</bpmn:condition>
      </bpmn:conditionalEventDefinition></bpmn:startEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="when" targetRef="end" />"""
    response = deploy(client, "cond_start", body)
    assert response.status_code == 400
    (error,) = response.json()["details"]["cond_start.bpmn"]["errors"]
    assert error["mainBpmnElementId"] == "when" and "conditional start events" in error["message"]


def test_setting_variables_on_the_instance_wakes_a_waiting_condition(client: TestClient) -> None:
    instance_id = start(client, "cond_set", parallel_with_condition("${approved}"), {"note": "x"})
    changed = client.post(
        f"{ENGINE}/process-instance/{instance_id}/variables",
        json={"modifications": {"approved": {"value": True, "type": "Boolean"}}, "deletions": ["note"]},
    )
    assert changed.status_code == 204, changed.text
    assert keys(client, instance_id) == ["after", "first"]
    variables = client.get(f"{ENGINE}/process-instance/{instance_id}/variables").json()
    assert variables["approved"]["value"] is True and "note" not in variables
    put = client.put(
        f"{ENGINE}/process-instance/{instance_id}/variables/level", json={"value": 3, "type": "Integer"}
    )
    assert put.status_code == 204
    assert client.get(f"{ENGINE}/process-instance/{instance_id}/variables/level").json()["value"] == 3
    assert client.delete(f"{ENGINE}/process-instance/{instance_id}/variables/level").status_code == 204
    assert client.get(f"{ENGINE}/process-instance/{instance_id}/variables/level").status_code == 404


def test_bad_variable_changes_are_refused_and_change_nothing(client: TestClient) -> None:
    instance_id = start(client, "cond_set_bad", parallel_with_condition("${approved}"))
    bad = client.post(
        f"{ENGINE}/process-instance/{instance_id}/variables",
        json={"modifications": {"approved": {"value": True, "type": "Boolean"}}, "deletions": ["__class__"]},
    )
    assert bad.status_code == 400
    assert keys(client, instance_id) == ["first"]
    missing = client.post(
        f"{ENGINE}/process-instance/00000000-0000-0000-0000-000000000000/variables",
        json={"modifications": {}},
    )
    assert missing.status_code == 404


def test_variables_of_a_called_process_instance_are_its_own(client: TestClient) -> None:
    called = """
    <bpmn:startEvent id="child_start"><bpmn:outgoing>c1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="child_work"><bpmn:incoming>c1</bpmn:incoming><bpmn:outgoing>c2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="child_end"><bpmn:incoming>c2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="c1" sourceRef="child_start" targetRef="child_work" />
    <bpmn:sequenceFlow id="c2" sourceRef="child_work" targetRef="child_end" />"""
    assert deploy(client, "vars_child", called).status_code == 200
    caller = """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:callActivity id="call" calledElement="vars_child"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" />"""
    root = start(client, "vars_parent", caller)
    (child,) = client.get(f"{ENGINE}/process-instance", params={"superProcessInstance": root}).json()
    changed = client.put(f"{ENGINE}/process-instance/{child['id']}/variables/note", json={"value": "x"})
    assert changed.status_code == 204, changed.text
    assert client.get(f"{ENGINE}/process-instance/{child['id']}/variables/note").json()["value"] == "x"
    assert client.get(f"{ENGINE}/process-instance/{root}/variables/note").status_code == 404
