"""Camunda's own DMN files (tests/dmn/camunda, see its README) evaluated by our DMN engine, with the
results Camunda's own tests expect (HitPolicyTest, FeelBehavior, DrgDecisionTest, DishDecisionTest,
the invoice example). No database: parsing and evaluation are pure."""

from pathlib import Path
from typing import Any

import pytest

from engine.bpmn.dmn.evaluate import DecisionEvaluationError, evaluate, map_result
from engine.bpmn.dmn.model import DecisionModel
from engine.bpmn.dmn.parse import read_decisions
from engine.bpmn.xml import parse_xml
from engine.errors import DefinitionProblem

CAMUNDA = Path(__file__).resolve().parent / "camunda"
INVOICE = Path(__file__).resolve().parents[1] / "thirdparty" / "camunda-invoice"


def read(name: str) -> tuple[DecisionModel, list[DefinitionProblem]]:
    path = INVOICE / name if name.startswith("invoice") else CAMUNDA / name
    tree = parse_xml(path.read_bytes(), name)
    return read_decisions(tree.getroot(), name)


def model(name: str) -> DecisionModel:
    parsed, problems = read(name)
    assert problems == []
    return parsed


def entries(name: str, decision: str = "decision", **variables: Any) -> list[dict[str, Any]]:
    return map_result(evaluate(model(name), decision, variables), "resultList")  # type: ignore[no-any-return]


def table(name: str, hits: tuple[bool, bool, bool], outputs: tuple[Any, Any, Any]) -> list[dict[str, Any]]:
    """HitPolicyTest's `evaluateDecisionTable(input1, input2, input3, output1, output2, output3)`."""
    variables = {f"input{i}": hit for i, hit in enumerate(hits, start=1)}
    variables |= {f"output{i}": value for i, value in enumerate(outputs, start=1)}
    return entries(name, **variables)


ABC = ("a", "b", "c")
SINGLE = [
    ("unique.single", (True, False, False), ABC, [{"null": "a"}]),
    ("default.single", (False, False, True), ABC, [{"null": "c"}]),
    ("first.single", (False, True, True), ABC, [{"null": "b"}]),
    ("any.single", (True, True, True), ("a", "a", "a"), [{"null": "a"}]),
    ("ruleOrder.single", (True, False, True), ABC, [{"null": "a"}, {"null": "c"}]),
    ("collect.single", (True, True, True), ABC, [{"null": "a"}, {"null": "b"}, {"null": "c"}]),
    ("collect.sum.single", (True, True, False), (10, 20, 30.034), [{"null": 30}]),
    ("collect.sum.single", (True, True, True), (10, 20, 30.034), [{"null": 60.034}]),
    ("collect.min.single", (True, True, True), (10, 20, 30.034), [{"null": 10}]),
    ("collect.max.single", (True, True, False), (10, 20, 30.034), [{"null": 20}]),
    ("collect.count.single", (True, False, True), (10, "b", 30.034), [{"null": 2}]),
    ("collect.count.single", (False, False, False), (10, "b", 30.034), [{"null": 0}]),
    ("collect.sum.single", (False, False, False), (10, 20, 30.034), []),
    ("unique.compound", (False, True, False), ABC, [{"out1": "b", "out2": "b", "out3": "b"}]),
    ("first.compound", (True, False, True), ABC, [{"out1": "a", "out2": "a", "out3": "a"}]),
    (
        "ruleOrder.compound",
        (False, True, True),
        ABC,
        [{"out1": "b", "out2": "b", "out3": "b"}, {"out1": "c", "out2": "c", "out3": "c"}],
    ),
]


@pytest.mark.parametrize(
    ("file", "hits", "outputs", "expected"), SINGLE, ids=[f"{s[0]}-{s[1]}" for s in SINGLE]
)
def test_hit_policies_give_what_camundas_hit_policy_test_expects(
    file: str, hits: tuple[bool, bool, bool], outputs: tuple[Any, Any, Any], expected: list[dict[str, Any]]
) -> None:
    assert table(f"HitPolicyTest.{file}.dmn", hits, outputs) == expected


@pytest.mark.parametrize(
    ("file", "outputs", "message"),
    [
        (
            "unique.single",
            ABC,
            "hit policy UNIQUE allows only one matching rule, but rule1, rule2, rule3 matched",
        ),
        ("default.compound", ABC, "hit policy UNIQUE"),
        ("any.single", ABC, "hit policy ANY needs equal outputs"),
        ("collect.sum.single", (10, 20, "c"), "COLLECT SUM needs numbers"),
    ],
)
def test_hit_policy_violations_fail_like_camundas_dmn_03001_03002_03004(
    file: str, outputs: tuple[Any, Any, Any], message: str
) -> None:
    with pytest.raises(DecisionEvaluationError, match=message) as caught:
        table(f"HitPolicyTest.{file}.dmn", (True, True, True), outputs)
    assert caught.value.decision_id == "decision" and caught.value.element_id == "decisionTable"


@pytest.mark.parametrize(
    ("file", "message"),
    [
        ("HitPolicyTest.priority.single.dmn", "PRIORITY needs the output values"),
        ("HitPolicyTest.outputOrder.single.dmn", "OUTPUT ORDER needs the output values"),
        ("HitPolicyTest.collect.sum.compound.dmn", "COLLECT SUM needs exactly one output"),
        ("LoopInRequiredDecision.dmn", "requires itself"),
        ("WrongRequiredDecisionReference.dmn", "required decision 'carPrice' is not a decision of this file"),
        ("ExpressionLanguageTest.groovy.decisionTable.dmn", "expression language 'groovy' is not supported"),
    ],
)
def test_what_camunda_refuses_or_cannot_run_is_refused_when_read(file: str, message: str) -> None:
    """Camunda refuses these when parsing (DMN-02004 for PRIORITY and OUTPUT ORDER without output
    values, loops, wrong references) or always fails them when evaluating (DMN-03003)."""
    _, problems = read(file)
    assert problems and any(message in p.message for p in problems), problems
    assert all(p.resource == file and p.element_id for p in problems)


def test_invoice_decisions_assign_approvers_through_the_required_classification() -> None:
    invoice = model("invoiceBusinessDecisions.dmn")
    assert list(invoice.decisions) == ["invoiceClassification", "invoice-assign-approver"]

    def approvers(amount: float, category: str) -> Any:
        result = evaluate(invoice, "invoice-assign-approver", {"amount": amount, "invoiceCategory": category})
        return map_result(result, "collectEntries")

    assert approvers(249.99, "Misc") == ["accounting", "sales"]
    assert approvers(250, "Misc") == ["management"]  # [250..1000] includes 250
    assert approvers(1000.01, "Misc") == ["management"]
    assert approvers(5000, "Travel Expenses") == ["accounting", "sales"]
    assert approvers(5000, "Software License Costs") == ["management"]
    assert approvers(5000, "Other") == []


@pytest.mark.parametrize(
    ("season", "guests", "children", "beverages"),
    [
        ("Spring", 10, False, ["Guiness", "Water"]),
        ("Winter", 7, True, ["Bordeaux", "Apple Juice", "Water"]),
        ("Summer", 14, False, ["Pinot Noir", "Water"]),
    ],
)
def test_dinner_drd_as_camunda_bpm_examples_drg_decision_test(
    season: str, guests: int, children: bool, beverages: list[str]
) -> None:
    variables = {"season": season, "guestCount": guests, "guestsWithChildren": children}
    result = evaluate(model("dinnerDecisions.dmn"), "beverages", variables)
    assert map_result(result, "collectEntries") == beverages


@pytest.mark.parametrize(
    ("season", "guests", "dish"),
    [("Spring", 4, "Dry Aged Gourmet Steak"), ("Spring", 7, "Steak"), ("Spring", 20, "Stew")],
)
def test_dish_decision_as_camunda_bpm_examples_dish_decision_test(
    season: str, guests: int, dish: str
) -> None:
    result = evaluate(model("dish-decision.dmn11.xml"), "decision", {"season": season, "guestCount": guests})
    assert map_result(result, "singleEntry") == dish


@pytest.mark.parametrize(
    ("file", "variables", "expected"),
    [
        (
            "mixed_variable_types.dmn",
            {"stringInput": "camunda", "numberInput": 13.37, "booleanInput": True},
            True,
        ),
        ("string_untyped.dmn", {"stringInput": "foo"}, False),
        ("boolean_untyped.dmn", {"booleanInput": True}, False),
        ("number_untyped.dmn", {"numberInput": 2**63 - 1}, False),
        ("number_untyped.dmn", {"numberInput": 5.6666}, False),
        (
            "compare_dates_non_typed.dmn",
            {"date1": "2026-03-02T09:00:00+00:00", "date2": "2026-03-02T09:00:00+00:00"},
            "foo",
        ),
        ("input_date_typed.dmn", {"date1": "2014-11-30T11:00:00+00:00"}, "ok"),
        ("input_date_typed.dmn", {"date1": "2014-11-30T12:30:00+00:00"}, "not ok"),
        (
            "scala_input_expression.dmn",
            {"date1": "2026-03-02T09:00:00+00:00", "date2": "2026-03-02T09:00:00+00:00"},
            "bar",
        ),
        (
            "scala_input_expression.dmn",
            {"date1": "2026-03-03T09:00:00+00:00", "date2": "2026-03-02T09:00:00+00:00"},
            "foo",
        ),
        ("FeelIntegrationTest.dmn", {"score": 3}, "a"),
        ("FeelIntegrationTest.dmn", {"score": 6}, "b"),
    ],
)
def test_feel_behaviour_as_camundas_feel_behavior_tests(
    file: str, variables: dict[str, Any], expected: Any
) -> None:
    result = evaluate(model(file), next(iter(model(file).decisions)), variables)
    assert map_result(result, "singleEntry") == expected


def test_a_typed_date_output_and_a_juel_table() -> None:
    dated = model("scala_date_typed_output.dmn")
    date_result = evaluate(dated, next(iter(dated.decisions)), {})
    assert [(e.value, e.type) for e in date_result[0].values()] == [("2019-08-08T20:22:22+00:00", "Date")]
    juel = entries("ExpressionLanguageTest.JUEL.dmn", status="silver", sum=1500)
    assert juel == [{"result": "notok", "reason": "you took too much man, you took too much!"}]


def test_a_bad_input_for_its_type_names_the_input() -> None:
    with pytest.raises(
        DecisionEvaluationError, match="cannot convert 'many' of input 'How many guests' to type 'integer'"
    ):
        evaluate(model("dish-decision.dmn11.xml"), "decision", {"season": "Spring", "guestCount": "many"})
