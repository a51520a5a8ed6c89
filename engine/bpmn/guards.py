"""Completion guards: rules a user task's submission must satisfy, declared in the diagram.

A process owner writes them as camunda:properties on the user task:

    guard:<name>          = ${condition over the case variables and the submitted fields}
    guard:<name>:message  = the message the caseworker sees when the condition is false (Danish)
    guard:<name>:field    = the form field the message belongs beside

for example "a placement (§ 46/§ 47) needs a finished børnefaglig undersøgelse", shown beside
the measure field. Fields that have not been filled in read as null, so a guard can say "if X
then Y must be given". Guards compile at deploy time like every other expression, and a declared
field must be a field of the task's form; they are checked before the task completes (422 if
not). The refusal names the field (or the guard, without a declared field), says in English
which rule was not met, and carries the Danish message.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from engine.bpmn.expressions import juel_to_python
from engine.bpmn.scripting import HELPER_NAMES, evaluate_expression
from engine.errors import VariableProblem

PREFIX = "guard:"
MESSAGE_SUFFIX = ":message"
FIELD_SUFFIX = ":field"
SUFFIXES = (MESSAGE_SUFFIX, FIELD_SUFFIX)


@dataclass(frozen=True)
class Guard:
    name: str
    expression: str
    message: str
    field: str | None = None


def guard_names(extensions: Mapping[str, Any]) -> Iterator[str]:
    """The names of the guards declared in a task's extensions."""
    for key in sorted(extensions):
        if key.startswith(PREFIX) and not key.endswith(SUFFIXES):
            yield key[len(PREFIX) :]


def declared_field(extensions: Mapping[str, Any], name: str) -> str | None:
    value = extensions.get(f"{PREFIX}{name}{FIELD_SUFFIX}")
    return str(value).strip() or None if value is not None else None


def guards_of(extensions: Mapping[str, Any]) -> Iterator[Guard]:
    """The guards declared in a task's extensions (raises ExpressionError on an invalid one)."""
    for name in guard_names(extensions):
        key = f"{PREFIX}{name}"
        message = extensions.get(f"{key}{MESSAGE_SUFFIX}") or f"Reglen '{name}' er ikke opfyldt."
        expression = juel_to_python(str(extensions.get(key) or ""), HELPER_NAMES)
        yield Guard(name, expression, str(message), declared_field(extensions, name))


def violations(extensions: Mapping[str, Any], variables: Mapping[str, Any]) -> list[VariableProblem]:
    """The guards that do not hold for `variables` (the case data with the submission applied)."""
    return [
        VariableProblem(
            guard.field or guard.name,
            f"the rule '{guard.name}' is not met",
            guard.message,
            rule=guard.name,
        )
        for guard in guards_of(extensions)
        if not evaluate_expression(guard.expression, variables, missing_as_none=True)
    ]
