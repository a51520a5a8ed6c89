"""What one step costs the database: the statements of a task completion, counted, so a change
that adds a round trip to every step shows up here and not first in a benchmark."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import event

from engine.clock import FakeClock
from engine.definitions import DeployRequest
from engine.service import Engine

from support import bpmn
from support.actors import CASEWORKER, PROCESS_OWNER

# BEGIN (SQLite), lock the case, read the task, its open tasks, insert the next, close this one,
# subscriptions, history, case row, access log. COMMIT is not a statement here. Not in it: the
# definition (read only for a task with a Camunda Form, engine/task_forms.py).
STEP_BUDGET = 10


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement sent to any database while the test runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(SqlEngine, "before_cursor_execute", record)
    yield seen
    event.remove(SqlEngine, "before_cursor_execute", record)


def _complete(engine: Engine, case_id: str, element_id: str, statements: list[str]) -> list[str]:
    [task] = [t for t in engine.get_case(case_id, actor=CASEWORKER).tasks if t.element_id == element_id]
    statements.clear()
    engine.complete_task(task.id, {}, actor=CASEWORKER)
    return list(statements)


def _reads_timers(step: list[str]) -> bool:
    return any(s.startswith("SELECT") and " FROM timer" in s for s in step)


def test_a_step_of_a_case_without_timers_stays_within_budget_and_skips_the_timer_table(
    engine: Engine, clock: FakeClock, statements: list[str]
) -> None:
    engine.deploy(
        DeployRequest([("t.bpmn", bpmn.task_timer_task_process("p"))], name="t"), actor=PROCESS_OWNER
    )
    due = clock.now() + timedelta(days=1)
    case = engine.start_instance(actor=CASEWORKER, key="p", variables={"due": due.isoformat()})

    first = _complete(engine, case.id, "first", statements)  # no timer before; one after
    assert not _reads_timers(first)
    assert any(s.startswith("INSERT INTO timer") for s in first)
    assert len(first) <= STEP_BUDGET + 1  # + the new timer row

    clock.advance(timedelta(days=1))
    assert engine.fire_due_timers().fired == 1

    second = _complete(engine, case.id, "second", statements)  # the timer fired: none left
    assert not _reads_timers(second)
    # This step also ends the case: its process instance row (Camunda's /process-instance and
    # history) is marked ended, once in a case's life; every other statement is within the budget.
    ending = [s for s in second if s.startswith("UPDATE processinstance")]
    assert len(ending) == 1
    assert len(second) - len(ending) <= STEP_BUDGET


def test_a_step_of_a_case_with_a_pending_timer_reads_and_cancels_it(
    engine: Engine, statements: list[str]
) -> None:
    content = (bpmn.BPMN_DIR / "modeler_simple.bpmn").read_bytes()  # a task with a boundary timer
    engine.deploy(DeployRequest([("simple.bpmn", content)], name="simple"), actor=PROCESS_OWNER)
    case = engine.start_instance(actor=CASEWORKER, key="simple")
    statements.clear()
    engine.complete_task(case.tasks[0].id, {"outcome": "close"}, actor=CASEWORKER)
    assert _reads_timers(statements)
    assert any(s.startswith("UPDATE timer") for s in statements)
