"""Completion guards declared in the diagram, and computed form defaults."""

import pytest

from engine.definitions import DeployRequest
from engine.errors import InvalidDefinitionError, InvalidVariablesError
from engine.service import Engine

from support import bpmn
from support.actors import CASEWORKER, PROCESS_OWNER

GUARDED = bpmn.document(
    "guarded",
    """
  <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
  <bpmn:userTask id="decide">
    <bpmn:extensionElements>
      <camunda:formData>
        <camunda:formField id="measure_type" type="enum"><camunda:value id="support" /><camunda:value id="placement" /></camunda:formField>
        <camunda:formField id="next_date" type="date" defaultValue="${add_days(decided_on, interval)}" />
      </camunda:formData>
      <camunda:properties>
        <camunda:property name="guard:bfu_before_placement" value="${measure_type != 'placement' || investigation_completed == true}" />
        <camunda:property name="guard:bfu_before_placement:message" value="En anbringelse kræver en afsluttet børnefaglig undersøgelse" />
      </camunda:properties>
    </bpmn:extensionElements>
    <bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>b</bpmn:outgoing></bpmn:userTask>
  <bpmn:endEvent id="e"><bpmn:incoming>b</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="decide" /><bpmn:sequenceFlow id="b" sourceRef="decide" targetRef="e" />""",
)


@pytest.fixture
def deployed(engine: Engine) -> Engine:
    engine.deploy(DeployRequest([("g.bpmn", GUARDED)], name="g"), actor=PROCESS_OWNER)
    return engine


def test_a_guard_refuses_the_completion_with_its_message(deployed: Engine) -> None:
    case = deployed.start_instance(actor=CASEWORKER, key="guarded")
    with pytest.raises(InvalidVariablesError) as caught:
        deployed.complete_task(case.tasks[0].id, {"measure_type": "placement"}, actor=CASEWORKER)
    assert [(p.name, p.message) for p in caught.value.problems] == [
        ("bfu_before_placement", "En anbringelse kræver en afsluttet børnefaglig undersøgelse")
    ]
    assert deployed.get_case(case.id, actor=CASEWORKER).version == case.version


def test_a_guard_that_holds_lets_the_task_complete(deployed: Engine) -> None:
    supported = deployed.start_instance(actor=CASEWORKER, key="guarded")
    assert (
        deployed.complete_task(supported.tasks[0].id, {"measure_type": "support"}, actor=CASEWORKER).status
        == "completed"
    )
    placed = deployed.start_instance(
        actor=CASEWORKER, key="guarded", variables={"investigation_completed": True}
    )
    assert (
        deployed.complete_task(placed.tasks[0].id, {"measure_type": "placement"}, actor=CASEWORKER).status
        == "completed"
    )


def test_form_defaults_are_computed_from_the_case(deployed: Engine) -> None:
    case = deployed.start_instance(
        actor=CASEWORKER, key="guarded", variables={"decided_on": "2026-03-01", "interval": 14}
    )
    form = {f.id: f for f in deployed.get_task(case.tasks[0].id, actor=CASEWORKER).form}
    assert form["next_date"].default == "2026-03-15"


def test_a_broken_guard_is_refused_at_deploy(engine: Engine) -> None:
    broken = GUARDED.replace(b"investigation_completed == true}", b"investigation_completed === true}")
    with pytest.raises(InvalidDefinitionError) as caught:
        engine.deploy(DeployRequest([("g.bpmn", broken)], name="g"), actor=PROCESS_OWNER)
    assert caught.value.problems[0].element_id == "decide"
    assert "guard" in caught.value.problems[0].message
