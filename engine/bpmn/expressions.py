"""Turning what Camunda Modeler users write into the Python expressions SpiffWorkflow evaluates.

Modeler users write conditions as JUEL (`${outcome == 'bfu' && !urgent}`) and timers as ISO
literals (`PT24H`, `P4M`) or as `${deadline_variable}`. SpiffWorkflow evaluates both as Python.
This module translates the small JUEL subset a Modeler user writes and refuses anything else
with a message that says what is supported. It never evaluates anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

JUEL_WRAPPER = re.compile(r"^\s*[$#]\{(?P<body>.*)\}\s*$", re.S)
ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
ISO_CYCLE = re.compile(r"^R\d*/")
ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|&&|\|\||[<>!()\[\].,+\-*/%])
    """,
    re.X,
)

_WORD_OPERATORS = {
    "and": "and",
    "or": "or",
    "not": "not",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "div": "/",
    "mod": "%",
    "true": "True",
    "false": "False",
    "null": "None",
    "empty": "is_empty",
}
_SYMBOL_OPERATORS = {"&&": "and", "||": "or", "!": "not"}


class ExpressionError(ValueError):
    """An expression outside the supported subset."""


@dataclass(frozen=True)
class TimerExpression:
    """A timer body as Python: either a quoted literal or an expression over variables."""

    python: str
    literal: str | None


def is_juel(text: str) -> bool:
    return JUEL_WRAPPER.match(text) is not None


@lru_cache(maxsize=4096)
def juel_to_python(text: str, functions: frozenset[str] = frozenset()) -> str:
    """Translate `${…}` to Python; text without `${…}` is returned unchanged (already Python).
    Cached: a step translates its tasks' guards and the deadline expressions it reaches again.

    Supported: variables, `a.b` property access, string/number/boolean/null literals,
    comparisons, `&&`/`||`/`!` and their word forms, `empty`, arithmetic, parentheses, and calls
    of the named helper `functions`. Method calls and everything else raise `ExpressionError`.
    """
    match = JUEL_WRAPPER.match(text)
    if match is None:
        return text.strip()
    tokens = _spin(_tokenize(match.group("body")))
    if not tokens:
        raise ExpressionError("empty expression")
    return " ".join(_translate(tokens, functions)).replace(" [ ", "[").replace(" ]", "]")


_DATE_TIME_START = re.compile(r"^\s*(?:dateTime\(\)|now\(\))")
_DATE_TIME_STEP = re.compile(
    r"\.(plus|minus)(Years|Months|Weeks|Days|Hours|Minutes|Seconds)\(\s*(\d{1,6})\s*\)"
)
_DATE_TIME_END = re.compile(r"(?:\.toDate\(\))?\s*$")
DATE_TIME_UNITS = ("years", "months", "weeks", "days", "hours", "minutes", "seconds")


def date_time_steps(text: str) -> tuple[tuple[str, int], ...] | None:
    """Camunda's `${dateTime().plusDays(2).toDate()}` or `${now()}` as (unit, amount) steps from now.

    `dateTime()` is Joda's current DateTime in Camunda's JUEL; `plusX(n)`/`minusX(n)` for years,
    months, weeks, days, hours, minutes and seconds may follow, then `.toDate()`. None when
    `text` is not such an expression; any other method on `dateTime()` raises `ExpressionError`.
    """
    match = JUEL_WRAPPER.match(text or "")
    if match is None:
        return None
    body = match.group("body")
    start = _DATE_TIME_START.match(body)
    if start is None:
        return None
    position, steps = start.end(), []
    while step := _DATE_TIME_STEP.match(body, position):
        sign = 1 if step.group(1) == "plus" else -1
        steps.append((step.group(2).lower(), sign * int(step.group(3))))
        position = step.end()
    if not _DATE_TIME_END.fullmatch(body, position):
        raise ExpressionError(
            f"unsupported use of dateTime() in {text.strip()!r}: only .plusX(n)/.minusX(n) for "
            f"{', '.join(DATE_TIME_UNITS)}, then .toDate(), are supported"
        )
    return tuple(steps)


def normalise_timer(text: str, functions: frozenset[str] = frozenset()) -> TimerExpression:
    """Turn a timer body into a Python expression SpiffWorkflow can evaluate.

    `PT24H`, `P4M`, `R/P6M` and offset-carrying instants become quoted literals; `${name}`
    becomes the variable `name`. A bare identifier is read as a variable, as SpiffWorkflow does.
    """
    body = (text or "").strip()
    if not body:
        raise ExpressionError("the timer has no value")
    if is_juel(body):
        return TimerExpression(juel_to_python(body, functions), None)
    if body[:1] in "\"'" and body[-1:] == body[:1]:
        body = body[1:-1]
    upper = body.upper()
    if ISO_DURATION.match(upper) or ISO_CYCLE.match(upper):
        return TimerExpression(repr(upper), upper)
    if ISO_INSTANT.match(body):
        if not re.search(r"(Z|[+-]\d{2}:?\d{2})$", body):
            raise ExpressionError(f"the date '{body}' has no UTC offset; write e.g. {body}Z or {body}+01:00")
        return TimerExpression(repr(body), body)
    if IDENTIFIER.match(body):
        return TimerExpression(body, None)
    raise ExpressionError(
        f"'{body}' is neither an ISO 8601 duration (PT24H, P4M), a cycle (R/P6M), "
        "a date with offset, nor ${variable}"
    )


def _tokenize(body: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(body):
        match = _TOKEN.match(body, position)
        if match is None:
            raise ExpressionError(f"unexpected character {body[position]!r} at {position + 1}")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append((kind, match.group()))
        position = match.end()
    return tokens


# Camunda Spin on a Json variable: `customer.prop("age").numberValue()`, `S(customer).prop("a")`,
# `list.elements()`. Json variables are plain values here, so the accessors read them directly.
_SPIN_VALUES = frozenset({"numberValue", "stringValue", "boolValue", "value", "elements"})


def _spin(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`.prop("x")` becomes `["x"]`; value accessors and `S(…)` disappear."""
    out: list[tuple[str, str]] = []
    index = 0
    while index < len(tokens):
        window = [value for _, value in tokens[index : index + 5]]
        if window[:3] == [".", "prop", "("] and len(window) == 5 and window[4] == ")":
            if tokens[index + 3][0] != "string":
                raise ExpressionError("Spin .prop(…) needs a quoted property name")
            out += [("op", "["), tokens[index + 3], ("op", "]")]
            index += 5
        elif window[:1] == ["."] and window[1:2] and window[1] in _SPIN_VALUES and window[2:4] == ["(", ")"]:
            index += 4
        elif window[:2] == ["S", "("] and (not out or out[-1][1] != "."):
            depth, end = 0, index + 1
            while end < len(tokens):
                depth += {"(": 1, ")": -1}.get(tokens[end][1], 0)
                if depth == 0:
                    break
                end += 1
            out += _spin(tokens[index + 2 : end])
            index = end + 1
        else:
            out.append(tokens[index])
            index += 1
    return out


def _translate(tokens: list[tuple[str, str]], functions: frozenset[str]) -> list[str]:
    out: list[str] = []
    for index, (kind, value) in enumerate(tokens):
        following = tokens[index + 1][1] if index + 1 < len(tokens) else None
        previous = tokens[index - 1][1] if index > 0 else None
        if kind == "name":
            out.append(_translate_name(value, previous, following, functions))
        elif kind == "op":
            out.append(_translate_op(value, following))
        elif kind == "string":
            out.append(repr(_unquote(value)))
        else:
            out.append(value)
    return _apply_empty(_merge_properties(out))


def _translate_name(name: str, previous: str | None, following: str | None, fns: frozenset[str]) -> str:
    if name.startswith("_"):
        raise ExpressionError(f"names may not start with '_': {name}")
    if previous == ".":
        if following == "(":
            raise ExpressionError(f"method calls such as .{name}(…) are not supported")
        return f'"{name}"'
    if name in _WORD_OPERATORS and name != "empty":
        return _WORD_OPERATORS[name]
    if name == "empty":
        return "is_empty"
    if following == "(" and name not in fns:
        raise ExpressionError(f"unknown function '{name}'; available: {', '.join(sorted(fns)) or 'none'}")
    return name


def _translate_op(op: str, following: str | None) -> str:
    if op == "!" and following == "=":
        raise ExpressionError("write != without spaces")
    return _SYMBOL_OPERATORS.get(op, op)


def _merge_properties(parts: list[str]) -> list[str]:
    """`a . "b"` (from `a.b`) becomes `a["b"]` so dictionaries are read by key."""
    merged: list[str] = []
    index = 0
    while index < len(parts):
        if parts[index] == "." and merged and index + 1 < len(parts):
            merged[-1] = f"{merged[-1]}[{parts[index + 1]}]"
            index += 2
            continue
        merged.append(parts[index])
        index += 1
    return merged


def _apply_empty(parts: list[str]) -> list[str]:
    """JUEL's prefix operator `empty x` becomes the helper call `is_empty(x)`."""
    result: list[str] = []
    index = 0
    while index < len(parts):
        if parts[index] == "is_empty" and index + 1 < len(parts) and parts[index + 1] != "(":
            result.append(f"is_empty({parts[index + 1]})")
            index += 2
            continue
        result.append(parts[index])
        index += 1
    return result


def _unquote(literal: str) -> str:
    inner = literal[1:-1]
    return re.sub(r"\\(.)", r"\1", inner)
