"""Moving one running process instance (a case's workflow, or a process a call activity started
in it) to another version of its definition, in place.

SpiffWorkflow 3.2 has `SpiffWorkflow.bpmn.util.diff.migrate_workflow`, but it resets every READY
and WAITING branch (`Task.reset_branch` clears `internal_data`), so a waiting timer is re-armed
from the moment of the migration and a legal deadline silently moves. It is not used here.
Instead every task the instance has reached keeps its id, state, data and internal data (a
timer's due instant stays in `event_value`, so the timer rows keep their due dates): only its
spec changes, by the plan's instructions (source activity id → target activity id). What lies
ahead of the active tasks (FUTURE and predicted tasks) is dropped and predicted again from the
target, finished tasks keep the target element of the same id (or leave the tree when the
target has none: the history has them), and the boundary events of an active activity become
those of its target activity: a mapped event keeps its task (and due), a new one is armed now,
and a pending timer without a counterpart refuses the migration.

`Retarget(process, target, instructions).problems` says per active task why the instance cannot
be migrated (nothing is changed then); `apply()` changes it.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.util.task import TaskState

from engine import danish
from engine.bpmn import guards, inspect
from engine.bpmn.compaction import completed_marks
from engine.bpmn.migration_plan import Instruction, activities, all_activities, is_timer, kind
from engine.bpmn.scripting import HELPER_NAMES
from engine.bpmn.workflow import CaseSubWorkflow, CaseWorkflow, DefinitionSpecs, join_triggered
from engine.deadlines import parse_instant

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
AHEAD = TaskState.FUTURE | TaskState.PREDICTED_MASK  # not reached yet: predicted from the target
TIMER_STATE = ("event_value", "sagsflow_due_date", "sagsflow_due_kind")
SPLIT, JOIN = ".BoundaryEventSplit", ".BoundaryEventJoin"


@dataclass(frozen=True)
class Problem:
    """Why an instance (at `element_id`, task `task_id`; None: as a whole) cannot be migrated."""

    element_id: str | None
    task_id: str | None
    message: str
    message_da: str = ""


Reason = tuple[str, str]  # English, Danish


@dataclass
class Applied:
    """What `Retarget.apply` changed, for the mirror rows: every task that stays, by id, with its
    element before; the timers whose due is computed again."""

    moved: dict[str, str | None] = field(default_factory=dict)
    retriggered: set[str] = field(default_factory=set)


class Retarget:
    """The migration of one process instance: `process` (a case's top workflow or a called
    process) and the embedded and event subprocesses inside it, to `target`."""

    def __init__(
        self,
        process: CaseWorkflow | CaseSubWorkflow,
        target: DefinitionSpecs,
        instructions: Sequence[Instruction],
        *,
        variables: Mapping[str, Any] | None = None,
    ) -> None:
        self.process = process
        self.target = target
        self.instructions = {i.source: i for i in instructions}
        self.variables = dict(variables or {})
        self.scopes = [_Scope(self, process, target.spec), *self._embedded(process)]
        self.problems: list[Problem] = [p for scope in self.scopes for p in scope.check()]

    def _embedded(self, workflow: Any) -> list[_Scope]:
        """The embedded and event subprocesses running inside `workflow` (not called processes)."""
        found = []
        for sub in _top(workflow).subprocesses.values():
            if sub.parent_workflow is workflow and isinstance(sub, CaseSubWorkflow) and not sub.bound:
                task = _top(workflow).get_task_from_id(sub.parent_task_id)
                instruction = self.instructions.get(inspect.element_id(task) or "")
                mapped = all_activities(self.target).get(instruction.target) if instruction else None
                spec = self.target.subprocess_specs.get(getattr(mapped, "spec", None) or "")
                found.append(_Scope(self, sub, spec))
                found += self._embedded(sub)
        return found

    def apply(self) -> Applied:
        if self.problems:
            raise ValueError("a process instance with problems cannot be migrated")
        applied = Applied()
        marks = completed_marks(_top(self.process))
        kept_marks = [(scope, marks.pop(scope.key(), [])) for scope in self.scopes]
        for scope in self.scopes:
            scope.apply(applied)
            for task in scope.workflow.get_tasks(state=ACTIVE, skip_subprocesses=True):
                task.data.update(self.variables)
        for scope in self.scopes:
            scope.workflow.definition_id = self.target.id
        if isinstance(self.process, CaseWorkflow):
            self.process.subprocess_specs = self.target.subprocess_specs
        for scope, elements in kept_marks:  # the diagram's completed marks of pruned tasks follow
            mapped = [m.bpmn_id for e in elements if (m := scope.kept_element(e)) is not None]
            if mapped:
                marks.setdefault(scope.key(), []).extend(dict.fromkeys(mapped))
        return applied


def _top(workflow: Any) -> CaseWorkflow:
    top = workflow if isinstance(workflow, CaseWorkflow) else workflow.top_workflow
    assert isinstance(top, CaseWorkflow)
    return top


class _Scope:
    """One (sub)workflow of the migrating process instance and the target spec it becomes."""

    def __init__(self, owner: Retarget, workflow: Any, spec: Any) -> None:
        self.owner = owner
        self.workflow = workflow
        self.spec = spec
        self.elements = activities(spec) if spec is not None else {}
        self.fresh: set[Any] = set()  # tasks this migration added, with target specs already
        self.triggered: list[Any] = []  # running event subprocesses, joined to the new start

    def key(self) -> tuple[str, str]:
        """Where compaction keeps the completed marks of this (sub)workflow."""
        return (str(getattr(self.workflow, "definition_id", "") or ""), str(self.workflow.spec.name))

    def kept_element(self, element: str) -> Any | None:
        """The target element a completed source element counts as (by instruction, else by id)."""
        instruction = self.owner.instructions.get(element)
        return self.elements.get(instruction.target if instruction else element)

    # --- which target spec a task gets ---------------------------------------------------------

    def explicit(self, source: Any) -> Any | None:
        """The target of a source element by the plan's instructions."""
        instruction = self.owner.instructions.get(getattr(source, "bpmn_id", None) or "")
        return self.elements.get(instruction.target) if instruction is not None else None

    def kept(self, source: Any) -> Any | None:
        """The target spec of a task already finished (history): by instruction, else the element
        of the same id and kind, else the engine's own spec of the same role."""
        found = self.explicit(source)
        if found is not None:
            return found
        element = getattr(source, "bpmn_id", None)
        if element:
            same = self.elements.get(element)
            return same if same is not None and kind(same) == kind(source) else None
        return self._internal(source.name)

    def _internal(self, name: str) -> Any | None:
        """Start, End, the process's end join and the boundary-event split and join of an element."""
        specs = self.spec.task_specs
        for suffix in (SPLIT, JOIN):
            if name.endswith(suffix):
                main = self.workflow.spec.task_specs.get(name[: -len(suffix)])
                target = self.kept(main) if main is not None else None
                return specs.get(f"{target.name}{suffix}") if target is not None else None
        if name.endswith(".EndJoin"):
            return specs.get(f"{self.spec.name}.EndJoin")
        return specs.get(name)

    # --- checking ------------------------------------------------------------------------------

    def check(self) -> list[Problem]:
        if self.spec is None:
            name = self.workflow.spec.name
            return [
                Problem(
                    None,
                    None,
                    f"the target version has no subprocess for '{name}'",
                    f"Delprocessen «{name}» findes ikke i den nye version.",
                )
            ]
        problems = []
        for task in self.workflow.get_tasks(state=ACTIVE, skip_subprocesses=True):
            if isinstance(task.task_spec, BoundaryEvent):
                continue  # checked with the activity it is attached to
            problems += self._check_active(task)
        return problems

    def _check_active(self, task: Any) -> list[Problem]:
        element = inspect.element_id(task)
        if element is None:  # the engine's own (a join waiting for other branches, …)
            found = self._internal(task.task_spec.name)
            name = task.task_spec.name
            missing = (
                f"'{name}' has no counterpart in the target version",
                f"«{name}» findes ikke i den nye version.",
            )
            return [] if found is not None else [_problem(task, missing)]
        target = self.explicit(task.task_spec)
        if target is None:
            return [
                _problem(
                    task,
                    (
                        f"the active activity '{element}' has no migration instruction",
                        f"Sagen står ved «{element}», som planen ikke flytter til den nye version.",
                    ),
                )
            ]
        if isinstance(task.task_spec, LoopTask) or isinstance(
            getattr(task.parent, "task_spec", None), LoopTask
        ):
            reason = (
                f"the multi-instance activity '{element}' cannot be migrated while it runs",
                f"Flerinstans-aktiviteten «{element}» kan ikke flyttes, mens den kører.",
            )
            return [_problem(task, reason)]
        return self._check_boundary(task, target) + self._check_guards(task, target)

    def _check_boundary(self, task: Any, target: Any) -> list[Problem]:
        split = _split_of(task)
        if split is None:
            return []
        attached = self._boundary_targets(target)
        problems = []
        for event in _events_of(split):
            reason = self._event_problem(event, target, attached)
            if reason is not None:
                problems.append(_problem(event, reason))
        return problems

    def _event_problem(self, event: Any, target: Any, attached: list[Any]) -> Reason | None:
        """Why a boundary event of an active activity stops the migration (None: nothing)."""
        element = inspect.element_id(event)
        mapped = self.explicit(event.task_spec)
        if not event.has_state(ACTIVE):
            running = event.has_state(TaskState.COMPLETED) and any(t.has_state(ACTIVE) for t in event)
            if running and mapped not in attached:
                return (
                    f"the branch of the boundary event '{element}' runs; the target has no such event",
                    f"Forløbet efter hændelsen «{element}» kører, og den nye version har ikke hændelsen.",
                )
            return None
        if mapped is not None and mapped not in attached:
            return (
                f"the boundary event '{element}' must map to an event attached to '{target.bpmn_id}'",
                f"Hændelsen «{element}» skal flyttes til en hændelse på «{target.bpmn_id}».",
            )
        if mapped is None and is_timer(event.task_spec):
            return _removed_timer(event)
        return None

    def _boundary_targets(self, target: Any) -> list[Any]:
        split = self.spec.task_specs.get(f"{target.name}{SPLIT}")
        return [s for s in split.outputs if isinstance(s, BoundaryEvent)] if split is not None else []

    def _check_guards(self, task: Any, target: Any) -> list[Problem]:
        """A guard the target adds reads case variables the case may not have: it could never be met."""
        if not getattr(target, "manual", False):
            return []
        old = {g.expression for g in guards.guards_of(inspect.extensions(task))}
        fields = {f.id for f in getattr(getattr(target, "form", None), "fields", None) or []}
        known = set(task.data) | set(self.owner.variables) | fields
        problems = []
        for guard in guards.guards_of(dict(getattr(target, "extensions", None) or {})):
            if guard.expression in old:
                continue
            for name in sorted(_names(guard.expression) - known):
                reason = (
                    f"the guard '{guard.name}' of '{target.bpmn_id}' reads the variable '{name}', "
                    "which the case does not have (set it with the plan's variables)",
                    f"Reglen «{guard.name}» på «{target.bpmn_id}» læser «{name}», som sagen ikke har "
                    "(angiv den i planens variabler).",
                )
                problems.append(_problem(task, reason))
        return problems

    # --- changing ------------------------------------------------------------------------------

    def apply(self, applied: Applied) -> None:
        active = list(self.workflow.get_tasks(state=ACTIVE, skip_subprocesses=True))
        for task in active:
            self._drop_ahead(task)
        for task in [t for t in active if not isinstance(t.task_spec, BoundaryEvent)]:
            self._rebuild_boundary(task)
        for task in list(self.workflow.tasks.values()):
            if task.id in self.workflow.tasks and task.id not in self.fresh:
                self._retarget(task, applied)
        self.workflow.spec = self.spec
        for task in self.triggered:
            join_triggered(self.workflow, task)
        if self.workflow.last_task is not None and self.workflow.last_task.id not in self.workflow.tasks:
            self.workflow.last_task = None
        for task in self.workflow.get_tasks(state=ACTIVE, skip_subprocesses=True):
            _predict(task)

    def _drop_ahead(self, task: Any) -> None:
        for child in list(task.children):
            if child.has_state(AHEAD):
                self.workflow._remove_task(child.id)

    def _retarget(self, task: Any, applied: Applied) -> None:
        before = inspect.element_id(task)
        active = task.has_state(ACTIVE)
        target = self.explicit(task.task_spec) if active and before else self.kept(task.task_spec)
        if target is None:
            _unlink(self.workflow, task)
            return
        instruction = self.owner.instructions.get(before or "")
        if active and instruction is not None and instruction.update_event_trigger:
            for key in TIMER_STATE:
                task.internal_data.pop(key, None)
            applied.retriggered.add(str(task.id))
        task.task_spec = target
        if task.triggered:  # a running event subprocess (the workflow's spec changes below)
            self.triggered.append(task)
        applied.moved[str(task.id)] = before

    def _rebuild_boundary(self, task: Any) -> None:
        """Make the boundary events around active `task` those of its target activity."""
        target = self.explicit(task.task_spec) if inspect.element_id(task) else None
        if target is None:
            return
        split = _split_of(task)
        split_spec = self.spec.task_specs.get(f"{target.name}{SPLIT}")
        if split is not None:
            kept = self._keep_events(split, target)
            if split_spec is None:
                _unlink(self.workflow, split)
                return
        elif split_spec is not None:
            split, kept = _insert_split(task, split_spec), set()
            self.fresh.add(split.id)
        else:
            return
        for event_spec in self._boundary_targets(target):
            if event_spec not in kept:
                self.fresh.add(_arm(split, event_spec).id)

    def _keep_events(self, split: Any, target: Any) -> set[Any]:
        """Drop the events of `split` that have no counterpart on `target`; the target specs kept."""
        attached = self._boundary_targets(target)
        kept = set()
        for event in _events_of(split):
            mapped = self.explicit(event.task_spec)
            if mapped in attached:
                kept.add(mapped)
            elif event.has_state(ACTIVE):
                self.workflow._remove_task(event.id)
        return kept


def _problem(task: Any, reason: Reason) -> Problem:
    return Problem(inspect.element_id(task), str(task.id), *reason)


def _removed_timer(event: Any) -> Reason:
    due = event.internal_data.get("event_value")
    when = f" (due {due})" if isinstance(due, str) else ""
    day = f" (udløber {danish.day(parse_instant(due))})" if isinstance(due, str) else ""
    element = inspect.element_id(event)
    return (
        f"the pending timer '{element}'{when} has no counterpart in the target version",
        f"Den ventende frist «{element}»{day} findes ikke i den nye version; den må ikke forsvinde.",
    )


def _split_of(task: Any) -> Any | None:
    parent = task.parent
    return parent if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit) else None


def _events_of(split: Any) -> list[Any]:
    return [t for t in split.children if isinstance(t.task_spec, BoundaryEvent)]


def _names(expression: str) -> set[str]:
    """The variables an expression reads (helpers and constants aside)."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return set()
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return loaded - set(HELPER_NAMES) - {"True", "False", "None"}


def _unlink(workflow: Any, task: Any) -> None:
    """Take a finished task out of the tree; its children take its place under its parent."""
    parent = task.parent
    if parent is None:
        return
    position = parent._children.index(task.id)
    parent._children[position : position + 1] = list(task._children)
    for child in task.children:
        child.parent = parent
    task._children = []
    workflow.tasks.pop(task.id)


def _insert_split(task: Any, split_spec: Any) -> Any:
    """A finished boundary-event split (of the target) between active `task` and its parent."""
    parent = task.parent
    split = type(task)(task.workflow, split_spec, parent, state=TaskState.COMPLETED)
    parent._children.remove(split.id)
    parent._children[parent._children.index(task.id)] = split.id
    split._children = [task.id]
    task.parent = split
    split.data = dict(task.data)
    return split


def _arm(split: Any, event_spec: Any) -> Any:
    """A boundary event the target adds: waiting from now (a timer gets its due when mirrored)."""
    event = split._add_child(event_spec, TaskState.MAYBE)
    event._set_state(TaskState.WAITING)
    event.data = dict(split.data)
    return event


def _predict(task: Any) -> None:
    """What lies ahead of an active task, predicted from its (new) spec as SpiffWorkflow predicts."""
    task.task_spec._predict_hook(task)
    for child in task.children:
        if child.has_state(AHEAD):
            child.task_spec._predict(child, mask=AHEAD)
