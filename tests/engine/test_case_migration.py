"""Migrating running cases to another version of their definition (issue 16): each case lands in
the mapped activities with its due dates unchanged and goes on from there; a case the plan cannot
migrate is refused with its reason and left exactly as it was; a re-run changes nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlmodel import col, select

from engine.clock import FakeClock
from engine.definitions import DeployRequest
from engine.errors import MigrationPlanError
from engine.model import (
    ALREADY,
    MIGRATABLE,
    MIGRATED,
    NOT_ON_SOURCE,
    REFUSED,
    Actor,
    FetchRequest,
    InstanceInfo,
    MigrationInstruction,
    MigrationPlan,
    MigrationSelection,
    Role,
    TopicSubscription,
)
from engine.service import Engine
from engine.store.tables import AccessLog, Event, Instance, ProcessInstance, Task, Timer

from support import migration_bpmn as versions
from support.actors import ADMIN, PROCESS_OWNER
from support.consistency import picture, problems

OTHER = Actor("admin-b", "0202", frozenset({Role.ADMIN}))


def deploy(engine: Engine, *files: tuple[str, bytes], actor: Actor = ADMIN) -> dict[str, str]:
    """Definition ids by key of what the deployment holds."""
    deployment = engine.deploy(DeployRequest(list(files), name=files[0][0]), actor=actor)
    return {d.key: d.id for d in deployment.definitions}


def started(engine: Engine, actor: Actor = ADMIN) -> InstanceInfo:
    return engine.start_instance(actor=actor, key="sag")


def plan(
    engine: Engine, source: str, target: str, *extra: MigrationInstruction, **options: object
) -> MigrationPlan:
    generated = engine.generate_migration(source, target, actor=PROCESS_OWNER)
    return MigrationPlan(source, target, generated.instructions + extra, **options)  # type: ignore[arg-type]


def _open_rows(engine: Engine, case_id: str) -> list[Task]:
    """Open task rows of the case's own process (not of the processes it called)."""
    with engine.store.read() as session:
        statement = select(Task).where(
            Task.instance_id == case_id, Task.process_instance_id == case_id, Task.state == "open"
        )
        return list(session.exec(statement).all())


def open_tasks(engine: Engine, case_id: str) -> dict[str, str]:
    """element id → task id"""
    return {row.element_id: row.id for row in _open_rows(engine, case_id)}


def pending(engine: Engine, case_id: str) -> dict[str, tuple[str, datetime]]:
    """Pending timer rows of the case: element id → (task id, due)."""
    with engine.store.read() as session:
        rows = session.exec(
            select(Timer).where(Timer.instance_id == case_id, Timer.status == "pending")
        ).all()
    return {row.element_id: (row.task_id, row.due_at) for row in rows}


def task_dues(engine: Engine, case_id: str) -> dict[str, datetime | None]:
    return {row.element_id: row.due_at for row in _open_rows(engine, case_id)}


RENAMED = (MigrationInstruction("work", "review"), MigrationInstruction("late", "late2"))


@pytest.fixture
def two_versions(engine: Engine, clock: FakeClock) -> tuple[str, str, InstanceInfo, datetime]:
    """A case on version 1 waiting everywhere, three days old, and version 2 deployed."""
    first = deploy(engine, ("barn.bpmn", versions.CHILD_1), ("sag.bpmn", versions.VERSION_1))
    started_at = clock.now()
    case = started(engine)
    clock.advance(timedelta(days=3))
    second = deploy(engine, ("sag.bpmn", versions.VERSION_2))
    return first["sag"], second["sag"], case, started_at


def test_every_wait_state_lands_in_its_mapped_activity_with_its_due_dates(
    engine: Engine, two_versions: tuple[str, str, InstanceInfo, datetime]
) -> None:
    source, target, case, started_at = two_versions
    tasks_before, timers_before = open_tasks(engine, case.id), pending(engine, case.id)
    dues_before = task_dues(engine, case.id)

    report = engine.migrate(plan(engine, source, target, *RENAMED), MigrationSelection(), actor=PROCESS_OWNER)

    assert [(i.process_instance_id, i.outcome) for i in report.instances] == [(case.id, MIGRATED)]
    after = engine.get_case(case.id, actor=ADMIN)
    assert after.definition_id == target
    assert set(after.current_activities) >= {"review", "ext", "wait_msg", "call"}
    tasks = open_tasks(engine, case.id)
    assert tasks["review"] == tasks_before["work"] and tasks["ext"] == tasks_before["ext"]
    assert task_dues(engine, case.id)["review"] == dues_before["work"] is not None
    timers = pending(engine, case.id)
    assert timers["late2"] == timers_before["late"]  # same task, same due: 10 days from the start
    assert timers["late2"][1] == started_at + timedelta(days=10)
    assert timers["remind"][1] == started_at + timedelta(days=4)  # added by version 2: from now
    assert problems(engine, case.id) == []
    with engine.store.read() as session:
        [event] = session.exec(
            select(Event).where(Event.instance_id == case.id, Event.kind == "instance_migrated")
        ).all()
        root = session.get(ProcessInstance, case.id)
        logged = session.exec(
            select(AccessLog.action, AccessLog.purpose).where(
                AccessLog.instance_id == case.id, AccessLog.actor == PROCESS_OWNER.user_id
            )
        ).all()
    assert event.actor == PROCESS_OWNER.user_id and root is not None and root.definition_id == target
    assert [tuple(row) for row in logged] == [("update", "migrate case")]
    data = json.loads(event.data)
    assert (data["from"], data["to"], data["process_instance_id"]) == (source, target, case.id)
    assert ["work", "review", False] in data["instructions"]


def test_the_next_steps_of_a_migrated_case_work(
    engine: Engine, clock: FakeClock, two_versions: tuple[str, str, InstanceInfo, datetime]
) -> None:
    source, target, case, started_at = two_versions
    engine.migrate(plan(engine, source, target, *RENAMED), MigrationSelection(), actor=PROCESS_OWNER)

    engine.correlate(versions.PONG, actor=ADMIN, business_key=None, instance_id=case.id)  # event subprocess
    assert "esp_task" in open_tasks(engine, case.id)
    engine.correlate(versions.PING, actor=ADMIN, instance_id=case.id)
    fetched = engine.fetch_and_lock(
        FetchRequest("w", (TopicSubscription(versions.TOPIC, 60_000),)), actor=ADMIN
    )
    engine.complete_external_task(
        fetched[0].task.id, worker_id="w", variables={}, local_variables={}, actor=ADMIN
    )
    child_task = next(t for t in engine.get_case(case.id, actor=ADMIN).tasks if t.name == "Barn")
    engine.complete_task(child_task.id, {}, actor=ADMIN)

    clock.move_to(started_at + timedelta(days=10) - timedelta(seconds=1))
    engine.fire_due_timers()
    assert "late2" in pending(engine, case.id)
    clock.move_to(started_at + timedelta(days=10))
    engine.fire_due_timers()
    assert "late2" not in pending(engine, case.id)

    engine.complete_task(open_tasks(engine, case.id)["review"], {}, actor=ADMIN)
    assert "extra" in open_tasks(engine, case.id)  # version 2's new step
    engine.complete_task(open_tasks(engine, case.id)["esp_task"], {}, actor=ADMIN)
    finished = engine.complete_task(open_tasks(engine, case.id)["extra"], {}, actor=ADMIN)
    assert finished.status == "completed"
    assert problems(engine, case.id) == []


def test_an_unmappable_case_is_refused_with_its_reason_and_left_untouched(
    engine: Engine, two_versions: tuple[str, str, InstanceInfo, datetime]
) -> None:
    source, _, case, _ = two_versions
    without_timer = deploy(engine, ("sag.bpmn", versions.WITHOUT_TIMER))["sag"]
    before = picture(engine, case.id)

    report = engine.migrate(plan(engine, source, without_timer), MigrationSelection(), actor=PROCESS_OWNER)

    [refused] = report.instances
    assert refused.outcome == REFUSED
    assert [(p.element_id, p.message.split(" (due")[0]) for p in refused.problems] == [
        ("late", "the pending timer 'late'")
    ]
    assert "has no counterpart in the target version" in refused.problems[0].message
    after = picture(engine, case.id)
    assert (after.version, after.state, after.tasks, after.timers, after.events) == (
        before.version,
        before.state,
        before.tasks,
        before.timers,
        before.events,
    )
    assert engine.get_case(case.id, actor=ADMIN).definition_id == source


def test_an_active_activity_without_an_instruction_is_named(
    engine: Engine, two_versions: tuple[str, str, InstanceInfo, datetime]
) -> None:
    source, target, _, _ = two_versions
    generated = plan(engine, source, target, *RENAMED)
    partial = MigrationPlan(source, target, tuple(i for i in generated.instructions if i.source != "ext"))

    report = engine.migrate(partial, MigrationSelection(), actor=PROCESS_OWNER, dry_run=True)

    [refused] = report.instances
    assert refused.outcome == REFUSED
    assert [(p.element_id, p.message) for p in refused.problems] == [
        ("ext", "the active activity 'ext' has no migration instruction")
    ]


def test_a_variable_a_new_guard_reads_must_be_given_by_the_plan(engine: Engine) -> None:
    source = deploy(engine, ("barn.bpmn", versions.CHILD_1), ("sag.bpmn", versions.VERSION_1))["sag"]
    case = started(engine)
    target = deploy(engine, ("sag.bpmn", versions.guarded("${consent_date != null}")))["sag"]

    checked = engine.migrate(
        plan(engine, source, target), MigrationSelection(), actor=PROCESS_OWNER, dry_run=True
    )
    assert [p.message for p in checked.instances[0].problems] == [
        "the guard 'consent' of 'work' reads the variable 'consent_date', which the case does not have "
        "(set it with the plan's variables)"
    ]
    given = plan(engine, source, target, variables={"consent_date": "2026-01-02"})
    assert (
        engine.migrate(given, MigrationSelection(), actor=PROCESS_OWNER, dry_run=True).instances[0].outcome
        == MIGRATABLE
    )
    assert engine.migrate(given, MigrationSelection(), actor=PROCESS_OWNER).instances[0].outcome == MIGRATED
    engine.complete_task(open_tasks(engine, case.id)["work"], {}, actor=ADMIN)  # the guard holds


def test_a_due_date_moves_only_when_the_plan_says_so(
    engine: Engine, clock: FakeClock, two_versions: tuple[str, str, InstanceInfo, datetime]
) -> None:
    source, target, case, _ = two_versions
    timer = pending(engine, case.id)["late"][0]
    again = (
        MigrationInstruction("work", "review"),
        MigrationInstruction("late", "late2", update_event_trigger=True),
    )

    engine.migrate(plan(engine, source, target, *again), MigrationSelection(), actor=PROCESS_OWNER)

    assert pending(engine, case.id)["late2"] == (timer, clock.now() + timedelta(days=10))
    assert problems(engine, case.id) == []


def test_a_rerun_changes_nothing_and_reports_the_case_as_migrated(
    engine: Engine, two_versions: tuple[str, str, InstanceInfo, datetime]
) -> None:
    source, target, case, _ = two_versions
    migration = plan(engine, source, target, *RENAMED)
    chosen = MigrationSelection(process_instance_ids=(case.id,))
    assert engine.migrate(migration, chosen, actor=PROCESS_OWNER).instances[0].outcome == MIGRATED
    before = picture(engine, case.id)

    again = engine.migrate(migration, chosen, actor=PROCESS_OWNER)

    assert [i.outcome for i in again.instances] == [ALREADY]
    assert (
        picture(engine, case.id).state == before.state and picture(engine, case.id).version == before.version
    )
    assert (
        engine.migrate(migration, MigrationSelection(), actor=PROCESS_OWNER).instances == ()
    )  # none left on v1


def test_a_called_process_moves_to_the_target_version_of_its_child_plan(engine: Engine) -> None:
    first = deploy(engine, ("barn.bpmn", versions.CHILD_1), ("sag.bpmn", versions.VERSION_1))
    case = started(engine)
    child_v2 = deploy(engine, ("barn.bpmn", versions.CHILD_2))["barn"]
    with engine.store.read() as session:
        [child] = session.exec(select(ProcessInstance).where(ProcessInstance.super_id == case.id)).all()
    child_plan = plan(engine, first["barn"], child_v2)

    report = engine.migrate(
        child_plan, MigrationSelection(process_instance_ids=(child.id,)), actor=PROCESS_OWNER
    )

    assert [(i.process_instance_id, i.outcome) for i in report.instances] == [(child.id, MIGRATED)]
    with engine.store.read() as session:
        moved = session.get(ProcessInstance, child.id)
    assert moved is not None and moved.definition_id == child_v2
    assert engine.get_case(case.id, actor=ADMIN).definition_id == first["sag"]  # the case stays
    work = next(t for t in engine.get_case(case.id, actor=ADMIN).tasks if t.name == "Barn v2")
    engine.complete_task(work.id, {}, actor=ADMIN)
    assert "Opfølgning" in {t.name for t in engine.get_case(case.id, actor=ADMIN).tasks if t.state == "open"}
    assert problems(engine, case.id) == []


def test_a_case_plan_takes_its_children_along_by_their_child_plan(engine: Engine) -> None:
    first = deploy(engine, ("barn.bpmn", versions.CHILD_1), ("sag.bpmn", versions.VERSION_1))
    case = started(engine)
    second = deploy(engine, ("barn.bpmn", versions.CHILD_2), ("sag.bpmn", versions.VERSION_2))
    whole = plan(
        engine, first["sag"], second["sag"], *RENAMED, children=(plan(engine, first["barn"], second["barn"]),)
    )

    report = engine.migrate(whole, MigrationSelection(), actor=PROCESS_OWNER)

    assert sorted(i.outcome for i in report.instances) == [MIGRATED, MIGRATED]
    with engine.store.read() as session:
        rows = session.exec(
            select(ProcessInstance)
            .where(ProcessInstance.root_id == case.id)
            .order_by(col(ProcessInstance.super_id))
        ).all()
    assert {r.definition_id for r in rows} == {second["sag"], second["barn"]}
    assert problems(engine, case.id) == []


def test_a_plan_that_can_never_apply_is_refused_whole(
    engine: Engine, two_versions: tuple[str, str, InstanceInfo, datetime]
) -> None:
    source, target, case, _ = two_versions
    broken = MigrationPlan(
        source,
        target,
        (
            MigrationInstruction("work", "nowhere"),
            MigrationInstruction("ext", "review"),
            MigrationInstruction("gone", "ext"),
        ),
    )
    with pytest.raises(MigrationPlanError) as refused:
        engine.migrate(broken, MigrationSelection(), actor=PROCESS_OWNER)
    assert [(f.index, f.failures[0]) for f in refused.value.failures] == [
        (0, "the target version has no activity 'nowhere'"),
        (1, "'ext' (ServiceTask) and 'review' (UserTask) are not the same kind of activity"),
        (2, "the source version has no activity 'gone'"),
    ]
    assert engine.get_case(case.id, actor=ADMIN).definition_id == source


def test_another_municipalitys_cases_are_never_selected(
    engine: Engine, two_versions: tuple[str, str, InstanceInfo, datetime]
) -> None:
    source, target, case, _ = two_versions
    shared = engine.deploy(
        DeployRequest(
            [("barn.bpmn", versions.CHILD_1), ("sag.bpmn", versions.VERSION_1)], name="s", shared=True
        ),
        actor=ADMIN,
    )
    elsewhere = started(engine, OTHER)
    assert elsewhere.definition_id == {d.key: d.id for d in shared.definitions}["sag"]
    migration = plan(engine, source, target, *RENAMED)
    by_id = engine.migrate(
        migration, MigrationSelection(process_instance_ids=(elsewhere.id, case.id)), actor=PROCESS_OWNER
    )
    assert [(i.process_instance_id, i.outcome) for i in by_id.instances] == [
        (elsewhere.id, NOT_ON_SOURCE),
        (case.id, MIGRATED),
    ]
    assert engine.get_case(elsewhere.id, actor=OTHER).definition_id != target


def test_a_boundary_timer_the_target_adds_is_armed_from_the_migration(
    engine: Engine, clock: FakeClock
) -> None:
    source = deploy(engine, ("barn.bpmn", versions.CHILD_1), ("sag.bpmn", versions.WITHOUT_TIMER))["sag"]
    case = started(engine)
    clock.advance(timedelta(days=2))
    target = deploy(engine, ("sag.bpmn", versions.VERSION_1))["sag"]
    work = open_tasks(engine, case.id)["work"]

    engine.migrate(plan(engine, source, target), MigrationSelection(), actor=PROCESS_OWNER)

    assert pending(engine, case.id)["late"][1] == clock.now() + timedelta(days=10)
    assert open_tasks(engine, case.id)["work"] == work
    assert problems(engine, case.id) == []
    clock.advance(timedelta(days=10))
    engine.fire_due_timers()
    assert "late" not in pending(engine, case.id)
    assert engine.complete_task(work, {}, actor=ADMIN).status == "active"
    assert problems(engine, case.id) == []


def test_a_pruned_case_migrates_and_its_diagram_keeps_what_was_done(
    engine: Engine, two_versions: tuple[str, str, InstanceInfo, datetime]
) -> None:
    """Compaction removed the finished branches (ext, wait_msg); their completed marks follow."""
    source, target, case, _ = two_versions
    engine.correlate(versions.PING, actor=ADMIN, instance_id=case.id)
    fetched = engine.fetch_and_lock(
        FetchRequest("w", (TopicSubscription(versions.TOPIC, 60_000),)), actor=ADMIN
    )
    engine.complete_external_task(
        fetched[0].task.id, worker_id="w", variables={}, local_variables={}, actor=ADMIN
    )
    with engine.store.read() as session:
        state = json.loads(session.get(Instance, case.id).state)  # type: ignore[union-attr]
    assert state["marks"], "compaction kept completed marks of removed tasks"

    engine.migrate(plan(engine, source, target, *RENAMED), MigrationSelection(), actor=PROCESS_OWNER)

    [main] = [d for d in engine.case_diagrams(case.id, actor=ADMIN) if d.process_id == "sag"]
    assert {"start", "fork", "ext", "wait_msg"} <= set(main.completed)
    assert {"review", "call"} <= set(main.active)
    engine.complete_task(open_tasks(engine, case.id)["review"], {}, actor=ADMIN)
    assert "extra" in open_tasks(engine, case.id)
    assert problems(engine, case.id) == []
    # the join counts the branches that reached it before the migration
    child_task = next(t for t in engine.get_case(case.id, actor=ADMIN).tasks if t.name == "Barn")
    engine.complete_task(child_task.id, {}, actor=ADMIN)
    assert engine.get_case(case.id, actor=ADMIN).status == "active"
    assert engine.complete_task(open_tasks(engine, case.id)["extra"], {}, actor=ADMIN).status == "completed"


def test_a_running_event_subprocess_moves_with_its_case(
    engine: Engine, two_versions: tuple[str, str, InstanceInfo, datetime]
) -> None:
    source, target, case, _ = two_versions
    engine.correlate(versions.PONG, actor=ADMIN, instance_id=case.id)
    inside = open_tasks(engine, case.id)["esp_task"]

    report = engine.migrate(plan(engine, source, target, *RENAMED), MigrationSelection(), actor=PROCESS_OWNER)

    assert report.instances[0].outcome == MIGRATED
    assert open_tasks(engine, case.id)["esp_task"] == inside
    assert problems(engine, case.id) == []
    engine.complete_task(inside, {}, actor=ADMIN)
    assert "esp_task" not in open_tasks(engine, case.id)
    assert problems(engine, case.id) == []
