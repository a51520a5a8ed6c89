"""Our FEEL interpreter: simple unary tests and simple expressions, and hostile input refused."""

from datetime import date
from typing import Any

import pytest

from engine.bpmn.dmn.feel import FeelSyntaxError, parse_expression, parse_unary_tests
from engine.bpmn.dmn.values import FeelError

SCOPE = {"amount": 300, "category": "Misc", "limit": 10, "ctx": {"a": {"b": 5}}, "when": "2024-03-01"}


@pytest.mark.parametrize(
    ("tests", "value", "expected"),
    [
        ("< 250", 100, True),
        ("< 250", 300, False),
        ("< 250", None, False),  # null is not comparable: no match, no error
        ("< 250", "x", False),
        ("[250..1000]", 250, True),
        ("]250..1000[", 250, False),
        ("]250..1000[", 999.5, True),
        ("(1..5)", 5, False),
        ("[1..5)", 1, True),
        ('"Misc"', "Misc", True),
        ('"Misc","Travel Expenses"', "Travel Expenses", True),
        ('not("Misc")', "Misc", False),
        ('not("Misc", "Other")', "Travel", True),
        ("not(1, 2)", 2, False),
        ("-", None, True),
        ("", 5, True),
        ("null", None, True),
        ("null", 3, False),
        ("> limit", 11, True),
        ("true", True, True),
        ("false", True, False),
        ("true", 1, False),  # a boolean is not a number
        ("1, 2, 3", 2.0, True),
        ('date("2024-01-01")', "2024-01-01", True),
        ('> date("2024-01-01")', "2024-03-01", True),
        ('>= date and time("2024-01-01T10:00:00")', "2024-01-01T09:30:00+00:00", True),  # 10:00 CET = 09:00Z
        ('[date("2024-01-01")..date("2024-12-31")]', date(2024, 6, 1), True),
        ("? > 5 and ? < 10", 7, True),
        ("cellInput > 3", 4, True),
        ("amount > 100", "anything", True),  # an expression over other variables decides on its own
        ("[limit..limit * 2]", 20, True),
    ],
)
def test_unary_tests(tests: str, value: Any, expected: bool) -> None:
    assert parse_unary_tests(tests).matches(value, SCOPE) is expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("amount * 2", 600),
        ("amount / 4", 75),
        ("10 / 4", 2.5),
        ("1 / 0", None),
        ("2 ** 10", 1024),
        ("-amount + 1", -299),
        ('if amount > 100 then "big" else "small"', "big"),
        ('"a" + "b"', "ab"),
        ('"a" + 1', None),
        ("ctx.a.b", 5),
        ("ctx.missing.b", None),
        ("missing", None),
        ('date("2024-01-31") + duration("P1D")', date(2024, 2, 1)),
        ("date(when).month", 3),
        ("[1, 2, 3][2]", 2),
        ("[1, 2, 3][-1]", 3),
        ("count([1, 2])", 2),
        ("sum([1, 2, 3.5])", 6.5),
        ('string length("abc")', 3),
        ("upper case(category)", "MISC"),
        ('starts with(category, "Mi")', True),
        ('substring("sagsflow", 5, 4)', "flow"),
        ("amount between 100 and 400", True),
        ("amount in [1..500]", True),
        ('category in ("Misc", "X")', True),
        ("not(true)", False),
        ("true and null", None),
        ("false and null", False),
        ("true or null", True),
        ("{a: 1, b: a + 1}.b", 2),
        ('date and time("2024-01-01T10:00:00Z").hour', 10),
        ("decimal(2.456, 2)", 2.46),
        ("floor(-1.5)", -2),
    ],
)
def test_expressions(expression: str, expected: Any) -> None:
    assert parse_expression(expression).evaluate(SCOPE) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foo(1)", "unknown function 'foo'"),
        ("1 +", "expected a value"),
        ("[1..", "expected a value"),
        ("a b", "expected the end"),
        ("__import__('os')", "names starting with '__'"),
        ("amount.__class__", "names starting with '__'"),
        ("'single quotes'", "unexpected character"),
        ('exec("x")', "unknown function 'exec'"),
        ("(" * 500 + "1" + ")" * 500, "nested at most"),
        ("1" + " + 1" * 5000, "limited to"),
        ("x if y else z", "expected the end"),
    ],
)
def test_what_is_not_feel_we_understand_is_refused_when_parsed(text: str, message: str) -> None:
    with pytest.raises(FeelSyntaxError, match=message):
        parse_expression(text)


def test_evaluation_is_bounded() -> None:
    with pytest.raises(FeelError, match="exponents are limited"):
        parse_expression("2 ** 100000").evaluate({})
    doubling = "s" + " + s" * 9
    with pytest.raises(FeelError, match="strings are limited"):
        parse_expression(doubling).evaluate({"s": "x" * 20_000})
    # a path only ever reads context entries, never Python attributes
    assert parse_expression("amount.real").evaluate({"amount": 1}) is None
    assert parse_expression("ctx.get").evaluate({"ctx": {}}) is None
