"""The Camunda Modeler element templates (workflows/.camunda/element-templates/, where the Modeler
finds them for the diagrams of workflows/) are generated from the code, and a diagram built with
them deploys and runs its deadlines, reminder, escalation and guards.

Applying a template is done here as the Modeler does it: the element gets
`camunda:modelerTemplate`/`modelerTemplateVersion`, each `property` binding becomes an attribute
and each `camunda:property` binding an extension property, with the template's value or the
choice the process owner picked. (scripts/lint-bpmn validates the JSON with the Modeler's own
validator, @bpmn-io/element-templates-validator.)
"""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from lxml import etree

from engine.clock import FakeClock
from engine.definitions import DeployRequest
from engine.errors import InvalidVariablesError
from engine.model import TaskFilter
from engine.service import Engine
from tools.element_templates import TEMPLATES, text

from support import bpmn
from support.actors import CASEWORKER, LEADER, PROCESS_OWNER

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"


def test_the_shipped_templates_are_the_ones_the_code_writes() -> None:
    assert TEMPLATES.read_text() == text(), "run: .venv/bin/python -m tools.element_templates"


def template(template_id: str) -> dict[str, Any]:
    return next(t for t in json.loads(TEMPLATES.read_text()) if t["id"] == template_id)


def apply(element: etree._Element, template_id: str, **chosen: str) -> None:
    found = template(template_id)
    element.set(f"{{{CAMUNDA}}}modelerTemplate", found["id"])
    element.set(f"{{{CAMUNDA}}}modelerTemplateVersion", str(found["version"]))
    for prop in found["properties"]:
        binding, value = prop["binding"], chosen.get(prop["binding"]["name"], prop.get("value", ""))
        if binding["type"] == "property":
            prefix, _, name = binding["name"].rpartition(":")
            element.set(f"{{{CAMUNDA}}}{name}" if prefix == "camunda" else name, value)
        elif binding["type"] == "camunda:property":
            _properties(element).append(_camunda("property", name=binding["name"], value=value))
        else:
            raise AssertionError(f"binding {binding['type']} is not applied here")


def _camunda(tag: str, **attributes: str) -> etree._Element:
    return etree.Element(f"{{{CAMUNDA}}}{tag}", attributes)


def _properties(element: etree._Element) -> etree._Element:
    extensions = element.find(f"{{{BPMN}}}extensionElements")
    if extensions is None:
        extensions = etree.Element(f"{{{BPMN}}}extensionElements")
        element.insert(0, extensions)
    found = extensions.find(f"{{{CAMUNDA}}}properties")
    if found is None:
        found = etree.SubElement(extensions, f"{{{CAMUNDA}}}properties")
    return found


FORM = """<bpmn:extensionElements><camunda:formData>
  <camunda:formField id="decision_date" type="date" />
  <camunda:formField id="measure_type" type="enum"><camunda:value id="support_s32" name="Støtte" />
    <camunda:value id="placement_s47" name="Anbringelse" /></camunda:formField>
  <camunda:formField id="child_plan_decided" type="boolean" />
  <camunda:formField id="child_plan_reason" type="string" />
  <camunda:formField id="placement_started_at" type="date" />
  <camunda:formField id="child_plan_made_at" type="date" />
  <camunda:formField id="child_perspective_obtained" type="boolean" />
  <camunda:formField id="child_heard_exception_reason" type="string" />
  <camunda:formField id="child_view_obtained_otherwise" type="string" />
</camunda:formData></bpmn:extensionElements>"""
NOTE = """<bpmn:extensionElements><camunda:formData><camunda:formField id="escalation_note" type="string" />
</camunda:formData></bpmn:extensionElements>"""


def built_with_templates() -> bytes:
    """decide (guarded decision) -> plan, with a reminder and a legal deadline counted from the
    decision date; the breach leads to a leader's escalation task."""
    content = bpmn.document(
        "templated",
        f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="decide" name="Træf afgørelse">{FORM}<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="plan" name="Barnets plan"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="plan_reminder" attachedToRef="plan"><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>P2M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="plan_breach" attachedToRef="plan"><bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>P3M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:userTask id="escalate" name="Frist overskredet">{NOTE}<bpmn:incoming>f5</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="reminded"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="escalated"><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="plan" />
    <bpmn:sequenceFlow id="f3" sourceRef="plan" targetRef="end" />
    <bpmn:sequenceFlow id="f4" sourceRef="plan_reminder" targetRef="reminded" />
    <bpmn:sequenceFlow id="f5" sourceRef="plan_breach" targetRef="escalate" />
    <bpmn:sequenceFlow id="f6" sourceRef="escalate" targetRef="escalated" />""",
    )
    root = etree.fromstring(content)
    by_id = {e.get("id"): e for e in root.iter() if isinstance(e.tag, str)}
    apply(by_id["decide"], "dk.sagsflow.guarded-decision")
    apply(by_id["plan_reminder"], "dk.sagsflow.reminder", deadline="child_plan", start_fact="decision_date")
    apply(
        by_id["plan_breach"], "dk.sagsflow.legal-deadline", deadline="child_plan", start_fact="decision_date"
    )
    apply(by_id["escalate"], "dk.sagsflow.leader-escalation")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@pytest.fixture
def templated(engine: Engine) -> Engine:
    deployed = engine.deploy(
        DeployRequest([("templated.bpmn", built_with_templates())], name="t"), actor=PROCESS_OWNER
    )
    assert deployed.warnings == ()  # every duration counts from a recorded fact
    return engine


def test_the_guarded_decision_refuses_a_placement_without_a_finished_investigation(templated: Engine) -> None:
    case = templated.start_instance(actor=CASEWORKER, key="templated")
    submitted = {
        "decision_date": "2026-11-30",
        "measure_type": "placement_s47",
        "child_plan_decided": True,
        "placement_started_at": "2026-12-01",
        "child_perspective_obtained": True,
    }
    with pytest.raises(InvalidVariablesError) as refused:
        templated.complete_task(case.tasks[0].id, submitted, actor=CASEWORKER)
    assert sorted((p.name, p.rule) for p in refused.value.problems) == [
        ("child_plan_made_at", "plan_before_s47"),  # § 47: barnets plan before the decision, too
        ("measure_type", "bfu_before_placement"),
    ]


def test_a_diagram_built_with_the_templates_runs_its_deadline(templated: Engine, clock: FakeClock) -> None:
    clock.move_to(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    case = templated.start_instance(actor=CASEWORKER, key="templated")
    decision = {
        "decision_date": "2026-11-30",
        "measure_type": "support_s32",
        "child_plan_decided": True,
        "child_perspective_obtained": True,
    }
    templated.complete_task(case.tasks[0].id, decision, actor=CASEWORKER)
    timers = {t.element_id: t for t in templated.get_case(case.id, actor=CASEWORKER).timers}
    # The plan is due within 3 months of the decision: its last day is 28 February 2027 (there is no
    # 30 February), so the deadline is breached when that day has ended in Copenhagen.
    assert timers["plan_breach"].due_at == datetime(2027, 2, 28, 23, 0, tzinfo=UTC)
    assert (timers["plan_breach"].purpose, timers["plan_breach"].deadline) == ("breach", "child_plan")
    assert (timers["plan_reminder"].purpose, timers["plan_reminder"].deadline) == ("reminder", "child_plan")

    clock.move_to(datetime(2027, 2, 28, 22, 59, tzinfo=UTC))
    templated.fire_due_timers()
    history = [e.kind for e in templated.get_case(case.id, actor=CASEWORKER).history]
    assert "deadline_reminder" in history and "deadline_breached" not in history

    clock.advance(timedelta(minutes=2))
    templated.fire_due_timers()
    after = templated.get_case(case.id, actor=CASEWORKER)
    breached = [e for e in after.history if e.kind == "deadline_breached"]
    assert [e.data.get("deadline") for e in breached] == ["child_plan"]
    leader_tasks = templated.list_tasks(
        TaskFilter(municipality=LEADER.municipality, instance_id=case.id), actor=LEADER
    ).items
    assert [(t.element_id, t.candidate_groups) for t in leader_tasks if t.element_id == "escalate"] == [
        ("escalate", ("leder",))
    ]
