"""Migration plans between two versions of a process: which activities correspond (`generate`:
the same id and kind, as Camunda generates a plan) and which instructions can never apply
(`plan_problems`), whatever state an instance is in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.bpmn.events import TIMER_KINDS
from engine.bpmn.workflow import DefinitionSpecs


@dataclass(frozen=True)
class Instruction:
    """Instances of `source` (an activity id of the source version) become instances of `target`.
    `update_event_trigger`: a timer's due is computed again from the target when migrated
    (otherwise a pending due date never moves)."""

    source: str
    target: str
    update_event_trigger: bool = False


def kind(spec: Any) -> str:
    """What an activity is, for matching source and target: its spec class and, for events, the
    class of its event definition (a timer catch is not a message catch)."""
    definition = getattr(spec, "event_definition", None)
    suffix = f"/{type(definition).__name__}" if definition is not None else ""
    return f"{type(spec).__name__}{suffix}"


def activities(spec: Any) -> dict[str, Any]:
    """The elements of a process spec (and of its embedded subprocesses) by id."""
    return {s.bpmn_id: s for s in spec.task_specs.values() if getattr(s, "bpmn_id", None)}


def all_activities(definition: DefinitionSpecs) -> dict[str, Any]:
    found = activities(definition.spec)
    for sub in definition.subprocess_specs.values():
        found.update(activities(sub))
    return found


def generate(
    source: DefinitionSpecs, target: DefinitionSpecs, *, update_event_triggers: bool = False
) -> list[Instruction]:
    """One instruction per element of the same id and kind in both versions (Camunda's generated
    plan); `update_event_triggers` sets the flag on the instructions between timer events."""
    ours, theirs = all_activities(source), all_activities(target)
    return [
        Instruction(element, element, update_event_triggers and is_timer(spec))
        for element, spec in ours.items()
        if element in theirs and kind(theirs[element]) == kind(spec)
    ]


def plan_problems(
    source: DefinitionSpecs, target: DefinitionSpecs, instructions: Sequence[Instruction]
) -> dict[int, list[str]]:
    """The failures of each instruction (by position) that hold whatever state an instance is in."""
    ours, theirs = all_activities(source), all_activities(target)
    seen: dict[str, int] = {}
    found: dict[int, list[str]] = {}
    for index, instruction in enumerate(instructions):
        failures = _instruction_failures(instruction, ours, theirs)
        if instruction.source in seen:
            failures.append(f"there are several instructions for the source activity '{instruction.source}'")
        seen[instruction.source] = index
        if failures:
            found[index] = failures
    return found


def _instruction_failures(
    instruction: Instruction, ours: Mapping[str, Any], theirs: Mapping[str, Any]
) -> list[str]:
    source, target = ours.get(instruction.source), theirs.get(instruction.target)
    if source is None:
        return [f"the source version has no activity '{instruction.source}'"]
    if target is None:
        return [f"the target version has no activity '{instruction.target}'"]
    failures = []
    if kind(source) != kind(target):
        failures.append(
            f"'{instruction.source}' ({kind(source)}) and '{instruction.target}' ({kind(target)}) "
            "are not the same kind of activity"
        )
    if instruction.update_event_trigger and not is_timer(target):
        failures.append("updateEventTrigger applies to timer events only")
    return failures


def is_timer(spec: Any) -> bool:
    return type(getattr(spec, "event_definition", None)) in TIMER_KINDS
