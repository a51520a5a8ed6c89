"""Validation of a user task's submitted variables against its `camunda:formData`.

Camunda Modeler's form editor writes fields with a type (string, long, boolean, date, enum)
and validation constraints (required, minlength, maxlength, min, max, readonly). The law's
requirements (for example the child's perspective before a decision, barnets lov § 5, stk. 3)
are expressed as required fields, so this check is where they are enforced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from engine import danish
from engine.calendar import local_date
from engine.errors import InvalidVariablesError, VariableProblem
from engine.model import FormFieldInfo

Problem = tuple[str, str]  # (English, Danish)
REQUIRED: Problem = ("is required", "Skal udfyldes.")


def validate_form(fields: Sequence[FormFieldInfo], variables: Mapping[str, Any]) -> None:
    """Raise `InvalidVariablesError` unless `variables` satisfy the form.

    A task with a form accepts only its own fields, so a submission cannot set unrelated case
    variables (mass assignment). A task without form fields accepts any valid variables.
    """
    if not fields:
        return
    by_id = {f.id: f for f in fields}
    problems = [
        VariableProblem(name, "not a field of this task's form", "Er ikke et felt i opgavens formular.")
        for name in variables
        if name not in by_id
    ]
    for field in fields:
        problems.extend(_check_field(field, variables))
    if problems:
        raise InvalidVariablesError(problems)


def _check_field(field: FormFieldInfo, variables: Mapping[str, Any]) -> list[VariableProblem]:
    value = variables.get(field.id)
    found: list[Problem]
    if value is None or value == "":
        found = [REQUIRED] if field.required else []
    elif "readonly" in dict(field.constraints):
        found = [("is read-only", "Kan ikke ændres.")]
    else:
        type_problem = _check_type(field, value)
        found = [type_problem] if type_problem else _check_constraints(dict(field.constraints), value)
    return [VariableProblem(field.id, english, in_danish) for english, in_danish in found]


def _check_type(field: FormFieldInfo, value: Any) -> Problem | None:
    kind = field.type
    if kind == "string":
        return None if isinstance(value, str) else ("must be a string", "Skal være en tekst.")
    if kind == "long":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else ("must be an integer", "Skal være et helt tal.")
    if kind == "boolean":
        return None if isinstance(value, bool) else ("must be true or false", "Vælg ja eller nej.")
    if kind == "date":
        wrong = ("must be a date (YYYY-MM-DD) or an ISO instant", "Skal være en dato.")
        return None if _is_date(value) else wrong
    if kind == "enum":
        allowed = [option for option, _ in field.options]
        names = [name or option for option, name in field.options]
        wrong = (f"must be one of {', '.join(allowed)}", f"Vælg en af: {', '.join(names)}.")
        return None if value in allowed else wrong
    return None  # custom types are accepted as given


def _is_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        if len(value) == 10:
            date.fromisoformat(value)
            return True
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None


def _check_constraints(constraints: Mapping[str, str | None], value: Any) -> list[Problem]:
    problems: list[Problem] = []
    for name, config in constraints.items():
        limit = _as_number(config)
        if limit is None:
            continue
        shown = danish.number(limit)
        if name == "minlength" and isinstance(value, str) and len(value) < limit:
            problems.append((f"must be at least {int(limit)} characters", f"Skriv mindst {shown} tegn."))
        elif name == "maxlength" and isinstance(value, str) and len(value) > limit:
            problems.append((f"must be at most {int(limit)} characters", f"Skriv højst {shown} tegn."))
        elif name == "min" and _is_number(value) and value < limit:
            problems.append((f"must be at least {config}", f"Skal være mindst {shown}."))
        elif name == "max" and _is_number(value) and value > limit:
            problems.append((f"must be at most {config}", f"Må højst være {shown}."))
    return problems


def _as_number(config: str | None) -> float | None:
    try:
        return float(config) if config is not None else None
    except ValueError:
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def typed_default(field: FormFieldInfo, value: Any) -> Any:
    """A computed default as its field's type: a yes/no field's is a boolean, a number field's an
    integer, a date field's a YYYY-MM-DD day (an instant as its Copenhagen day); a default that
    does not fit its field is dropped (None) rather than sent as something the form cannot show."""
    if value is None or value == "":
        return None
    if field.type == "boolean":
        return _typed_boolean(value)
    if field.type == "long":
        return _typed_integer(value)
    if field.type == "date":
        return _typed_day(value)
    return value if isinstance(value, str) else str(value)


def _typed_boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text == "true" else False if text == "false" else None


def _typed_integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() and abs(number) < 2**63 else None


def _typed_day(value: Any) -> str | None:
    if not isinstance(value, str) or not _is_date(value):
        return None
    if len(value) == 10:
        return value
    return local_date(datetime.fromisoformat(value)).isoformat()
