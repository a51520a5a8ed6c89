"""Compaction (engine/bpmn/compaction.py) changes what is stored, never what a case does.

Each scenario runs twice on the real engine — once as it is, once with compaction turned off —
and after every step the two runs must show the same open tasks, variables, pending timers,
history and status. The diagrams cover what reads finished tasks: parallel and inclusive joins
whose branches finish across several steps and loops, branches that end early and whose data
the process returns at its end (through a call activity), a sequential multi-instance task,
interrupting and non-interrupting boundary timers in a loop and a message event subprocess.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from engine.bootstrap import build_engine
from engine.bpmn import state as state_module
from engine.bpmn.compaction import compact
from engine.clock import FakeClock
from engine.definitions import DeployRequest
from engine.model import InstanceInfo
from engine.service import Engine
from engine.store.tables import Instance

from support import bpmn
from support.actors import ADMIN
from support.databases import DatabaseFactory
from support.settings import engine_settings

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _user(task_id: str, incoming: str, outgoing: str, field: str = "", extra: str = "") -> str:
    form = (
        f'<bpmn:extensionElements><camunda:formData><camunda:formField id="{field}" type="string" />'
        "</camunda:formData></bpmn:extensionElements>"
        if field
        else ""
    )
    return (
        f'<bpmn:userTask id="{task_id}" name="{task_id}" camunda:candidateGroups="raadgiver">{form}'
        f"<bpmn:incoming>{incoming}</bpmn:incoming><bpmn:outgoing>{outgoing}</bpmn:outgoing>{extra}"
        "</bpmn:userTask>"
    )


def _flow(flow_id: str, source: str, target: str, condition: str = "") -> str:
    body = (
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>'
        if condition
        else ""
    )
    return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">{body}</bpmn:sequenceFlow>'


def _join_loop(kind: str) -> bytes:
    """A loop around a three-way split and join (`kind`: parallel or inclusive), each branch a user
    task; `review` decides whether to go round again."""
    condition = "${True}" if kind == "inclusive" else ""
    return bpmn.document(
        f"{kind}_loop",
        f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="again_merge"><bpmn:incoming>f0</bpmn:incoming><bpmn:incoming>again</bpmn:incoming>
      <bpmn:outgoing>f1</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:{kind}Gateway id="fork"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>fa</bpmn:outgoing><bpmn:outgoing>fb</bpmn:outgoing><bpmn:outgoing>fc</bpmn:outgoing></bpmn:{kind}Gateway>
    {_user("a", "fa", "ja", "answer_a")}{_user("b", "fb", "jb", "answer_b")}{_user("c", "fc", "jc", "answer_c")}
    <bpmn:{kind}Gateway id="join"><bpmn:incoming>ja</bpmn:incoming><bpmn:incoming>jb</bpmn:incoming>
      <bpmn:incoming>jc</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:{kind}Gateway>
    {_user("review", "f2", "f3", "go_again")}
    <bpmn:exclusiveGateway id="decide" default="done"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>again</bpmn:outgoing><bpmn:outgoing>done</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>done</bpmn:incoming></bpmn:endEvent>
    {_flow("f0", "start", "again_merge")}{_flow("f1", "again_merge", "fork")}
    {_flow("fa", "fork", "a", condition)}{_flow("fb", "fork", "b", condition)}{_flow("fc", "fork", "c", condition)}
    {_flow("ja", "a", "join")}{_flow("jb", "b", "join")}{_flow("jc", "c", "join")}
    {_flow("f2", "join", "review")}{_flow("f3", "review", "decide")}
    {_flow("again", "decide", "again_merge", '${go_again == "yes"}')}{_flow("done", "decide", "end")}""",
    )


CHILD_WITH_ENDED_BRANCHES = bpmn.document(
    "ended_branches",
    f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="fork"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:outgoing>fa</bpmn:outgoing><bpmn:outgoing>fb</bpmn:outgoing><bpmn:outgoing>fc</bpmn:outgoing></bpmn:parallelGateway>
    {_user("early", "fa", "ea", "early_note")}{_user("middle", "fb", "eb", "middle_note")}
    {_user("late", "fc", "ec", "late_note")}
    <bpmn:endEvent id="end_a"><bpmn:incoming>ea</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_b"><bpmn:incoming>eb</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_c"><bpmn:incoming>ec</bpmn:incoming></bpmn:endEvent>
    {_flow("f0", "start", "fork")}{_flow("fa", "fork", "early")}{_flow("fb", "fork", "middle")}
    {_flow("fc", "fork", "late")}{_flow("ea", "early", "end_a")}{_flow("eb", "middle", "end_b")}
    {_flow("ec", "late", "end_c")}""",
)

PARENT_CALLING_TWICE = bpmn.document(
    "calls_twice",
    f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="merge"><bpmn:incoming>f0</bpmn:incoming><bpmn:incoming>again</bpmn:incoming>
      <bpmn:outgoing>f1</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:callActivity id="call" calledElement="ended_branches">
      <bpmn:extensionElements><camunda:in variables="all" /><camunda:out variables="all" /></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>
    <bpmn:boundaryEvent id="call_deadline" attachedToRef="call" cancelActivity="false">
      <bpmn:extensionElements><camunda:properties><camunda:property name="purpose" value="breach" />
      <camunda:property name="deadline" value="call" /></camunda:properties></bpmn:extensionElements>
      <bpmn:outgoing>f_deadline</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P30D</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:endEvent id="deadline_end"><bpmn:incoming>f_deadline</bpmn:incoming></bpmn:endEvent>
    <bpmn:exclusiveGateway id="called"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f2b</bpmn:outgoing>
      </bpmn:exclusiveGateway>
    {_user("after", "f2b", "f3", "go_again")}
    <bpmn:exclusiveGateway id="decide" default="done"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>again</bpmn:outgoing><bpmn:outgoing>done</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>done</bpmn:incoming></bpmn:endEvent>
    {_flow("f0", "start", "merge")}{_flow("f1", "merge", "call")}{_flow("f2", "call", "called")}
    {_flow("f2b", "called", "after")}
    {_flow("f_deadline", "call_deadline", "deadline_end")}
    {_flow("f3", "after", "decide")}{_flow("again", "decide", "merge", '${go_again == "yes"}')}
    {_flow("done", "decide", "end")}""",
)

MULTI_INSTANCE = bpmn.document(
    "visits",
    f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    {_user("plan", "f0", "f1", "note")}
    <bpmn:userTask id="visit" name="visit" camunda:candidateGroups="raadgiver">
      <bpmn:extensionElements><camunda:formData><camunda:formField id="seen" type="string" />
      </camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics isSequential="true" camunda:collection="places"
        camunda:elementVariable="place" /></bpmn:userTask>
    {_user("summary", "f2", "f3", "summary_note")}
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    {_flow("f0", "start", "plan")}{_flow("f1", "plan", "visit")}{_flow("f2", "visit", "summary")}
    {_flow("f3", "summary", "end")}""",
)


def _boundary(boundary_id: str, host: str, outgoing: str, timer: str, *, interrupting: bool) -> str:
    return (
        f'<bpmn:boundaryEvent id="{boundary_id}" attachedToRef="{host}" '
        f'cancelActivity="{"true" if interrupting else "false"}"><bpmn:outgoing>{outgoing}</bpmn:outgoing>'
        f'<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{timer}'
        "</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>"
    )


TIMERS_IN_A_LOOP = bpmn.document(
    "timed_loop",
    f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="merge"><bpmn:incoming>f0</bpmn:incoming><bpmn:incoming>again</bpmn:incoming>
      <bpmn:incoming>f_late</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:exclusiveGateway>
    {_user("work", "f1", "f2", "go_again")}
    {_boundary("remind", "work", "f_remind", "PT1H", interrupting=False)}
    {_boundary("too_late", "work", "f_too_late", "P2D", interrupting=True)}
    <bpmn:userTask id="reminded" name="reminded" camunda:candidateGroups="raadgiver">
      <bpmn:extensionElements><camunda:formData><camunda:formField id="reminder_note" type="string" />
      <camunda:formField id="first_reminder" type="string" /></camunda:formData></bpmn:extensionElements>
      <bpmn:incoming>f_remind</bpmn:incoming><bpmn:outgoing>f_reminded</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="reminder_end"><bpmn:incoming>f_reminded</bpmn:incoming></bpmn:endEvent>
    {_user("late", "f_too_late", "f_late", "late_note")}
    <bpmn:exclusiveGateway id="decide" default="done"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>again</bpmn:outgoing><bpmn:outgoing>done</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end"><bpmn:incoming>done</bpmn:incoming></bpmn:endEvent>
    <bpmn:subProcess id="on_message" triggeredByEvent="true">
      <bpmn:startEvent id="message_start" isInterrupting="false"><bpmn:outgoing>m1</bpmn:outgoing>
        <bpmn:messageEventDefinition messageRef="msg" /></bpmn:startEvent>
      {_user("handle", "m1", "m2", "handled")}
      <bpmn:endEvent id="message_end"><bpmn:incoming>m2</bpmn:incoming></bpmn:endEvent>
      {_flow("m1", "message_start", "handle")}{_flow("m2", "handle", "message_end")}
    </bpmn:subProcess>
    {_flow("f0", "start", "merge")}{_flow("f1", "merge", "work")}{_flow("f2", "work", "decide")}
    {_flow("f_remind", "remind", "reminded")}{_flow("f_reminded", "reminded", "reminder_end")}
    {_flow("f_too_late", "too_late", "late")}{_flow("f_late", "late", "merge")}
    {_flow("again", "decide", "merge", '${go_again == "yes"}')}{_flow("done", "decide", "end")}""",
    extra='  <bpmn:message id="msg" name="besked" />\n',
)


@dataclass(frozen=True)
class Complete:
    element_id: str
    answers: dict[str, Any]


@dataclass(frozen=True)
class Wait:
    delta: timedelta


@dataclass(frozen=True)
class Message:
    name: str


Step = Complete | Wait | Message


def _run(engine: Engine, clock: FakeClock, key: str, steps: list[Step]) -> Iterator[tuple[Any, ...]]:
    """Start `key`, apply the steps, and yield what the case shows after each."""
    case = engine.start_instance(actor=ADMIN, key=key, business_key="B-1", variables={"places": ["x", "y"]})
    yield _observed(engine, case.id)
    for step in steps:
        if isinstance(step, Complete):
            tasks = engine.get_case(case.id, actor=ADMIN).tasks
            task = next(t for t in tasks if t.element_id == step.element_id and t.state == "open")
            engine.complete_task(task.id, step.answers, actor=ADMIN)
        elif isinstance(step, Wait):
            clock.advance(step.delta)
            engine.fire_due_timers()
        else:
            engine.correlate(step.name, actor=ADMIN, business_key="B-1")
        yield _observed(engine, case.id)


def _observed(engine: Engine, case_id: str) -> tuple[Any, ...]:
    case: InstanceInfo = engine.get_case(case_id, actor=ADMIN)
    return (
        case.status,
        case.phase,
        sorted((t.element_id, t.state) for t in case.tasks),
        case.variables,
        sorted((t.element_id, t.due_at, t.status, t.outcome) for t in case.timers),
        [(e.kind, e.element_id, (e.data or {}).get("outcome")) for e in case.history],
        case.current_activities,
    )


def _both_ways(
    databases: DatabaseFactory,
    monkeypatch: pytest.MonkeyPatch,
    files: list[tuple[str, bytes]],
    key: str,
    steps: list[Step],
    *,
    compare: bool = True,
) -> tuple[list[tuple[Any, ...]], list[int]]:
    """The observations of the compacted run (checked against the uncompacted one unless not
    `compare`), and the number of tasks stored after each step of the compacted run."""
    runs: dict[bool, list[tuple[Any, ...]]] = {}
    stored: list[int] = []
    for compacting in (False, True) if compare else (True,):
        clock = FakeClock(START)
        engine = build_engine(engine_settings(databases.create("sqlite")), clock, migrate=False)
        engine.deploy(DeployRequest(files, name=key), actor=ADMIN)
        with monkeypatch.context() as patch:
            if not compacting:
                patch.setattr(state_module, "compact", lambda workflow: 0)
            observed = []
            for seen in _run(engine, clock, key, steps):
                observed.append(seen)
                if compacting:
                    stored.append(_stored_tasks(engine))
            runs[compacting] = observed
        engine.store.dispose()
    for number, (plain, compacted) in enumerate(zip(runs.get(False, runs[True]), runs[True], strict=True)):
        assert compacted == plain, f"after step {number} the compacted case differs"
    return runs[True], stored


def _stored_tasks(engine: Engine) -> int:
    with engine.store.read() as session:
        row = session.exec(select(Instance)).one()
        state = json.loads(row.state)
    return len(state["tasks"]) + sum(len(s["tasks"]) for s in state["subprocesses"].values())


def _open(observed: tuple[Any, ...]) -> list[str]:
    return [element for element, state in observed[2] if state == "open"]


def _round(go_again: str) -> list[Step]:
    return [
        Complete("b", {"answer_b": "B"}),
        Complete("a", {"answer_a": "A"}),
        Complete("c", {"answer_c": "C"}),
        Complete("review", {"go_again": go_again}),
    ]


@pytest.mark.parametrize("kind", ["parallel", "inclusive"])
def test_a_join_whose_branches_finish_in_separate_steps_waits_for_all_of_them_every_round(
    databases: DatabaseFactory, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """Uncompacted, SpiffWorkflow's inclusive join fires too early from the second round on (it
    counts the inputs of earlier rounds, still in the tree); compacted, it waits like the
    parallel one. So only the parallel join is compared with the uncompacted run."""
    steps = [*_round("yes"), *_round("yes"), *_round("no")]
    files = [(f"{kind}.bpmn", _join_loop(kind))]
    observed, stored = _both_ways(
        databases, monkeypatch, files, f"{kind}_loop", steps, compare=kind == "parallel"
    )
    assert _open(observed[0]) == ["a", "b", "c"]
    assert _open(observed[2]) == ["c"]  # b and a done: the join still waits for c
    assert _open(observed[3]) == ["review"]
    assert observed[3][3] | {"answer_a": "A", "answer_b": "B", "answer_c": "C"} == observed[3][3]
    assert _open(observed[6]) == ["c"]  # round two waits again
    assert observed[-1][0] == "completed"
    assert max(stored[4:9]) <= max(stored[:5])  # round two stores no more than round one


def test_data_of_branches_that_ended_early_leaves_a_called_process_each_time_it_is_called(
    databases: DatabaseFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def call(note: str, go_again: str) -> list[Step]:
        return [
            Complete("early", {"early_note": f"early {note}"}),
            Complete("middle", {"middle_note": f"middle {note}"}),
            Complete("late", {"late_note": f"late {note}"}),
            Complete("after", {"go_again": go_again}),
        ]

    files = [("child.bpmn", CHILD_WITH_ENDED_BRANCHES), ("parent.bpmn", PARENT_CALLING_TWICE)]
    observed, stored = _both_ways(
        databases, monkeypatch, files, "calls_twice", [*call("1", "yes"), *call("2", "no")]
    )
    after_first, after_second = observed[3][3], observed[7][3]
    assert (after_first["early_note"], after_first["middle_note"], after_first["late_note"]) == (
        "early 1",
        "middle 1",
        "late 1",
    )
    # (The second time, the branch that ends last carries the first call's notes it was started
    # with, and SpiffWorkflow lets it win: the same with and without compaction.)
    assert after_second["late_note"] == "late 2"
    assert observed[-1][0] == "completed"
    # The call's deadline was met each time: its activity (the call, completed by the engine when
    # the called process ended) is read before compaction removes it.
    assert [t[3] for t in observed[-1][4]] == ["met", "met"]
    assert stored[5] <= stored[1]  # the first call's subprocess is gone in the second


def test_a_sequential_multi_instance_task_runs_each_instance_and_goes_on(
    databases: DatabaseFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps: list[Step] = [
        Complete("plan", {"note": "n"}),
        Complete("visit", {"seen": "first"}),
        Complete("visit", {"seen": "second"}),
        Complete("summary", {"summary_note": "s"}),
    ]
    observed, _ = _both_ways(databases, monkeypatch, [("mi.bpmn", MULTI_INSTANCE)], "visits", steps)
    assert _open(observed[2]) == ["visit"]
    assert _open(observed[3]) == ["summary"]
    assert observed[-1][0] == "completed"


def test_boundary_timers_and_a_message_event_subprocess_in_a_loop(
    databases: DatabaseFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    def round_on_time(number: int) -> list[Step]:
        return [
            Wait(timedelta(hours=2)),  # the reminder fires, work stays open
            Complete(
                "reminded",
                {"reminder_note": f"round {number}", **({"first_reminder": "yes"} if number == 0 else {})},
            ),
            Message("besked"),
            Complete("handle", {"handled": "yes"}),
            Complete("work", {"go_again": "yes"}),
        ]

    round_too_late: list[Step] = [
        Wait(timedelta(days=3)),  # both fire; the interrupting one cancels work
        Complete("late", {"late_note": "late"}),
        Complete("reminded", {"reminder_note": "late round"}),
    ]
    steps = [
        *(s for n in range(4) for s in round_on_time(n)),
        *round_too_late,
        Complete("work", {"go_again": "no"}),
    ]
    observed, stored = _both_ways(databases, monkeypatch, [("t.bpmn", TIMERS_IN_A_LOOP)], "timed_loop", steps)
    assert _open(observed[1]) == ["reminded", "work"]
    assert _open(observed[3]) == ["handle", "work"]
    assert _open(observed[21]) == ["late", "reminded"]  # work was interrupted
    assert observed[-1][0] == "completed"
    ended = observed[-1][3]  # what the process ends with: the data of every branch that ended, merged
    assert ended["reminder_note"] == "late round"
    assert ended["first_reminder"] == "yes"  # set only in the first round's reminder branch
    # The branches the reminders ended fold into one: the fourth round stores what the third did.
    assert stored[16:21] == stored[11:16]


def test_compacting_a_compacted_workflow_changes_nothing(engine: Engine) -> None:
    engine.deploy(DeployRequest([("t.bpmn", TIMERS_IN_A_LOOP)], name="t"), actor=ADMIN)
    case = engine.start_instance(actor=ADMIN, key="timed_loop", business_key="B-1")
    for _ in range(3):
        tasks = engine.get_case(case.id, actor=ADMIN).tasks
        task = next(t for t in tasks if t.element_id == "work" and t.state == "open")
        engine.complete_task(task.id, {"go_again": "yes"}, actor=ADMIN)
    with engine.store.read() as session:
        row = session.get(Instance, case.id)
        assert row is not None
        workflow = engine.runner.view(session, row)
    from engine.bpmn.state import dump_state  # noqa: PLC0415

    before = dump_state(workflow)
    assert compact(workflow) == 0
    assert dump_state(workflow) == before == row.state
