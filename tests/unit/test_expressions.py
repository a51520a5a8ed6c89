import pytest

from engine.bpmn.expressions import (
    ExpressionError,
    date_time_steps,
    juel_to_python,
    normalise_timer,
)
from engine.bpmn.scripting import HELPER_NAMES, evaluate_expression


@pytest.mark.parametrize(
    ("juel", "variables", "expected"),
    [
        ("${outcome == 'bfu' && !urgent}", {"outcome": "bfu", "urgent": False}, True),
        ("${outcome == 'bfu' && !urgent}", {"outcome": "bfu", "urgent": True}, False),
        ('${age >= 10 || reporter eq "professional"}', {"age": 8, "reporter": "professional"}, True),
        ("${child.age gt 12}", {"child": {"age": 13}}, True),
        ("${empty note}", {"note": ""}, True),
        ("${not empty note and x ne null}", {"note": "a", "x": 1}, True),
        ("${(a + b) * 2 == 10}", {"a": 2, "b": 3}, True),
        ('${customer.prop("age").numberValue() >= 21}', {"customer": {"age": 34}}, True),
        (
            '${S(customer).prop("address").prop("city").stringValue() == "Aarhus"}',
            {"customer": {"address": {"city": "Aarhus"}}},
            True,
        ),
        ("${score.numberValue() <= 5}", {"score": 9}, False),
        ('${flags.prop("ok").boolValue()}', {"flags": {"ok": True}}, True),
    ],
)
def test_modeler_conditions_translate_and_evaluate(
    juel: str, variables: dict[str, object], expected: bool
) -> None:
    assert evaluate_expression(juel_to_python(juel, HELPER_NAMES), variables) is expected


def test_plain_python_conditions_pass_through() -> None:
    assert juel_to_python("outcome == 'close'") == "outcome == 'close'"


@pytest.mark.parametrize(
    "juel",
    [
        "${execution.getVariable('x')}",
        "${__import__('os')}",
        "${foo(1)}",
        "${a ? b : c}",
        "${x = 1}",
        "${customer.prop(name).value()}",
        "${customer.jsonPath('$.a').stringValue()}",
    ],
)
def test_unsupported_juel_is_refused(juel: str) -> None:
    with pytest.raises(ExpressionError):
        juel_to_python(juel, HELPER_NAMES)


@pytest.mark.parametrize(
    ("text", "python", "literal"),
    [
        ("PT24H", "'PT24H'", "PT24H"),
        ("P4M", "'P4M'", "P4M"),
        ("R/P6M", "'R/P6M'", "R/P6M"),
        ("2026-03-01T09:00:00Z", "'2026-03-01T09:00:00Z'", "2026-03-01T09:00:00Z"),
        ("${investigation_due}", "investigation_due", None),
        ('"PT1H"', "'PT1H'", "PT1H"),
    ],
)
def test_timer_bodies_become_python(text: str, python: str, literal: str | None) -> None:
    result = normalise_timer(text, HELPER_NAMES)
    assert (result.python, result.literal) == (python, literal)


@pytest.mark.parametrize("text", ["", "2026-03-01T09:00:00", "tomorrow at nine", "P1.5M", "-P1D"])
def test_bad_timer_bodies_are_refused(text: str) -> None:
    with pytest.raises(ExpressionError):
        normalise_timer(text, HELPER_NAMES)


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("${dateTime().plusDays(2).toDate()}", (("days", 2),)),
        ("${now()}", ()),
        ("${dateTime().plusWeeks(1).minusHours(3).toDate()}", (("weeks", 1), ("hours", -3))),
        ("${deadline}", None),
        ("P2D", None),
    ],
)
def test_camunda_date_time_chains_become_steps_from_now(text: str, steps: object) -> None:
    assert date_time_steps(text) == steps


def test_other_date_time_methods_are_refused() -> None:
    with pytest.raises(ExpressionError, match="dateTime"):
        date_time_steps("${dateTime().withTimeAtStartOfDay().toDate()}")
