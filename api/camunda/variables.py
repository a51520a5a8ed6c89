"""Camunda 7 typed variables <-> the plain JSON values Sagsflow keeps in a case.

In: `{"name": {"value": …, "type": "Integer", "valueInfo": {…}}}`. Type names are accepted in
any case (the JS client sends `integer`), `type` may be missing (the Python client never sends
it; the type is inferred, and an object or array becomes Json), `valueInfo` may be null, and
transient variables are dropped. Dates become UTC ISO 8601 strings, Json strings are parsed.

Out: always `type` and `value`, Camunda's capitalised names, Json as a string, and strings that
hold an instant as `Date` in `yyyy-MM-dd'T'HH:mm:ss.SSSZ`. A `File` (base64 content, valueInfo
filename/mimeType/encoding) is kept as `{"sagsflow_file": {...}}` and shown as Camunda shows it:
`value` null, its description in `valueInfo` (the content at `…/variables/{name}/data`).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from engine.calendar import COPENHAGEN
from engine.deadlines import format_instant
from engine.errors import InvalidVariablesError, VariableProblem

INT_RANGES = {"Short": 2**15, "Integer": 2**31, "Long": 2**63}
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$")
_STORED_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(\+00:00|Z)$")


class _ConversionError(ValueError):
    pass


def from_camunda(variables: Mapping[str, Any] | None, field: str = "variables") -> dict[str, Any]:
    """Plain values from a Camunda variable map; raises `InvalidVariablesError` (400)."""
    if variables is None:
        return {}
    if not isinstance(variables, Mapping):
        raise InvalidVariablesError([VariableProblem(field, "must be an object")])
    values: dict[str, Any] = {}
    problems: list[VariableProblem] = []
    for name, entry in variables.items():
        try:
            value, transient = _read(entry)
        except _ConversionError as err:
            problems.append(VariableProblem(str(name)[:70], str(err)))
            continue
        if not transient:
            values[name] = value
    if problems:
        raise InvalidVariablesError(problems)
    return values


def plain_values(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """Untyped filter values (fetchAndLock `processVariables`, message correlation keys)."""
    return {
        k: (v.get("value") if isinstance(v, Mapping) and "value" in v else v)
        for k, v in (values or {}).items()
    }


def _read(entry: Any) -> tuple[Any, bool]:
    if not isinstance(entry, Mapping):
        raise _ConversionError("a variable must be an object with a 'value'")
    info = entry.get("valueInfo") or {}
    transient = bool(info.get("transient")) if isinstance(info, Mapping) else False
    value = entry.get("value")
    kind = entry.get("type")
    if kind is None:
        return value, transient
    name = _type_name(kind)
    converter = _CONVERTERS.get(name)
    if converter is None:
        raise _ConversionError(f"Unsupported value type '{kind}'")
    if value is None:
        return None, transient
    try:
        return converter(value, info if isinstance(info, Mapping) else {}), transient
    except (TypeError, ValueError, OverflowError) as err:
        shown = str(value)[:60]
        raise _ConversionError(f"Cannot convert value '{shown}' of type '{name}': {err}") from None


def _type_name(kind: Any) -> str:
    if not isinstance(kind, str):
        raise _ConversionError("'type' must be a string")
    lowered = kind.strip().lower()
    for known in (*_CONVERTERS, "Bytes", "Xml"):
        if known.lower() == lowered:
            return known
    return kind


def _string(value: Any, _: Mapping[str, Any]) -> str:
    if isinstance(value, Mapping | list):
        raise ValueError("not a string")
    return value if isinstance(value, str) else json.dumps(value)


def _integer(limit: int) -> Callable[[Any, Mapping[str, Any]], int]:
    def convert(value: Any, _: Mapping[str, Any]) -> int:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError("not an integer")
        number = int(value)
        if not -limit <= number < limit:
            raise ValueError("out of range")
        return number

    return convert


def _double(value: Any, _: Mapping[str, Any]) -> float:
    if isinstance(value, bool):
        raise ValueError("not a number")
    return float(value)


def _boolean(value: Any, _: Mapping[str, Any]) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError("not a boolean")


def _date(value: Any, _: Mapping[str, Any]) -> str:
    return format_instant(parse_date(value))


def _json(value: Any, _: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        return json.loads(value)
    if isinstance(value, Mapping | list):
        return value  # deviation: Camunda wants a string; an object is accepted as it is
    raise ValueError("not JSON")


def _object(value: Any, info: Mapping[str, Any]) -> Any:
    if info.get("serializationDataFormat") not in (None, "application/json"):
        raise ValueError("only serializationDataFormat application/json is supported")
    return _json(value, info)


def _null(value: Any, _: Mapping[str, Any]) -> None:
    return None


FILE = "sagsflow_file"  # the one key of a stored File variable's object


def _file(value: Any, info: Mapping[str, Any]) -> dict[str, Any]:
    """A File: base64 content with valueInfo filename, mimeType (the JS client: mimetype) and
    encoding. Kept in the case as `{"sagsflow_file": {...}}`, within the variable size limits."""
    if not isinstance(value, str):
        raise ValueError("a File value is base64 text")
    try:
        base64.b64decode(value, validate=True)
    except binascii.Error:
        raise ValueError("a File value must be base64") from None
    filename = info.get("filename")
    if not isinstance(filename, str) or not filename:
        raise ValueError("a File needs valueInfo.filename")
    mime_type = info.get("mimeType") or info.get("mimetype")
    described = {"filename": filename, "mimeType": mime_type, "encoding": info.get("encoding")}
    return {FILE: {**{k: v for k, v in described.items() if isinstance(v, str)}, "data": value}}


_CONVERTERS: dict[str, Callable[[Any, Mapping[str, Any]], Any]] = {
    "String": _string,
    "Short": _integer(INT_RANGES["Short"]),
    "Integer": _integer(INT_RANGES["Integer"]),
    "Long": _integer(INT_RANGES["Long"]),
    "Double": _double,
    "Boolean": _boolean,
    "Date": _date,
    "Json": _json,
    "Object": _object,
    "Null": _null,
    "File": _file,
}


def parse_date(value: Any) -> datetime:
    """Camunda date strings: `…SSS+0100`, `…+01:00`, `…Z`, or no offset (read as Copenhagen time)."""
    if not isinstance(value, str) or not _INSTANT.match(value.strip()):
        raise ValueError("expected yyyy-MM-dd'T'HH:mm:ss.SSSZ")
    text = value.strip().replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = f"{text[:-2]}:{text[-2:]}"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=COPENHAGEN)
    return parsed.astimezone(UTC)


def format_date(instant: datetime | None) -> str | None:
    """`yyyy-MM-dd'T'HH:mm:ss.SSSZ` in UTC, e.g. 2024-03-01T08:30:00.000+0000."""
    if instant is None:
        return None
    utc = instant.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}+0000"


def to_camunda(values: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {name: typed(value) for name, value in (values or {}).items()}


def typed(value: Any) -> dict[str, Any]:
    if is_file(value):  # as Camunda shows a File: no value, its description in valueInfo
        described = {k: v for k, v in value[FILE].items() if k != "data"}
        return {"type": "File", "value": None, "valueInfo": described}
    kind, shown = _type_of(value)
    return {"type": kind, "value": shown, "valueInfo": {}}


def is_file(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {FILE} and isinstance(value[FILE], Mapping)


def _type_of(value: Any) -> tuple[str, Any]:
    if value is None:
        return "Null", None
    if isinstance(value, bool):
        return "Boolean", value
    if isinstance(value, int):
        return ("Integer" if -(2**31) <= value < 2**31 else "Long"), value
    if isinstance(value, float):
        return "Double", value
    if isinstance(value, str):
        if _STORED_INSTANT.match(value):
            return "Date", format_date(parse_date(value))
        return "String", value
    if isinstance(value, Mapping | list | tuple):
        return "Json", json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return "String", str(value)
