"""The stored state keeps each task's data only where it needs to (engine/bpmn/state.py): a task
that inherits no key unchanged from its parent stores its own data instead of a delta listing
every parent key as deleted. The state must load into exactly the task tree and data that was
saved, states written the old way must load as before, and the state must be smaller."""

from __future__ import annotations

from collections.abc import Iterator
from copy import deepcopy
from types import SimpleNamespace
from typing import Any

import pytest
from SpiffWorkflow.bpmn.serializer.default.workflow import TaskConverter
from SpiffWorkflow.task import Task

from engine.bpmn import state as state_module
from engine.bpmn.workflow import CaseWorkflow
from engine.clock import FakeClock
from engine.service import Engine
from engine.store.tables import Instance

from support.long_case import LongCase

Tree = dict[str, Any]


def _tree(workflow: CaseWorkflow) -> Tree:
    """Everything a task tree holds that a load must give back, per (sub)process (a copy: the
    workflow goes on changing its tasks' data)."""
    processes = {"top": workflow, **{str(key): sub for key, sub in workflow.subprocesses.items()}}
    return deepcopy(
        {
            name: {
                "data": process.data,
                "last_task": str(process.last_task.id) if process.last_task else None,
                "root": str(process.task_tree.id),
                "tasks": {
                    str(task.id): (
                        str(task._parent),
                        [str(child) for child in task._children],
                        task.state,
                        task.task_spec.name,
                        task.triggered,
                        task.last_state_change,
                        task.internal_data,
                        task.data,
                    )
                    for task in process.tasks.values()
                },
            }
            for name, process in processes.items()
        }
    )


def _stock_dump(workflow: CaseWorkflow) -> str:
    """`workflow` stored as before this change: SpiffWorkflow's own task converter (a delta for
    every task)."""
    registry = state_module._serializer().registry
    TaskConverter(Task, registry, typename="Task")
    try:
        return state_module.dump_state(workflow)
    finally:
        state_module._TaskConverter(Task, registry, typename="Task")


@pytest.fixture
def saved(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str, Tree]]]:
    """Every state a writer stores, with the stock dump of the same workflow and its tree."""
    records: list[tuple[str, str, Tree]] = []
    dump = state_module.dump_state

    def capture(workflow: CaseWorkflow) -> str:
        text = dump(workflow)
        monkeypatch.setattr(state_module, "dump_state", dump)
        try:
            records.append((text, _stock_dump(workflow), _tree(workflow)))
        finally:
            monkeypatch.setattr(state_module, "dump_state", capture)
        return text

    monkeypatch.setattr(state_module, "dump_state", capture)
    yield records


def _load(engine: Engine, case_id: str, text: str) -> CaseWorkflow:
    with engine.store.read() as session:
        row = session.get(Instance, case_id)
        assert row is not None
        stored = SimpleNamespace(
            state=text,
            definition_id=row.definition_id,
            municipality=row.municipality,
            business_key=row.business_key,
        )
        return engine.runner.view(session, stored)  # type: ignore[arg-type]


def test_a_stored_state_loads_into_the_tree_that_was_saved_and_is_smaller(
    engine: Engine, clock: FakeClock, saved: list[tuple[str, str, Tree]]
) -> None:
    case = LongCase(engine, clock)
    case.deploy()
    case.report()
    opened = len(case.stored_state())
    case.to_the_loops(placement=True)
    placed = len(case.stored_state())
    placed_stock = saved[-1][1]
    for number in range(1, 5):
        case.follow_up()
        if number % 2 == 0:
            case.visit()
    case.new_report()  # a second underretning correlated into the case: an event subprocess
    assert len(saved) >= 8
    for text, stock, tree in saved:
        assert _tree(_load(engine, case.case_id, text)) == tree
        assert _tree(_load(engine, case.case_id, stock)) == tree  # format 2 as stored before
        assert len(text) <= len(stock)
    # a placed case: the predicted tasks of its loops had listed all their parent's keys as deleted
    assert placed <= 0.75 * len(placed_stock)
    assert placed < 2 * opened  # the target, against a case just opened
