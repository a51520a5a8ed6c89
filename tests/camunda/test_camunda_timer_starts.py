"""Timer start events of deployed process definitions start instances on schedule, as Camunda 7
(SQLite and PostgreSQL, fake clock): timeDate, timeDuration, timeCycle R[n]/[start/]duration and
Quartz cron; one instance per due slot however often the tick runs; a new version replaces the
previous version's start timers; the timer is a job without a process instance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from engine.bootstrap import build_engine
from engine.clock import FakeClock

from support.bpmn import document
from support.settings import engine_settings

ENGINE = "/engine-rest"


def timer_process(key: str, timer: str, task: str = "work") -> bytes:
    body = f"""
    <bpmn:startEvent id="every"><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:timerEventDefinition>{timer}</bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:userTask id="{task}"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="every" targetRef="{task}" />
    <bpmn:sequenceFlow id="f2" sourceRef="{task}" targetRef="end" />"""
    return document(key, body)


def deploy(client: TestClient, key: str, content: bytes) -> Any:
    files = [(f"{key}.bpmn", (f"{key}.bpmn", content, "text/xml"))]
    return client.post(f"{ENGINE}/deployment/create", files=files)


def tick(client: TestClient) -> None:
    client.app.state.engine.fire_due_timers()  # type: ignore[attr-defined]


def instances(client: TestClient, key: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get(
        f"{ENGINE}/process-instance", params={"processDefinitionKey": key}
    ).json()
    return found


def jobs(client: TestClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.get(f"{ENGINE}/job").json()
    return found


def cycle(key: str, text: str) -> bytes:
    return timer_process(key, f"<bpmn:timeCycle>{text}</bpmn:timeCycle>")


def test_a_cycle_starts_one_instance_per_slot_and_stops_after_its_repetitions(
    client: TestClient, clock: FakeClock
) -> None:
    deployed = deploy(client, "every_hour", cycle("every_hour", "R2/PT1H"))
    assert deployed.status_code == 200, deployed.text
    (definition,) = deployed.json()["deployedProcessDefinitions"].values()
    (job,) = jobs(client)
    assert job["processInstanceId"] is None and job["processDefinitionId"] == definition["id"]
    assert job["processDefinitionKey"] == "every_hour"
    assert job["dueDate"].startswith((clock.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    tick(client)
    assert instances(client, "every_hour") == []  # not due yet
    clock.advance(timedelta(minutes=60, seconds=1))
    tick(client)
    tick(client)  # a second worker's tick for the same slot starts nothing
    (first,) = instances(client, "every_hour")
    tasks = client.get(f"{ENGINE}/task", params={"processInstanceId": first["id"]}).json()
    assert [t["taskDefinitionKey"] for t in tasks] == ["work"]
    clock.advance(timedelta(hours=1))
    tick(client)
    assert len(instances(client, "every_hour")) == 2
    assert jobs(client) == []  # R2: two starts, then the job is gone
    clock.advance(timedelta(hours=5))
    tick(client)
    assert len(instances(client, "every_hour")) == 2


def test_after_downtime_a_cycle_starts_once_and_continues_from_the_next_slot(
    client: TestClient, clock: FakeClock
) -> None:
    assert deploy(client, "hourly", cycle("hourly", "R/PT1H")).status_code == 200
    clock.advance(timedelta(hours=5, minutes=30))
    tick(client)
    assert len(instances(client, "hourly")) == 1
    (job,) = jobs(client)
    assert job["dueDate"].startswith((clock.now() + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))


def test_date_and_duration_start_once(client: TestClient, clock: FakeClock) -> None:
    at = (clock.now() + timedelta(days=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (
        deploy(
            client, "on_date", timer_process("on_date", f"<bpmn:timeDate>{at}</bpmn:timeDate>")
        ).status_code
        == 200
    )
    # Camunda repeats only cycles: an 'R10/PT5S' duration (the JS client's order example) starts once
    duration = timer_process("after", "<bpmn:timeDuration>R10/PT5S</bpmn:timeDuration>")
    assert deploy(client, "after", duration).status_code == 200
    clock.advance(timedelta(seconds=6))
    tick(client)
    assert (len(instances(client, "after")), len(instances(client, "on_date"))) == (1, 0)
    clock.advance(timedelta(days=2))
    tick(client)
    assert (len(instances(client, "after")), len(instances(client, "on_date"))) == (1, 1)
    assert jobs(client) == []


def test_a_quartz_cron_cycle_starts_on_its_wall_clock_slots(client: TestClient, clock: FakeClock) -> None:
    clock.move_to(datetime(2026, 3, 2, 10, 1, tzinfo=UTC))  # a Monday, 11:01 in Copenhagen
    assert deploy(client, "cron", cycle("cron", "0 0/5 * * * ?")).status_code == 200
    (job,) = jobs(client)
    assert job["dueDate"].startswith("2026-03-02T10:05:00")  # as UTC: 11:05 Copenhagen
    clock.advance(timedelta(minutes=4))
    tick(client)
    clock.advance(timedelta(seconds=2))
    tick(client)
    assert len(instances(client, "cron")) == 1
    (job,) = jobs(client)
    assert job["dueDate"].startswith("2026-03-02T10:10:00")
    weekdays = deploy(client, "noon", cycle("noon", "0 0 12 ? * MON-FRI"))
    assert weekdays.status_code == 200
    noon = next(j for j in jobs(client) if j["processDefinitionKey"] == "noon")
    assert noon["dueDate"].startswith("2026-03-02T11:00:00")  # 12:00 Copenhagen (CET)


def test_a_new_version_replaces_the_previous_versions_start_timers(
    client: TestClient, clock: FakeClock
) -> None:
    assert deploy(client, "versioned", cycle("versioned", "R/PT1H")).status_code == 200
    second = deploy(
        client,
        "versioned",
        cycle("versioned", "R/PT2H")
        .replace(b'id="work"', b'id="other"')
        .replace(b'targetRef="work"', b'targetRef="other"')
        .replace(b'sourceRef="work"', b'sourceRef="other"'),
    )
    assert second.status_code == 200, second.text
    (definition,) = second.json()["deployedProcessDefinitions"].values()
    (job,) = jobs(client)
    assert job["processDefinitionId"] == definition["id"]
    assert client.post(f"{ENGINE}/job/{job['id']}/execute").status_code == 204  # at once
    (started,) = instances(client, "versioned")
    assert started["definitionId"] == definition["id"]
    assert task_keys(client, started["id"]) == ["other"]
    # a version without a timer start event ends them too (as Camunda)
    plain = document(
        "versioned",
        """<bpmn:startEvent id="s"><bpmn:outgoing>g</bpmn:outgoing></bpmn:startEvent>
        <bpmn:endEvent id="e"><bpmn:incoming>g</bpmn:incoming></bpmn:endEvent>
        <bpmn:sequenceFlow id="g" sourceRef="s" targetRef="e" />""",
    )
    assert deploy(client, "versioned", plain).status_code == 200
    assert jobs(client) == []


def test_timer_start_events_it_cannot_schedule_are_refused_with_every_reason(client: TestClient) -> None:
    body = """
    <bpmn:startEvent id="by_expression"><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDate>${when}</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:startEvent id="last_day"><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeCycle>0 0 12 L * ?</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:userTask id="work"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="by_expression" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="last_day" targetRef="work" />
    <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="end" />"""
    response = deploy(client, "bad_timers", document("bad_timers", body))
    assert response.status_code == 400
    errors = response.json()["details"]["bad_timers.bpmn"]["errors"]
    by_element: dict[str, str] = {}
    for error in errors:
        by_element[error["mainBpmnElementId"]] = (
            by_element.get(error["mainBpmnElementId"], "") + error["message"]
        )
    assert "not an expression" in by_element["by_expression"]
    assert "L (last" in by_element["last_day"]
    assert jobs(client) == []


BOTH_STARTS = """
    <bpmn:startEvent id="plain"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:startEvent id="every"><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeCycle>R/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:userTask id="manual"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="work"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end2"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="plain" targetRef="manual" />
    <bpmn:sequenceFlow id="f1" sourceRef="every" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:sequenceFlow id="f3" sourceRef="manual" targetRef="end2" />"""


def task_keys(client: TestClient, instance_id: str) -> list[str]:
    found = client.get(f"{ENGINE}/task", params={"processInstanceId": instance_id}).json()
    return sorted(t["taskDefinitionKey"] for t in found)


def test_beside_a_none_start_event_each_start_runs_alone_and_other_workers_start_nothing_more(
    client: TestClient, clock: FakeClock, database_url: str
) -> None:
    """An explicit start uses the none start event (no timer inside the instance); the timer
    starts its own instances at its start event only. A second worker (another engine on the
    same database, as after a restart) finds the slot already fired."""
    assert deploy(client, "both", document("both", BOTH_STARTS)).status_code == 200
    explicit = client.post(f"{ENGINE}/process-definition/key/both/start", json={}).json()["id"]
    assert task_keys(client, explicit) == ["manual"]
    assert client.get(f"{ENGINE}/job", params={"processInstanceId": explicit}).json() == []
    clock.advance(timedelta(hours=1, seconds=1))
    other = build_engine(engine_settings(database_url), clock, migrate=False)
    try:
        assert other.fire_due_timers().fired == 1
        tick(client)
    finally:
        other.store.dispose()
    started = [i["id"] for i in instances(client, "both") if i["id"] != explicit]
    assert [task_keys(client, i) for i in started] == [["work"]]


CRON_REMINDER = """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="nudge" attachedToRef="work" cancelActivity="false"><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeCycle>0 0 9 ? * MON</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:userTask id="follow_up"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="followed"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:sequenceFlow id="f3" sourceRef="nudge" targetRef="follow_up" />
    <bpmn:sequenceFlow id="f4" sourceRef="follow_up" targetRef="followed" />"""


def test_a_quartz_cron_boundary_timer_fires_on_each_slot(client: TestClient, clock: FakeClock) -> None:
    """Every Monday 09:00 Copenhagen time, a non-interrupting cron boundary timer opens a follow-up."""
    clock.move_to(datetime(2026, 3, 4, 12, 0, tzinfo=UTC))  # a Wednesday
    assert deploy(client, "nudged", document("nudged", CRON_REMINDER)).status_code == 200
    instance_id = client.post(f"{ENGINE}/process-definition/key/nudged/start", json={}).json()["id"]
    (job,) = client.get(f"{ENGINE}/job", params={"processInstanceId": instance_id}).json()
    assert job["dueDate"].startswith("2026-03-09T08:00:00")  # Monday 09:00 CET
    clock.move_to(datetime(2026, 3, 9, 8, 0, 1, tzinfo=UTC))
    tick(client)
    tick(client)
    assert task_keys(client, instance_id) == ["follow_up", "work"]
    (job,) = client.get(f"{ENGINE}/job", params={"processInstanceId": instance_id}).json()
    assert job["dueDate"].startswith("2026-03-16T08:00:00")
    clock.move_to(datetime(2026, 3, 30, 7, 0, 1, tzinfo=UTC))  # two slots missed; summer time from 29 March
    tick(client)
    assert task_keys(client, instance_id) == ["follow_up", "follow_up", "work"]  # a missed slot fires once
    (job,) = client.get(f"{ENGINE}/job", params={"processInstanceId": instance_id}).json()
    assert job["dueDate"].startswith("2026-04-06T07:00:00")  # Monday 09:00 CEST


def test_a_start_timer_job_can_be_moved(client: TestClient, clock: FakeClock) -> None:
    assert deploy(client, "movable", cycle("movable", "R/P1D")).status_code == 200
    (job,) = jobs(client)
    soon = (clock.now() + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    assert client.put(f"{ENGINE}/job/{job['id']}/duedate", json={"duedate": soon}).status_code == 204
    assert jobs(client)[0]["dueDate"] == soon
    clock.advance(timedelta(minutes=11))
    tick(client)
    assert len(instances(client, "movable")) == 1
    assert jobs(client)[0]["dueDate"].startswith((clock.now() + timedelta(days=1)).strftime("%Y-%m-%d"))


FAILING_START = """
    <bpmn:startEvent id="every"><bpmn:outgoing>f1</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeCycle>R/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:scriptTask id="boom" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>result = 1 / 0</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="every" targetRef="boom" />
    <bpmn:sequenceFlow id="f2" sourceRef="boom" targetRef="end" />"""


def test_a_start_that_keeps_failing_becomes_a_failed_job_until_retries_are_set(
    client: TestClient, clock: FakeClock
) -> None:
    assert deploy(client, "failing_start", document("failing_start", FAILING_START)).status_code == 200
    engine = client.app.state.engine  # type: ignore[attr-defined]
    for _ in range(engine.settings.timer_max_attempts):
        clock.advance(timedelta(hours=2))
        tick(client)
    (failed,) = client.get(f"{ENGINE}/job", params={"withException": "true"}).json()
    assert failed["retries"] == 0 and failed["processInstanceId"] is None and failed["exceptionMessage"]
    assert instances(client, "failing_start") == []
    assert client.put(f"{ENGINE}/job/{failed['id']}/retries", json={"retries": 1}).status_code == 204
    assert jobs(client)[0]["retries"] > 0
