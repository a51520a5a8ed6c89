"""Use cases of deployed decisions: finding a decision definition and evaluating it on its own
(Camunda's `POST /decision-definition/…/evaluate`), with the same DMN engine business rule tasks use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from engine import access
from engine.bpmn.dmn.evaluate import DecisionEvaluationError, evaluate
from engine.definitions import DefinitionCache, bound_definition, visible_definition
from engine.errors import DecisionError, NotFoundError
from engine.model import Actor, DecisionValue
from engine.store.tables import Definition
from engine.variables import validate_variables

DecisionResult = list[dict[str, DecisionValue]]


def find(
    session: Session, municipality: str, *, definition_id: str | None = None, key: str | None = None
) -> Definition:
    """A decision definition by id, or the version of a key a case of `municipality` evaluates (its
    own newest, else the newest shared one); another municipality's is "not found"."""
    if definition_id:
        return visible_definition(session, definition_id, municipality, "decision")
    row = bound_definition(session, "decision", key or "", municipality=municipality)
    if row is None:
        raise NotFoundError("decision definition", key or "")
    return row


def evaluate_decision(
    session: Session,
    cache: DefinitionCache,
    row: Definition,
    variables: Mapping[str, Any],
    *,
    actor: Actor,
) -> DecisionResult:
    """The decision's result over `variables`: one map per matching rule (or one for a literal
    expression or an aggregation), each output with its Camunda type. Raises `DecisionError`."""
    access.require(actor, *access.DECISION_EVALUATORS)
    checked = validate_variables(variables)
    model = cache.decisions(session, row)
    try:
        result = evaluate(model, row.key, checked)
    except DecisionEvaluationError as err:
        message = f"Cannot evaluate decision {row.id}: {err}"
        raise DecisionError(message, decision_id=err.decision_id, element_id=err.element_id) from None
    return [
        {
            ("null" if name is None else name): DecisionValue(entry.value, entry.type)
            for name, entry in rule.items()
        }
        for rule in result
    ]
