"""Validation of process variables at the boundary.

Variables end up in task data (evaluated by conditions and scripts) and in JSON columns on
SQLite and PostgreSQL. The same input must give the same answer on both databases, so the
rules are checked here, before anything is stored: JSON-native values only, no NaN or
Infinity (PostgreSQL `jsonb` refuses them, SQLite would store them), no NUL characters
(likewise), bounded size and depth, and names that cannot shadow engine globals.
"""

from __future__ import annotations

import builtins
import json
import keyword
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import InvalidVariablesError, VariableProblem

NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
RESERVED_PREFIXES = ("sys_", "sagsflow_", "camunda_", "dmninputexpr")


@dataclass(frozen=True)
class VariableLimits:
    max_count: int = 200
    max_depth: int = 8
    max_string_length: int = 65_536
    max_total_bytes: int = 262_144
    max_collection_items: int = 1_000
    max_abs_integer: int = 2**63 - 1


DEFAULT_LIMITS = VariableLimits()

# Names the expression and script environment defines; a variable with such a name would
# break every later condition or script of the case. (`date` is not among them: SpiffWorkflow's
# own environment defines it, Sagsflow's does not, and real Camunda processes use it, e.g. the
# JS client's order example.)
_BUILTIN_NAMES = frozenset(dir(builtins)) | frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
_ENGINE_NAMES = frozenset({"datetime", "timedelta", "true", "false", "null", "task", "data"})


def validate_variables(
    variables: Mapping[str, Any],
    *,
    limits: VariableLimits = DEFAULT_LIMITS,
    protected: Iterable[str] = (),
) -> dict[str, Any]:
    """Return a checked copy of `variables`, or raise `InvalidVariablesError` listing every problem.

    `protected` names (for example deadline variables the engine computes itself) are refused.
    """
    if not isinstance(variables, Mapping):
        raise InvalidVariablesError([VariableProblem("variables", "must be an object")])
    problems: list[VariableProblem] = []
    if len(variables) > limits.max_count:
        problems.append(VariableProblem("variables", f"more than {limits.max_count} variables"))
    protected_names = frozenset(protected)
    for name, value in variables.items():
        problems.extend(_check_name(name, protected_names))
        problems.extend(_check_value(name, value, limits, depth=1))
    if not problems:
        size = len(json.dumps(dict(variables), ensure_ascii=False).encode())
        if size > limits.max_total_bytes:
            problems.append(VariableProblem("variables", f"{size} bytes exceeds {limits.max_total_bytes}"))
    if problems:
        raise InvalidVariablesError(problems)
    return dict(variables)


def is_valid_name(name: object) -> bool:
    return not list(_check_name(name, frozenset()))


def _check_name(name: object, protected: frozenset[str]) -> list[VariableProblem]:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        shown = repr(name)[:70]
        return [
            VariableProblem(shown, "a name must start with a letter and contain only A-Z, a-z, 0-9 and _")
        ]
    lowered = name.lower()
    if name in _BUILTIN_NAMES or name in _ENGINE_NAMES or lowered.startswith(RESERVED_PREFIXES):
        return [VariableProblem(name, "the name is reserved by the engine")]
    if name in protected:
        return [VariableProblem(name, "the value is computed by the engine and cannot be set")]
    return []


def _check_value(path: str, value: Any, limits: VariableLimits, depth: int) -> list[VariableProblem]:
    if depth > limits.max_depth:
        return [VariableProblem(path, f"nested deeper than {limits.max_depth} levels")]
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, int):
        return _check_integer(path, value, limits)
    if isinstance(value, float):
        ok = math.isfinite(value)
        return [] if ok else [VariableProblem(path, "NaN and Infinity are not allowed")]
    if isinstance(value, str):
        return _check_string(path, value, limits)
    if isinstance(value, list | tuple):
        return _check_list(path, list(value), limits, depth)
    if isinstance(value, dict):
        return _check_object(path, value, limits, depth)
    return [VariableProblem(path, f"unsupported type {type(value).__name__}")]


def _check_integer(path: str, value: int, limits: VariableLimits) -> list[VariableProblem]:
    if abs(value) > limits.max_abs_integer:
        return [VariableProblem(path, "integer out of range", "Tallet er for stort.")]
    return []


def _check_string(path: str, value: str, limits: VariableLimits) -> list[VariableProblem]:
    if "\x00" in value:
        return [VariableProblem(path, "NUL characters are not allowed", "Teksten indeholder ugyldige tegn.")]
    if not _is_unicode(value):
        unicode = "must be valid Unicode (no unpaired surrogates)"
        return [VariableProblem(path, unicode, "Teksten indeholder ugyldige tegn.")]
    if len(value) > limits.max_string_length:
        limit = limits.max_string_length
        return [
            VariableProblem(path, f"longer than {limit} characters", f"Teksten er længere end {limit} tegn.")
        ]
    return []


def _check_list(path: str, items: list[Any], limits: VariableLimits, depth: int) -> list[VariableProblem]:
    if len(items) > limits.max_collection_items:
        return [VariableProblem(path, f"more than {limits.max_collection_items} items")]
    problems: list[VariableProblem] = []
    for index, item in enumerate(items):
        problems.extend(_check_value(f"{path}[{index}]", item, limits, depth + 1))
    return problems


def _check_object(
    path: str, value: dict[Any, Any], limits: VariableLimits, depth: int
) -> list[VariableProblem]:
    if len(value) > limits.max_collection_items:
        return [VariableProblem(path, f"more than {limits.max_collection_items} keys")]
    problems: list[VariableProblem] = []
    for key, item in value.items():
        if not isinstance(key, str) or "\x00" in key or key.startswith("__") or not _is_unicode(key):
            problems.append(VariableProblem(f"{path}.{str(key)[:40]!r}", "invalid key"))
            continue
        problems.extend(_check_value(f"{path}.{key}", item, limits, depth + 1))
    return problems


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
