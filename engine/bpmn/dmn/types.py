"""DMN `typeRef`s: converting input and output values as Camunda 7's data type transformers do,
and naming a value's Camunda variable type.

`string`, `integer`, `long`, `double`, `boolean` and `date` convert (a value that does not convert
is an error naming the column); any other or no `typeRef` keeps the value. A `date` accepts a date,
a date-time or an ISO string of either (Sagsflow keeps dates as ISO strings; Camunda accepts only
`yyyy-MM-dd'T'HH:mm:ss` strings).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from engine.bpmn.dmn.values import FeelError, is_number, normal_number, parse_date, parse_date_time
from engine.deadlines import format_instant

INT32 = 2**31
INT64 = 2**63


@dataclass(frozen=True)
class Typed:
    """A result value as a case keeps it (JSON: dates as ISO strings) with its Camunda type name."""

    value: Any
    type: str


class ConversionError(ValueError):
    pass


def _java_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return str(stored(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _whole(limit: int) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if isinstance(value, str):
            number: Any = int(value.strip())
        elif is_number(value) and float(value).is_integer():
            number = int(value)
        else:
            raise ConversionError
        if not -limit <= number < limit:
            raise ConversionError
        return int(number)

    return convert


def _double(value: Any) -> float:
    if is_number(value):
        return float(value)
    if isinstance(value, str):
        return float(value)
    raise ConversionError


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ConversionError


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return parse_date_time(value) if "T" in value else parse_date(value)
        except FeelError:
            raise ConversionError from None
    raise ConversionError


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "string": _java_string,
    "integer": _whole(INT32),
    "long": _whole(INT64),
    "double": _double,
    "boolean": _boolean,
    "date": _date,
}
_TYPE_NAMES = {
    "string": "String",
    "integer": "Integer",
    "long": "Long",
    "double": "Double",
    "boolean": "Boolean",
}


def convert(value: Any, type_ref: str | None, what: str) -> Any:
    """`value` as `type_ref`; null stays null; raises `ConversionError` with a message naming `what`."""
    converter = _CONVERTERS.get((type_ref or "").strip().lower())
    if value is None or converter is None:
        return value
    try:
        return converter(value)
    except (ConversionError, ValueError, TypeError, OverflowError):
        shown = _java_string(value)[:60]
        raise ConversionError(f"cannot convert '{shown}' of {what} to type '{type_ref}'") from None


def typed(value: Any, type_ref: str | None = None) -> Typed:
    """A converted value in its stored form, with the Camunda type a client sees."""
    declared = _TYPE_NAMES.get((type_ref or "").strip().lower())
    if value is None:
        return Typed(None, "Null")
    if declared is not None:
        return Typed(value, declared)
    if isinstance(value, float):
        value = normal_number(value)
    return Typed(stored(value), _type_of(value))


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer" if -INT32 <= value < INT32 else "Long"  # as Sagsflow types any whole number
    if isinstance(value, float):
        return "Double"
    if isinstance(value, datetime):
        return "Date"
    if isinstance(value, dict | list):
        return "Json"
    return "String"


def stored(value: Any) -> Any:
    """A FEEL value as a case keeps it: dates and durations as ISO strings, numbers normalised."""
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _iso_duration(value)
    if isinstance(value, float):
        return normal_number(value) if value.is_integer() else value
    if isinstance(value, list):
        return [stored(item) for item in value]
    if isinstance(value, dict):
        return {str(k): stored(v) for k, v in value.items()}
    return value


def _iso_duration(delta: timedelta) -> str:
    sign = "-" if delta < timedelta(0) else ""
    total = abs(delta)
    hours, rest = divmod(total.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return f"{sign}P{total.days}D" + (f"T{time}" if time else "")
