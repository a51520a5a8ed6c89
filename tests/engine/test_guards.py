"""Completion guards declared in the diagram (each naming its form field), and form defaults
computed and typed when the form is opened."""

from datetime import UTC, datetime, timedelta

import pytest

from engine.clock import FakeClock
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
        <camunda:formField id="held_on" type="date" defaultValue="${today()}" />
        <camunda:formField id="agreed_on" type="date" defaultValue="${add_days(today(), interval)}" />
        <camunda:formField id="urgent" type="boolean" defaultValue="${interval &lt; 30}" />
        <camunda:formField id="visits" type="long" defaultValue="${interval / 7}" />
        <camunda:formField id="placement_note" type="string" />
      </camunda:formData>
      <camunda:properties>
        <camunda:property name="guard:bfu_before_placement" value="${measure_type != 'placement' || investigation_completed == true}" />
        <camunda:property name="guard:bfu_before_placement:message" value="En anbringelse kræver en afsluttet børnefaglig undersøgelse" />
        <camunda:property name="guard:bfu_before_placement:field" value="measure_type" />
        <camunda:property name="guard:note_on_placement" value="${measure_type != 'placement' || !empty placement_note}" />
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


def test_a_guard_refuses_the_completion_naming_its_field_with_a_danish_message(deployed: Engine) -> None:
    case = deployed.start_instance(actor=CASEWORKER, key="guarded")
    with pytest.raises(InvalidVariablesError) as caught:
        deployed.complete_task(
            case.tasks[0].id, {"measure_type": "placement", "placement_note": "x"}, actor=CASEWORKER
        )
    [problem] = caught.value.problems
    assert (problem.name, problem.rule) == ("measure_type", "bfu_before_placement")
    assert problem.message == "the rule 'bfu_before_placement' is not met"
    assert problem.message_da == "En anbringelse kræver en afsluttet børnefaglig undersøgelse"
    assert deployed.get_case(case.id, actor=CASEWORKER).version == case.version


def test_a_guard_without_a_field_or_message_is_named_by_itself(deployed: Engine) -> None:
    case = deployed.start_instance(
        actor=CASEWORKER, key="guarded", variables={"investigation_completed": True}
    )
    with pytest.raises(InvalidVariablesError) as caught:
        deployed.complete_task(case.tasks[0].id, {"measure_type": "placement"}, actor=CASEWORKER)
    [problem] = caught.value.problems
    assert (problem.name, problem.rule) == ("note_on_placement", "note_on_placement")
    assert problem.message_da == "Reglen 'note_on_placement' er ikke opfyldt."


def test_a_guard_that_holds_lets_the_task_complete(deployed: Engine) -> None:
    supported = deployed.start_instance(actor=CASEWORKER, key="guarded")
    assert (
        deployed.complete_task(supported.tasks[0].id, {"measure_type": "support"}, actor=CASEWORKER).status
        == "completed"
    )
    placed = deployed.start_instance(
        actor=CASEWORKER, key="guarded", variables={"investigation_completed": True}
    )
    done = deployed.complete_task(
        placed.tasks[0].id, {"measure_type": "placement", "placement_note": "x"}, actor=CASEWORKER
    )
    assert done.status == "completed"


def test_form_defaults_are_computed_from_the_case_and_typed_as_their_field(deployed: Engine) -> None:
    case = deployed.start_instance(
        actor=CASEWORKER, key="guarded", variables={"decided_on": "2026-03-01", "interval": 14}
    )
    form = {f.id: f for f in deployed.get_task(case.tasks[0].id, actor=CASEWORKER).form}
    assert form["next_date"].default == "2026-03-15"
    assert form["urgent"].default is True
    assert form["visits"].default == 2 and isinstance(form["visits"].default, int)
    assert form["placement_note"].default is None


def test_form_defaults_are_computed_when_the_form_is_opened(deployed: Engine, clock: FakeClock) -> None:
    clock.move_to(datetime(2026, 3, 1, 22, 30, tzinfo=UTC))  # 23:30 in Copenhagen: still 1 March
    case = deployed.start_instance(actor=CASEWORKER, key="guarded", variables={"interval": 14})
    clock.advance(timedelta(days=40, hours=1))  # opened weeks later, 01:30 on 11 April in Copenhagen
    form = {f.id: f for f in deployed.get_task(case.tasks[0].id, actor=CASEWORKER).form}
    assert form["held_on"].default == "2026-04-11"
    assert form["agreed_on"].default == "2026-04-25"


def test_a_guard_field_that_is_not_in_the_form_is_refused_at_deploy(engine: Engine) -> None:
    broken = GUARDED.replace(b'value="measure_type" />', b'value="measure" />')
    with pytest.raises(InvalidDefinitionError) as caught:
        engine.deploy(DeployRequest([("g.bpmn", broken)], name="g"), actor=PROCESS_OWNER)
    [problem] = caught.value.problems
    assert problem.element_id == "decide"
    assert (
        "guard 'bfu_before_placement': its field 'measure' is not a field of the task's form"
        in problem.message
    )


def test_a_broken_guard_is_refused_at_deploy(engine: Engine) -> None:
    broken = GUARDED.replace(b"investigation_completed == true}", b"investigation_completed === true}")
    with pytest.raises(InvalidDefinitionError) as caught:
        engine.deploy(DeployRequest([("g.bpmn", broken)], name="g"), actor=PROCESS_OWNER)
    assert caught.value.problems[0].element_id == "decide"
    assert "guard" in caught.value.problems[0].message


def test_a_refused_form_also_names_what_the_guards_refuse(deployed: Engine) -> None:
    case = deployed.start_instance(actor=CASEWORKER, key="guarded")
    with pytest.raises(InvalidVariablesError) as caught:
        deployed.complete_task(
            case.tasks[0].id, {"measure_type": "placement", "visits": "many"}, actor=CASEWORKER
        )
    assert [(p.name, p.rule) for p in caught.value.problems] == [
        ("visits", None),  # the form's problem first …
        ("measure_type", "bfu_before_placement"),  # … then every guard that fails on the rest
        ("note_on_placement", "note_on_placement"),
    ]
