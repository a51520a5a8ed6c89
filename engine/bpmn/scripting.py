"""The restricted environment in which conditions, timer expressions, DMN cells and scripts run.

SpiffWorkflow's default environment is plain `eval`/`exec` with full builtins. Here:
- expressions (gateway conditions, timer bodies, DMN cells) are interpreted by `simpleeval`
  over the task's variables and a few pure helper functions: no imports, no dunder access,
  bounded powers and string sizes;
- script tasks are compiled with RestrictedPython's `compile_restricted` (dunder names and
  attributes are rejected at compile time), run with guarded attribute, item and iteration
  access, bounded `range`, multiplication and power, and a wall-time limit enforced by a trace
  function, so `while True: pass` ends as an error instead of a hung worker.
The environment is not serialized with an instance: `engine/bpmn/state.py` attaches it on every load.
"""

from __future__ import annotations

import ast
import builtins
import json
import math
import operator
import sys
import time
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import CodeType, FrameType, ModuleType
from typing import Any, ClassVar

import simpleeval
from RestrictedPython.compile import compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
)
from RestrictedPython.transformer import RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.bpmn.date_functions import DATE_FUNCTIONS
from engine.bpmn.expressions import ExpressionError

_PYTHON_BUILTINS = frozenset(dir(builtins))
MAX_RANGE = 100_000
MAX_SEQUENCE = 1_000_000


class ScriptTimeoutError(RuntimeError):
    """A script ran longer than its time limit."""


class ScriptLimitError(ValueError):
    """A script tried to build a value beyond the size limits."""


def is_empty(value: Any) -> bool:
    """JUEL's `empty`: None, an empty string or an empty collection."""
    return value is None or (hasattr(value, "__len__") and len(value) == 0)


EXPRESSION_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "is_empty": is_empty,
    **DATE_FUNCTIONS,
    "len": len,
    "min": min,
    "max": max,
    "abs": abs,
    "round": round,
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "sum": sum,
    "any": any,
    "all": all,
    "sorted": sorted,
}
HELPER_NAMES = frozenset(EXPRESSION_FUNCTIONS)
# Form defaults are computed when the form is opened, so they may also ask for that day and instant.
FORM_DEFAULT_HELPERS = HELPER_NAMES | {"today", "now"}

# Methods a condition or script may call on JSON-native values; nothing that can allocate
# without bound (ljust, zfill, center, expandtabs are left out on purpose).
_SAFE_METHODS: dict[type, frozenset[str]] = {
    str: frozenset(
        {
            "lower",
            "upper",
            "strip",
            "lstrip",
            "rstrip",
            "startswith",
            "endswith",
            "split",
            "replace",
            "find",
            "count",
            "isdigit",
            "title",
            "capitalize",
            "casefold",
        }
    ),
    dict: frozenset({"get", "keys", "values", "items"}),
    list: frozenset({"count", "index", "append", "extend", "insert", "pop", "remove", "sort", "reverse"}),
    tuple: frozenset({"count", "index"}),
}

_ALLOWED_EXPRESSION_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Set,
    ast.And,
    ast.Or,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.FloorDiv,
    ast.Mod,
    ast.Pow,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Is,
    ast.IsNot,
    ast.keyword,
    ast.ListComp,
    ast.GeneratorExp,
    ast.comprehension,
    ast.Store,
)


def check_expression(expression: str) -> None:
    """Raise `ExpressionError` unless `expression` is a single expression we can evaluate safely."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as err:
        raise ExpressionError(f"syntax error in '{expression}': {err.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_EXPRESSION_NODES):
            raise ExpressionError(f"'{type(node).__name__}' is not allowed in '{expression}'")
        name = getattr(node, "id", None) or getattr(node, "attr", None)
        if isinstance(name, str) and name.startswith("_"):
            raise ExpressionError(f"names starting with '_' are not allowed: {name}")


def check_script(script: str) -> None:
    """Raise `ExpressionError` unless RestrictedPython compiles `script` and it names no builtin
    outside the script environment (`open`, `eval`, `globals`, `getattr`, … fail at deploy)."""
    _compile_script(script)
    unavailable = sorted(_unavailable_builtins(script))
    if unavailable:
        raise ExpressionError(f"not available in scripts: {', '.join(unavailable)}")


def _unavailable_builtins(script: str) -> set[str]:
    tree = ast.parse(script)
    assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    assigned |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    available = set(_script_globals()["__builtins__"])
    return {name for name in loaded - assigned if name in _PYTHON_BUILTINS and name not in available}


class _SafeEvaluator(simpleeval.EvalWithCompoundTypes):  # type: ignore[misc]
    """simpleeval that reads dictionary keys with `a.b` and only calls whitelisted methods."""

    def _eval_attribute(self, node: ast.Attribute) -> Any:
        if node.attr.startswith("_"):
            raise simpleeval.FeatureNotAvailable(f"attribute '{node.attr}' is not available")
        value = self._eval(node.value)
        if isinstance(value, dict):
            if node.attr in value:
                return value[node.attr]
            if node.attr not in _SAFE_METHODS[dict]:
                raise simpleeval.AttributeDoesNotExist(node.attr, self.expr)
        allowed = _SAFE_METHODS.get(type(value), frozenset())
        if node.attr not in allowed:
            raise simpleeval.FeatureNotAvailable(f"'.{node.attr}' is not available on {type(value).__name__}")
        return getattr(value, node.attr)


@lru_cache(maxsize=4096)
def _parse_expression(expression: str) -> ast.AST:
    check_expression(expression)
    return simpleeval.SimpleEval.parse(expression)  # type: ignore[no-any-return]


class _MissingAsNone(dict[str, Any]):
    def __missing__(self, key: str) -> None:
        return None


def evaluate_expression(
    expression: str,
    names: Mapping[str, Any],
    *,
    missing_as_none: bool = False,
    functions: Mapping[str, Callable[..., Any]] | None = None,
) -> Any:
    """Evaluate a checked expression over `names` (task variables and helper functions).

    A name that is not defined raises, as in Camunda, unless `missing_as_none` (used for completion
    guards and form defaults, which ask about fields that may not have been filled in yet).
    `functions` adds helpers for this evaluation only (`today()` in form defaults).
    """
    visible = {k: v for k, v in names.items() if not k.startswith("_")}
    evaluator = _SafeEvaluator(
        functions={**EXPRESSION_FUNCTIONS, **(functions or {})},
        names=_MissingAsNone(visible) if missing_as_none else visible,
    )
    return evaluator.eval(expression, previously_parsed=_parse_expression(expression))


class _SagsflowPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus bounded `*`, `**` and `<<` (memory and CPU bombs)."""

    _GUARDED: ClassVar[dict[type, str]] = {ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_"}

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.node_contents_visit(node)
        guard = self._GUARDED.get(type(node.op))
        if guard is None:
            return node
        name = ast.copy_location(ast.Name(guard, ast.Load()), node)
        call = ast.Call(func=name, args=[node.left, node.right], keywords=[])
        return ast.copy_location(call, node)

    def visit_Import(self, node: ast.Import) -> ast.AST:
        self.error(node, "imports are not allowed in scripts")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        self.error(node, "imports are not allowed in scripts")
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        if type(node.op) in self._GUARDED:
            raise_unsupported = "augmented *=, **= and <<= are not allowed in scripts"
            self.error(node, raise_unsupported)
        visited = super().visit_AugAssign(node)
        assert isinstance(visited, ast.AST)
        return visited


@lru_cache(maxsize=1024)
def _compile_script(script: str) -> CodeType:
    result = compile_restricted_exec(script, filename="<script>", policy=_SagsflowPolicy)
    if result.errors or result.code is None:
        raise ExpressionError("; ".join(result.errors) or "the script does not compile")
    code: CodeType = result.code
    return code


def _bounded_range(*args: int) -> range:
    values = range(*args)
    if len(values) > MAX_RANGE:
        raise ScriptLimitError(f"range() is limited to {MAX_RANGE} items")
    return values


def _checked_size(value: Any) -> Any:
    if hasattr(value, "__len__") and len(value) > MAX_SEQUENCE:
        raise ScriptLimitError(f"values are limited to {MAX_SEQUENCE} items")
    return value


def _bounded(operation: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    try:
        return _checked_size(operation(a, b))
    except simpleeval.InvalidExpression as err:
        raise ScriptLimitError(f"the value exceeds the size limit ({err})") from None


def _mul(a: Any, b: Any) -> Any:
    return _bounded(simpleeval.safe_mult, a, b)


def _pow(a: Any, b: Any) -> Any:
    return _bounded(simpleeval.safe_power, a, b)


def _lshift(a: Any, b: Any) -> Any:
    return _bounded(simpleeval.safe_lshift, a, b)


def _guarded_getattr(obj: Any, name: str, default: Any = None) -> Any:
    if name.startswith("_"):
        raise AttributeError(f"attribute '{name}' is not available")
    allowed = _SAFE_METHODS.get(type(obj))
    if allowed is None or name not in allowed:
        raise AttributeError(f"'.{name}' is not available on {type(obj).__name__}")
    return getattr(obj, name, default)


_INPLACE = {
    "+=": operator.add,
    "-=": operator.sub,
    "/=": operator.truediv,
    "//=": operator.floordiv,
    "%=": operator.mod,
    "|=": operator.or_,
    "&=": operator.and_,
    "^=": operator.xor,
    ">>=": operator.rshift,
}


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    return _checked_size(_INPLACE[op](target, value))


def _script_globals() -> dict[str, Any]:
    builtins = {k: v for k, v in safe_builtins.items() if k not in {"setattr", "delattr"}}
    builtins.update(EXPRESSION_FUNCTIONS)
    builtins.update(
        {
            "range": _bounded_range,
            "enumerate": enumerate,
            "zip": zip,
            "list": list,
            "dict": dict,
            "set": set,
            "math_floor": math.floor,
        }
    )
    return {
        "__builtins__": builtins,
        "__name__": "sagsflow_script",
        "_getattr_": _guarded_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": _inplacevar,
        "_mul_": _mul,
        "_pow_": _pow,
        "_lshift_": _lshift,
    }


def script_builtin_names() -> frozenset[str]:
    """The names a script can use without a variable of that name (builtins and helpers)."""
    return frozenset(_script_globals()["__builtins__"])


def run_with_time_limit(function: Callable[[], Any], seconds: float) -> Any:
    """Run `function`, raising `ScriptTimeoutError` if Python code in it runs past `seconds`."""
    deadline = time.monotonic() + seconds

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            raise ScriptTimeoutError(f"the script ran longer than {seconds:g} s")
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        return function()
    finally:
        sys.settrace(previous)


def as_stored(value: Any) -> Any:
    """`value` as a reload of the saved case gives it back: tuples become lists and object keys
    strings, as in JSON. Script results and expression values pass through this, so a value behaves
    the same whether the next step runs on the workflow in memory or on one loaded from the database."""
    if isinstance(value, dict):
        return {_json_key(k): as_stored(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_stored(v) for v in value]
    return value


def _json_key(key: Any) -> Any:
    if isinstance(key, bool) or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    if isinstance(key, int | float):
        return json.dumps(key)
    return key  # a str, or a key the save refuses


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """SpiffWorkflow script environment backed by simpleeval and RestrictedPython."""

    def __init__(self, script_seconds: float = 2.0) -> None:
        super().__init__({})
        self.script_seconds = script_seconds

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: dict[str, Any] | None = None,
    ) -> Any:
        return as_stored(evaluate_expression(expression, {**context, **(external_context or {})}))

    def execute(
        self, script: str, context: dict[str, Any], external_context: dict[str, Any] | None = None
    ) -> bool:
        code = _compile_script(script)
        namespace = {**_script_globals(), **(external_context or {}), **context}
        run_with_time_limit(lambda: exec(code, namespace), self.script_seconds)  # noqa: S102
        _copy_results(namespace, context)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise NotImplementedError("service calls are handled as external tasks")


def _copy_results(namespace: dict[str, Any], context: dict[str, Any]) -> None:
    reserved = _script_globals()
    for name in list(context):
        if name not in namespace:
            del context[name]
    for name, value in namespace.items():
        if name in reserved or name.startswith("_"):
            continue
        if callable(value) or isinstance(value, ModuleType):
            continue
        context[name] = as_stored(value)


def create_script_engine(script_seconds: float = 2.0) -> PythonScriptEngine:
    return PythonScriptEngine(environment=RestrictedEnvironment(script_seconds))
