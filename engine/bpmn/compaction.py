"""Keeping a running case's workflow as small as what is active in it.

SpiffWorkflow keeps every task it ever ran: a loop appends each iteration below the previous one,
so a case that loops for years grows a task chain thousands deep (every step walks it, and at
about 250 follow-ups its recursive ancestor searches overflow the stack), and every finished
subprocess stays in the state. `compact` removes what nothing can return to, before each save:

- a finished subprocess (call activity, embedded or event subprocess) whose task has finished;
- every finished task that no rule of the engine reads again. Kept are: the root, the workflow's
  last completed task (call activities copy its data out), every unfinished task with its parent
  (data is inherited from the parent; joins read it) and its finished children (loop and
  multi-instance tasks read those), all children of a boundary-event split that has an unfinished
  child (the boundary join reads its siblings), the path from an unfinished join up to its split,
  and — while a parallel, inclusive or end join still waits — the finished tasks of that join
  that are not ancestors of a waiting one, with their parents (the join counts and merges them).

The kept tasks keep their order: each one's new parent is its nearest kept ancestor, so a
depth-first walk meets them in the same order as before. Task data survives intact (every task
holds its full data; the serializer stores it as a delta against the new parent). The ids of
completed elements that are removed are kept per process as the diagram's completed marks.

Compacting is idempotent: a compacted workflow is compacted again to itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.control import EventSplit, _EndJoin
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

MARKS_ATTRIBUTE = "sagsflow_completed_marks"


Marks = dict[tuple[str, str], list[str]]


def completed_marks(workflow: BpmnWorkflow) -> Marks:
    """Completed element ids of removed tasks by (definition id, process id), in the order first
    removed. The definition is the one the process's spec came from (`definition_id` of the
    workflow or subprocess; "" where a workflow has none)."""
    marks: Marks | None = getattr(workflow, MARKS_ATTRIBUTE, None)
    if marks is None:
        marks = {}
        setattr(workflow, MARKS_ATTRIBUTE, marks)
    return marks


def compact(workflow: BpmnWorkflow) -> int:
    """Remove what nothing can return to from `workflow` (the top workflow); the number of tasks removed."""
    marks = _Marks(completed_marks(workflow))
    removed = _remove_finished_subprocesses(workflow, marks)
    for process in [workflow, *workflow.subprocesses.values()]:
        removed += _compact_tree(process, _kept(process, workflow), marks)
    return removed


class _Marks:
    def __init__(self, marks: Marks) -> None:
        self.marks = marks
        self.seen = {key: set(ids) for key, ids in marks.items()}

    def add(self, process: Any, tasks: Iterable[Any]) -> None:
        key = (str(getattr(process, "definition_id", "") or ""), str(process.spec.name))
        for task in tasks:
            element = getattr(task.task_spec, "bpmn_id", None)
            if element is None or task.state != TaskState.COMPLETED:
                continue
            seen = self.seen.setdefault(key, set())
            if element not in seen:
                seen.add(element)
                self.marks.setdefault(key, []).append(element)


def _remove_finished_subprocesses(workflow: BpmnWorkflow, marks: _Marks) -> int:
    removed = 0
    gone: set[Any] = set()
    owners = {task_id: _owner(workflow, task_id) for task_id in workflow.subprocesses}
    for task_id, sub in sorted(workflow.subprocesses.items(), key=lambda item: item[1].depth):
        owner = owners[task_id]
        if (
            owner is None
            or owner.workflow in gone
            or (owner.has_state(TaskState.FINISHED_MASK) and not _has_unfinished(sub))
        ):
            gone.add(sub)
    for task_id, sub in list(workflow.subprocesses.items()):
        if sub in gone:
            marks.add(sub, sub.tasks.values())
            removed += len(sub.tasks)
            del workflow.subprocesses[task_id]
    return removed


def _owner(workflow: BpmnWorkflow, task_id: Any) -> Any | None:
    """The task (in the top workflow or a subprocess) a subprocess belongs to."""
    for process in [workflow, *workflow.subprocesses.values()]:
        task = process.tasks.get(task_id)
        if task is not None:
            return task
    return None


def _has_unfinished(process: Any) -> bool:
    return any(t.has_state(TaskState.NOT_FINISHED_MASK) for t in process.tasks.values())


def _kept(process: Any, top: BpmnWorkflow) -> set[Any]:
    """Ids of the tasks of `process` that must stay (see the module docstring)."""
    tasks = process.tasks
    unfinished = [t for t in tasks.values() if t.has_state(TaskState.NOT_FINISHED_MASK)]
    keep = {process.task_tree.id, *(t.id for t in unfinished)}
    if process.last_task is not None and process.last_task.id in tasks:
        keep.add(process.last_task.id)
    keep.update(task_id for task_id in top.subprocesses if task_id in tasks)
    for task in unfinished:
        keep.update(task._children)
        parent = task.parent
        if parent is None:
            continue
        keep.add(parent.id)
        if isinstance(parent.task_spec, EventSplit):
            keep.update(parent._children)
        split = getattr(task.task_spec, "split_task", None) if isinstance(task.task_spec, Join) else None
        if split is not None:
            keep.update(_path_to(task, split))
    keep.update(_join_inputs(tasks.values(), unfinished))
    return keep


def _path_to(task: Any, spec_name: str) -> list[Any]:
    """Ids from `task`'s parent up to its nearest ancestor of spec `spec_name` (none if there is none)."""
    path = []
    current = task.parent
    while current is not None:
        path.append(current.id)
        if current.task_spec.name == spec_name:
            return path
        current = current.parent
    return []


def _join_inputs(tasks: Iterable[Any], unfinished: list[Any]) -> set[Any]:
    """Finished tasks (and their parents) of joins that still wait, except those on a waiting path."""
    by_spec: dict[Any, list[Any]] = {}
    for task in tasks:
        if isinstance(task.task_spec, UnstructuredJoin):
            by_spec.setdefault(task.task_spec, []).append(task)
    keep: set[Any] = set()
    for spec, members in by_spec.items():
        waiting = [t for t in unfinished if t.task_spec is spec]
        if not waiting:
            continue
        on_path = _ancestors(waiting)
        finished = [t for t in members if t.has_state(TaskState.FINISHED_MASK) and t.id not in on_path]
        if isinstance(spec, _EndJoin):
            finished = _merge_ended_branches(finished)
        for task in finished:
            keep.add(task.id)
            if task._parent is not None:
                keep.add(task._parent)
    return keep


def _merge_ended_branches(ends: list[Any]) -> list[Any]:
    """The end join merges the data of every branch that ended before it (in the order they ended):
    branches that ended one after another fold into the last of them, whose end event then holds
    their merged data; which ones are left for the join to merge."""
    kept: list[Any] = []
    merged: dict[str, Any] | None = None
    for end in sorted(ends, key=lambda t: t.last_state_change):
        event = end.parent
        foldable = event is not None and event._children == [end.id] and event.workflow.last_task is not event
        if kept and merged is not None and foldable and _fold_safe(merged, event.data):
            DeepMerge.merge(merged, deepcopy(event.data))
            kept[-1] = end
            event.data = merged
        else:
            kept.append(end)
            merged = deepcopy(event.data) if foldable else None
            if merged is not None:
                event.data = merged
    return kept


def _fold_safe(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """Merging `first` then `second` into any data gives what merging their merge gives: true unless
    a value is a list in one and differs in the other, or is a mapping in only one of them."""
    for key in first.keys() & second.keys():
        a, b = first[key], second[key]
        if isinstance(a, dict) and isinstance(b, dict):
            if not _fold_safe(a, b):
                return False
        elif (isinstance(a, dict | list) or isinstance(b, dict | list)) and a != b:
            return False
    return True


def _ancestors(tasks: list[Any]) -> set[Any]:
    found: set[Any] = set()
    for task in tasks:
        current = task.parent
        while current is not None and current.id not in found:
            found.add(current.id)
            current = current.parent
    return found


def _compact_tree(process: Any, keep: set[Any], marks: _Marks) -> int:
    """Drop the tasks not in `keep`; each kept task hangs under its nearest kept ancestor, in order."""
    tasks = process.tasks
    if len(keep) == len(tasks):
        return 0
    children: dict[Any, list[Any]] = {task_id: [] for task_id in keep}
    parents: dict[Any, Any] = {}
    dropped = []
    root = process.task_tree
    stack: list[tuple[Any, Any]] = [(root.id, None)]  # (task id, nearest kept ancestor id)
    while stack:
        task_id, anchor = stack.pop()
        task = tasks[task_id]
        if task_id in keep:
            parents[task_id] = anchor
            if anchor is not None:
                children[anchor].append(task_id)
            anchor = task_id
        else:
            dropped.append(task)
        stack.extend((child, anchor) for child in reversed(task._children))
    marks.add(process, dropped)
    for task in dropped:
        del tasks[task.id]
    for task_id, parent in parents.items():
        task = tasks[task_id]
        task._parent = parent
        task._children = children[task_id]
    return len(dropped)
