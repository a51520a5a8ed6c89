"""Workflows kept in memory between steps (engine/bpmn/resident.py): a step reuses the workflow
the same process saved last, and only when nothing else has written the case since."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine import runner as runner_module
from engine.bootstrap import build_engine
from engine.bpmn.resident import ResidentWorkflows
from engine.clock import FakeClock
from engine.definitions import DeployRequest
from engine.errors import ProcessError
from engine.service import Engine

from support import bpmn
from support.actors import CASEWORKER, PROCESS_OWNER
from support.settings import engine_settings

THREE_TASKS = bpmn.document(
    "three_tasks",
    """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="one"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="two"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="three"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="one" />
    <bpmn:sequenceFlow id="f2" sourceRef="one" targetRef="two" />
    <bpmn:sequenceFlow id="f3" sourceRef="two" targetRef="three" />
    <bpmn:sequenceFlow id="f4" sourceRef="three" targetRef="end" />""",
)


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The cases whose state was deserialized from the database, in order."""
    seen: list[str] = []
    load_state = runner_module.load_state

    def counting(text: str, *args: object, **kwargs: object) -> object:
        seen.append(text)
        return load_state(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner_module, "load_state", counting)
    return seen


def _engine(url: str, clock: FakeClock, resident: int = 500) -> Engine:
    built = build_engine(engine_settings(url, resident_workflows=resident), clock, migrate=False)
    built.deploy(DeployRequest([("three.bpmn", THREE_TASKS)], name="three"), actor=PROCESS_OWNER)
    return built


@pytest.fixture
def two_workers(database_url: str, clock: FakeClock) -> Iterator[tuple[Engine, Engine]]:
    first, second = _engine(database_url, clock), _engine(database_url, clock)
    yield first, second
    first.store.dispose()
    second.store.dispose()


def _open(engine: Engine, case_id: str) -> str:
    case = engine.get_case(case_id, actor=CASEWORKER)
    return next(t.id for t in case.tasks if t.state == "open")


def test_the_next_step_reuses_the_workflow_the_process_saved(
    two_workers: tuple[Engine, Engine], loads: list[str]
) -> None:
    engine, _ = two_workers
    case = engine.start_instance(actor=CASEWORKER, key="three_tasks")
    for answers in ({"a": 1}, {"b": 2}, {}):
        case = engine.complete_task(case.tasks[0].id, answers, actor=CASEWORKER)
    assert case.status == "completed"
    assert loads == []  # start and three steps, none deserialized a state


def test_a_step_by_another_worker_makes_the_kept_workflow_stale(
    two_workers: tuple[Engine, Engine], loads: list[str]
) -> None:
    first, second = two_workers
    case = first.start_instance(actor=CASEWORKER, key="three_tasks")
    first.complete_task(case.tasks[0].id, {"by": "first"}, actor=CASEWORKER)
    second.complete_task(_open(second, case.id), {"by": "second"}, actor=CASEWORKER)
    before = len(loads)
    after = first.complete_task(_open(first, case.id), {"last": True}, actor=CASEWORKER)
    assert len(loads) - before == 2  # the view in _open, and the step: the kept copy was not used
    assert after.status == "completed"
    history = [
        e.element_id for e in first.get_case(case.id, actor=CASEWORKER).history if e.kind == "task_completed"
    ]
    assert history == ["one", "two", "three"]


def test_a_claim_in_between_is_seen_too(two_workers: tuple[Engine, Engine]) -> None:
    engine, _ = two_workers
    case = engine.start_instance(actor=CASEWORKER, key="three_tasks")
    engine.claim_task(case.tasks[0].id, actor=CASEWORKER)
    after = engine.complete_task(case.tasks[0].id, {}, actor=CASEWORKER)
    assert [t.element_id for t in after.tasks if t.state == "open"] == ["two"]


def test_a_failed_step_leaves_no_half_advanced_workflow_behind(database_url: str, clock: FakeClock) -> None:
    engine = build_engine(engine_settings(database_url), clock, migrate=False)
    script = "if outcome == 'boom':\n    x = 1 / 0\nresult = outcome"
    engine.deploy(
        DeployRequest([("s.bpmn", bpmn.script_process("fails", script))], name="s"), actor=PROCESS_OWNER
    )
    try:
        case = engine.start_instance(actor=CASEWORKER, key="fails")
        with pytest.raises(ProcessError):
            engine.complete_task(case.tasks[0].id, {"outcome": "boom"}, actor=CASEWORKER)
        after = engine.complete_task(case.tasks[0].id, {"outcome": "fine"}, actor=CASEWORKER)
        assert [t.element_id for t in after.tasks if t.state == "open"] == ["after"]
        assert engine.get_case(case.id, actor=CASEWORKER).variables["result"] == "fine"
    finally:
        engine.store.dispose()


MAKE_THEN_USE = bpmn.document(
    "make_then_use",
    """
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="make" scriptFormat="python"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>pair = (1, 2)\ntable = {1: 'a'}</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="between"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="use" scriptFormat="python"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:script>same = pair == [1, 2] and table.get('1') == 'a'</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="after"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="make" />
    <bpmn:sequenceFlow id="f2" sourceRef="make" targetRef="between" />
    <bpmn:sequenceFlow id="f3" sourceRef="between" targetRef="use" />
    <bpmn:sequenceFlow id="f4" sourceRef="use" targetRef="after" />
    <bpmn:sequenceFlow id="f5" sourceRef="after" targetRef="end" />""",
)


@pytest.mark.parametrize("resident", [500, 0], ids=["kept", "reloaded"])
def test_script_values_behave_alike_kept_or_reloaded(
    sqlite_url: str, clock: FakeClock, resident: int
) -> None:
    """A tuple or a number-keyed dict a script makes is what a reload would give: a list, string keys."""
    engine = build_engine(engine_settings(sqlite_url, resident_workflows=resident), clock, migrate=False)
    engine.deploy(DeployRequest([("m.bpmn", MAKE_THEN_USE)], name="m"), actor=PROCESS_OWNER)
    try:
        case = engine.start_instance(actor=CASEWORKER, key="make_then_use")
        after = engine.complete_task(case.tasks[0].id, {}, actor=CASEWORKER, with_variables=True)
        assert after.variables is not None
        assert (after.variables["pair"], after.variables["table"]) == ([1, 2], {"1": "a"})
        assert after.variables["same"] is True
    finally:
        engine.store.dispose()


def test_the_oldest_kept_workflow_goes_first_and_each_is_handed_out_once() -> None:
    kept = ResidentWorkflows(capacity=2)
    first, second, third = object(), object(), object()
    kept.keep("a", "def", 1, first)  # type: ignore[arg-type]
    kept.keep("b", "def", 1, second)  # type: ignore[arg-type]
    kept.keep("c", "def", 1, third)  # type: ignore[arg-type]
    assert kept.take("a", "def", 1) is None
    assert kept.take("b", "def", 2) is None  # another version: stale, and dropped
    assert kept.take("b", "def", 1) is None
    assert kept.take("c", "other", 1) is None
    kept.keep("c", "def", 1, third)  # type: ignore[arg-type]
    assert kept.take("c", "def", 1) is third
    assert kept.take("c", "def", 1) is None


def test_capacity_zero_keeps_nothing() -> None:
    kept = ResidentWorkflows(capacity=0)
    kept.keep("a", "def", 1, object())  # type: ignore[arg-type]
    assert len(kept) == 0
