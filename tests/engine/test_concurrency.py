"""Exactly one of many concurrent completions of the same task wins; the others are refused."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from engine.definitions import DeployRequest
from engine.errors import ConcurrentUpdateError, WrongStateError
from engine.service import Engine

from support import bpmn
from support.actors import CASEWORKER, PROCESS_OWNER

CONTENDERS = 16


def test_sixteen_concurrent_completions_one_winner(engine: Engine) -> None:
    engine.deploy(
        DeployRequest([("p.bpmn", bpmn.gateway_process("p", "${n > 0}"))], name="p"), actor=PROCESS_OWNER
    )
    case = engine.start_instance(actor=CASEWORKER, key="p")
    task_id = case.tasks[0].id
    barrier = Barrier(CONTENDERS)

    def attempt(n: int) -> str:
        barrier.wait()
        try:
            engine.complete_task(task_id, {"n": n}, actor=CASEWORKER)
            return "won"
        except (WrongStateError, ConcurrentUpdateError):
            return "refused"

    with ThreadPoolExecutor(CONTENDERS) as pool:
        outcomes = list(pool.map(attempt, range(CONTENDERS)))
    assert sorted(outcomes) == ["refused"] * (CONTENDERS - 1) + ["won"]
    detail = engine.get_case(case.id, actor=CASEWORKER)
    assert detail.status == "completed"
    assert [e.kind for e in detail.history].count("task_completed") == 1
    assert detail.version == case.version + 1


@pytest.mark.parametrize("rounds", [3])
def test_concurrent_completion_of_different_cases_all_succeed(engine: Engine, rounds: int) -> None:
    engine.deploy(DeployRequest([("p.bpmn", bpmn.user_task_process("p"))], name="p"), actor=PROCESS_OWNER)
    cases = [engine.start_instance(actor=CASEWORKER, key="p") for _ in range(8 * rounds)]
    with ThreadPoolExecutor(8) as pool:
        results = list(
            pool.map(lambda c: engine.complete_task(c.tasks[0].id, {}, actor=CASEWORKER).status, cases)
        )
    assert results == ["completed"] * len(cases)
