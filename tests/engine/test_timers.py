"""Durable timers: due instants on the legal calendar, fired once by the tick, never lost or moved."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from engine.clock import FakeClock
from engine.definitions import DeployRequest
from engine.monitoring import JobFilter
from engine.service import Engine
from engine.store.tables import Event, Incident, Timer

from support import bpmn
from support.actors import ADMIN, CASEWORKER, PROCESS_OWNER

CPH = ZoneInfo("Europe/Copenhagen")


def deploy(engine: Engine, content: bytes, name: str = "t.bpmn") -> None:
    engine.deploy(DeployRequest([(name, content)], name=name), actor=PROCESS_OWNER)


def timers_of(engine: Engine, case_id: str) -> list[Timer]:
    with engine.store.read() as session:
        return list(session.exec(select(Timer).where(Timer.instance_id == case_id)).all())


def fired_events(engine: Engine, case_id: str) -> list[Event]:
    with engine.store.read() as session:
        statement = select(Event).where(Event.instance_id == case_id, Event.kind == "timer_fired")
        return list(session.exec(statement).all())


def test_duration_timer_fires_once_at_its_due_instant(engine: Engine, clock: FakeClock) -> None:
    deploy(engine, bpmn.timer_process("p", "PT24H"))
    case = engine.start_instance(actor=CASEWORKER, key="p")
    [timer] = timers_of(engine, case.id)
    assert timer.due_at == clock.now() + timedelta(hours=24)
    clock.advance(timedelta(hours=23, minutes=59))
    assert engine.fire_due_timers().fired == 0
    clock.advance(timedelta(minutes=1))
    assert engine.fire_due_timers().fired == 1
    assert engine.fire_due_timers().fired == 0
    detail = engine.get_case(case.id, actor=CASEWORKER)
    assert [t.element_id for t in detail.tasks] == ["after"]
    assert len(fired_events(engine, case.id)) == 1


def test_four_months_use_the_danish_calendar_not_day_counts(engine: Engine, clock: FakeClock) -> None:
    clock.move_to(datetime(2025, 10, 31, 10, 0, tzinfo=CPH))
    deploy(engine, bpmn.timer_process("p", "P4M"))
    case = engine.start_instance(actor=CASEWORKER, key="p")
    [timer] = timers_of(engine, case.id)
    assert timer.due_at == datetime(2026, 2, 28, 10, 0, tzinfo=CPH).astimezone(UTC)


def test_date_timer_reads_a_deadline_variable(engine: Engine, clock: FakeClock) -> None:
    deploy(engine, bpmn.timer_process("p", "${deadline}", kind="timeDate"))
    due = datetime(2026, 7, 1, 0, 30, tzinfo=CPH)
    case = engine.start_instance(actor=CASEWORKER, key="p", variables={"deadline": due.isoformat()})
    assert timers_of(engine, case.id)[0].due_at == due.astimezone(UTC)


def test_after_downtime_every_overdue_timer_fires_exactly_once(engine: Engine, clock: FakeClock) -> None:
    deploy(engine, bpmn.timer_process("p", "PT1H"))
    cases = [engine.start_instance(actor=CASEWORKER, key="p") for _ in range(5)]
    clock.advance(timedelta(days=90))  # the service was down for three months
    result = engine.fire_due_timers()
    assert (result.claimed, result.fired, result.failed) == (5, 5, 0)
    assert engine.fire_due_timers().fired == 0
    for case in cases:
        assert len(fired_events(engine, case.id)) == 1
        assert [t.status for t in timers_of(engine, case.id)] == ["fired"]


def test_redeploy_leaves_pending_due_dates_unchanged(engine: Engine, clock: FakeClock) -> None:
    deploy(engine, bpmn.timer_process("p", "P4M"))
    case = engine.start_instance(actor=CASEWORKER, key="p")
    [before] = timers_of(engine, case.id)
    clock.advance(timedelta(days=60))
    deploy(engine, bpmn.timer_process("p", "P5M"))
    [after] = timers_of(engine, case.id)
    assert (after.id, after.due_at, after.status) == (before.id, before.due_at, "pending")
    clock.move_to(before.due_at)
    assert engine.fire_due_timers().fired == 1
    newer = engine.start_instance(actor=CASEWORKER, key="p")
    assert timers_of(engine, newer.id)[0].due_at > before.due_at


def test_boundary_timer_is_cancelled_when_the_task_completes_first(engine: Engine, clock: FakeClock) -> None:
    deploy(engine, (bpmn.BPMN_DIR / "modeler_simple.bpmn").read_bytes(), "simple.bpmn")
    case = engine.start_instance(actor=CASEWORKER, key="simple")
    engine.complete_task(case.tasks[0].id, {"outcome": "close"}, actor=CASEWORKER)
    assert [t.status for t in timers_of(engine, case.id)] == ["cancelled"]
    clock.advance(timedelta(days=2))
    assert engine.fire_due_timers().claimed == 0


def test_reminder_timer_records_its_purpose(engine: Engine, clock: FakeClock) -> None:
    deploy(engine, bpmn.timer_process("p", "PT1H", purpose="breach"))
    case = engine.start_instance(actor=CASEWORKER, key="p")
    clock.advance(timedelta(hours=2))
    engine.fire_due_timers()
    kinds = [e.kind for e in engine.get_case(case.id, actor=CASEWORKER).history]
    assert "deadline_breached" in kinds


def test_cycle_catches_up_once_then_continues_from_the_next_slot(engine: Engine, clock: FakeClock) -> None:
    clock.move_to(datetime(2026, 1, 31, 9, 0, tzinfo=CPH))
    content = bpmn.document(
        "p",
        """
      <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
      <bpmn:userTask id="host"><bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>b</bpmn:outgoing></bpmn:userTask>
      <bpmn:boundaryEvent id="monthly" cancelActivity="false" attachedToRef="host"><bpmn:outgoing>c</bpmn:outgoing>
        <bpmn:timerEventDefinition><bpmn:timeCycle>R/P1M</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
      <bpmn:userTask id="reminder"><bpmn:incoming>c</bpmn:incoming><bpmn:outgoing>d</bpmn:outgoing></bpmn:userTask>
      <bpmn:endEvent id="e1"><bpmn:incoming>b</bpmn:incoming></bpmn:endEvent>
      <bpmn:endEvent id="e2"><bpmn:incoming>d</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="host" /><bpmn:sequenceFlow id="b" sourceRef="host" targetRef="e1" />
      <bpmn:sequenceFlow id="c" sourceRef="monthly" targetRef="reminder" /><bpmn:sequenceFlow id="d" sourceRef="reminder" targetRef="e2" />""",
    )
    deploy(engine, content)
    case = engine.start_instance(actor=CASEWORKER, key="p")
    [first] = timers_of(engine, case.id)
    assert first.due_at == datetime(2026, 2, 28, 9, 0, tzinfo=CPH).astimezone(UTC)  # clamped, no drift
    clock.move_to(datetime(2026, 5, 15, 9, 0, tzinfo=CPH))  # three slots missed during downtime
    assert engine.fire_due_timers().fired == 1
    pending = [t for t in timers_of(engine, case.id) if t.status == "pending"]
    assert [t.due_at for t in pending] == [datetime(2026, 5, 31, 9, 0, tzinfo=CPH).astimezone(UTC)]
    reminders = [t for t in engine.get_case(case.id, actor=CASEWORKER).tasks if t.element_id == "reminder"]
    assert len(reminders) == 1


def test_a_timer_that_keeps_failing_becomes_an_incident(engine: Engine, clock: FakeClock) -> None:
    content = bpmn.document(
        "p",
        """
      <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
      <bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>b</bpmn:outgoing>
        <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
      <bpmn:scriptTask id="boom" scriptFormat="python"><bpmn:incoming>b</bpmn:incoming><bpmn:outgoing>c</bpmn:outgoing>
        <bpmn:script>x = 1 / 0</bpmn:script></bpmn:scriptTask>
      <bpmn:endEvent id="e"><bpmn:incoming>c</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="wait" /><bpmn:sequenceFlow id="b" sourceRef="wait" targetRef="boom" />
      <bpmn:sequenceFlow id="c" sourceRef="boom" targetRef="e" />""",
    )
    deploy(engine, content)
    case = engine.start_instance(actor=CASEWORKER, key="p")
    for _ in range(engine.settings.timer_max_attempts):
        clock.advance(timedelta(hours=2 + engine.settings.timer_lease_seconds * 10 / 3600))
        assert engine.fire_due_timers().failed == 1
    [timer] = timers_of(engine, case.id)
    assert (timer.status, timer.attempts) == ("failed", engine.settings.timer_max_attempts)
    assert "boom" in (timer.last_error or "") or "division" in (timer.last_error or "")
    with engine.store.read() as session:
        incidents = session.exec(select(Incident).where(Incident.instance_id == case.id)).all()
    assert [i.type for i in incidents] == ["failedTimer"]
    assert engine.get_case(case.id, actor=CASEWORKER).current_activities == ("wait",)


@pytest.mark.parametrize("workers", [4])
def test_concurrent_ticks_fire_each_timer_once(engine: Engine, clock: FakeClock, workers: int) -> None:
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    deploy(engine, bpmn.timer_process("p", "PT1M"))
    cases = [engine.start_instance(actor=CASEWORKER, key="p") for _ in range(40)]
    clock.advance(timedelta(minutes=5))
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(lambda _: engine.fire_due_timers(), range(workers)))
    assert sum(r.fired for r in results) == len(cases)
    assert all(len(fired_events(engine, c.id)) == 1 for c in cases)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Copenhagen", "America/New_York"])
def test_due_instants_do_not_depend_on_the_server_time_zone(
    engine: Engine, clock: FakeClock, zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time as time_module  # noqa: PLC0415

    monkeypatch.setenv("TZ", zone)
    time_module.tzset()
    try:
        clock.move_to(datetime(2026, 3, 1, 0, 30, tzinfo=CPH))
        deploy(engine, bpmn.timer_process("p", "P4M"))
        case = engine.start_instance(actor=CASEWORKER, key="p")
        assert timers_of(engine, case.id)[0].due_at == datetime(2026, 7, 1, 0, 30, tzinfo=CPH).astimezone(UTC)
    finally:
        monkeypatch.undo()
        time_module.tzset()


def test_a_deadline_written_with_calendar_functions_passes_when_its_last_day_ends(
    engine: Engine, clock: FakeClock
) -> None:
    """A process owner's own deadline: a breach timer on a day fires when the day has ended."""
    clock.move_to(datetime(2026, 12, 2, 10, 0, tzinfo=CPH))  # Wed 2 Dec 2026
    deploy(
        engine, bpmn.timer_process("p", "${add_working_days(received, 6)}", kind="timeDate", purpose="breach")
    )
    case = engine.start_instance(actor=CASEWORKER, key="p", variables={"received": clock.now().isoformat()})
    [timer] = timers_of(engine, case.id)
    assert (timer.due_date, timer.due_kind) == (date(2026, 12, 10), "calendar")  # Thu 10 Dec
    assert timer.due_at == datetime(2026, 12, 11, 0, 0, tzinfo=CPH).astimezone(UTC)
    [job] = engine.list_jobs(JobFilter(instance_id=case.id), actor=ADMIN)
    assert (job.due_date, job.due_kind, job.due_at) == (timer.due_date, "calendar", timer.due_at)
    clock.move_to(datetime(2026, 12, 10, 23, 59, tzinfo=CPH))
    assert engine.fire_due_timers().fired == 0
    clock.move_to(datetime(2026, 12, 11, 0, 0, tzinfo=CPH))
    assert engine.fire_due_timers().fired == 1


def test_a_reminder_on_a_day_fires_when_the_day_begins(engine: Engine, clock: FakeClock) -> None:
    clock.move_to(datetime(2026, 12, 2, 10, 0, tzinfo=CPH))
    deploy(engine, bpmn.timer_process("p", "${add_months(aware, 3)}", kind="timeDate", purpose="reminder"))
    case = engine.start_instance(actor=CASEWORKER, key="p", variables={"aware": "2026-12-02"})
    [timer] = timers_of(engine, case.id)
    assert (timer.due_date, timer.due_kind) == (date(2027, 3, 2), "calendar")
    assert timer.due_at == datetime(2027, 3, 2, 0, 0, tzinfo=CPH).astimezone(UTC)
