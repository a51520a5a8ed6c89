"""A case from start to end through the engine, with its history, access log and variable checks."""

from datetime import timedelta

import pytest
from sqlmodel import select

from engine.clock import FakeClock
from engine.definitions import DeployRequest
from engine.errors import InvalidVariablesError, NotFoundError, WrongStateError
from engine.model import Role
from engine.service import Engine
from engine.store.tables import AccessLog

from support import bpmn
from support.actors import CASEWORKER, PROCESS_OWNER, actor

FORM = """
<camunda:formField id="outcome" type="enum"><camunda:validation><camunda:constraint name="required" /></camunda:validation>
  <camunda:value id="close" name="Luk" /><camunda:value id="continue" name="Fortsæt" /></camunda:formField>
<camunda:formField id="score" type="long"><camunda:validation><camunda:constraint name="max" config="10" /></camunda:validation></camunda:formField>
<camunda:formField id="note" type="string" />"""


@pytest.fixture
def deployed(engine: Engine) -> Engine:
    engine.deploy(
        DeployRequest([("f.bpmn", bpmn.user_task_process("form", form=FORM))], name="f"), actor=PROCESS_OWNER
    )
    engine.deploy(
        DeployRequest([("g.bpmn", bpmn.gateway_process("choice", "${answer == 'yes'}"))], name="g"),
        actor=PROCESS_OWNER,
    )
    return engine


def test_case_runs_from_start_to_end(deployed: Engine) -> None:
    case = deployed.start_instance(actor=CASEWORKER, key="choice", business_key="S-1")
    assert case.status == "active"
    assert [t.element_id for t in case.tasks] == ["decide"]
    done = deployed.complete_task(case.tasks[0].id, {"answer": "yes"}, actor=CASEWORKER)
    assert done.status == "completed"
    detail = deployed.get_case(case.id, actor=CASEWORKER)
    assert "end_yes" not in detail.current_activities
    kinds = [e.kind for e in detail.history]
    assert kinds[:2] == ["instance_started", "task_created"]
    assert "task_completed" in kinds and kinds[-1] == "instance_completed"
    completed = next(e for e in detail.history if e.kind == "task_completed")
    assert completed.data["variables"] == {"answer": "yes"} and completed.actor == CASEWORKER.user_id


def test_default_flow_is_taken_when_the_condition_is_false(deployed: Engine) -> None:
    case = deployed.start_instance(actor=CASEWORKER, key="choice")
    deployed.complete_task(case.tasks[0].id, {"answer": "no"}, actor=CASEWORKER)
    detail = deployed.get_case(case.id, actor=CASEWORKER)
    assert detail.status == "completed"
    assert detail.variables == {"answer": "no"}


def test_form_rules_are_enforced(deployed: Engine) -> None:
    case = deployed.start_instance(actor=CASEWORKER, key="form")
    task_id = case.tasks[0].id
    bad = [
        {},
        {"outcome": "maybe"},
        {"outcome": "close", "score": 11},
        {"outcome": "close", "score": "7"},
        {"outcome": "close", "status": "completed"},
    ]
    for variables in bad:
        with pytest.raises(InvalidVariablesError):
            deployed.complete_task(task_id, variables, actor=CASEWORKER)
    assert (
        deployed.complete_task(task_id, {"outcome": "close", "score": 3}, actor=CASEWORKER).status
        == "completed"
    )


def test_completing_twice_is_a_wrong_state(deployed: Engine) -> None:
    case = deployed.start_instance(actor=CASEWORKER, key="choice")
    deployed.complete_task(case.tasks[0].id, {"answer": "no"}, actor=CASEWORKER)
    with pytest.raises(WrongStateError):
        deployed.complete_task(case.tasks[0].id, {"answer": "no"}, actor=CASEWORKER)


def test_unknown_task_and_case_are_not_found(deployed: Engine) -> None:
    with pytest.raises(NotFoundError):
        deployed.complete_task("00000000-0000-0000-0000-000000000000", {}, actor=CASEWORKER)
    with pytest.raises(NotFoundError):
        deployed.get_case("00000000-0000-0000-0000-000000000000", actor=CASEWORKER)


def test_another_municipality_sees_nothing(deployed: Engine) -> None:
    case = deployed.start_instance(actor=CASEWORKER, key="choice")
    stranger = actor(Role.LEADER, user="leader-9", municipality="0999")
    with pytest.raises(NotFoundError):
        deployed.get_case(case.id, actor=stranger)
    with pytest.raises(NotFoundError):
        deployed.complete_task(case.tasks[0].id, {"answer": "yes"}, actor=stranger)


def test_every_case_read_is_logged_once(deployed: Engine) -> None:
    case = deployed.start_instance(actor=CASEWORKER, key="choice")
    deployed.get_case(case.id, actor=CASEWORKER, purpose="test read")
    with deployed.store.read() as session:
        rows = session.exec(select(AccessLog).where(AccessLog.purpose == "test read")).all()
    assert [(r.actor, r.instance_id, r.action) for r in rows] == [(CASEWORKER.user_id, case.id, "read")]


HOSTILE_VARIABLES = [
    {"x": float("nan")},
    {"x": float("inf")},
    {"x": "a\x00b"},
    {"__builtins__": {}},
    {"datetime": 1},
    {"_private": 1},
    {"1abc": 1},
    {"report_assessment_due": "2030-01-01T00:00:00+00:00"},
    {"x": "a" * 70_000},
    {"x": [[[[[[[[[[1]]]]]]]]]]},
    {f"v{i}": i for i in range(201)},
    {"x": {"__class__": 1}},
]


@pytest.mark.parametrize("variables", HOSTILE_VARIABLES, ids=range(len(HOSTILE_VARIABLES)))
def test_hostile_variables_are_refused_and_change_nothing(
    deployed: Engine, variables: dict[str, object]
) -> None:
    case = deployed.start_instance(actor=CASEWORKER, key="choice")
    with pytest.raises(InvalidVariablesError):
        deployed.complete_task(case.tasks[0].id, variables, actor=CASEWORKER)
    with pytest.raises(InvalidVariablesError):
        deployed.start_instance(actor=CASEWORKER, key="choice", variables=variables)
    after = deployed.get_case(case.id, actor=CASEWORKER)
    assert after.version == case.version and after.status == "active"


def test_deadline_variables_follow_from_the_facts(deployed: Engine, clock: FakeClock) -> None:
    received = clock.now() - timedelta(hours=2)
    case = deployed.start_instance(
        actor=CASEWORKER,
        key="choice",
        variables={"report_received_at": received.isoformat(), "reporter_type": "professional"},
    )
    variables = deployed.get_case(case.id, actor=CASEWORKER).variables or {}
    assert variables["report_assessment_due"] == (received + timedelta(hours=24)).isoformat()
    assert "report_receipt_due" in variables
