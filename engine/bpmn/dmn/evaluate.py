"""Evaluating a decision of a `DecisionModel` as Camunda 7's DMN engine does.

Required decisions are evaluated first (each once, depth first) and their results become
variables of the decisions that need them: the entries of a single result, or for several
results (and for COLLECT and RULE ORDER tables) each output as the list of its values.

A decision table evaluates every input expression, converts it to its `typeRef`, and tests
the rules in order; FIRST stops at the first match, so a broken cell below it is never
reached. Hit policies: UNIQUE (more than one match is an error), FIRST, ANY (matches must agree),
PRIORITY and OUTPUT ORDER (by the order of the outputs' `outputValues`, as DMN 1.3 defines them;
Camunda 7 refuses these two), RULE ORDER, COLLECT and COLLECT SUM/MIN/MAX/COUNT. Empty output
cells are left out of a rule's result, as in Camunda.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.bpmn.dmn import values
from engine.bpmn.dmn.model import Decision, DecisionModel, DecisionTable, Input, LiteralExpression, Rule
from engine.bpmn.dmn.types import INT32, Typed, convert, typed

RuleResult = dict[str | None, Typed]
DecisionResult = list[RuleResult]


class DecisionEvaluationError(ValueError):
    """A decision could not be evaluated; names the decision and, when known, the cell."""

    def __init__(self, message: str, decision_id: str, element_id: str | None = None) -> None:
        where = f"decision '{decision_id}'" + (f", element '{element_id}'" if element_id else "")
        super().__init__(f"{where}: {message}")
        self.decision_id = decision_id
        self.element_id = element_id


def evaluate(model: DecisionModel, decision_id: str, variables: Mapping[str, Any]) -> DecisionResult:
    """The result of decision `decision_id` of `model` over `variables` (not changed)."""
    if decision_id not in model.decisions:
        raise DecisionEvaluationError("is not a decision of this model", decision_id)
    scope = dict(variables)
    result: DecisionResult = []
    for decision in _in_requirement_order(model, decision_id):
        result = _evaluate_one(decision, scope)
        if decision.id != decision_id:
            scope.update(_as_variables(decision, result))
    return result


def _in_requirement_order(model: DecisionModel, decision_id: str) -> list[Decision]:
    ordered: list[Decision] = []
    seen: set[str] = set()

    def visit(identifier: str) -> None:
        if identifier in seen:
            return
        seen.add(identifier)
        decision = model.decisions[identifier]
        for required in decision.required:
            visit(required)
        ordered.append(decision)

    visit(decision_id)
    return ordered


def _as_variables(decision: Decision, result: DecisionResult) -> dict[str, Any]:
    if not result:
        return {}
    collecting = isinstance(decision.logic, DecisionTable) and (
        decision.logic.hit_policy == "RULE ORDER"
        or (decision.logic.hit_policy == "COLLECT" and decision.logic.aggregation is None)
    )
    if len(result) == 1 and not collecting:
        return {name: entry.value for name, entry in result[0].items() if name is not None}
    names = {name for rule in result for name in rule if name is not None}
    return {name: [rule[name].value for rule in result if name in rule] for name in names}


def _evaluate_one(decision: Decision, scope: Mapping[str, Any]) -> DecisionResult:
    if isinstance(decision.logic, LiteralExpression):
        return [_literal(decision, decision.logic, scope)]
    return _table(decision, decision.logic, scope)


def _guarded(decision: Decision, element_id: str | None, compute: Callable[..., Any], *args: Any) -> Any:
    """`compute(*args)`; any failure becomes the decision's error, naming the cell."""
    try:
        return compute(*args)
    except DecisionEvaluationError:
        raise
    except Exception as err:  # any failure of a cell is the decision's error
        raise DecisionEvaluationError(str(err) or type(err).__name__, decision.id, element_id) from None


def _evaluated(expression: Any, scope: Mapping[str, Any]) -> Any:
    return expression.evaluate(scope) if expression is not None else None


def _literal(decision: Decision, literal: LiteralExpression, scope: Mapping[str, Any]) -> RuleResult:
    value = _guarded(decision, literal.id, _evaluated, literal.expression, scope)
    converted = _guarded(decision, literal.id, convert, value, literal.type_ref, "the literal expression")
    return {literal.variable: typed(converted, literal.type_ref)}


def _table(decision: Decision, table: DecisionTable, scope: Mapping[str, Any]) -> DecisionResult:
    inputs = [_input_value(decision, column, scope) for column in table.inputs]
    matched: list[tuple[Rule, RuleResult]] = []
    for rule in table.rules:
        if _matches(decision, table, rule, inputs, scope):
            matched.append((rule, _outputs(decision, table, rule, scope)))
            if table.hit_policy == "FIRST":
                break
    return _HIT_POLICIES[table.hit_policy](decision, table, matched)


def _input_value(decision: Decision, column: Input, scope: Mapping[str, Any]) -> Any:
    value = _guarded(decision, column.id, _evaluated, column.expression, scope)
    return _guarded(decision, column.id, convert, value, column.type_ref, f"input '{column.title}'")


def _matches(
    decision: Decision, table: DecisionTable, rule: Rule, inputs: list[Any], scope: Mapping[str, Any]
) -> bool:
    for (cell, matcher), column, value in zip(rule.conditions, table.inputs, inputs, strict=True):
        local = {**scope, "inputVariableName": column.variable}
        if not _guarded(decision, cell.element_id, matcher.matches, value, local):
            return False
    return True


def _outputs(decision: Decision, table: DecisionTable, rule: Rule, scope: Mapping[str, Any]) -> RuleResult:
    result: RuleResult = {}
    for conclusion, output in zip(rule.conclusions, table.outputs, strict=True):
        if conclusion is None:
            continue
        cell, expression = conclusion
        value = _guarded(decision, cell.element_id, expression.evaluate, scope)
        what = f"output '{output.title}' of rule {rule.number}"
        converted = _guarded(decision, cell.element_id, convert, value, output.type_ref, what)
        result[output.name] = typed(converted, output.type_ref)
    return result


# --- hit policies ---------------------------------------------------------------------------

Matched = list[tuple[Rule, RuleResult]]


def _rule_names(matched: Matched) -> str:
    return ", ".join(rule.id or f"rule {rule.number}" for rule, _ in matched)


def _unique(decision: Decision, table: DecisionTable, matched: Matched) -> DecisionResult:
    if len(matched) > 1:
        raise DecisionEvaluationError(
            f"hit policy UNIQUE allows only one matching rule, but {_rule_names(matched)} matched",
            decision.id,
            table.id,
        )
    return [result for _, result in matched]


def _first(decision: Decision, table: DecisionTable, matched: Matched) -> DecisionResult:
    return [result for _, result in matched[:1]]


def _any(decision: Decision, table: DecisionTable, matched: Matched) -> DecisionResult:
    results = [result for _, result in matched]
    if any(result != results[0] for result in results[1:]):
        raise DecisionEvaluationError(
            f"hit policy ANY needs equal outputs of all matching rules, but {_rule_names(matched)} differ",
            decision.id,
            table.id,
        )
    return results[:1]


def _priority_key(table: DecisionTable, result: RuleResult) -> tuple[int, ...]:
    key = []
    for output in table.outputs:
        entry = result.get(output.name)
        value = entry.value if entry is not None else None
        ranks = [i for i, p in enumerate(output.priorities) if values.equal(value, p) is True]
        key.append(ranks[0] if ranks else len(output.priorities))
    return tuple(key)


def _priority(decision: Decision, table: DecisionTable, matched: Matched) -> DecisionResult:
    ordered = _output_order(decision, table, matched)
    return ordered[:1]


def _output_order(decision: Decision, table: DecisionTable, matched: Matched) -> DecisionResult:
    ordered = sorted(matched, key=lambda pair: _priority_key(table, pair[1]))
    return [result for _, result in ordered]


def _all(decision: Decision, table: DecisionTable, matched: Matched) -> DecisionResult:
    return [result for _, result in matched]


def _collect(decision: Decision, table: DecisionTable, matched: Matched) -> DecisionResult:
    if table.aggregation is None:
        return _all(decision, table, matched)
    name = table.outputs[0].name
    entries = [result[name] for _, result in matched if name in result]
    if table.aggregation == "COUNT":
        return [{name: Typed(len(entries), "Integer")}]
    if not entries:
        return []
    numbers = [entry.value for entry in entries]
    if not all(values.is_number(n) for n in numbers):
        shown = ", ".join(repr(n) for n in numbers)
        raise DecisionEvaluationError(
            f"COLLECT {table.aggregation} needs numbers, got {shown}", decision.id, table.id
        )
    aggregates: dict[str, Callable[[list[Any]], Any]] = {"SUM": sum, "MIN": min, "MAX": max}
    return [{name: _number(aggregates[table.aggregation](numbers), entries)}]


def _number(value: Any, entries: list[Typed]) -> Typed:
    if all(e.type == "Integer" for e in entries) and -INT32 <= value < INT32:
        return Typed(value, "Integer")
    if all(isinstance(e.value, int) for e in entries):
        return Typed(value, "Long")
    return Typed(float(value), "Double")


_HIT_POLICIES: dict[str, Callable[[Decision, DecisionTable, Matched], DecisionResult]] = {
    "UNIQUE": _unique,
    "FIRST": _first,
    "ANY": _any,
    "PRIORITY": _priority,
    "OUTPUT ORDER": _output_order,
    "RULE ORDER": _all,
    "COLLECT": _collect,
}


# --- the result as a process variable (camunda:mapDecisionResult) ---------------------------

MAPPINGS = ("singleEntry", "singleResult", "collectEntries", "resultList")


class MappingError(ValueError):
    """The result does not fit `camunda:mapDecisionResult` (e.g. two rules for singleEntry)."""


def map_result(result: DecisionResult, mapping: str | None) -> Any:
    """The value `camunda:resultVariable` gets, as Camunda's decision result mappers give it."""
    mapping = mapping or "resultList"
    if mapping == "resultList":
        return [_plain(rule) for rule in result]
    if mapping == "collectEntries":
        names = {name for rule in result for name in rule}
        if len(names) > 1:
            raise MappingError(
                f"collectEntries needs one output per rule, but the result has {sorted(map(str, names))}"
            )
        return [entry.value for rule in result for entry in rule.values()]
    if len(result) > 1:
        raise MappingError(f"{mapping} needs at most one matching rule, but {len(result)} rules matched")
    if not result:
        return None
    if mapping == "singleResult":
        return _plain(result[0])
    if len(result[0]) > 1:
        raise MappingError(f"singleEntry needs one output, but the result has {sorted(map(str, result[0]))}")
    return next(iter(result[0].values())).value if result[0] else None


def merged_result(result: DecisionResult) -> dict[str, Any]:
    """The outputs as variables, as business rule tasks merged them before they followed
    camunda:resultVariable: one rule's entries, or each output's values of several rules as a list."""
    if len(result) == 1:
        return _plain(result[0])
    names = {str(name) for rule in result for name in rule if name is not None}
    return {name: [rule[name].value for rule in result if name in rule] for name in sorted(names)}


def _plain(rule: RuleResult) -> dict[str, Any]:
    return {str(name) if name is not None else "null": entry.value for name, entry in rule.items()}
