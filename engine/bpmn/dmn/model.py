"""A parsed DMN file (a decision requirements graph): its decisions, tables, rules and cells.

Built by `engine/bpmn/dmn/parse.py` and evaluated by `engine/bpmn/dmn/evaluate.py`. Cells hold
their compiled expression, so a parsed file is evaluated without parsing anything again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
DEFAULT_INPUT_VARIABLE = "cellInput"


class Compiled(Protocol):
    """A compiled FEEL or JUEL expression."""

    def evaluate(self, scope: Mapping[str, Any]) -> Any: ...


class Matcher(Protocol):
    """A compiled input entry: FEEL unary tests or a JUEL condition on the input value."""

    def matches(self, value: Any, scope: Mapping[str, Any]) -> bool: ...


@dataclass(frozen=True)
class Cell:
    """Where an expression came from, for error messages."""

    element_id: str | None
    text: str


@dataclass(frozen=True)
class Input:
    id: str | None
    label: str | None
    expression: Compiled | None
    type_ref: str | None
    variable: str = DEFAULT_INPUT_VARIABLE

    @property
    def title(self) -> str:
        return self.label or self.id or "input"


@dataclass(frozen=True)
class Output:
    id: str | None
    name: str | None
    label: str | None
    type_ref: str | None
    priorities: tuple[Any, ...] = ()  # outputValues, highest priority first

    @property
    def title(self) -> str:
        return self.name or self.label or self.id or "output"


@dataclass(frozen=True)
class Rule:
    id: str | None
    number: int  # 1-based, in table order
    conditions: tuple[tuple[Cell, Matcher], ...]
    conclusions: tuple[tuple[Cell, Compiled] | None, ...]  # None: an empty output cell


@dataclass(frozen=True)
class DecisionTable:
    id: str | None
    hit_policy: str
    aggregation: str | None
    inputs: tuple[Input, ...]
    outputs: tuple[Output, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class LiteralExpression:
    id: str | None
    variable: str | None
    type_ref: str | None
    expression: Compiled | None


@dataclass(frozen=True)
class Decision:
    id: str
    name: str | None
    version_tag: str | None
    required: tuple[str, ...]
    logic: DecisionTable | LiteralExpression


@dataclass(frozen=True)
class DecisionModel:
    """One DMN file: `decisions` by id, in file order."""

    id: str | None
    name: str | None
    resource: str
    decisions: dict[str, Decision] = field(default_factory=dict)
