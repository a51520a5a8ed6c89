"""A small FEEL interpreter: simple expressions and simple unary tests, as DMN tables use them.

This is our own parser and evaluator, not Python's `eval`: a cell can only read variables
(and entries of contexts), compute with the operators below and call the functions of
`engine/bpmn/dmn/functions.py`. Cells are parsed when the DMN is deployed, so a syntax error
or an unknown function is refused then, with the element that holds it.

Expressions (input expressions, output entries, literal expressions):
  literals `12`, `1.5`, `"text"`, `true`, `false`, `null`; names `amount`, `customer.status`;
  `+ - * / **`, `= != < <= > >=`, `and`, `or`, `between … and …`, `x in <unary tests>`,
  `if … then … else …`, lists `[1, 2]` with `list[1]`, contexts `{a: 1}` and function calls
  such as `date("2024-01-31")`, `date and time("2024-01-31T12:00:00")`, `not(x)`.
Unary tests (input entries), matched against the input value:
  `-` (anything), `"a"`, `12`, `< 10`, `>= limit`, `[1..5]`, `]1..5[`, `(1..5)`, lists of tests
  `"a","b"`, `not("a", "b")`, `null`, and any expression using `?` for the input value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.bpmn.dmn import values
from engine.bpmn.dmn.functions import FUNCTIONS, MULTI_WORD
from engine.bpmn.dmn.values import FeelError

MAX_LENGTH = 10_000
MAX_DEPTH = 60
INPUT = "?"

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<number>\d+(?:\.\d+)?|\.\d+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\.\.|\*\*|<=|>=|!=|[-+*/=<>()\[\]{},.:?])
    """,
    re.X,
)
_KEYWORDS = frozenset({"and", "or", "not", "true", "false", "null", "if", "then", "else", "in", "between"})
_COMPARATORS = ("<=", ">=", "!=", "<", ">", "=")


class FeelSyntaxError(ValueError):
    """A cell that is not FEEL this interpreter understands; the message says where."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    position: int


def _tokens(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise FeelSyntaxError(f"a cell is limited to {MAX_LENGTH} characters")
    found: list[Token] = []
    position = 0
    while position < len(text):
        function = _multi_word_function(text, position)
        if function is not None:
            found.append(Token("name", function[0], position))
            position = function[1]
            continue
        match = _TOKEN.match(text, position)
        if match is None:
            raise FeelSyntaxError(f"unexpected character {text[position]!r} at position {position + 1}")
        if match.lastgroup == "name" and match.group().startswith("__"):
            raise FeelSyntaxError(f"names starting with '__' are not allowed: {match.group()}")
        if match.lastgroup != "space":
            found.append(Token(match.lastgroup or "", match.group(), position))
        position = match.end()
    found.append(Token("end", "", len(text)))
    return found


_MULTI_WORD_CALL = re.compile(
    "(" + "|".join(r"\s+".join(re.escape(word) for word in name.split()) for name in MULTI_WORD) + r")\s*\("
)


def _multi_word_function(text: str, position: int) -> tuple[str, int] | None:
    """`date and time(`, `string length(`, …: names with spaces, only where a call follows."""
    if not text[position].isalpha() or (
        position > 0 and (text[position - 1].isalnum() or text[position - 1] == "_")
    ):
        return None
    match = _MULTI_WORD_CALL.match(text, position)
    if match is None:
        return None
    return " ".join(match.group(1).split()), match.end() - 1


# --- syntax tree ----------------------------------------------------------------------------

Scope = Mapping[str, Any]


class Node:
    def evaluate(self, scope: Scope) -> Any:
        raise NotImplementedError

    def uses_input(self) -> bool:
        return any(child.uses_input() for child in self.children())

    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True)
class Literal(Node):
    value: Any

    def evaluate(self, scope: Scope) -> Any:
        return self.value


@dataclass(frozen=True)
class Name(Node):
    name: str

    def evaluate(self, scope: Scope) -> Any:
        return scope.get(self.name)

    def uses_input(self) -> bool:
        return self.name == INPUT


@dataclass(frozen=True)
class Path(Node):
    base: Node
    name: str

    def evaluate(self, scope: Scope) -> Any:
        return values.path(self.base.evaluate(scope), self.name)

    def children(self) -> tuple[Node, ...]:
        return (self.base,)


@dataclass(frozen=True)
class Index(Node):
    base: Node
    position: Node

    def evaluate(self, scope: Scope) -> Any:
        return values.index(self.base.evaluate(scope), self.position.evaluate(scope))

    def children(self) -> tuple[Node, ...]:
        return (self.base, self.position)


@dataclass(frozen=True)
class Negate(Node):
    operand: Node

    def evaluate(self, scope: Scope) -> Any:
        return values.negate(self.operand.evaluate(scope))

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True)
class Arithmetic(Node):
    operator: str
    left: Node
    right: Node

    def evaluate(self, scope: Scope) -> Any:
        return values.arithmetic(self.operator, self.left.evaluate(scope), self.right.evaluate(scope))

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Comparison(Node):
    operator: str
    left: Node
    right: Node

    def evaluate(self, scope: Scope) -> Any:
        return values.compare(self.operator, self.left.evaluate(scope), self.right.evaluate(scope))

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Logical(Node):
    """FEEL's three-valued `and`/`or`: false wins for `and`, true for `or`, else null."""

    operator: str
    left: Node
    right: Node

    def evaluate(self, scope: Scope) -> Any:
        deciding = self.operator == "or"
        outcomes = []
        for side in (self.left, self.right):
            value = side.evaluate(scope)
            if value is deciding:
                return deciding
            outcomes.append(value)
        return (not deciding) if all(isinstance(v, bool) for v in outcomes) else None

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Conditional(Node):
    condition: Node
    then: Node
    otherwise: Node

    def evaluate(self, scope: Scope) -> Any:
        return (self.then if self.condition.evaluate(scope) is True else self.otherwise).evaluate(scope)

    def children(self) -> tuple[Node, ...]:
        return (self.condition, self.then, self.otherwise)


@dataclass(frozen=True)
class ListNode(Node):
    items: tuple[Node, ...]

    def evaluate(self, scope: Scope) -> Any:
        return [item.evaluate(scope) for item in self.items]

    def children(self) -> tuple[Node, ...]:
        return self.items


@dataclass(frozen=True)
class Context(Node):
    entries: tuple[tuple[str, Node], ...]

    def evaluate(self, scope: Scope) -> Any:
        result: dict[str, Any] = {}
        for key, node in self.entries:
            result[key] = node.evaluate({**scope, **result})
        return result

    def children(self) -> tuple[Node, ...]:
        return tuple(node for _, node in self.entries)


@dataclass(frozen=True)
class Call(Node):
    function: str
    arguments: tuple[Node, ...]

    def evaluate(self, scope: Scope) -> Any:
        arguments = [argument.evaluate(scope) for argument in self.arguments]
        try:
            return FUNCTIONS[self.function](*arguments)
        except TypeError:
            raise FeelError(f"{self.function}() does not take {len(arguments)} argument(s)") from None

    def children(self) -> tuple[Node, ...]:
        return self.arguments


@dataclass(frozen=True)
class Interval(Node):
    """`[a..b]`, `]a..b[`, `(a..b)`: a range; as a value it is only used by unary tests."""

    low: Node
    high: Node
    low_closed: bool
    high_closed: bool

    def evaluate(self, scope: Scope) -> Any:
        return self

    def contains(self, value: Any, scope: Scope) -> bool | None:
        low = values.compare(">=" if self.low_closed else ">", value, self.low.evaluate(scope))
        high = values.compare("<=" if self.high_closed else "<", value, self.high.evaluate(scope))
        if low is None or high is None:
            return None
        return low and high

    def children(self) -> tuple[Node, ...]:
        return (self.low, self.high)


@dataclass(frozen=True)
class Between(Node):
    value: Node
    low: Node
    high: Node

    def evaluate(self, scope: Scope) -> Any:
        value = self.value.evaluate(scope)
        low = values.compare(">=", value, self.low.evaluate(scope))
        high = values.compare("<=", value, self.high.evaluate(scope))
        return None if low is None or high is None else low and high

    def children(self) -> tuple[Node, ...]:
        return (self.value, self.low, self.high)


@dataclass(frozen=True)
class In(Node):
    value: Node
    tests: UnaryTests

    def evaluate(self, scope: Scope) -> Any:
        return self.tests.matches(self.value.evaluate(scope), scope)

    def children(self) -> tuple[Node, ...]:
        return (self.value, *self.tests.children())


# --- unary tests --------------------------------------------------------------------------


@dataclass(frozen=True)
class UnaryTest:
    """One positive unary test: a comparison with the input, an interval, or an expression."""

    comparator: str | None  # "<", "<=", …; None for an interval or a plain expression
    operand: Node

    def matches(self, value: Any, scope: Scope) -> bool | None:
        if self.comparator is not None:
            return values.compare(self.comparator, value, self.operand.evaluate(scope))
        if isinstance(self.operand, Interval):
            return self.operand.contains(value, scope)
        if self.operand.uses_input():
            result = self.operand.evaluate({**scope, INPUT: value})
            return result if isinstance(result, bool) else None
        expected = self.operand.evaluate(scope)
        if isinstance(expected, list):
            return any(values.equal(value, item) is True for item in expected)
        same = values.equal(value, expected)
        condition = isinstance(expected, bool) and not isinstance(self.operand, Literal)
        if same is not True and condition and not isinstance(value, bool):
            return bool(expected)  # a condition over other variables (`amount > 100`) decides on its own
        return same


@dataclass(frozen=True)
class UnaryTests:
    """`-`, a list of tests (any may match), or `not(…)` of such a list."""

    tests: tuple[UnaryTest, ...]
    negated: bool = False

    def matches(self, value: Any, scope: Scope) -> bool | None:
        if not self.tests:
            return True
        outcomes = [test.matches(value, scope) for test in self.tests]
        matched: bool | None = True if True in outcomes else (False if None not in outcomes else None)
        if matched is None:
            matched = False
        return (not matched) if self.negated else matched

    def children(self) -> tuple[Node, ...]:
        return tuple(test.operand for test in self.tests)


ANYTHING = UnaryTests(())


# --- parser -----------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0
        self.depth = 0
        self.in_endpoint = False  # a range's `1000[` closes the range; it does not index

    @property
    def current(self) -> Token:
        return self.tokens[self.position]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.position + offset, len(self.tokens) - 1)]

    def at(self, *texts: str) -> bool:
        return self.current.kind in ("op", "name") and self.current.text in texts

    def advance(self) -> Token:
        token = self.current
        self.position += 1
        return token

    def expect(self, text: str) -> Token:
        if not self.at(text):
            raise self.error(f"expected '{text}'")
        return self.advance()

    def error(self, message: str) -> FeelSyntaxError:
        token = self.current
        found = f"'{token.text}'" if token.kind != "end" else "the end"
        return FeelSyntaxError(
            f"{message} but found {found} at position {token.position + 1} in '{self.text}'"
        )

    def finish(self) -> None:
        if self.current.kind != "end":
            raise self.error("expected the end of the expression")

    def nested(self, parse: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FeelSyntaxError(f"expressions may be nested at most {MAX_DEPTH} deep")
        try:
            return parse()
        finally:
            self.depth -= 1

    # expressions

    def expression(self) -> Node:
        return self.nested(self._expression)

    def _expression(self) -> Node:
        if self.at("if"):
            self.advance()
            condition = self.expression()
            self.expect("then")
            then = self.expression()
            self.expect("else")
            return Conditional(condition, then, self.expression())
        return self.disjunction()

    def disjunction(self) -> Node:
        node = self.conjunction()
        while self.at("or"):
            self.advance()
            node = Logical("or", node, self.conjunction())
        return node

    def conjunction(self) -> Node:
        node = self.comparison()
        while self.at("and"):
            self.advance()
            node = Logical("and", node, self.comparison())
        return node

    def comparison(self) -> Node:
        node = self.additive()
        if self.current.kind == "op" and self.current.text in _COMPARATORS:
            operator = self.advance().text
            return Comparison(operator, node, self.additive())
        if self.at("between"):
            self.advance()
            low = self.additive()
            self.expect("and")
            return Between(node, low, self.additive())
        if self.at("in"):
            self.advance()
            if self.at("(") and not self._interval_ahead():
                self.advance()
                tests = self.positive_tests()
                self.expect(")")
            else:
                tests = UnaryTests((self.positive_test(),))
            return In(node, tests)
        return node

    def additive(self) -> Node:
        node = self.multiplicative()
        while self.current.kind == "op" and self.current.text in ("+", "-"):
            operator = self.advance().text
            node = Arithmetic(operator, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.power()
        while self.current.kind == "op" and self.current.text in ("*", "/"):
            operator = self.advance().text
            node = Arithmetic(operator, node, self.power())
        return node

    def power(self) -> Node:
        node = self.unary()
        while self.at("**"):
            self.advance()
            node = Arithmetic("**", node, self.unary())
        return node

    def unary(self) -> Node:
        if self.at("-"):
            self.advance()
            return Negate(self.nested(self.unary))
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            if self.at(".") and self.peek().kind == "name":
                self.advance()
                node = Path(node, self.advance().text)
            elif self.at("[") and not self.in_endpoint:
                self.advance()
                node = Index(node, self.expression())
                self.expect("]")
            else:
                return node

    def primary(self) -> Node:
        token = self.current
        if token.kind == "number":
            self.advance()
            return Literal(float(token.text) if "." in token.text else int(token.text))
        if token.kind == "string":
            self.advance()
            return Literal(_unquote(token.text))
        if token.kind == "name":
            return self.name()
        if self.at("?"):
            self.advance()
            return Name(INPUT)
        if self.at("("):
            self.advance()
            node = self.expression()
            self.expect(")")
            return node
        if self.at("["):
            return self.list_literal()
        if self.at("{"):
            return self.context()
        raise self.error("expected a value")

    def name(self) -> Node:
        token = self.advance()
        constants = {"true": True, "false": False, "null": None}
        if token.text in constants:
            return Literal(constants[token.text])
        if self.at("("):
            return self.call(token)
        if token.text in _KEYWORDS:
            self.position -= 1
            raise self.error("expected a value")
        return Name(token.text)

    def call(self, token: Token) -> Node:
        if token.text not in FUNCTIONS:
            available = ", ".join(sorted(FUNCTIONS))
            raise FeelSyntaxError(f"unknown function '{token.text}' in '{self.text}'; available: {available}")
        self.expect("(")
        arguments: list[Node] = []
        while not self.at(")"):
            arguments.append(self.expression())
            if not self.at(")"):
                self.expect(",")
        self.advance()
        return Call(token.text, tuple(arguments))

    def list_literal(self) -> Node:
        if self._interval_ahead():
            return self.interval()
        self.expect("[")
        items: list[Node] = []
        while not self.at("]"):
            items.append(self.expression())
            if not self.at("]"):
                self.expect(",")
        self.advance()
        return ListNode(tuple(items))

    def context(self) -> Node:
        self.expect("{")
        entries: list[tuple[str, Node]] = []
        while not self.at("}"):
            key = self.advance()
            if key.kind not in ("name", "string"):
                raise self.error("expected a context key")
            self.expect(":")
            entries.append((_unquote(key.text) if key.kind == "string" else key.text, self.expression()))
            if not self.at("}"):
                self.expect(",")
        self.advance()
        return Context(tuple(entries))

    # unary tests

    def _interval_ahead(self) -> bool:
        """An interval opens with `[`, `]` or `(` and has `..` before its own closing bracket."""
        depth = 1
        for token in self.tokens[self.position + 1 :]:
            if token.kind == "end":
                return False
            if token.kind != "op":
                continue
            if token.text == ".." and depth == 1:
                return True
            if token.text in ("(", "[", "{"):
                depth += 1
            elif token.text in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return False
        return False

    def interval(self) -> Node:
        opening = self.advance().text
        self.in_endpoint = True
        try:
            low = self.additive()
            self.expect("..")
            high = self.additive()
        finally:
            self.in_endpoint = False
        if not self.at("]", "[", ")"):
            raise self.error("expected ']', '[' or ')' to close the range")
        closing = self.advance().text
        return Interval(low, high, opening == "[", closing == "]")

    def unary_tests(self) -> UnaryTests:
        if self.at("-") and self.peek().kind == "end":
            self.advance()
            return ANYTHING
        if self.at("not") and self.peek().text == "(":
            start = self.position
            self.advance()
            self.advance()
            tests = self.positive_tests()
            if self.at(")") and self.peek().kind == "end":
                self.advance()
                return UnaryTests(tests.tests, negated=True)
            self.position = start  # `not(x) or …`: an ordinary expression that calls not()
        return self.positive_tests()

    def positive_tests(self) -> UnaryTests:
        tests = [self.positive_test()]
        while self.at(","):
            self.advance()
            tests.append(self.positive_test())
        return UnaryTests(tuple(tests))

    def positive_test(self) -> UnaryTest:
        if self.current.kind == "op" and self.current.text in _COMPARATORS:
            comparator = self.advance().text
            return UnaryTest(comparator, self.additive())
        if self.at("[", "]", "(") and self._interval_ahead():
            return UnaryTest(None, self.interval())
        return UnaryTest(None, self.expression())


def _unquote(literal: str) -> str:
    inner = literal[1:-1]
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), inner)


# --- public API ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """A parsed FEEL expression; `evaluate` reads variables from `scope`."""

    text: str
    node: Node

    def evaluate(self, scope: Scope) -> Any:
        return self.node.evaluate(scope)


@dataclass(frozen=True)
class Tests:
    """Parsed FEEL unary tests; `matches` says whether the input value passes."""

    text: str
    tests: UnaryTests
    input_name: str

    def matches(self, value: Any, scope: Scope) -> bool:
        return self.tests.matches(value, {**scope, self.input_name: value}) is True


def parse_expression(text: str) -> Expression:
    parser = _Parser(text.strip())
    node = parser.expression()
    parser.finish()
    return Expression(text, node)


def parse_unary_tests(text: str, input_name: str = "cellInput") -> Tests:
    stripped = text.strip()
    if stripped in ("", "-"):
        return Tests(text, ANYTHING, input_name)
    parser = _Parser(stripped)
    tests = parser.unary_tests()
    parser.finish()
    return Tests(text, tests, input_name)
