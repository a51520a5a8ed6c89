"""A real barnets lov case deep in its measure (follow-ups and tilsyn looping, a new underretning
being assessed in the event subprocess, the measure running in the called `indsats` process)
moves to new versions of `boernesag` and `indsats` with the generated plans: every pending
deadline keeps its due date, and the case goes on in the new versions."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from engine.clock import FakeClock
from engine.definitions import DeployRequest
from engine.model import MigrationPlan, MigrationSelection
from engine.service import Engine
from engine.store.tables import ProcessInstance, Timer

from support.consistency import problems
from support.lifecycle import WORKFLOWS
from support.long_case import LongCase


def _pending(engine: Engine, case_id: str) -> dict[str, object]:
    with engine.store.read() as session:
        rows = session.exec(
            select(Timer).where(Timer.instance_id == case_id, Timer.status == "pending")
        ).all()
    return {row.task_id: (row.element_id, row.due_at, row.due_date) for row in rows}


def _new_version(engine: Engine, name: str) -> str:
    content = (WORKFLOWS / name).read_bytes().replace(b'camunda:versionTag="1"', b'camunda:versionTag="2"', 1)
    deployed = engine.deploy(DeployRequest([(name, content)], name=name, shared=True), actor=LongCase.actor)
    return deployed.new_definitions[0].id


def test_a_case_in_its_measure_moves_to_new_versions_and_goes_on(engine: Engine, clock: FakeClock) -> None:
    case = LongCase(engine, clock)
    case.deploy()
    case.open(placement=True)
    for _ in range(2):
        case.advance(timedelta(days=30))
        case.follow_up()
    case.visit()
    (reported,) = engine.correlate(
        "ny_underretning",
        actor=case.actor,
        business_key=case.business_key,
        variables={"report_received_at": clock.now().isoformat(), "reporter_type": "private"},
    )
    case.refresh()
    assert "assess_new_report" in case.open_tasks
    with engine.store.read() as session:
        processes = session.exec(select(ProcessInstance).where(ProcessInstance.root_id == case.case_id)).all()
    running = {p.process_key: p.definition_id for p in processes if p.state == "active"}
    before = _pending(engine, case.case_id)
    assert before, "the case waits on deadlines"

    main_plan = engine.generate_migration(
        running["boernesag"], _new_version(engine, "boernesag.bpmn"), actor=case.actor
    )
    child_plan = engine.generate_migration(
        running["indsats"], _new_version(engine, "indsats.bpmn"), actor=case.actor
    )
    plan = MigrationPlan(
        main_plan.source_definition_id,
        main_plan.target_definition_id,
        main_plan.instructions,
        children=(child_plan,),
    )
    report = engine.migrate(plan, MigrationSelection(), actor=case.actor)

    assert [i.outcome for i in report.instances] == ["migrated", "migrated"], report
    assert _pending(engine, case.case_id) == before  # same timers, same due dates
    assert problems(engine, case.case_id) == []
    with engine.store.read() as session:
        moved = session.exec(select(ProcessInstance).where(ProcessInstance.root_id == case.case_id)).all()
    assert {p.definition_id for p in moved if p.state == "active"} == {
        plan.target_definition_id,
        child_plan.target_definition_id,
    }

    case.refresh()
    case.complete("assess_new_report", {"child_in_danger": False, "acute_measures": False})
    for _ in range(2):
        case.advance(timedelta(days=30))
        case.follow_up()
        case.visit()
    assert problems(engine, case.case_id) == []
    assert reported.id == case.case_id
