"""FEEL values as Python values, and the operations on them that a DMN cell may use.

Numbers are `int` or `float`, strings `str`, booleans `bool`, `null` is `None`, dates are
`datetime.date`, date-times aware `datetime.datetime` (a date-time without an offset is read as
Copenhagen time, as Sagsflow reads every Camunda date), days-and-time durations `timedelta`,
lists `list` and contexts `dict`. Operations on values of different types give `None` (FEEL's
null) rather than an error, as FEEL specifies; an ISO date or date-time string met with a date
is read as one, because Sagsflow keeps dates in variables as ISO strings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from engine.calendar import COPENHAGEN

MAX_STRING = 100_000
MAX_EXPONENT = 1_000
_DATE = re.compile(r"^-?\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?(@[\w/+-]+)?$"
)
_DURATION = re.compile(r"^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


class FeelError(ValueError):
    """A FEEL expression could not be evaluated (a wrong argument, a limit)."""


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def normal_number(value: int | float) -> int | float:
    """FEEL has one number type: a whole float is the integer it equals."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    return value


def parse_date(text: str) -> date:
    if not _DATE.match(text):
        raise FeelError(f"'{text}' is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise FeelError(f"'{text}' is not a date: {err}") from None


def parse_date_time(text: str) -> datetime:
    """An ISO date-time; without an offset it is Copenhagen time; `@zone` is not supported."""
    if not _DATE_TIME.match(text) or "@" in text:
        if _DATE.match(text):
            return at_midnight(parse_date(text))
        raise FeelError(f"'{text}' is not a date and time (YYYY-MM-DDThh:mm:ss with an optional offset)")
    normalised = text.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", normalised):
        normalised = f"{normalised[:-2]}:{normalised[-2:]}"
    try:
        parsed = datetime.fromisoformat(normalised)
    except ValueError as err:
        raise FeelError(f"'{text}' is not a date and time: {err}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=COPENHAGEN)


def parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text)
    if match is None or text in ("P", "-P") or text.endswith("T"):
        raise FeelError(f"'{text}' is not a days and time duration (e.g. P3D, PT12H)")
    sign, days, hours, minutes, seconds = match.groups()
    delta = timedelta(
        days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0), seconds=float(seconds or 0)
    )
    return -delta if sign else delta


def at_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=COPENHAGEN)


def temporal_of(value: Any, like: Any) -> Any:
    """`value` read as the same kind of temporal value as `like`, when it is an ISO string."""
    if isinstance(value, str) and isinstance(like, date):
        try:
            return parse_date_time(value) if isinstance(like, datetime) or "T" in value else parse_date(value)
        except FeelError:
            return value
    return value


def _comparable(left: Any, right: Any) -> tuple[Any, Any] | None:
    left, right = temporal_of(left, right), temporal_of(right, left)
    if is_number(left) and is_number(right):
        return left, right
    if isinstance(left, datetime) or isinstance(right, datetime):
        if isinstance(left, date) and isinstance(right, date):
            return _as_instant(left), _as_instant(right)
        return None
    for kind in (str, date, timedelta, bool):
        if isinstance(left, kind) and isinstance(right, kind):
            return left, right
    return None


def _as_instant(value: date) -> datetime:
    return value.astimezone(UTC) if isinstance(value, datetime) else at_midnight(value).astimezone(UTC)


def equal(left: Any, right: Any) -> bool | None:
    """FEEL `=`: null equals only null; values of different types are not comparable (None)."""
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return False
        return all(equal(a, b) is True for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(equal(left[k], right[k]) is True for k in left)
    pair = _comparable(left, right)
    if pair is None:
        return None
    return bool(pair[0] == pair[1])


def compare(operator: str, left: Any, right: Any) -> bool | None:
    """FEEL `<`, `<=`, `>`, `>=`, `=`, `!=`; None when the two cannot be compared."""
    if operator in ("=", "!="):
        same = equal(left, right)
        return same if same is None or operator == "=" else not same
    pair = _comparable(left, right)
    if pair is None or isinstance(pair[0], bool):
        return None
    a, b = pair
    return bool({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[operator])


def _add(a: Any, b: Any) -> Any:
    if is_number(a) and is_number(b):
        return normal_number(a + b)
    if isinstance(a, str) and isinstance(b, str):
        return bounded_string(a + b)
    if isinstance(a, date) and isinstance(b, timedelta):
        return a + b if isinstance(a, datetime) else a + timedelta(days=b.days)
    if isinstance(a, timedelta) and isinstance(b, date | timedelta):
        return _add(b, a)
    return None


def _subtract(a: Any, b: Any) -> Any:
    if is_number(a) and is_number(b):
        return normal_number(a - b)
    if isinstance(a, date) and isinstance(b, timedelta):
        return _add(a, -b)
    if isinstance(a, timedelta) and isinstance(b, timedelta):
        return a - b
    if isinstance(a, date) and isinstance(b, date):
        pair = _comparable(a, b)
        return None if pair is None else pair[0] - pair[1]
    return None


def _multiply(a: Any, b: Any) -> Any:
    if is_number(a) and is_number(b):
        return normal_number(a * b)
    if isinstance(a, timedelta) and is_number(b):
        return a * b
    if is_number(a) and isinstance(b, timedelta):
        return b * a
    return None


def _divide(a: Any, b: Any) -> Any:
    if is_number(a) and is_number(b):
        return None if b == 0 else normal_number(a / b)
    if isinstance(a, timedelta) and is_number(b) and b != 0:
        return a / b
    return None


def _power(a: Any, b: Any) -> Any:
    if not (is_number(a) and is_number(b)):
        return None
    if abs(b) > MAX_EXPONENT:
        raise FeelError(f"exponents are limited to {MAX_EXPONENT}")
    try:
        result = a**b
    except (OverflowError, ZeroDivisionError):
        return None
    if isinstance(result, complex) or (isinstance(result, float) and not math.isfinite(result)):
        return None
    return normal_number(result)


ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": _add,
    "-": _subtract,
    "*": _multiply,
    "/": _divide,
    "**": _power,
}


def arithmetic(operator: str, left: Any, right: Any) -> Any:
    if left is None or right is None:
        return None
    return ARITHMETIC[operator](left, right)


def negate(value: Any) -> Any:
    if is_number(value):
        return -value
    if isinstance(value, timedelta):
        return -value
    return None


def bounded_string(text: str) -> str:
    if len(text) > MAX_STRING:
        raise FeelError(f"strings are limited to {MAX_STRING} characters")
    return text


def path(value: Any, name: str) -> Any:
    """`a.b`: a context's entry, or a component of a date (`year`, `month`, `day`, …)."""
    if isinstance(value, dict):
        return value.get(name)
    if isinstance(value, date) and name in ("year", "month", "day"):
        return getattr(value, name)
    if isinstance(value, datetime) and name in ("hour", "minute", "second"):
        return getattr(value, name)
    if isinstance(value, list):
        return [path(item, name) for item in value]
    return None


def index(value: Any, position: Any) -> Any:
    """`list[n]`: FEEL counts from 1, and from the end with negative numbers."""
    if not isinstance(value, list) or not is_number(position) or isinstance(position, float):
        return None
    if position > 0 and position <= len(value):
        return value[position - 1]
    if position < 0 and -position <= len(value):
        return value[position]
    return None


def type_name(value: Any) -> str:
    """The FEEL type of a value, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, datetime):
        return "date and time"
    if isinstance(value, date):
        return "date"
    if isinstance(value, timedelta):
        return "duration"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "context"
    return "string" if isinstance(value, str) else type(value).__name__
