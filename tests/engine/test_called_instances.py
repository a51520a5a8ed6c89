"""The process instance mirror follows the case's state: a call inside a call links to its super
instance, a call cut off by an interrupting boundary event is terminated, and a case's rows
always agree with what its state holds."""

from __future__ import annotations

from datetime import timedelta

from engine.clock import FakeClock
from engine.definitions import DeployRequest
from engine.model import ProcessInstanceFilter, ProcessInstanceInfo, TaskFilter
from engine.service import Engine

from support import bpmn
from support.actors import CASEWORKER, MUNICIPALITY, PROCESS_OWNER
from support.consistency import problems

GUARDED_CALL = bpmn.document(
    "guarded",
    """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:callActivity id="call" calledElement="child"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>
    <bpmn:boundaryEvent id="too_late" attachedToRef="call"><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:userTask id="escalate" name="Eskalér"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="escalated"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="done" />
    <bpmn:sequenceFlow id="f3" sourceRef="too_late" targetRef="escalate" />
    <bpmn:sequenceFlow id="f4" sourceRef="escalate" targetRef="escalated" />""",
)


def deploy(engine: Engine, *files: tuple[str, bytes]) -> None:
    engine.deploy(DeployRequest(list(files), name=files[0][0]), actor=PROCESS_OWNER)


def processes(engine: Engine, **filters: str) -> list[ProcessInstanceInfo]:
    f = ProcessInstanceFilter(MUNICIPALITY, **filters)  # type: ignore[arg-type]
    return list(engine.list_process_instances(f, actor=CASEWORKER).items)


def test_a_call_inside_a_call_links_each_to_its_super_instance(engine: Engine) -> None:
    deploy(
        engine,
        ("child.bpmn", bpmn.called_process("child", "Inderst")),
        ("middle.bpmn", bpmn.caller_process("middle", "child")),
        ("top.bpmn", bpmn.caller_process("top", "middle")),
    )
    case = engine.start_instance(actor=CASEWORKER, key="top")
    for name in ("Før", "Før"):  # top's first task, then middle's
        [task] = [t for t in engine.get_case(case.id, actor=CASEWORKER).tasks if t.state == "open"]
        assert task.name == name
        engine.complete_task(task.id, {}, actor=CASEWORKER)
        assert problems(engine, case.id) == []
    [middle] = processes(engine, super_id=case.id)
    [child] = processes(engine, super_id=middle.id)
    assert (middle.process_key, child.process_key) == ("middle", "child")
    assert child.case_id == middle.case_id == case.id
    assert [p.id for p in processes(engine, sub_id=child.id)] == [middle.id]
    [task] = engine.list_tasks(TaskFilter(MUNICIPALITY, process_instance_id=child.id), actor=CASEWORKER).items
    assert task.name == "Inderst" and task.process_key == "child"


def test_a_call_cut_off_by_an_interrupting_boundary_event_is_terminated(
    engine: Engine, clock: FakeClock
) -> None:
    deploy(engine, ("child.bpmn", bpmn.called_process("child", "Arbejde")), ("guarded.bpmn", GUARDED_CALL))
    case = engine.start_instance(actor=CASEWORKER, key="guarded")
    [child] = processes(engine, super_id=case.id)
    assert child.state == "active" and problems(engine, case.id) == []

    clock.advance(timedelta(days=1, seconds=1))
    assert engine.fire_due_timers().fired == 1

    [ended] = processes(engine, super_id=case.id)
    assert (ended.id, ended.state, ended.ended_at) == (child.id, "terminated", clock.now())
    assert [t.name for t in engine.get_case(case.id, actor=CASEWORKER).tasks if t.state == "open"] == [
        "Eskalér"
    ]
    history = [e.kind for e in engine.get_case(case.id, actor=CASEWORKER).history]
    assert history.count("process_started") == 1 and history.count("process_ended") == 1
    assert problems(engine, case.id) == []
