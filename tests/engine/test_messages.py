"""Messages reach the case with the given business key, and no other."""

import pytest

from engine.definitions import DeployRequest
from engine.errors import NotCorrelatedError
from engine.service import Engine

from support import bpmn
from support.actors import CASEWORKER, LEADER, PROCESS_OWNER


@pytest.fixture
def waiting(engine: Engine) -> Engine:
    engine.deploy(
        DeployRequest([("m.bpmn", bpmn.message_process("m", "ny_oplysning"))], name="m"), actor=PROCESS_OWNER
    )
    return engine


def test_message_moves_the_right_case_and_no_other(waiting: Engine) -> None:
    first = waiting.start_instance(actor=CASEWORKER, key="m", business_key="S-1")
    second = waiting.start_instance(actor=CASEWORKER, key="m", business_key="S-2")
    [moved] = waiting.correlate("ny_oplysning", actor=CASEWORKER, business_key="S-2", variables={"note": "x"})
    assert moved.id == second.id
    assert waiting.get_case(second.id, actor=CASEWORKER).current_activities == ("after",)
    assert waiting.get_case(second.id, actor=CASEWORKER).variables == {"note": "x"}
    assert waiting.get_case(first.id, actor=CASEWORKER).current_activities == ("wait_msg",)


def test_unknown_business_key_is_refused(waiting: Engine) -> None:
    waiting.start_instance(actor=CASEWORKER, key="m", business_key="S-1")
    with pytest.raises(NotCorrelatedError):
        waiting.correlate("ny_oplysning", actor=CASEWORKER, business_key="S-9")


def test_ambiguous_message_is_refused_unless_all(waiting: Engine) -> None:
    a = waiting.start_instance(actor=CASEWORKER, key="m", business_key="S-1")
    b = waiting.start_instance(actor=CASEWORKER, key="m", business_key="S-1")
    with pytest.raises(NotCorrelatedError):
        waiting.correlate("ny_oplysning", actor=CASEWORKER, business_key="S-1")
    moved = waiting.correlate("ny_oplysning", actor=CASEWORKER, business_key="S-1", all_matches=True)
    assert sorted(c.id for c in moved) == sorted([a.id, b.id])


def test_a_message_is_consumed_once(waiting: Engine) -> None:
    waiting.start_instance(actor=CASEWORKER, key="m", business_key="S-1")
    waiting.correlate("ny_oplysning", actor=CASEWORKER, business_key="S-1")
    with pytest.raises(NotCorrelatedError):
        waiting.correlate("ny_oplysning", actor=CASEWORKER, business_key="S-1")


EVENT_SUBPROCESS_MAIN = bpmn.document(
    "main",
    """
  <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
  <bpmn:userTask id="work"><bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>b</bpmn:outgoing></bpmn:userTask>
  <bpmn:boundaryEvent id="breach" cancelActivity="false" attachedToRef="work">
    <bpmn:extensionElements><camunda:properties><camunda:property name="purpose" value="breach" />
      <camunda:property name="deadline" value="test" /></camunda:properties></bpmn:extensionElements>
    <bpmn:outgoing>c</bpmn:outgoing>
    <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
  <bpmn:intermediateThrowEvent id="signal_breach"><bpmn:incoming>c</bpmn:incoming><bpmn:outgoing>d</bpmn:outgoing>
    <bpmn:signalEventDefinition signalRef="sig" /></bpmn:intermediateThrowEvent>
  <bpmn:endEvent id="e2"><bpmn:incoming>d</bpmn:incoming></bpmn:endEvent>
  <bpmn:endEvent id="e"><bpmn:incoming>b</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="work" /><bpmn:sequenceFlow id="b" sourceRef="work" targetRef="e" />
  <bpmn:sequenceFlow id="c" sourceRef="breach" targetRef="signal_breach" /><bpmn:sequenceFlow id="d" sourceRef="signal_breach" targetRef="e2" />
  <bpmn:subProcess id="new_report" triggeredByEvent="true">
    <bpmn:startEvent id="report_arrives" isInterrupting="false"><bpmn:outgoing>m1</bpmn:outgoing><bpmn:messageEventDefinition messageRef="msg" /></bpmn:startEvent>
    <bpmn:userTask id="assess_new"><bpmn:incoming>m1</bpmn:incoming><bpmn:outgoing>m2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="me"><bpmn:incoming>m2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="m1" sourceRef="report_arrives" targetRef="assess_new" /><bpmn:sequenceFlow id="m2" sourceRef="assess_new" targetRef="me" />
  </bpmn:subProcess>
  <bpmn:subProcess id="escalation" triggeredByEvent="true">
    <bpmn:startEvent id="breached" isInterrupting="false"><bpmn:outgoing>s1</bpmn:outgoing><bpmn:signalEventDefinition signalRef="sig" /></bpmn:startEvent>
    <bpmn:userTask id="escalate" camunda:candidateGroups="leder"><bpmn:incoming>s1</bpmn:incoming><bpmn:outgoing>s2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="se"><bpmn:incoming>s2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="s1" sourceRef="breached" targetRef="escalate" /><bpmn:sequenceFlow id="s2" sourceRef="escalate" targetRef="se" />
  </bpmn:subProcess>""",
    extra='  <bpmn:message id="msg" name="ny_underretning" />\n  <bpmn:signal id="sig" name="frist_overskredet" />\n',
)


def test_message_start_event_subprocess_runs_once_per_message(engine: Engine) -> None:
    engine.deploy(DeployRequest([("main.bpmn", EVENT_SUBPROCESS_MAIN)], name="main"), actor=PROCESS_OWNER)
    case = engine.start_instance(actor=CASEWORKER, key="main", business_key="S-7")
    for n in range(2):
        engine.correlate("ny_underretning", actor=CASEWORKER, business_key="S-7", variables={"n": n})
    open_tasks = sorted(
        t.element_id for t in engine.get_case(case.id, actor=CASEWORKER).tasks if t.state == "open"
    )
    assert open_tasks == ["assess_new", "assess_new", "work"]


def test_a_signal_from_a_breach_starts_an_escalation_without_blocking_the_case(engine: Engine, clock) -> None:
    from datetime import timedelta  # noqa: PLC0415

    engine.deploy(DeployRequest([("main.bpmn", EVENT_SUBPROCESS_MAIN)], name="main"), actor=PROCESS_OWNER)
    case = engine.start_instance(actor=CASEWORKER, key="main")
    clock.advance(timedelta(hours=2))
    assert engine.fire_due_timers().fired == 1
    tasks = {t.element_id: t for t in engine.get_case(case.id, actor=CASEWORKER).tasks if t.state == "open"}
    assert set(tasks) == {"work", "escalate"} and tasks["escalate"].candidate_groups == ("leder",)
    engine.complete_task(tasks["work"].id, {}, actor=CASEWORKER)
    assert engine.get_case(case.id, actor=CASEWORKER).status == "active"  # the escalation is still open
    done = engine.complete_task(tasks["escalate"].id, {}, actor=LEADER)
    assert done.status == "completed"
