"""Reading a DMN file (DMN 1.1 to 1.5, as Camunda Modeler writes it) into `DecisionModel`.

Every decision of the file is read, with its required decisions (`informationRequirement`),
and every cell is compiled: FEEL (the default, as in Camunda 7.13+) by our interpreter, JUEL
(`expressionLanguage="juel"`) by the restricted expression evaluator. Anything else, a cell
that does not compile, a missing or looping required decision and a table whose shape does
not fit its hit policy are problems, each with the element id and line, and all of them are
reported together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.bpmn.dmn import feel
from engine.bpmn.dmn.model import (
    AGGREGATIONS,
    DEFAULT_INPUT_VARIABLE,
    HIT_POLICIES,
    Cell,
    Compiled,
    Decision,
    DecisionModel,
    DecisionTable,
    Input,
    LiteralExpression,
    Matcher,
    Output,
    Rule,
)
from engine.bpmn.expressions import ExpressionError, juel_to_python
from engine.bpmn.scripting import HELPER_NAMES, check_expression, evaluate_expression
from engine.bpmn.xml import owner_id
from engine.errors import DefinitionProblem

CAMUNDA_DMN = "http://camunda.org/schema/1.0/dmn"
_JUEL = "juel"
_FEEL = "feel"


class _Problem(Exception):
    def __init__(self, element: etree._Element, message: str) -> None:
        super().__init__(message)
        self.element = element
        self.message = message


@dataclass(frozen=True)
class _Juel:
    """A JUEL cell, translated to the restricted expression language at deploy."""

    python: str

    def evaluate(self, scope: Mapping[str, Any]) -> Any:
        return evaluate_expression(self.python, scope, missing_as_none=True)


@dataclass(frozen=True)
class _JuelCondition:
    """A JUEL input entry: a boolean expression over the variables and `cellInput`."""

    expression: _Juel
    input_name: str

    def matches(self, value: Any, scope: Mapping[str, Any]) -> bool:
        return self.expression.evaluate({**scope, self.input_name: value}) is True


class _Reader:
    def __init__(self, root: etree._Element, resource: str) -> None:
        self.root = root
        self.resource = resource
        self.ns = etree.QName(root).namespace or ""
        self.problems: list[DefinitionProblem] = []
        self.default_language = _language_of(root.get("expressionLanguage"), _FEEL)

    def tag(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def children(self, element: etree._Element, name: str) -> list[etree._Element]:
        return list(element.iterfind(self.tag(name)))

    def child(self, element: etree._Element, name: str) -> etree._Element | None:
        return element.find(self.tag(name))

    def text(self, element: etree._Element | None) -> str:
        if element is None:
            return ""
        node = self.child(element, "text")
        return (node.text or "") if node is not None else ""

    def problem(self, element: etree._Element, message: str) -> None:
        self.problems.append(DefinitionProblem(message, self.resource, owner_id(element), element.sourceline))

    def language(self, element: etree._Element | None) -> str:
        own = element.get("expressionLanguage") if element is not None else None
        language = _language_of(own, self.default_language)
        if language not in (_FEEL, _JUEL):
            raise _Problem(
                element if element is not None else self.root,
                f"expression language '{own or self.root.get('expressionLanguage')}' is not supported; "
                "write FEEL (the default) or JUEL",
            )
        return language

    # decisions

    def model(self) -> DecisionModel:
        decisions: dict[str, Decision] = {}
        for element in self.children(self.root, "decision"):
            decision = self.decision(element)
            if decision is None:
                continue
            if decision.id in decisions:
                self.problem(element, f"the decision id '{decision.id}' is used twice in this file")
            decisions[decision.id] = decision
        if not self.children(self.root, "decision"):
            self.problems.append(DefinitionProblem("no decision in the DMN file", self.resource))
        self.check_requirements(decisions)
        return DecisionModel(self.root.get("id"), self.root.get("name"), self.resource, decisions)

    def decision(self, element: etree._Element) -> Decision | None:
        identifier = element.get("id")
        if not identifier:
            self.problem(element, "the decision has no id")
            return None
        table = self.child(element, "decisionTable")
        literal = self.child(element, "literalExpression")
        try:
            if table is not None:
                logic: DecisionTable | LiteralExpression = self.table(table)
            elif literal is not None:
                logic = self.literal(element, literal)
            else:
                raise _Problem(element, "only decision tables and literal expressions are supported")
        except _Problem as err:
            self.problem(err.element, err.message)
            return None
        return Decision(
            id=identifier,
            name=element.get("name"),
            version_tag=element.get(f"{{{CAMUNDA_DMN}}}versionTag"),
            required=tuple(self.required(element)),
            logic=logic,
        )

    def required(self, element: etree._Element) -> list[str]:
        found = []
        for requirement in self.children(element, "informationRequirement"):
            reference = self.child(requirement, "requiredDecision")
            if reference is None:
                continue
            href = reference.get("href") or ""
            if not href.startswith("#") or len(href) < 2:
                self.problem(requirement, f"the required decision reference '{href}' is not '#<decision id>'")
                continue
            found.append(href[1:])
        return found

    def check_requirements(self, decisions: dict[str, Decision]) -> None:
        for decision in decisions.values():
            for required in decision.required:
                if required not in decisions:
                    self.problems.append(
                        DefinitionProblem(
                            f"the required decision '{required}' is not a decision of this file",
                            self.resource,
                            decision.id,
                        )
                    )
        for decision in decisions.values():
            if _requires_itself(decision.id, decisions):
                self.problems.append(
                    DefinitionProblem(
                        "the decision requires itself through its required decisions",
                        self.resource,
                        decision.id,
                    )
                )

    def literal(self, decision: etree._Element, literal: etree._Element) -> LiteralExpression:
        variable = self.child(decision, "variable")
        return LiteralExpression(
            id=literal.get("id"),
            variable=variable.get("name") if variable is not None else decision.get("id"),
            type_ref=variable.get("typeRef") if variable is not None else literal.get("typeRef"),
            expression=self.expression(literal),
        )

    # tables

    def table(self, element: etree._Element) -> DecisionTable:
        hit_policy = (element.get("hitPolicy") or "UNIQUE").upper().replace("_", " ")
        aggregation = element.get("aggregation")
        inputs = tuple(self.input(i) for i in self.children(element, "input"))
        outputs = tuple(self.output(o) for o in self.children(element, "output"))
        self.check_table(element, hit_policy, aggregation, outputs)
        rules = [
            self.rule(rule, number, inputs, len(outputs))
            for number, rule in enumerate(self.children(element, "rule"), start=1)
        ]
        kept = tuple(rule for rule in rules if rule is not None)
        return DecisionTable(element.get("id"), hit_policy, aggregation, inputs, outputs, kept)

    def check_table(
        self, element: etree._Element, hit_policy: str, aggregation: str | None, outputs: tuple[Output, ...]
    ) -> None:
        if hit_policy not in HIT_POLICIES:
            raise _Problem(element, f"hit policy '{hit_policy}' is not one of {', '.join(HIT_POLICIES)}")
        if aggregation is not None and (hit_policy != "COLLECT" or aggregation not in AGGREGATIONS):
            raise _Problem(
                element,
                f"aggregation '{aggregation}' needs hit policy COLLECT and one of SUM, MIN, MAX, COUNT",
            )
        if aggregation is not None and len(outputs) > 1:
            raise _Problem(element, f"COLLECT {aggregation} needs exactly one output")
        if not outputs:
            raise _Problem(element, "the decision table has no output")
        if len(outputs) > 1:
            names = [o.name for o in outputs]
            if not all(names) or len(set(names)) != len(names):
                raise _Problem(element, "a table with several outputs needs a distinct name for each output")
        if hit_policy in ("PRIORITY", "OUTPUT ORDER") and not all(o.priorities for o in outputs):
            raise _Problem(
                element,
                f"hit policy {hit_policy} needs the output values of every output, highest priority first",
            )

    def input(self, element: etree._Element) -> Input:
        expression = self.child(element, "inputExpression")
        variable = element.get(f"{{{CAMUNDA_DMN}}}inputVariable") or DEFAULT_INPUT_VARIABLE
        return Input(
            id=element.get("id"),
            label=element.get("label"),
            expression=self.expression(expression) if expression is not None else None,
            type_ref=expression.get("typeRef") if expression is not None else None,
            variable=variable,
        )

    def output(self, element: etree._Element) -> Output:
        values = self.child(element, "outputValues")
        return Output(
            id=element.get("id"),
            name=element.get("name"),
            label=element.get("label"),
            type_ref=element.get("typeRef"),
            priorities=self.priorities(values) if values is not None else (),
        )

    def priorities(self, element: etree._Element) -> tuple[Any, ...]:
        text = self.text(element).strip()
        if not text:
            return ()
        try:
            tests = feel.parse_unary_tests(text).tests
        except feel.FeelSyntaxError as err:
            raise _Problem(element, f"output values: {err}") from None
        return tuple(test.operand.evaluate({}) for test in tests.tests)

    def rule(
        self, element: etree._Element, number: int, inputs: tuple[Input, ...], outputs: int
    ) -> Rule | None:
        entries = self.children(element, "inputEntry")
        conclusions = self.children(element, "outputEntry")
        if len(entries) != len(inputs) or len(conclusions) != outputs:
            self.problem(
                element,
                f"rule {number} has {len(entries)} input and {len(conclusions)} output entries; "
                f"the table has {len(inputs)} inputs and {outputs} outputs",
            )
            return None
        conditions = []
        for entry, column in zip(entries, inputs, strict=True):
            conditions.append((Cell(owner_id(entry), self.text(entry)), self.condition(entry, column)))
        compiled: list[tuple[Cell, Compiled] | None] = []
        for conclusion in conclusions:
            expression = self.expression(conclusion)
            compiled.append(
                None
                if expression is None
                else (Cell(owner_id(conclusion), self.text(conclusion)), expression)
            )
        return Rule(element.get("id"), number, tuple(conditions), tuple(compiled))

    # cells

    def expression(self, element: etree._Element) -> Compiled | None:
        """The compiled cell, or None when it is empty or does not compile (then a problem is noted)."""
        text = self.text(element)
        if not text.strip():
            return None
        try:
            if self.language(element) == _JUEL:
                return _compile_juel(text)
            return feel.parse_expression(text)
        except (feel.FeelSyntaxError, ExpressionError) as err:
            self.problem(element, str(err))
        except _Problem as err:
            self.problem(err.element, err.message)
        return None

    def condition(self, element: etree._Element, column: Input) -> Matcher:
        text = self.text(element)
        try:
            if text.strip() and self.language(element) == _JUEL:
                return _JuelCondition(_compile_juel(text), column.variable)
            return feel.parse_unary_tests(text, column.variable)
        except (feel.FeelSyntaxError, ExpressionError) as err:
            self.problem(element, str(err))
        except _Problem as err:
            self.problem(err.element, err.message)
        return feel.parse_unary_tests("-", column.variable)


def _compile_juel(text: str) -> _Juel:
    stripped = text.strip()
    wrapped = stripped if stripped.startswith(("${", "#{")) else f"${{{stripped}}}"
    python = juel_to_python(wrapped, HELPER_NAMES)
    check_expression(python)
    return _Juel(python)


def _language_of(value: str | None, default: str) -> str:
    if not value:
        return default
    lowered = value.lower()
    if "feel" in lowered:
        return _FEEL
    return _JUEL if lowered == _JUEL else lowered


def _requires_itself(start: str, decisions: dict[str, Decision]) -> bool:
    stack = list(decisions[start].required)
    seen: set[str] = set()
    while stack:
        current = stack.pop()
        if current == start:
            return True
        if current in seen or current not in decisions:
            continue
        seen.add(current)
        stack.extend(decisions[current].required)
    return False


def read_decisions(root: etree._Element, resource: str) -> tuple[DecisionModel, list[DefinitionProblem]]:
    """The decisions of a DMN file, and every problem found in it."""
    reader = _Reader(root, resource)
    model = reader.model()
    return model, reader.problems
