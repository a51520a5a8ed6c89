"""What the contract counts as setting a variable in the case processes, and what as reading one
(engine/bpmn/variable_flow.py): every kind of reader of an unset name is refused, every kind of
setter makes the name known."""

import pytest

from engine.bpmn.contract_checks import check_contract
from engine.bpmn.world import diagram_of
from engine.contract import ContractSettings

from support import bpmn

SETTINGS = ContractSettings("main", frozenset({"raadgiver", "leder"}))


def variable_problems(body: str, extra: str = "", *more: tuple[str, bytes]) -> dict[str, str | None]:
    """{variable: element} of the `variable:` problems of a case process `main` with `body`."""
    diagrams = [diagram_of("main.bpmn", bpmn.document("main", body, extra=extra), new=True)]
    diagrams += [diagram_of(name, content, new=True) for name, content in more]
    findings = check_contract([d for d in diagrams if d is not None], SETTINGS)
    return {
        p.item.removeprefix("variable:"): p.element_id
        for p in findings.errors
        if p.item and p.item.startswith("variable:")
    }


def flow(*elements: str) -> str:
    """start -> elements (ids a, b, …) -> end, joined by sequence flows."""
    ids = ["start", *[f"n{i}" for i in range(len(elements))], "end"]
    nodes = ['<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>']
    for index, element in enumerate(elements):
        placed = element.replace("{id}", f"n{index}").replace("{incoming}", f"f{index}")
        nodes.append(placed.replace("{outgoing}", f"f{index + 1}"))
    nodes.append(f'<bpmn:endEvent id="end"><bpmn:incoming>f{len(elements)}</bpmn:incoming></bpmn:endEvent>')
    flows = [
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="{ids[i]}" targetRef="{ids[i + 1]}" />'
        for i in range(len(ids) - 1)
    ]
    return "\n".join(nodes + flows)


DMN = (
    b'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="x" name="x" namespace="n">'
    b'<decision id="d"><decisionTable id="t"><input id="i"><inputExpression id="e"><text>ghost</text>'
    b'</inputExpression></input><output id="o" name="r" /></decisionTable></decision></definitions>'
)
IO = "<bpmn:incoming>{incoming}</bpmn:incoming><bpmn:outgoing>{outgoing}</bpmn:outgoing>"


def task(inner: str = "", attributes: str = "") -> str:
    return '<bpmn:userTask id="{id}" ' + attributes + ">" + inner + IO + "</bpmn:userTask>"


def form(*fields: str) -> str:
    items = "".join(f'<camunda:formField id="{f}" type="string" />' for f in fields)
    return f"<bpmn:extensionElements><camunda:formData>{items}</camunda:formData></bpmn:extensionElements>"


def guard(expression: str) -> str:
    return (
        '<bpmn:extensionElements><camunda:properties><camunda:property name="guard:g" '
        f'value="{expression}" /></camunda:properties></bpmn:extensionElements>'
    )


@pytest.mark.parametrize(
    "reader",
    [
        task(attributes='camunda:dueDate="${add_days(ghost, 3)}"'),
        task(guard("${ghost == true}")),
        task(
            "<bpmn:extensionElements><camunda:formData>"
            '<camunda:formField id="x" type="string" defaultValue="${ghost}" /></camunda:formData>'
            "</bpmn:extensionElements>"
        ),
        '<bpmn:scriptTask id="{id}" scriptFormat="python">'
        + IO
        + "<bpmn:script>y = ghost + 1</bpmn:script></bpmn:scriptTask>",
    ],
)
def test_every_kind_of_reader_of_an_unset_variable_is_refused(reader: str) -> None:
    assert variable_problems(flow(reader)) == {"ghost": "n0"}


def test_a_decision_input_reading_an_unset_variable_is_refused() -> None:
    rule = (
        '<bpmn:businessRuleTask id="{id}" camunda:decisionRef="d" camunda:resultVariable="r">'
        + IO
        + "</bpmn:businessRuleTask>"
    )
    assert variable_problems(flow(rule, task(guard("${r == 1}"))), "", ("d.dmn", DMN)) == {"ghost": "d"}


@pytest.mark.parametrize(
    "setter",
    [
        task(form("known")),
        '<bpmn:scriptTask id="{id}" scriptFormat="python">'
        + IO
        + "<bpmn:script>known = 1</bpmn:script></bpmn:scriptTask>",
        '<bpmn:businessRuleTask id="{id}" camunda:decisionRef="d" camunda:resultVariable="known">'
        + IO
        + "</bpmn:businessRuleTask>",
        '<bpmn:businessRuleTask id="{id}" camunda:decisionRef="d">' + IO + "</bpmn:businessRuleTask>",
    ],
)
def test_what_a_step_sets_can_be_read_later(setter: str) -> None:
    dmn = DMN.replace(b"<text>ghost</text>", b"<text>report_text</text>").replace(
        b'name="r"', b'name="known"'
    )
    assert variable_problems(flow(setter, task(guard("${known == 1}"))), "", ("d.dmn", dmn)) == {}


def test_start_variables_and_computed_deadlines_can_be_read() -> None:
    reader = task(attributes='camunda:dueDate="${report_assessment_due}"')
    assert variable_problems(flow(task(guard("${report_received_at != null}")), reader)) == {}


def test_a_computed_deadline_whose_fact_nothing_records_cannot_be_read() -> None:
    reader = task(attributes='camunda:dueDate="${child_plan_due}"')
    assert variable_problems(flow(reader)) == {"child_plan_due": "n0"}
    assert variable_problems(flow(task(form("decision_date")), reader)) == {}


def test_a_call_passes_what_its_in_mappings_read_and_set() -> None:
    call = (
        '<bpmn:callActivity id="{id}" calledElement="child"><bpmn:extensionElements>'
        '<camunda:in source="ghost" target="inside" /></bpmn:extensionElements>' + IO + "</bpmn:callActivity>"
    )
    child = bpmn.document("child", flow(task(guard("${inside == 1}"))))
    assert variable_problems(flow(call), "", ("child.bpmn", child)) == {"ghost": "n0"}
