"""Deploying: versions per process key, identical content reused, instances pinned, refusals store nothing."""

import pytest

from engine.definitions import DeployRequest
from engine.errors import ForbiddenError, InvalidDefinitionError
from engine.service import Engine

from support import bpmn
from support.actors import CASEWORKER, PROCESS_OWNER


def deploy(engine: Engine, content: bytes, name: str = "p.bpmn"):
    return engine.deploy(DeployRequest([(name, content)], name=name), actor=PROCESS_OWNER)


def test_first_deploy_creates_version_1(engine: Engine) -> None:
    result = deploy(engine, bpmn.user_task_process("p"))
    assert [(d.key, d.version) for d in result.new_definitions] == [("p", 1)]


def test_changed_content_creates_a_new_version(engine: Engine) -> None:
    deploy(engine, bpmn.user_task_process("p"))
    changed = bpmn.user_task_process("p").replace(b'name="Arbejde"', b'name="Arbejde 2"')
    result = deploy(engine, changed)
    assert [(d.key, d.version) for d in result.new_definitions] == [("p", 2)]


def test_identical_redeploy_creates_no_new_version(engine: Engine) -> None:
    first = deploy(engine, bpmn.user_task_process("p"))
    second = deploy(engine, bpmn.user_task_process("p"))
    assert second.new_definitions == ()
    assert [d.id for d in second.definitions] == [d.id for d in first.new_definitions]
    assert engine.list_definitions(actor=PROCESS_OWNER, key="p").total == 1


def test_instances_stay_on_the_version_they_started_on(engine: Engine) -> None:
    v1 = deploy(engine, bpmn.user_task_process("p")).new_definitions[0]
    case = engine.start_instance(actor=CASEWORKER, key="p")
    changed = bpmn.user_task_process("p").replace(b'id="work" name="Arbejde"', b'id="work" name="Nyt navn"')
    v2 = deploy(engine, changed).new_definitions[0]
    assert v2.version == 2
    assert case.definition_id == v1.id
    engine.complete_task(case.tasks[0].id, {}, actor=CASEWORKER)
    assert engine.get_case(case.id, actor=CASEWORKER).status == "completed"
    newer = engine.start_instance(actor=CASEWORKER, key="p")
    assert newer.definition_id == v2.id
    assert newer.tasks[0].name == "Nyt navn"


def test_refused_deploy_stores_nothing(engine: Engine) -> None:
    with pytest.raises(InvalidDefinitionError) as caught:
        engine.deploy(
            DeployRequest(
                [
                    ("ok.bpmn", bpmn.user_task_process("ok")),
                    ("bad.bpmn", bpmn.gateway_process("bad", "${a === b}")),
                ],
                name="mixed",
            ),
            actor=PROCESS_OWNER,
        )
    assert caught.value.problems[0].element_id == "yes"
    assert engine.list_definitions(actor=PROCESS_OWNER).total == 0


def test_caseworkers_cannot_deploy(engine: Engine) -> None:
    with pytest.raises(ForbiddenError):
        engine.deploy(DeployRequest([("p.bpmn", bpmn.user_task_process("p"))], name="p"), actor=CASEWORKER)


def test_call_activity_resolves_an_already_deployed_process(engine: Engine) -> None:
    deploy(engine, bpmn.user_task_process("child"), "child.bpmn")
    parent = bpmn.document(
        "parent",
        """
      <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
      <bpmn:callActivity id="call" calledElement="child"><bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>b</bpmn:outgoing></bpmn:callActivity>
      <bpmn:endEvent id="e"><bpmn:incoming>b</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="call" /><bpmn:sequenceFlow id="b" sourceRef="call" targetRef="e" />""",
    )
    deploy(engine, parent, "parent.bpmn")
    case = engine.start_instance(actor=CASEWORKER, key="parent", variables={"x": 1})
    assert [t.element_id for t in case.tasks] == ["work"]
    done = engine.complete_task(case.tasks[0].id, {}, actor=CASEWORKER)
    assert done.status == "completed"
