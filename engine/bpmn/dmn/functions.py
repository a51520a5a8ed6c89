"""The FEEL built-in functions a DMN cell may call (a documented subset of FEEL 1.3 chapter 10.3.4).

Every function is pure and bounded; a wrong argument type gives null, as FEEL specifies.
Unknown functions are refused when the DMN is deployed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from engine.bpmn.dmn.values import (
    FeelError,
    bounded_string,
    is_number,
    normal_number,
    parse_date,
    parse_date_time,
    parse_duration,
)


def _date(value: Any, month: Any = None, day: Any = None) -> date | None:
    if month is not None or day is not None:
        if not all(is_number(v) for v in (value, month, day)):
            return None
        try:
            return date(int(value), int(month), int(day))
        except ValueError as err:
            raise FeelError(f"date({value}, {month}, {day}): {err}") from None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_date(value[:10]) if "T" in value else parse_date(value)
    return None


def _date_and_time(value: Any, time_part: Any = None) -> datetime | None:
    if time_part is not None:
        if isinstance(value, date) and isinstance(time_part, str):
            return parse_date_time(f"{value.isoformat()[:10]}T{time_part}")
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return parse_date_time(value)
    return None


def _duration(value: Any) -> timedelta | None:
    return parse_duration(value) if isinstance(value, str) else None


def _string(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return bounded_string(str(value))


def _number(value: Any) -> int | float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return normal_number(float(value)) if any(c in value for c in ".eE") else int(value)
        except ValueError:
            return None
    return None


def _not(value: Any) -> bool | None:
    return (not value) if isinstance(value, bool) else None


def _numbers(args: tuple[Any, ...]) -> list[Any] | None:
    values = list(args[0]) if len(args) == 1 and isinstance(args[0], list) else list(args)
    if not values or not all(is_number(v) for v in values):
        return None
    return values


def _min(*args: Any) -> Any:
    values = list(args[0]) if len(args) == 1 and isinstance(args[0], list) else list(args)
    try:
        return min(values) if values and None not in values else None
    except TypeError:
        return None


def _max(*args: Any) -> Any:
    values = list(args[0]) if len(args) == 1 and isinstance(args[0], list) else list(args)
    try:
        return max(values) if values and None not in values else None
    except TypeError:
        return None


def _sum(*args: Any) -> Any:
    values = _numbers(args)
    return None if values is None else normal_number(sum(values))


def _count(items: Any) -> int | None:
    return len(items) if isinstance(items, list) else None


def _text(function: Callable[..., Any]) -> Callable[..., Any]:
    """Apply `function` only to string arguments (null otherwise)."""

    def checked(*args: Any) -> Any:
        if not all(isinstance(a, str) for a in args):
            return None
        return function(*args)

    return checked


def _substring(text: Any, start: Any, length: Any = None) -> str | None:
    if not isinstance(text, str) or not is_number(start) or (length is not None and not is_number(length)):
        return None
    begin = int(start) - 1 if start > 0 else len(text) + int(start)
    end = len(text) if length is None else begin + int(length)
    return text[max(begin, 0) : max(end, 0)]


def _number_function(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def checked(value: Any) -> Any:
        return normal_number(function(value)) if is_number(value) else None

    return checked


def _decimal(value: Any, scale: Any) -> Any:
    if not (is_number(value) and is_number(scale)):
        return None
    return normal_number(round(value, int(scale)))


def _list_contains(items: Any, value: Any) -> bool | None:
    return value in items if isinstance(items, list) else None


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "date": _date,
    "date and time": _date_and_time,
    "duration": _duration,
    "string": _string,
    "number": _number,
    "not": _not,
    "min": _min,
    "max": _max,
    "sum": _sum,
    "count": _count,
    "abs": _number_function(abs),
    "floor": _number_function(math.floor),
    "ceiling": _number_function(math.ceil),
    "decimal": _decimal,
    "string length": lambda s: len(s) if isinstance(s, str) else None,
    "upper case": _text(str.upper),
    "lower case": _text(str.lower),
    "contains": _text(lambda s, part: part in s),
    "starts with": _text(str.startswith),
    "ends with": _text(str.endswith),
    "substring": _substring,
    "substring before": _text(lambda s, m: s.split(m, 1)[0] if m in s else ""),
    "substring after": _text(lambda s, m: s.split(m, 1)[1] if m in s else ""),
    "list contains": _list_contains,
}
MULTI_WORD = tuple(sorted((name for name in FUNCTIONS if " " in name), key=len, reverse=True))
