"""Completion guards: rules a user task's submission must satisfy, declared in the diagram.

A process owner writes them as camunda:properties on the user task:

    guard:<name>          = ${condition over the case variables and the submitted fields}
    guard:<name>:message  = the message the caseworker sees when the condition is false

for example "a placement (§ 46/§ 47) needs a finished børnefaglig undersøgelse". Fields that have
not been filled in read as null, so a guard can say "if X then Y must be given". Guards compile at
deploy time like every other expression and are checked before the task completes (422 if not).
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


@dataclass(frozen=True)
class Guard:
    name: str
    expression: str
    message: str


def guards_of(extensions: Mapping[str, Any]) -> Iterator[Guard]:
    """The guards declared in a task's extensions (raises ExpressionError on an invalid one)."""
    for key, value in sorted(extensions.items()):
        if not key.startswith(PREFIX) or key.endswith(MESSAGE_SUFFIX):
            continue
        name = key[len(PREFIX) :]
        message = extensions.get(f"{key}{MESSAGE_SUFFIX}") or f"the rule '{name}' is not met"
        yield Guard(name, juel_to_python(str(value or ""), HELPER_NAMES), str(message))


def violations(extensions: Mapping[str, Any], variables: Mapping[str, Any]) -> list[VariableProblem]:
    """The guards that do not hold for `variables` (the case data with the submission applied)."""
    return [
        VariableProblem(guard.name, guard.message)
        for guard in guards_of(extensions)
        if not evaluate_expression(guard.expression, variables, missing_as_none=True)
    ]
