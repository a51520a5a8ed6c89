"""Turning submitted variables into what is written into a case: checked, form-validated, and
completed with the legal deadlines that follow from them (`engine/deadlines.py`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.deadlines import DEADLINE_VARIABLES, DeadlineInputError, DeadlineSettings, derive_deadlines
from engine.errors import InvalidVariablesError, VariableProblem
from engine.forms import validate_form
from engine.model import FormFieldInfo
from engine.variables import DEFAULT_LIMITS, VariableLimits, validate_variables


def prepare(
    variables: Mapping[str, Any],
    *,
    current: Mapping[str, Any],
    form: Sequence[FormFieldInfo] = (),
    deadlines: DeadlineSettings,
    limits: VariableLimits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """Checked variables plus the deadline variables they imply; raises `InvalidVariablesError`."""
    checked = validate_variables(variables, limits=limits, protected=DEADLINE_VARIABLES)
    validate_form(form, checked)
    try:
        derived = derive_deadlines({**current, **checked}, deadlines)
    except DeadlineInputError as err:
        raise InvalidVariablesError([_problem(err)]) from None
    except (ValueError, OverflowError) as err:  # a date so far out that the calendar overflows
        problem = VariableProblem("variables", str(err), "En dato ligger uden for kalenderen.")
        raise InvalidVariablesError([problem]) from None
    changed = {k: v for k, v in derived.items() if current.get(k) != v}
    return {**checked, **changed}


def _problem(error: DeadlineInputError) -> VariableProblem:
    return VariableProblem(error.variable or "variables", str(error), error.message_da)
