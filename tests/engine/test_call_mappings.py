"""camunda:in / camunda:out as Camunda 7 applies them: nothing passes without a mapping; source,
sourceExpression, target, variables="all" and local, in order, when the called process starts
and when it ends."""

from __future__ import annotations

from typing import Any

import pytest

from engine.definitions import DeployRequest
from engine.errors import InvalidDefinitionError
from engine.model import InstanceInfo, ProcessInstanceFilter
from engine.service import Engine

from support import bpmn
from support.actors import CASEWORKER, MUNICIPALITY, PROCESS_OWNER


def run_call(
    engine: Engine, extensions: str, answers: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Start 'parent' with x=1 and y=2, enter 'child' through a call activity with `extensions`,
    complete the child's task with `answers`. Returns (what the child got, the caller's variables
    after the call)."""
    engine.deploy(
        DeployRequest(
            [
                ("child.bpmn", bpmn.called_process("child", "I barnet")),
                ("parent.bpmn", bpmn.caller_process("parent", "child", extensions=extensions)),
            ],
            name="mappings",
        ),
        actor=PROCESS_OWNER,
    )
    case = engine.start_instance(actor=CASEWORKER, key="parent", variables={"x": 1, "y": 2})
    case = complete(engine, case, "Før", {})
    [child] = engine.list_process_instances(
        ProcessInstanceFilter(MUNICIPALITY, super_id=case.id), actor=CASEWORKER
    ).items
    received = engine.get_process_instance(child.id, actor=CASEWORKER, purpose="test", with_variables=True)
    case = complete(engine, case, "I barnet", answers)
    after = engine.get_process_instance(case.id, actor=CASEWORKER, purpose="test", with_variables=True)
    return received.variables or {}, after.variables or {}


def complete(engine: Engine, case: InstanceInfo, name: str, variables: dict[str, Any]) -> InstanceInfo:
    [task] = [t for t in engine.get_case(case.id, actor=CASEWORKER).tasks if t.state == "open"]
    assert task.name == name
    return engine.complete_task(task.id, variables, actor=CASEWORKER)


def test_without_mappings_nothing_passes_either_way(engine: Engine) -> None:
    received, after = run_call(engine, "", {"answer": 42})
    assert received == {}
    assert after == {"x": 1, "y": 2}


def test_source_target_and_expressions_pass_in_order(engine: Engine) -> None:
    received, after = run_call(
        engine,
        '<camunda:in source="x" target="a" />'
        '<camunda:in sourceExpression="${x + 5}" target="y" />'
        '<camunda:in source="nowhere" target="empty" />'
        '<camunda:out sourceExpression="${y + 5}" target="z" />'
        '<camunda:out source="answer" target="x" />',
        {"answer": 42},
    )
    assert received == {"a": 1, "y": 6, "empty": None}  # a missing source passes null
    assert after == {"x": 42, "y": 2, "z": 11}  # z = y + 5 = x + 5 + 5, as Camunda's guide has it


def test_all_variables_pass_both_ways_and_the_callers_others_stay(engine: Engine) -> None:
    received, after = run_call(
        engine, '<camunda:in variables="all" /><camunda:out variables="all" />', {"answer": 42}
    )
    assert received == {"x": 1, "y": 2}
    assert after == {"x": 1, "y": 2, "answer": 42}


def test_local_mappings_pass_nothing_without_input_output_parameters(engine: Engine) -> None:
    received, after = run_call(
        engine,
        '<camunda:in variables="all" local="true" /><camunda:in source="x" target="a" local="true" />'
        '<camunda:out variables="all" local="true" />',
        {"answer": 42},
    )
    assert received == {"a": None}
    assert after == {"x": 1, "y": 2}


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        ('<camunda:in source="x" />', "needs a target"),
        ('<camunda:out target="x" />', "needs exactly one of"),
        ('<camunda:in sourceExpression="${x.strip()}" target="y" />', "sourceExpression"),
        ('<camunda:in variables="some" />', "'some' is not supported"),
    ],
)
def test_a_broken_mapping_is_refused_at_deploy(engine: Engine, mapping: str, expected: str) -> None:
    content = bpmn.caller_process("parent", "child", extensions=mapping)
    with pytest.raises(InvalidDefinitionError) as refused:
        engine.deploy(
            DeployRequest(
                [("child.bpmn", bpmn.called_process("child", "Barn")), ("parent.bpmn", content)], name="bad"
            ),
            actor=PROCESS_OWNER,
        )
    assert [(p.element_id, expected in p.message) for p in refused.value.problems] == [("call", True)]
