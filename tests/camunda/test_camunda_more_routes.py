"""Routes Camunda clients call that go beyond the worker loop (SQLite and PostgreSQL, fake clock):
history count, user-task BPMN errors and escalations, jobs (execute, due date, retries),
`dateTime()` due dates, numbers where Camunda expects text, and unknown query parameters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from api.camunda import router as camunda_router
from api.camunda.query import is_checked
from engine.clock import FakeClock

from support.bpmn import document, timer_process, user_task_process
from support.camunda import screening_diagram

ENGINE = "/engine-rest"


def deploy(client: TestClient, name: str, content: bytes) -> None:
    response = client.post(
        f"{ENGINE}/deployment/create",
        data={"deployment-name": name},
        files=[(f"{name}.bpmn", (f"{name}.bpmn", content, "text/xml"))],
    )
    assert response.status_code == 200, response.text


def start(client: TestClient, key: str, variables: dict[str, Any] | None = None) -> str:
    response = client.post(
        f"{ENGINE}/process-definition/key/{key}/start", json={"variables": variables or {}}
    )
    assert response.status_code == 200, response.text
    instance_id: str = response.json()["id"]
    return instance_id


def open_tasks(client: TestClient, instance_id: str) -> list[dict[str, Any]]:
    response = client.get(f"{ENGINE}/task", params={"processInstanceId": instance_id})
    assert response.status_code == 200, response.text
    tasks: list[dict[str, Any]] = response.json()
    return tasks


def state(client: TestClient, instance_id: str) -> str:
    body: dict[str, Any] = client.get(f"{ENGINE}/history/process-instance/{instance_id}").json()
    return str(body["state"])


# --- query parameters -------------------------------------------------------------------------


def test_every_camunda_route_checks_its_query_parameters() -> None:
    contexts = list(iter_route_contexts(camunda_router.routes))
    routes = [(c.path, c.original_route) for c in contexts if isinstance(c.original_route, APIRoute)]
    assert len(routes) >= 45
    assert [path for path, route in routes if not is_checked(route.endpoint)] == []


def test_a_filter_sagsflow_does_not_apply_is_refused_not_ignored(client: TestClient) -> None:
    response = client.get(f"{ENGINE}/process-instance", params={"superProcessInstanceId": "x", "foo": "1"})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "InvalidRequestException"
    assert "superProcessInstanceId" in body["message"] and "foo" in body["message"]
    tasks = client.get(f"{ENGINE}/task", params={"processInstanceBusinessKeyLike": "SAG%"})
    assert tasks.status_code == 400 and "processInstanceBusinessKeyLike" in tasks.json()["message"]


def test_declared_and_presentation_only_parameters_are_accepted(client: TestClient) -> None:
    ok = client.get(
        f"{ENGINE}/process-instance",
        params={"processDefinitionKey": "k", "sortBy": "instanceId", "sortOrder": "asc", "maxResults": 5},
    )
    assert ok.status_code == 200 and ok.json() == []
    assert client.get(f"{ENGINE}/task", params={"candidateGroup": "raadgiver"}).status_code == 200


def test_authentication_comes_before_the_query_check(client: TestClient) -> None:
    response = client.get(
        f"{ENGINE}/process-instance", params={"nope": "1"}, headers={"Authorization": "Bearer wrong"}
    )
    assert response.status_code == 401


# --- history count, numbers as text -------------------------------------------------------------


def test_history_count_answers_get_with_the_list_filters(client: TestClient) -> None:
    deploy(client, "counted", user_task_process("counted"))
    first, second = start(client, "counted"), start(client, "counted")
    task_id = open_tasks(client, first)[0]["id"]
    assert client.post(f"{ENGINE}/task/{task_id}/complete", json={}).status_code == 204
    count = client.get(f"{ENGINE}/history/process-instance/count", params={"processDefinitionKey": "counted"})
    assert count.status_code == 200 and count.json() == {"count": 2}
    finished = client.get(f"{ENGINE}/history/process-instance/count", params={"finished": "true"})
    assert finished.json() == {"count": 1}
    ids = client.get(f"{ENGINE}/history/process-instance", params={"processInstanceIds": f"{first},{second}"})
    assert sorted(i["id"] for i in ids.json()) == sorted([first, second])


def test_definition_and_deployment_counts_answer_with_the_list_filters(client: TestClient) -> None:
    def count(path: str, **params: str) -> Any:
        response = client.get(f"{ENGINE}/{path}/count", params=params)
        assert response.status_code == 200, response.text
        return response.json()["count"]

    definitions, deployments = count("process-definition"), count("deployment")
    deploy(client, "counted_a", user_task_process("counted_a"))
    deploy(
        client, "counted_a", user_task_process("counted_a", form='<camunda:formField id="x" type="string"/>')
    )
    deploy(client, "counted_b", user_task_process("counted_b"))
    assert count("process-definition") == definitions + 3
    assert count("process-definition", key="counted_a") == 2
    assert count("process-definition", key="counted_a", latestVersion="true") == 1
    assert count("process-definition", key="nothing") == 0
    listed = client.get(f"{ENGINE}/process-definition", params={"key": "counted_a", "latestVersion": "true"})
    assert [(d["key"], d["version"]) for d in listed.json()] == [("counted_a", 2)]
    assert count("deployment") == deployments + 3
    unknown = client.get(f"{ENGINE}/process-definition/count", params={"keyLikeNothing": "x"})
    assert unknown.status_code == 400


def test_an_integer_worker_id_is_taken_as_its_text(client: TestClient) -> None:
    diagram = screening_diagram("intworker")
    deploy(client, diagram.process_id, diagram.content)
    instance_id = start(client, diagram.process_id)
    locked = client.post(
        f"{ENGINE}/external-task/fetchAndLock",
        json={"workerId": 1, "maxTasks": 1, "topics": [{"topicName": diagram.topic, "lockDuration": 10000}]},
    )
    assert locked.status_code == 200, locked.text
    (task,) = locked.json()
    assert task["workerId"] == "1"
    done = client.post(f"{ENGINE}/external-task/{task['id']}/complete", json={"workerId": 1, "variables": {}})
    assert done.status_code == 204, done.text
    assert [t["taskDefinitionKey"] for t in open_tasks(client, instance_id)] == ["review"]


# --- BPMN errors and escalations thrown by a user task -------------------------------------------

BOUNDARIES = """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work" name="Arbejde"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="on_error" attachedToRef="work"><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:errorEventDefinition errorRef="err" camunda:errorCodeVariable="code" camunda:errorMessageVariable="why" />
    </bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="on_escalation" attachedToRef="work" cancelActivity="false"><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:escalationEventDefinition escalationRef="esc" camunda:escalationCodeVariable="escalated" />
    </bpmn:boundaryEvent>
    <bpmn:userTask id="after_error"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="after_escalation"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_error"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_escalation"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:sequenceFlow id="f3" sourceRef="on_error" targetRef="after_error" />
    <bpmn:sequenceFlow id="f4" sourceRef="on_escalation" targetRef="after_escalation" />
    <bpmn:sequenceFlow id="f5" sourceRef="after_error" targetRef="end_error" />
    <bpmn:sequenceFlow id="f6" sourceRef="after_escalation" targetRef="end_escalation" />"""
DEFINITIONS = (
    '  <bpmn:error id="err" name="Afvist" errorCode="REJECTED" />\n'
    '  <bpmn:escalation id="esc" name="Eskaler" escalationCode="LATE" />\n'
)


def boundary_case(client: TestClient, key: str) -> tuple[str, str]:
    deploy(client, key, document(key, BOUNDARIES, extra=DEFINITIONS))
    instance_id = start(client, key)
    (task,) = open_tasks(client, instance_id)
    return instance_id, task["id"]


def test_a_user_task_bpmn_error_is_caught_by_its_boundary_event(client: TestClient) -> None:
    instance_id, task_id = boundary_case(client, "task_error")
    response = client.post(
        f"{ENGINE}/task/{task_id}/bpmnError",
        json={"errorCode": "REJECTED", "errorMessage": "nej", "variables": {"note": {"value": "x"}}},
    )
    assert response.status_code == 204, response.text
    assert [t["taskDefinitionKey"] for t in open_tasks(client, instance_id)] == ["after_error"]
    variables = client.get(f"{ENGINE}/process-instance/{instance_id}/variables").json()
    assert (variables["code"]["value"], variables["why"]["value"], variables["note"]["value"]) == (
        "REJECTED",
        "nej",
        "x",
    )


def test_an_uncaught_user_task_bpmn_error_ends_its_branch(client: TestClient) -> None:
    instance_id, task_id = boundary_case(client, "task_error_uncaught")
    response = client.post(f"{ENGINE}/task/{task_id}/bpmnError", json={"errorCode": "OTHER"})
    assert response.status_code == 204, response.text
    assert state(client, instance_id) == "COMPLETED"


def test_a_bpmn_error_needs_an_error_code(client: TestClient) -> None:
    instance_id, task_id = boundary_case(client, "task_error_no_code")
    response = client.post(f"{ENGINE}/task/{task_id}/bpmnError", json={"errorMessage": "x"})
    assert response.status_code == 400 and "errorCode" in response.json()["message"]
    assert [t["id"] for t in open_tasks(client, instance_id)] == [task_id]


def test_a_non_interrupting_escalation_keeps_the_task_open(client: TestClient) -> None:
    instance_id, task_id = boundary_case(client, "task_escalation")
    response = client.post(f"{ENGINE}/task/{task_id}/bpmnEscalation", json={"escalationCode": "LATE"})
    assert response.status_code == 204, response.text
    keys = sorted(t["taskDefinitionKey"] for t in open_tasks(client, instance_id))
    assert keys == ["after_escalation", "work"]
    variables = client.get(f"{ENGINE}/process-instance/{instance_id}/variables").json()
    assert variables["escalated"]["value"] == "LATE"


def test_an_escalation_nothing_catches_is_refused_and_changes_nothing(client: TestClient) -> None:
    instance_id, task_id = boundary_case(client, "task_escalation_uncaught")
    response = client.post(f"{ENGINE}/task/{task_id}/bpmnEscalation", json={"escalationCode": "OTHER"})
    assert response.status_code == 409
    assert "no escalation handler" in response.json()["message"]
    assert [t["id"] for t in open_tasks(client, instance_id)] == [task_id]


# --- jobs -------------------------------------------------------------------------------------


def job_of(client: TestClient, instance_id: str) -> dict[str, Any]:
    (job,) = client.get(f"{ENGINE}/job", params={"processInstanceId": instance_id}).json()
    assert isinstance(job, dict)
    return job


def test_executing_a_job_fires_its_timer_now(client: TestClient) -> None:
    deploy(client, "timed", timer_process("timed", "P10D"))
    instance_id = start(client, "timed")
    job = job_of(client, instance_id)
    assert client.post(f"{ENGINE}/job/{job['id']}/execute").status_code == 204
    assert client.get(f"{ENGINE}/job", params={"processInstanceId": instance_id}).json() == []
    assert client.post(f"{ENGINE}/job/{job['id']}/execute").status_code == 404


def test_moving_a_due_date_moves_the_timer(client: TestClient, clock: FakeClock) -> None:
    deploy(client, "moved", timer_process("moved", "P10D"))
    instance_id = start(client, "moved")
    job = job_of(client, instance_id)
    due = (clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    moved = client.put(f"{ENGINE}/job/{job['id']}/duedate", json={"duedate": due})
    assert moved.status_code == 204, moved.text
    assert job_of(client, instance_id)["dueDate"] == due
    assert client.put(f"{ENGINE}/job/{job['id']}/duedate", json={"duedate": "soon"}).status_code == 400
    clock.advance(timedelta(days=1, seconds=1))
    client.app.state.engine.fire_due_timers()  # type: ignore[attr-defined]
    assert client.get(f"{ENGINE}/job", params={"processInstanceId": instance_id}).json() == []


FAILING_AFTER_TIMER = """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="boom" scriptFormat="python"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>result = 1 / divisor</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="after"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="boom" />
    <bpmn:sequenceFlow id="f3" sourceRef="boom" targetRef="after" />
    <bpmn:sequenceFlow id="f4" sourceRef="after" targetRef="end" />"""


def test_a_failed_timer_is_found_by_failed_activity_and_retried(client: TestClient, clock: FakeClock) -> None:
    deploy(client, "failing", document("failing", FAILING_AFTER_TIMER))
    instance_id = start(client, "failing", {"divisor": {"value": 0, "type": "Integer"}})
    assert client.get(f"{ENGINE}/job", params={"failedActivityId": "wait"}).json() == []
    engine = client.app.state.engine  # type: ignore[attr-defined]
    for _ in range(engine.settings.timer_max_attempts):
        clock.advance(timedelta(hours=2))
        engine.fire_due_timers()
    (failed,) = client.get(f"{ENGINE}/job", params={"failedActivityId": "wait"}).json()
    assert failed["retries"] == 0 and failed["processInstanceId"] == instance_id
    assert [i["incidentType"] for i in client.get(f"{ENGINE}/incident").json()] == ["failedTimer"]
    assert client.put(f"{ENGINE}/job/{failed['id']}/retries", json={"retries": 1}).status_code == 204
    assert client.get(f"{ENGINE}/incident").json() == []
    assert job_of(client, instance_id)["retries"] > 0


# --- dateTime() in camunda:dueDate -------------------------------------------------------------


def test_a_due_date_written_with_date_time_is_computed_from_now(client: TestClient, clock: FakeClock) -> None:
    body = """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work" camunda:dueDate="${dateTime().plusDays(2).plusHours(3).toDate()}">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />"""
    deploy(client, "due_dt", document("due_dt", body))
    instance_id = start(client, "due_dt")
    (task,) = open_tasks(client, instance_id)
    expected = clock.now() + timedelta(days=2, hours=3)  # no DST change in the fake clock's week
    assert task["due"] == expected.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def test_an_unsupported_date_time_method_is_refused_at_deploy(client: TestClient) -> None:
    body = """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work" camunda:dueDate="${dateTime().withTimeAtStartOfDay().toDate()}">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />"""
    response = client.post(
        f"{ENGINE}/deployment/create",
        files=[("bad.bpmn", ("bad.bpmn", document("due_bad", body), "text/xml"))],
    )
    assert response.status_code == 400
    assert "work" in str(response.json()["details"])


def test_a_file_variable_is_described_and_its_content_served(client: TestClient) -> None:
    deploy(client, "with_file", user_task_process("with_file"))
    invoice = {"value": "RmFrdHVyYSAxMjM=", "type": "File"}
    invoice["valueInfo"] = {"filename": "faktura.txt", "mimeType": "text/plain", "encoding": "UTF-8"}  # type: ignore[assignment]
    instance_id = start(client, "with_file", {"invoice": invoice})
    shown = client.get(f"{ENGINE}/process-instance/{instance_id}/variables/invoice").json()
    assert (shown["type"], shown["value"], shown["valueInfo"]["filename"]) == ("File", None, "faktura.txt")
    data = client.get(f"{ENGINE}/process-instance/{instance_id}/variables/invoice/data")
    assert (data.status_code, data.content) == (200, b"Faktura 123")
    assert data.headers["content-type"].startswith("text/plain")
    too_big = {**invoice, "value": "QUFB" * 100_000}
    refused = client.post(
        f"{ENGINE}/process-definition/key/with_file/start", json={"variables": {"f": too_big}}
    )
    assert refused.status_code == 400
