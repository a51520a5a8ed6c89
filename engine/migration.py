"""Use cases of migrating running cases to another version of their definition (issue 16).

A *plan* maps source activities to target activities of another version of the same key
(`generate` maps the identical ones; the process owner edits the rest) and may carry plans for
the processes call activities started (`children`). `check_plan` reports what can never work
(an unknown activity, a user task mapped to a timer, …). Per process instance, the engine
(engine/bpmn/migrate.py) says what stops it: an active activity without an instruction, a
pending timer the target removed, a variable a new guard reads that the case does not have.

`migrate_case` migrates the selected process instances of one case in its own transaction under
the case's lock: all of them or, when any cannot be migrated, none (the case is left as it was
and the report says why). Pending due dates stay; timers and message subscriptions follow their
tasks to the target's elements (a timer the target adds is armed from now); the history records
who migrated what from which version to which with which instructions; the access log has a row.
A process instance already on the target is reported as such, so a re-run changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from engine import access, audit, faults, timers
from engine.bpmn import inspect, migration_plan
from engine.bpmn import migrate as tree
from engine.bpmn.workflow import CaseSubWorkflow, CaseWorkflow
from engine.definitions import DefinitionCache, LoadedDefinition, visible_definition
from engine.errors import InstructionFailure, MigrationPlanError
from engine.model import (
    ALREADY,
    MIGRATABLE,
    MIGRATED,
    NOT_ON_SOURCE,
    REFUSED,
    Actor,
    InstanceMigration,
    MigrationInstruction,
    MigrationPlan,
    MigrationProblemInfo,
    MigrationSelection,
)
from engine.runner import Runner
from engine.store import instances as instance_repo
from engine.store import migration as repo
from engine.variables import validate_variables

CASE_LEFT = (
    "the case is left as it was: another process instance in it cannot be migrated",
    "Sagen er uændret: en anden proces i den kan ikke flyttes.",
)


@dataclass(frozen=True)
class _Step:
    """One plan of a prepared migration, with its target loaded."""

    plan: MigrationPlan
    target: LoadedDefinition
    instructions: tuple[migration_plan.Instruction, ...]


@dataclass(frozen=True)
class Prepared:
    """A checked plan: its own step and one per child plan, by source definition id."""

    main: _Step
    steps: dict[str, _Step]


def generate(
    session: Session,
    cache: DefinitionCache,
    source_id: str,
    target_id: str,
    *,
    actor: Actor,
    update_event_triggers: bool = False,
) -> MigrationPlan:
    """The plan that maps every activity the two versions have in common (same id, same kind)."""
    source, target = _pair(session, cache, source_id, target_id, actor)
    instructions = migration_plan.generate(source, target, update_event_triggers=update_event_triggers)
    return MigrationPlan(
        source_id,
        target_id,
        tuple(MigrationInstruction(i.source, i.target, i.update_event_trigger) for i in instructions),
    )


def _pair(
    session: Session, cache: DefinitionCache, source_id: str, target_id: str, actor: Actor
) -> tuple[LoadedDefinition, LoadedDefinition]:
    access.require(actor, *access.MIGRATORS)
    source = visible_definition(session, source_id, actor.municipality, "process")
    target = visible_definition(session, target_id, actor.municipality, "process")
    if source.key != target.key:
        message = (
            f"a migration moves cases between versions of one process: '{source.key}' is not '{target.key}'"
        )
        raise MigrationPlanError(message, [])
    return cache.get(session, source.id), cache.get(session, target.id)


def check_plan(
    session: Session, cache: DefinitionCache, plan: MigrationPlan, *, actor: Actor
) -> list[InstructionFailure]:
    """Every instruction of the plan (and of its child plans) that can never be applied."""
    source, target = _pair(session, cache, plan.source_definition_id, plan.target_definition_id, actor)
    validate_variables(plan.variables)
    instructions = _instructions(plan)
    found = [
        InstructionFailure(
            index, i.source, i.target, tuple(failures), plan.source_definition_id, i.update_event_trigger
        )
        for index, failures in migration_plan.plan_problems(source, target, instructions).items()
        for i in [instructions[index]]
    ]
    for child in plan.children:
        found += check_plan(session, cache, child, actor=actor)
    return found


def prepare(session: Session, cache: DefinitionCache, plan: MigrationPlan, *, actor: Actor) -> Prepared:
    """The plan, checked, with its targets loaded; `MigrationPlanError` lists every failure."""
    failures = check_plan(session, cache, plan, actor=actor)
    if failures:
        raise MigrationPlanError(
            f"the migration plan has {len(failures)} instruction(s) that cannot be applied", failures
        )
    steps = {p.source_definition_id: _step(session, cache, p) for p in _plans(plan)}
    return Prepared(steps[plan.source_definition_id], steps)


def _plans(plan: MigrationPlan) -> Iterable[MigrationPlan]:
    yield plan
    for child in plan.children:
        yield from _plans(child)


def _step(session: Session, cache: DefinitionCache, plan: MigrationPlan) -> _Step:
    return _Step(plan, cache.get(session, plan.target_definition_id), tuple(_instructions(plan)))


def _instructions(plan: MigrationPlan) -> list[migration_plan.Instruction]:
    return [migration_plan.Instruction(i.source, i.target, i.update_event_trigger) for i in plan.instructions]


def select(
    session: Session, prepared: Prepared, selection: MigrationSelection, *, actor: Actor
) -> tuple[dict[str, list[str]], list[InstanceMigration]]:
    """The selected running process instances by case (in order), and the ids asked for that are
    not running in the caller's municipality (reported as not on the source version)."""
    source = prepared.main.plan.source_definition_id
    if selection.process_instance_ids is not None:
        found = repo.by_ids(session, actor.municipality, selection.process_instance_ids)
    else:
        found = repo.running_on(
            session,
            actor.municipality,
            source,
            business_key=selection.business_key,
            activity_id=selection.activity_id,
        )
    cases: dict[str, list[str]] = {}
    for instance_id, case_id, _ in found:
        cases.setdefault(case_id, []).append(instance_id)
    known = {row[0] for row in found}
    missing = [
        InstanceMigration(i, i, NOT_ON_SOURCE) for i in selection.process_instance_ids or () if i not in known
    ]
    return cases, missing


@dataclass
class _Move:
    """One process instance of a case that the migration moves."""

    instance_id: str
    process: CaseWorkflow | CaseSubWorkflow
    step: _Step
    retarget: tree.Retarget


def _moves(
    workflow: CaseWorkflow, case_id: str, selected: Sequence[str], prepared: Prepared
) -> tuple[list[_Move], list[InstanceMigration]]:
    """What the migration does to one case: the process instances it moves (each checked) and
    the selected ones it leaves (already on the target, or not on the source)."""
    moves, left = [], []
    main = prepared.main
    for instance_id in selected:
        process = workflow if instance_id == case_id else workflow.child(instance_id)
        on = process.definition_id if process is not None else None
        if process is not None and on == main.plan.source_definition_id:
            moves.append(_move(instance_id, process, main))
        else:
            outcome = ALREADY if on == main.plan.target_definition_id else NOT_ON_SOURCE
            left.append(InstanceMigration(instance_id, case_id, outcome))
    moving = {m.instance_id for m in moves}
    for child in workflow.children():
        step = prepared.steps.get(child.definition_id)
        if step is not None and step is not main and child.instance_id not in moving:
            moves.append(_move(child.instance_id, child, step))
    return moves, left


def _move(instance_id: str, process: CaseWorkflow | CaseSubWorkflow, step: _Step) -> _Move:
    retarget = tree.Retarget(process, step.target, step.instructions, variables=step.plan.variables)
    return _Move(instance_id, process, step, retarget)


def _outcomes(case_id: str, moves: Sequence[_Move], *, done: str) -> list[InstanceMigration]:
    """Each move's outcome: `done` when no move of the case has problems; else REFUSED for all."""
    refused = any(m.retarget.problems for m in moves)
    return [
        InstanceMigration(
            m.instance_id,
            case_id,
            REFUSED if refused else done,
            _problems(m)
            if m.retarget.problems or not refused
            else (MigrationProblemInfo(None, None, *CASE_LEFT),),
        )
        for m in moves
    ]


def _problems(move: _Move) -> tuple[MigrationProblemInfo, ...]:
    return tuple(
        MigrationProblemInfo(p.element_id, p.task_id, p.message, p.message_da) for p in move.retarget.problems
    )


def validate_case(
    session: Session,
    runner: Runner,
    prepared: Prepared,
    case_id: str,
    selected: Sequence[str],
    *,
    actor: Actor,
) -> list[InstanceMigration]:
    """What migrating the case would do, changing nothing (the case's state is read: logged)."""
    row = instance_repo.get(session, case_id, actor.municipality)
    if row is None:
        return [InstanceMigration(i, case_id, NOT_ON_SOURCE) for i in selected]
    moves, left = _moves(runner.view(session, row), case_id, selected, prepared)
    audit.record(
        session,
        actor,
        action="read",
        purpose="validate migration",
        at=runner.clock.now(),
        instance_id=case_id,
    )
    return _outcomes(case_id, moves, done=MIGRATABLE) + left


def migrate_case(
    session: Session,
    runner: Runner,
    prepared: Prepared,
    case_id: str,
    selected: Sequence[str],
    *,
    actor: Actor,
) -> list[InstanceMigration]:
    """Migrate the selected process instances of one case (and the children its child plans
    name) in the caller's transaction, or none of them when any cannot be migrated."""
    row = runner.lock(session, case_id, actor.municipality)
    workflow = runner.load(session, row)
    moves, left = _moves(workflow, case_id, selected, prepared)
    now = runner.clock.now()
    outcomes = _outcomes(case_id, moves, done=MIGRATED)
    refused = any(o.outcome == REFUSED for o in outcomes)
    audit.record(
        session,
        actor,
        action="read" if refused or not moves else "update",
        purpose="migrate case",
        at=now,
        instance_id=case_id,
    )
    if refused or not moves:
        return outcomes + left
    applied = [(m, m.retarget.apply()) for m in moves]
    root = next((m for m in moves if m.process is workflow), None)
    result = runner.advance(
        session,
        row,
        workflow,
        actor=actor,
        command=lambda _: None,
        command_events=[_event(m, now, actor) for m in moves],
        case_values={"definition_id": root.step.target.id} if root else None,
    )
    _follow(session, row.id, result.workflow, applied, now)
    faults.reach("migration.after_rows")
    return outcomes + left


def _event(move: _Move, now: datetime, actor: Actor) -> instance_repo.NewEvent:
    plan = move.step.plan
    return instance_repo.NewEvent(
        now,
        "instance_migrated",
        actor.user_id,
        data={
            "process_instance_id": move.instance_id,
            "from": plan.source_definition_id,
            "to": plan.target_definition_id,
            "instructions": [[i.source, i.target, i.update_event_trigger] for i in plan.instructions],
            "variables": sorted(plan.variables),
        },
    )


def _follow(
    session: Session,
    instance_id: str,
    workflow: CaseWorkflow,
    applied: Sequence[tuple[_Move, tree.Applied]],
    now: datetime,
) -> None:
    """The mirror rows of the tasks that stayed follow them to their new elements."""
    moved = {task_id for _, a in applied for task_id in a.moved}
    retriggered = {task_id for _, a in applied for task_id in a.retriggered}
    seen = inspect.snapshot(workflow)
    live = [t for t in seen.ready_user_tasks + seen.external_tasks if str(t.id) in moved]
    repo.retarget_tasks(session, [_task_values(t) for t in live])
    waiting = [w for w in seen.timers if str(w.task.id) in moved]
    repo.retarget_timers(session, [_timer_values(instance_id, w) for w in waiting])
    again = [w for w in waiting if str(w.task.id) in retriggered and w.kind != "cycle"]
    repo.move_dues(session, [_due_values(instance_id, w) for w in again])
    messages = [m for m in seen.messages if str(m.task.id) in moved]
    repo.retarget_subscriptions(
        session,
        [{"b_instance": instance_id, "b_task": str(m.task.id), "element_id": m.element_id} for m in messages],
    )
    repo.retarget_process_instances(
        session,
        [
            {"b_id": m.instance_id, "definition_id": m.step.target.id, "process_key": m.step.target.key}
            for m, _ in applied
        ],
    )


def _task_values(task: Any) -> dict[str, Any]:
    owner = inspect.process_instance_of(task)
    return {
        "b_id": str(task.id),
        "element_id": inspect.element_id(task) or task.task_spec.name,
        "name": inspect.element_name(task),
        "definition_id": owner.definition_id,
        "process_key": owner.process_key,
        "topic": inspect.extensions(task).get("camunda:topic"),
        "deadline": inspect.guarded_deadline(task),
    }


def _timer_values(instance_id: str, waiting: inspect.WaitingTimer) -> dict[str, Any]:
    properties = inspect.extensions(waiting.task)
    return {
        "b_instance": instance_id,
        "b_task": str(waiting.task.id),
        "element_id": inspect.element_id(waiting.task) or "",
        "name": inspect.element_name(waiting.task),
        "kind": waiting.kind,
        "purpose": properties.get("purpose"),
        "deadline": properties.get("deadline"),
    }


def _due_values(instance_id: str, waiting: inspect.WaitingTimer) -> dict[str, Any]:
    due = timers.stored_due(waiting.task.internal_data)
    return {
        "b_instance": instance_id,
        "b_task": str(waiting.task.id),
        "due_at": due.due_at,
        "due_date": due.due_date,
        "due_kind": due.kind.value,
    }
