"""Business rule tasks: every decision of a DRD, result mapping, and the decision bound when the
task is reached (latest, deployment, version, versionTag), on SQLite and PostgreSQL."""

from pathlib import Path
from typing import Any

import pytest

from engine.definitions import DeployRequest
from engine.errors import InvalidDefinitionError, ProcessError
from engine.service import Engine
from engine.store.tables import Definition

from support import bpmn
from support.actors import CASEWORKER, PROCESS_OWNER

TESTS = Path(__file__).resolve().parents[1]
CAMUNDA = TESTS / "dmn" / "camunda"
INVOICE_DMN = (TESTS / "thirdparty" / "camunda-invoice" / "invoiceBusinessDecisions.dmn").read_bytes()
DISH_DMN = (CAMUNDA / "dish-decision.dmn11.xml").read_bytes()


def rule_task_process(process_id: str, attributes: str) -> bytes:
    """start -> business rule task 'decide' with `attributes` -> user task 'after' -> end."""
    return bpmn.document(
        process_id,
        f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="decide" {attributes}><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:businessRuleTask>
    <bpmn:userTask id="after"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="after" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />""",
    )


def interval_dmn(days: int, *, version_tag: str | None = None) -> bytes:
    """A one-rule FEEL table: `interval` = `days` for any `level`."""
    tag = f' camunda:versionTag="{version_tag}"' if version_tag else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" xmlns:camunda="http://camunda.org/schema/1.0/dmn"
  id="intervals" name="Intervals" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="interval" name="Interval"{tag}>
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="in_level"><inputExpression id="in_level_expr" typeRef="string"><text>level</text></inputExpression></input>
      <output id="out_days" name="days" typeRef="integer" />
      <rule id="r1"><inputEntry id="r1_in"><text>-</text></inputEntry><outputEntry id="r1_out"><text>{days}</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>""".encode()


def deploy(engine: Engine, *files: tuple[str, bytes]) -> Any:
    return engine.deploy(DeployRequest(list(files), name=files[0][0]), actor=PROCESS_OWNER)


def decided(engine: Engine, key: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    case = engine.start_instance(actor=CASEWORKER, key=key, variables=variables or {})
    full = engine.get_case(case.id, actor=CASEWORKER)
    assert [t.element_id for t in full.tasks] == ["after"]
    return dict(full.variables or {})


INTERVAL_TASK = (
    'camunda:decisionRef="interval" camunda:resultVariable="days" camunda:mapDecisionResult="singleEntry"'
)


def test_the_second_decision_of_a_drd_runs_with_its_required_decision(engine: Engine) -> None:
    """Camunda's invoice example: `invoice-assign-approver` (COLLECT) requires
    `invoiceClassification`; both are deployed from one file."""
    process = rule_task_process(
        "approve",
        'camunda:decisionRef="invoice-assign-approver" camunda:resultVariable="approverGroups" '
        'camunda:mapDecisionResult="collectEntries"',
    )
    deployment = deploy(engine, ("invoiceBusinessDecisions.dmn", INVOICE_DMN), ("approve.bpmn", process))
    assert sorted(d.key for d in deployment.definitions if d.kind == "decision") == [
        "invoice-assign-approver",
        "invoiceClassification",
    ]
    small = decided(engine, "approve", {"amount": 100, "invoiceCategory": "Misc"})
    assert small["approverGroups"] == ["accounting", "sales"]
    large = decided(engine, "approve", {"amount": 1200.5, "invoiceCategory": "Misc"})
    assert large["approverGroups"] == ["management"]
    assert "invoiceClassification" not in large  # required results are not process variables


@pytest.mark.parametrize(
    ("mapping", "expected"),
    [
        ("singleEntry", "Steak"),
        ("singleResult", {"desiredDish": "Steak"}),
        ("collectEntries", ["Steak"]),
        ("resultList", [{"desiredDish": "Steak"}]),
    ],
)
def test_map_decision_result_shapes_the_variable_as_camunda(
    engine: Engine, mapping: str, expected: Any
) -> None:
    attributes = (
        f'camunda:decisionRef="decision" camunda:resultVariable="dish" camunda:mapDecisionResult="{mapping}"'
    )
    deploy(engine, ("dish.dmn11.xml", DISH_DMN), ("dish.bpmn", rule_task_process("dish", attributes)))
    assert decided(engine, "dish", {"season": "Spring", "guestCount": 7})["dish"] == expected


def test_without_result_variable_nothing_is_stored_and_a_result_that_does_not_fit_fails(
    engine: Engine,
) -> None:
    deploy(
        engine,
        ("dish.dmn11.xml", DISH_DMN),
        ("plain.bpmn", rule_task_process("plain", 'camunda:decisionRef="decision"')),
    )
    assert set(decided(engine, "plain", {"season": "Spring", "guestCount": 7})) == {"season", "guestCount"}
    collect = (
        interval_dmn(7)
        .replace(b'hitPolicy="FIRST"', b'hitPolicy="COLLECT"')
        .replace(
            b"</rule>",
            b'</rule><rule id="r2"><inputEntry id="r2_in"><text>-</text></inputEntry><outputEntry id="r2_out"><text>9</text></outputEntry></rule>',
        )
    )
    deploy(engine, ("i.dmn", collect), ("two.bpmn", rule_task_process("two", INTERVAL_TASK)))
    with pytest.raises(ProcessError, match="singleEntry needs at most one matching rule") as caught:
        engine.start_instance(actor=CASEWORKER, key="two", variables={"level": "x"})
    assert caught.value.element_id == "decide"


def test_definitions_deployed_before_result_variables_keep_merging_the_result(engine: Engine) -> None:
    """Migration 0009 marks the process definitions deployed before: a business rule task without
    camunda:resultVariable merges the outputs into the case, as when their cases started."""
    deployment = deploy(
        engine,
        ("dish.dmn11.xml", DISH_DMN),
        ("old.bpmn", rule_task_process("old", 'camunda:decisionRef="decision"')),
    )
    (old,) = [d.id for d in deployment.definitions if d.kind == "process"]
    with engine.store.write() as session:
        row = session.get(Definition, old)
        assert row is not None
        row.decision_results_merged = True
    assert decided(engine, "old", {"season": "Spring", "guestCount": 7})["desiredDish"] == "Steak"


def test_latest_binding_a_dmn_deployed_alone_reaches_new_and_waiting_cases(engine: Engine) -> None:
    process = bpmn.document(
        "interval_case",
        f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="before"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>
    <bpmn:businessRuleTask id="decide" {INTERVAL_TASK}><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:businessRuleTask>
    <bpmn:userTask id="after"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="before" />
    <bpmn:sequenceFlow id="f1" sourceRef="before" targetRef="decide" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="after" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />""",
    )
    first = deploy(engine, ("i.dmn", interval_dmn(14)), ("p.bpmn", process))
    decided_before = engine.start_instance(actor=CASEWORKER, key="interval_case")
    engine.complete_task(decided_before.tasks[0].id, {}, actor=CASEWORKER)
    waiting = engine.start_instance(actor=CASEWORKER, key="interval_case")

    second = deploy(engine, ("i.dmn", interval_dmn(30)))
    assert [(d.key, d.version) for d in second.new_definitions] == [("interval", 2)]
    process_definitions = engine.list_definitions(actor=PROCESS_OWNER, key="interval_case").items
    assert [d.id for d in process_definitions] == [d.id for d in first.definitions if d.kind == "process"]

    engine.complete_task(waiting.tasks[0].id, {}, actor=CASEWORKER)
    fresh = engine.start_instance(actor=CASEWORKER, key="interval_case")
    engine.complete_task(fresh.tasks[0].id, {}, actor=CASEWORKER)
    days = {
        c.id: (engine.get_case(c.id, actor=CASEWORKER).variables or {}).get("days")
        for c in (decided_before, waiting, fresh)
    }
    assert days == {decided_before.id: 14, waiting.id: 30, fresh.id: 30}


def test_deployment_version_and_version_tag_bindings(engine: Engine) -> None:
    bindings = {
        "by_deployment": 'camunda:decisionRefBinding="deployment"',
        "by_version": 'camunda:decisionRefBinding="version" camunda:decisionRefVersion="1"',
        "by_tag": 'camunda:decisionRefBinding="versionTag" camunda:decisionRefVersionTag="2026-a"',
        "by_latest": "",
    }
    processes = [(f"{k}.bpmn", rule_task_process(k, f"{INTERVAL_TASK} {v}")) for k, v in bindings.items()]
    deploy(engine, ("i.dmn", interval_dmn(14, version_tag="2026-a")), *processes)
    deploy(engine, ("i.dmn", interval_dmn(30, version_tag="2026-b")))
    deploy(engine, ("i.dmn", interval_dmn(45, version_tag="2026-b")))
    got = {key: decided(engine, key)["days"] for key in bindings}
    assert got == {"by_deployment": 14, "by_version": 14, "by_tag": 14, "by_latest": 45}
    # the same content deployed again is the same version, still bound by deployment
    redeployed = deploy(
        engine,
        ("i.dmn", interval_dmn(45, version_tag="2026-b")),
        ("d.bpmn", rule_task_process("again", f'{INTERVAL_TASK} camunda:decisionRefBinding="deployment"')),
    )
    assert [d.version for d in redeployed.definitions if d.kind == "decision"] == [3]
    assert decided(engine, "again")["days"] == 45


def test_references_that_cannot_be_bound_are_refused_at_deploy(engine: Engine) -> None:
    broken = [
        ("missing.bpmn", rule_task_process("missing", 'camunda:decisionRef="nowhere"')),
        (
            "other.bpmn",
            rule_task_process("other", f'{INTERVAL_TASK} camunda:decisionRefBinding="deployment"'),
        ),
        (
            "v9.bpmn",
            rule_task_process(
                "v9", f'{INTERVAL_TASK} camunda:decisionRefBinding="version" camunda:decisionRefVersion="9"'
            ),
        ),
    ]
    deploy(engine, ("i.dmn", interval_dmn(14)))
    with pytest.raises(InvalidDefinitionError) as caught:
        deploy(engine, *broken)
    assert sorted((p.resource, p.element_id) for p in caught.value.problems) == [
        ("missing.bpmn", "decide"),
        ("other.bpmn", "decide"),
        ("v9.bpmn", "decide"),
    ]
    assert all("is deployed" in p.message and p.line for p in caught.value.problems)
    with pytest.raises(InvalidDefinitionError) as unsupported:
        deploy(
            engine,
            (
                "x.bpmn",
                rule_task_process("x", 'camunda:decisionRef="${which}" camunda:mapDecisionResult="single"'),
            ),
            ("y.bpmn", rule_task_process("y", 'camunda:class="org.example.Rules"')),
        )
    messages = sorted(p.message for p in unsupported.value.problems)
    assert any("expressions are not supported" in m for m in messages)
    assert any("mapDecisionResult='single'" in m for m in messages)
    assert any("needs camunda:decisionRef" in m for m in messages)
    assert engine.list_definitions(actor=PROCESS_OWNER).total == 0
