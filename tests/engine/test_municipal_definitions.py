"""Definitions belong to a municipality or are shared (issue 16): a case starts on its
municipality's newest version of a key, else the newest shared one, and binds call activities and
business rule tasks the same way; one municipality's deployment never reaches another's cases,
and another municipality's definition does not exist for it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlmodel import select

from engine.bootstrap import build_engine
from engine.clock import FakeClock
from engine.definitions import DeployRequest
from engine.errors import NotFoundError
from engine.model import Actor, DefinitionFilter, DeploymentInfo, Role
from engine.service import Engine
from engine.store.database import alembic_config
from engine.store.tables import Definition

from support import bpmn
from support.settings import engine_settings

A, B, OPERATOR = "0101", "0202", "0999"
OWNER_A = Actor("po-a", A, frozenset({Role.PROCESS_OWNER}))
OWNER_B = Actor("po-b", B, frozenset({Role.PROCESS_OWNER}))
WORKER_A = Actor("cw-a", A, frozenset({Role.ADMIN}))
WORKER_B = Actor("cw-b", B, frozenset({Role.ADMIN}))
OPERATOR_ADMIN = Actor("op", OPERATOR, frozenset({Role.ADMIN}))
OPERATOR_OWNER = Actor("op-po", OPERATOR, frozenset({Role.PROCESS_OWNER}))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    built = build_engine(
        engine_settings(database_url, operator_municipality=OPERATOR), FakeClock(), migrate=False
    )
    yield built
    built.store.dispose()


def deploy(
    engine: Engine, actor: Actor, *files: tuple[str, bytes], tenant: str | None = None
) -> DeploymentInfo:
    return engine.deploy(DeployRequest(list(files), name=files[0][0], tenant_id=tenant), actor=actor)


def shared(engine: Engine, *files: tuple[str, bytes]) -> DeploymentInfo:
    return deploy(engine, OPERATOR_ADMIN, *files)


def task(name: str, key: str = "sag") -> tuple[str, bytes]:
    return (f"{key}.bpmn", bpmn.called_process(key, name))


def open_tasks(engine: Engine, case_id: str, actor: Actor) -> list[str]:
    return [t.name for t in engine.get_case(case_id, actor=actor).tasks if t.state == "open"]


def started(engine: Engine, actor: Actor, key: str = "sag") -> list[str]:
    return open_tasks(engine, engine.start_instance(actor=actor, key=key).id, actor)


def test_a_municipality_starts_on_its_own_newest_version_and_else_on_the_shared_one(engine: Engine) -> None:
    first = shared(engine, task("Fælles"))
    assert first.municipality is None and first.definitions[0].municipality is None
    assert started(engine, WORKER_A) == ["Fælles"] and started(engine, WORKER_B) == ["Fælles"]

    own = deploy(engine, OWNER_A, task("Kun A"))
    assert [(d.key, d.version, d.municipality) for d in own.new_definitions] == [("sag", 1, A)]
    assert started(engine, WORKER_A) == ["Kun A"]
    assert started(engine, WORKER_B) == ["Fælles"]

    newer = shared(engine, task("Fælles 2"))  # a newer shared version does not displace A's own
    assert [(d.version, d.municipality) for d in newer.new_definitions] == [(2, None)]
    assert started(engine, WORKER_A) == ["Kun A"]
    assert started(engine, WORKER_B) == ["Fælles 2"]


def test_a_deployment_of_a_changes_nothing_in_the_running_cases_of_b(engine: Engine) -> None:
    """B's running case reaches a call activity and a business rule task after A deployed its own
    called process and decision: it binds the shared ones."""
    caller = bpmn.document(
        "sag",
        f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="before" name="Før"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:businessRuleTask id="decide" {INTERVAL_TASK}><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:businessRuleTask>
    <bpmn:userTask id="mid" name="Midt"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:callActivity id="call" calledElement="barn"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:callActivity>
    <bpmn:endEvent id="end"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="before" />
    <bpmn:sequenceFlow id="f2" sourceRef="before" targetRef="decide" />
    <bpmn:sequenceFlow id="f3" sourceRef="decide" targetRef="mid" />
    <bpmn:sequenceFlow id="f4" sourceRef="mid" targetRef="call" />
    <bpmn:sequenceFlow id="f5" sourceRef="call" targetRef="end" />""",
    )
    shared(engine, ("i.dmn", interval_dmn(14)), task("Fælles barn", "barn"), ("sag.bpmn", caller))
    running_b = engine.start_instance(actor=WORKER_B, key="sag")
    running_a = engine.start_instance(actor=WORKER_A, key="sag")

    deploy(engine, OWNER_A, ("i.dmn", interval_dmn(30)), task("A's barn", "barn"))

    days = {}
    for case, actor in ((running_b, WORKER_B), (running_a, WORKER_A)):
        at_mid = engine.complete_task(case.tasks[0].id, {}, actor=actor)
        days[actor.municipality] = (engine.get_case(case.id, actor=actor).variables or {})["days"]
        engine.complete_task(at_mid.tasks[0].id, {}, actor=actor)
    assert days == {B: 14, A: 30}
    assert open_tasks(engine, running_b.id, WORKER_B) == ["Fælles barn"]
    assert open_tasks(engine, running_a.id, WORKER_A) == ["A's barn"]


def test_another_municipalitys_definition_does_not_exist(engine: Engine) -> None:
    shared(engine, task("Fælles"))
    own = deploy(engine, OWNER_A, task("Kun A"), ("i.dmn", interval_dmn(30)))
    [process_a] = [d for d in own.definitions if d.kind == "process"]
    [decision_a] = [d for d in own.definitions if d.kind == "decision"]

    def refusal(call: object) -> str:
        with pytest.raises(NotFoundError) as caught:
            call()  # type: ignore[operator]
        return str(caught.value)

    nowhere = "sag:9:00000000-0000-0000-0000-000000000000"
    for definition_id in (process_a.id, nowhere):
        expected = f"process definition '{definition_id}' does not exist"
        assert refusal(lambda i=definition_id: engine.get_definition(i, actor=OWNER_B)) == expected
        assert refusal(lambda i=definition_id: engine.definition_xml(i, actor=OWNER_B)) == expected
        assert (
            refusal(lambda i=definition_id: engine.start_instance(actor=WORKER_B, definition_id=i))
            == expected
        )
    assert refusal(lambda: engine.get_decision(actor=OWNER_B, definition_id=decision_a.id)) == refusal(
        lambda: engine.get_decision(actor=OWNER_B, definition_id=decision_a.id + "x")
    ).replace(decision_a.id + "x", decision_a.id)
    assert refusal(lambda: engine.get_decision(actor=OWNER_B, key="interval")) == (
        "decision definition 'interval' does not exist"
    )

    seen_by_b = engine.list_definitions(actor=OWNER_B).items
    assert [(d.key, d.municipality) for d in seen_by_b] == [("sag", None)]
    assert engine.list_decisions(DefinitionFilter(), actor=OWNER_B).items == ()
    assert {d.municipality for d in engine.list_deployments(actor=OWNER_B).items} == {None}
    seen_by_a = engine.list_definitions(actor=OWNER_A).items
    assert [(d.key, d.municipality) for d in seen_by_a] == [("sag", A), ("sag", None)]  # its own first
    assert {d.municipality for d in engine.list_deployments(actor=OWNER_A).items} == {None, A}


def test_versions_count_per_key_and_municipality(engine: Engine) -> None:
    assert deploy(engine, OWNER_A, task("A1")).new_definitions[0].version == 1
    assert deploy(engine, OWNER_B, task("B1")).new_definitions[0].version == 1
    assert deploy(engine, OWNER_A, task("A2")).new_definitions[0].version == 2
    assert shared(engine, task("Fælles")).new_definitions[0].version == 1
    latest_a = engine.list_definitions(actor=OWNER_A, latest_only=True).items
    assert [(d.version, d.municipality) for d in latest_a] == [(2, A), (1, None)]
    # the same bytes in another scope are another scope's version, not a reuse
    assert deploy(engine, OWNER_B, task("A2")).new_definitions[0].municipality == B


def test_who_deploys_shared_definitions(engine: Engine) -> None:
    assert shared(engine, task("x")).municipality is None
    assert deploy(engine, OPERATOR_ADMIN, task("y"), tenant=OPERATOR).municipality == OPERATOR
    assert deploy(engine, OPERATOR_OWNER, task("z")).municipality == OPERATOR  # process owners: own
    assert deploy(engine, Actor("adm", A, frozenset({Role.ADMIN})), task("w")).municipality == A
    # a tenant id names the caller's municipality (its only tenant) and is kept as given
    labelled = deploy(engine, OWNER_A, task("v"), tenant="kommune")
    assert (labelled.municipality, labelled.tenant_id) == (A, "kommune")


def test_message_starts_take_the_municipalitys_own_process_first(engine: Engine) -> None:
    starter = bpmn.document(
        "henvendelse",
        """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing><bpmn:messageEventDefinition messageRef="m" /></bpmn:startEvent>
    <bpmn:userTask id="work" name="NAME"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />""",
        extra='  <bpmn:message id="m" name="ny_henvendelse" />\n',
    )
    shared(engine, ("h.bpmn", starter.replace(b"NAME", b"Shared")))
    deploy(engine, OWNER_A, ("h.bpmn", starter.replace(b"NAME", b"A")))
    for actor, expected in ((WORKER_A, "A"), (WORKER_B, "Shared")):
        [case] = engine.correlate("ny_henvendelse", actor=actor, business_key=f"K-{actor.municipality}")
        assert open_tasks(engine, case.id, actor) == [expected]


def test_definitions_stored_before_become_shared(engine: Engine) -> None:
    deploy(engine, OWNER_A, task("Før"))
    command.downgrade(alembic_config(engine.store.url), "0010")
    engine.store.migrate()
    with engine.store.read() as session:
        assert [row.municipality for row in session.exec(select(Definition)).all()] == [""]
    assert started(engine, WORKER_B) == ["Før"]


INTERVAL_TASK = (
    'camunda:decisionRef="interval" camunda:resultVariable="days" camunda:mapDecisionResult="singleEntry"'
)


def interval_dmn(days: int) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="intervals" name="Intervals"
  namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="interval" name="Interval">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="in_level"><inputExpression id="in_level_expr" typeRef="string"><text>level</text></inputExpression></input>
      <output id="out_days" name="days" typeRef="integer" />
      <rule id="r1"><inputEntry id="r1_in"><text>-</text></inputEntry><outputEntry id="r1_out"><text>{days}</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>""".encode()
