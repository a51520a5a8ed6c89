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

from engine.errors import InvalidVariablesError, VariableProblem
from engine.model import FormFieldInfo


def validate_form(fields: Sequence[FormFieldInfo], variables: Mapping[str, Any]) -> None:
    """Raise `InvalidVariablesError` unless `variables` satisfy the form.

    A task with a form accepts only its own fields, so a submission cannot set unrelated case
    variables (mass assignment). A task without form fields accepts any valid variables.
    """
    if not fields:
        return
    by_id = {f.id: f for f in fields}
    problems = [
        VariableProblem(name, "not a field of this task's form") for name in variables if name not in by_id
    ]
    for field in fields:
        problems.extend(_check_field(field, variables))
    if problems:
        raise InvalidVariablesError(problems)


def _check_field(field: FormFieldInfo, variables: Mapping[str, Any]) -> list[VariableProblem]:
    value = variables.get(field.id)
    if value is None or value == "":
        return [VariableProblem(field.id, "is required")] if field.required else []
    constraints = dict(field.constraints)
    if "readonly" in constraints:
        return [VariableProblem(field.id, "is read-only")]
    type_problem = _check_type(field, value)
    if type_problem:
        return [VariableProblem(field.id, type_problem)]
    return [VariableProblem(field.id, p) for p in _check_constraints(constraints, value)]


def _check_type(field: FormFieldInfo, value: Any) -> str | None:
    kind = field.type
    if kind == "string":
        return None if isinstance(value, str) else "must be a string"
    if kind == "long":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "must be an integer"
    if kind == "boolean":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "date":
        return None if _is_date(value) else "must be a date (YYYY-MM-DD) or an ISO instant"
    if kind == "enum":
        allowed = [option for option, _ in field.options]
        return None if value in allowed else f"must be one of {', '.join(allowed)}"
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


def _check_constraints(constraints: Mapping[str, str | None], value: Any) -> list[str]:
    problems: list[str] = []
    for name, config in constraints.items():
        limit = _as_number(config)
        if limit is None:
            continue
        if name == "minlength" and isinstance(value, str) and len(value) < limit:
            problems.append(f"must be at least {int(limit)} characters")
        elif name == "maxlength" and isinstance(value, str) and len(value) > limit:
            problems.append(f"must be at most {int(limit)} characters")
        elif name == "min" and _is_number(value) and value < limit:
            problems.append(f"must be at least {config}")
        elif name == "max" and _is_number(value) and value > limit:
            problems.append(f"must be at most {config}")
    return problems


def _as_number(config: str | None) -> float | None:
    try:
        return float(config) if config is not None else None
    except ValueError:
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
