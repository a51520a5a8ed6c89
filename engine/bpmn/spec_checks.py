"""Deploy-time checks over parsed specs: every expression, timer, script and form must compile.

SpiffWorkflow only evaluates these when a token reaches them, which for a follow-up timer can
be months after the deploy. Walking the specs here turns those late failures into a refused
deploy that names the element.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask, StandardLoopTask
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask
from SpiffWorkflow.camunda.specs.user_task import UserTask

from engine import cron
from engine.bpmn.conditions import VARIABLE_EVENTS, ConditionalEventDefinition
from engine.bpmn.events import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from engine.bpmn.expressions import ExpressionError, date_time_steps, juel_to_python
from engine.bpmn.guards import PREFIX as GUARD_PREFIX
from engine.bpmn.guards import declared_field, guard_names
from engine.bpmn.scripting import FORM_DEFAULT_HELPERS, HELPER_NAMES, check_expression, check_script
from engine.calendar import parse_iso_duration
from engine.errors import DefinitionProblem

EXPRESSION_ATTRIBUTES = (
    "camunda:dueDate",
    "camunda:assignee",
    "camunda:candidateGroups",
    "camunda:candidateUsers",
)


class _Compiled(Protocol):
    id: str
    resource_name: str
    spec: Any
    subprocess_specs: dict[str, Any]


def check_specs(processes: Iterable[_Compiled]) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    for process in processes:
        specs = [process.spec, *[s for s in process.subprocess_specs.values() if s is not None]]
        for spec in specs:
            for task_spec in spec.task_specs.values():
                for element_id, message in _check_task_spec(task_spec):
                    problems.append(
                        DefinitionProblem(message, spec.file or process.resource_name, element_id)
                    )
    return _unique(problems)


def _unique(problems: list[DefinitionProblem]) -> list[DefinitionProblem]:
    seen: set[DefinitionProblem] = set()
    return [p for p in problems if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]


def _check_task_spec(task_spec: Any) -> Iterator[tuple[str | None, str]]:
    element_id = getattr(task_spec, "bpmn_id", None)
    checks = (
        _conditions(task_spec),
        _timers(task_spec),
        _conditional_events(task_spec),
        _script(task_spec),
        _user_task(task_spec),
        _loops(task_spec),
    )
    for found in checks:
        for message in found:
            yield element_id, message


def _expression(expression: str | None, what: str) -> Iterator[str]:
    if expression is None:
        return
    try:
        check_expression(expression)
    except ExpressionError as err:
        yield f"{what}: {err}"


def _conditions(task_spec: Any) -> Iterator[str]:
    if isinstance(task_spec, ExclusiveGateway | InclusiveGateway):
        for condition, target in task_spec.cond_task_specs:
            expression = condition.args[0] if condition is not None else None
            yield from _expression(expression, f"condition towards '{target}'")


def _event_definitions(task_spec: Any) -> list[Any]:
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return list(definition.event_definitions)
    return [definition] if definition is not None else []


def _timers(task_spec: Any) -> Iterator[str]:
    for definition in _event_definitions(task_spec):
        if isinstance(
            definition,
            TimeDateEventDefinition | DurationTimerEventDefinition | CycleTimerEventDefinition,
        ):
            yield from _timer(definition)


def _conditional_events(task_spec: Any) -> Iterator[str]:
    for definition in _event_definitions(task_spec):
        if isinstance(definition, ConditionalEventDefinition):
            yield from _expression(definition.expression, "condition")
            unknown = set(definition.variable_events) - VARIABLE_EVENTS
            if unknown:
                yield f"camunda:variableEvents: unknown {', '.join(sorted(unknown))} (create, update, delete)"


def _timer(definition: Any) -> Iterator[str]:
    expression = definition.expression
    literal = expression[1:-1] if expression[:1] in "'\"" else None
    if literal is None:
        yield from _expression(expression, "timer")
        return
    try:
        if isinstance(definition, DurationTimerEventDefinition):
            parse_iso_duration(literal)
        elif isinstance(definition, CycleTimerEventDefinition):
            _check_cycle(literal)
    except ValueError as err:
        yield f"timer '{literal}': {err}"


def _check_cycle(text: str) -> None:
    if cron.is_cron(text):
        cron.trigger(text)  # CronError (a ValueError) says what is wrong
        return
    parts = text.split("/")
    if len(parts) not in (2, 3) or not parts[0].startswith("R"):
        raise ValueError("a cycle is R[n]/[start/]duration, e.g. R/P6M or R3/2026-01-01T09:00:00Z/P3M")
    parse_iso_duration(parts[-1])


def _script(task_spec: Any) -> Iterator[str]:
    if isinstance(task_spec, ScriptTask):
        try:
            check_script(task_spec.script or "")
        except ExpressionError as err:
            yield f"script: {err}"


def _juel(value: str, what: str, helpers: frozenset[str] = HELPER_NAMES) -> Iterator[str]:
    """Problems of a `${…}` (or plain Python) expression written in the diagram."""
    try:
        yield from _expression(juel_to_python(value, helpers), what)
    except ExpressionError as err:
        yield f"{what}: {err}"


def _user_task(task_spec: Any) -> Iterator[str]:
    extensions = getattr(task_spec, "extensions", None) or {}
    for attribute in EXPRESSION_ATTRIBUTES:
        value = extensions.get(attribute)
        if value and "{" in value and not _is_date_time(value, attribute):
            yield from _juel(value, attribute)
    yield from _guards(task_spec, extensions)
    if isinstance(task_spec, UserTask):
        for field in task_spec.form.fields:
            yield from _form_field(field)


def _guards(task_spec: Any, extensions: dict[str, Any]) -> Iterator[str]:
    """Every guard compiles, and the field it declares is a field of the task's form."""
    form = getattr(task_spec, "form", None) if isinstance(task_spec, UserTask) else None
    fields = {f.id for f in form.fields} if form is not None else set()
    for name in guard_names(extensions):
        yield from _juel(str(extensions.get(f"{GUARD_PREFIX}{name}") or ""), f"guard '{name}'")
        field = declared_field(extensions, name)
        if field is not None and field not in fields:
            yield f"guard '{name}': its field '{field}' is not a field of the task's form"


def _is_date_time(value: str, attribute: str) -> bool:
    """A due date written with Camunda's `dateTime()` (checked by `date_time_steps`, not as JUEL)."""
    if attribute != "camunda:dueDate":
        return False
    try:
        return date_time_steps(value) is not None
    except ExpressionError:
        return False


def _form_field(field: Any) -> Iterator[str]:
    if field.default_value and "{" in field.default_value:
        yield from _juel(field.default_value, f"default of form field '{field.id}'", FORM_DEFAULT_HELPERS)
    if field.type == "enum" and not getattr(field, "options", None):
        yield f"form field '{field.id}': an enum needs at least one value"


def _loops(task_spec: Any) -> Iterator[str]:
    if isinstance(task_spec, StandardLoopTask):
        yield from _expression(task_spec.condition, "loop condition")
    if isinstance(task_spec, MultiInstanceTask):
        cardinality = task_spec.cardinality
        if isinstance(cardinality, str):
            yield from _expression(cardinality, "loop cardinality")
        yield from _expression(task_spec.condition, "completion condition")
