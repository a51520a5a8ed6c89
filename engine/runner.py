"""The only module that runs SpiffWorkflow.

Every command that advances a case (start, complete a task, fire a timer, deliver a message,
finish an external task) goes through `Runner`: load the instance with the restricted script
engine attached, apply the command, run engine steps within limits, mirror the wait states
(tasks, timers, subscriptions, phase, next deadline) and save with a version check, all in the
caller's transaction. If anything raises, nothing is saved: the caller's transaction rolls back
and the case stays at its last wait state.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlmodel import Session

from engine import faults, incidents, timers, waits
from engine.bpmn import conditions, event_subprocesses, inspect, starts
from engine.bpmn.calls import CallTarget
from engine.bpmn.decision_task import DecisionRef
from engine.bpmn.dmn.model import DecisionModel
from engine.bpmn.resident import ResidentWorkflows
from engine.bpmn.scripting import create_script_engine
from engine.bpmn.state import dump_state, load_state, new_workflow, stored_state
from engine.bpmn.workflow import CaseWorkflow, UnboundCallError
from engine.clock import Clock
from engine.config import EngineSettings
from engine.deadlines import DEFAULT_SETTINGS, DeadlineSettings, Due
from engine.definitions import DefinitionCache, LoadedDefinition, called_process, decision_model
from engine.errors import NotFoundError, ProcessError, WrongStateError
from engine.model import Actor
from engine.store import database
from engine.store import instances as instance_repo
from engine.store.tables import Definition, Instance


class _StepLimitError(Exception):
    pass


class _Specs:
    """Definition specs for the workflows of one case in one transaction (engine/bpmn/workflow.py)."""

    def __init__(self, session: Session, cache: DefinitionCache, municipality: str) -> None:
        self.session = session
        self.cache = cache
        self.municipality = municipality

    def definition(self, definition_id: str) -> LoadedDefinition:
        return self.cache.get(self.session, definition_id)

    def bind(self, target: CallTarget, caller_definition_id: str) -> LoadedDefinition:
        caller = self.cache.get(self.session, caller_definition_id)
        try:
            row = called_process(
                self.session,
                target,
                caller_deployment_id=caller.deployment_id,
                municipality=self.municipality,
            )
        except NotFoundError:
            raise UnboundCallError(f"the called process '{target.label}' is not deployed") from None
        except ProcessError as err:
            raise UnboundCallError(err.message) from None
        return self.cache.get(self.session, row.id)

    def decision(self, ref: DecisionRef, caller_definition_id: str) -> DecisionModel:
        caller = self.cache.get(self.session, caller_definition_id)
        return decision_model(
            self.session,
            self.cache,
            ref,
            caller_deployment_id=caller.deployment_id,
            municipality=self.municipality,
        )


@dataclass
class StepResult:
    instance: Instance
    tasks: waits.TaskChange
    timers: timers.TimerChange
    workflow: CaseWorkflow


class Runner:
    def __init__(
        self,
        cache: DefinitionCache,
        clock: Clock,
        settings: EngineSettings,
        deadlines: DeadlineSettings = DEFAULT_SETTINGS,
    ) -> None:
        self.cache = cache
        self.clock = clock
        self.settings = settings
        self.deadlines = deadlines
        self.script_engine = create_script_engine(settings.script_seconds)
        self.resident = ResidentWorkflows(settings.resident_workflows)

    def start(
        self,
        session: Session,
        definition: Definition,
        *,
        actor: Actor,
        business_key: str | None,
        variables: dict[str, Any],
        team: str | None = None,
        case_values: Mapping[str, Any] | None = None,
        start_message: str | None = None,
        start_event: str | None = None,
    ) -> StepResult:
        """`start_message`: start at the message start event for that message; `start_event`: at
        that start event (a timer start); else where Camunda would: the none start event, or the
        process's only start event."""
        loaded = self.cache.get(session, definition.id)
        specs = _Specs(session, self.cache, actor.municipality)
        workflow = new_workflow(loaded, specs, self.script_engine, business_key)
        variables = {**starts.initiator_variables(loaded.spec, actor.user_id), **variables}
        workflow.task_tree.set_data(**variables)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.set_data(**variables)
        now = self.clock.now()
        row = Instance(
            id=str(uuid.uuid4()),
            definition_id=definition.id,
            process_key=definition.key,
            business_key=business_key,
            municipality=actor.municipality,
            status="active",
            phase=None,
            team=team,
            state="",
            version=1,
            started_at=now,
            updated_at=now,
            phase_since=now,
            started_by=actor.user_id,
        )
        starts.keep_only(workflow, start_message, start_event)
        seen = self._run_steps(workflow)
        if self._fire_start(workflow, start_message, start_event):
            seen = self._run_steps(workflow)
        instance_repo.add_event(
            session,
            row,
            at=now,
            kind="instance_started",
            actor=actor.user_id,
            data={
                "definition_id": definition.id,
                "variables": variables,
                **({"message": start_message} if start_message else {}),
                **({"timer": start_event} if start_event else {}),
            },
        )
        return self._mirror_and_save(
            session, row, seen, actor, completed_task_id=None, is_new=True, case_values=case_values
        )

    @staticmethod
    def _fire_start(workflow: BpmnWorkflow, start_message: str | None, start_event: str | None) -> bool:
        try:
            return starts.fire_start(workflow, start_message, start_event)
        except starts.NoStartEventError as err:
            raise WrongStateError(str(err)) from None

    def lock(self, session: Session, instance_id: str, municipality: str) -> Instance:
        row = instance_repo.lock(session, instance_id)
        if row is None or row.municipality != municipality:
            raise NotFoundError("case", instance_id)
        incidents.locked(row)  # a failure from here on opens an incident on this case
        return row

    def lock_for_task(self, session: Session, task_id: str, municipality: str, *, kind: str) -> Instance:
        """The instance of a task, locked; "not found" (as `kind`) for a task of another municipality."""
        row = instance_repo.lock_by_task(session, task_id)
        if row is None or row.municipality != municipality:
            raise NotFoundError(kind, task_id)
        incidents.locked(row, task_id)
        return row

    def load(self, session: Session, row: Instance) -> CaseWorkflow:
        """The case's workflow, to advance: the caller holds the instance lock and owns the object."""
        workflow = self.resident.take(row.id, row.definition_id, row.version)
        if workflow is None:
            return self.view(session, row)
        workflow.specs = _Specs(session, self.cache, row.municipality)  # this transaction's
        workflow.business_key = row.business_key
        return workflow

    def view(self, session: Session, row: Instance, *, compact_legacy: bool = True) -> CaseWorkflow:
        """The case's workflow, to read: always a fresh copy of the committed state, since a resident
        one may be advanced by another thread meanwhile. `compact_legacy=False`: a state stored
        before compaction loads with every finished task (engine/bpmn/state.py)."""
        loaded = self.cache.get(session, row.definition_id)
        specs = _Specs(session, self.cache, row.municipality)
        return load_state(
            row.state, loaded, specs, self.script_engine, row.business_key, compact_legacy=compact_legacy
        )

    def advance(
        self,
        session: Session,
        row: Instance,
        workflow: CaseWorkflow,
        *,
        actor: Actor,
        command: Callable[[CaseWorkflow], None],
        completed_task_id: str | None = None,
        command_events: Sequence[instance_repo.NewEvent] = (),
        case_values: Mapping[str, Any] | None = None,
        cause: Mapping[str, Any] | None = None,
    ) -> StepResult:
        """Apply `command` to the loaded `workflow`, run it to its next wait states and save.

        `command_events`: the command's own history entries, written before those of the step;
        `case_values`: instance columns the command sets (report facts), saved with the step;
        `cause`: what made the step (a deadline timer), recorded on the user tasks it creates."""
        called_before = waits.called_states(workflow)
        try:
            command(workflow)
        except SpiffWorkflowException as err:
            raise _process_error(err) from err
        seen = self._run_steps(workflow)
        return self._mirror_and_save(
            session,
            row,
            seen,
            actor,
            completed_task_id=completed_task_id,
            command_events=command_events,
            case_values=case_values,
            called_before=called_before,
            cause=cause,
        )

    def _run_steps(self, workflow: BpmnWorkflow) -> inspect.Snapshot:
        deadline = time.monotonic() + self.settings.step_seconds
        counter = {"tasks": 0}
        last: dict[str, Any] = {}

        def guard(task: Any) -> None:
            counter["tasks"] += 1
            last["task"] = task
            if counter["tasks"] > self.settings.step_max_tasks or time.monotonic() > deadline:
                raise _StepLimitError

        try:
            self._steps(workflow, guard)
        except _StepLimitError:
            element = inspect.element_id(last["task"]) if last else None
            raise ProcessError(
                "the process did not reach a wait state within the step limit (endless loop?)",
                element_id=element,
            ) from None
        except SpiffWorkflowException as err:
            raise _process_error(err) from err
        workflow.get_events()  # drop events nothing caught (a signal nobody waits for) so they don't pile up
        seen = inspect.snapshot(workflow)
        if seen.stuck and workflow.is_completed():  # ended in an event subprocess, not at an End task
            seen = inspect.snapshot(workflow)
        if seen.stuck:
            raise ProcessError("the process reached a dead end: nothing is active and it has not ended")
        return seen

    @staticmethod
    def _steps(workflow: BpmnWorkflow, guard: Callable[[Any], None]) -> None:
        """Engine steps. Before and after them, conditional events whose condition now holds fire,
        and an interrupting event subprocess that started cancels the rest of its scope; the
        steps repeat while either changes something."""
        conditions.reevaluate(workflow)
        event_subprocesses.interrupt(workflow)
        workflow.do_engine_steps(will_complete_task=guard)
        while conditions.reevaluate(workflow) | event_subprocesses.interrupt(workflow):
            workflow.do_engine_steps(will_complete_task=guard)

    def _mirror_and_save(
        self,
        session: Session,
        row: Instance,
        seen: inspect.Snapshot,
        actor: Actor,
        *,
        completed_task_id: str | None,
        is_new: bool = False,
        command_events: Sequence[instance_repo.NewEvent] = (),
        case_values: Mapping[str, Any] | None = None,
        called_before: dict[str, str] | None = None,
        cause: Mapping[str, Any] | None = None,
    ) -> StepResult:
        """`called_before`: the states of the case's called process instances before the command."""
        faults.reach("step.after_run")
        session.info["step"] = True  # for the crash point after the commit (store/database.py)
        now = self.clock.now()
        dues = timers.schedule(seen, now, self.deadlines)  # before the state is written: it stores new dues
        values = {**self._row_values(row, seen, dues, now, is_new=is_new), **(case_values or {})}
        before = (row.phase, row.status)  # for the history entries
        # next_due_at mirrors the earliest pending timer row: a case whose last step left it
        # empty has no pending timers, and most steps can skip reading them.
        may_have_timers = not is_new and row.next_due_at is not None
        if is_new:  # inserted before the mirror; compacted by its next save, after the mirror
            values["state"] = dump_state(seen.workflow)
            for key, value in values.items():
                setattr(row, key, value)
            session.add(row)
        # The command's own changes (e.g. a timer marked fired) and a new instance row go first:
        # the mirror rows below are written as plain statements that see only what was flushed.
        session.flush()
        task_change = waits.sync_tasks(
            session,
            row,
            seen,
            now,
            completed_task_id=completed_task_id,
            actor_id=actor.user_id,
            cause=cause,
            deadlines=self.deadlines,
        )
        failed = incidents.resolve_after_step(
            session, row, [t.id for t in task_change.open], completed_task_id, now
        )
        if failed is not None and not is_new:
            values["failed_steps"] = failed
        waits.sync_subscriptions(session, row, seen, now)
        timer_change = timers.sync(
            session,
            row,
            seen,
            dues,
            now,
            completed_task_ids={task.id for task in task_change.completed},
            may_have_pending=may_have_timers,
        )
        process_change = waits.sync_process_instances(
            session, row, seen, now, before=called_before or {}, is_new=is_new
        )
        events = [*command_events, *_process_events(now, actor, process_change)]
        self._record(session, row, actor, now, task_change, timer_change, values, before, events)
        faults.reach("step.after_mirror")
        if not is_new:
            values["state"] = stored_state(
                seen.workflow
            )  # compacted after the mirror: it reads finished tasks
            instance_repo.save(session, row, values)
        faults.reach("step.after_save")
        if not seen.workflow.completed:
            self._keep_after_commit(session, row, seen.workflow)
        return StepResult(row, task_change, timer_change, seen.workflow)

    def _keep_after_commit(self, session: Session, row: Instance, workflow: CaseWorkflow) -> None:
        instance_id, definition_id, version = row.id, row.definition_id, row.version  # as saved
        database.after_commit(
            session, lambda: self.resident.keep(instance_id, definition_id, version, workflow)
        )

    def _row_values(
        self, row: Instance, seen: inspect.Snapshot, dues: dict[str, Due], now: datetime, *, is_new: bool
    ) -> dict[str, Any]:
        """The instance columns after the step but its state; of those that rarely change, only the
        changed ones (SQLite rewrites an index entry for every indexed column an UPDATE sets)."""
        phase = waits.phase_of(seen, row.phase)
        completed = seen.workflow.completed
        values: dict[str, Any] = {"updated_at": now}
        following = min(dues.values(), key=lambda due: due.due_at, default=None)
        derived = {
            "status": "completed" if completed else "active",
            "phase": phase,
            "current_activities": json.dumps(seen.current_activities),
            "next_due_at": following.due_at if following else None,
            "next_due_date": following.due_date if following else None,
            "next_due_kind": following.kind.value if following else None,
        }
        values |= {k: v for k, v in derived.items() if is_new or getattr(row, k) != v}
        if phase != row.phase:
            values["phase_since"] = now
        if completed:
            values["ended_at"] = now
        return values

    def _record(
        self,
        session: Session,
        row: Instance,
        actor: Actor,
        now: datetime,
        task_change: waits.TaskChange,
        timer_change: timers.TimerChange,
        values: dict[str, Any],
        before: tuple[str | None, str],
        command_events: Sequence[instance_repo.NewEvent],
    ) -> None:
        events = list(command_events)

        def event(kind: str, **kwargs: Any) -> None:
            events.append(instance_repo.NewEvent(now, kind, actor.user_id, **kwargs))

        for task in task_change.created:
            event(
                "task_created",
                element_id=task.element_id,
                task_id=task.id,
                data={"kind": task.kind, **_due_data(task)},
            )
        for task in task_change.cancelled:
            event("task_cancelled", element_id=task.element_id, task_id=task.id)
        for timer in timer_change.scheduled:
            event(
                "timer_scheduled",
                element_id=timer.element_id,
                task_id=timer.task_id,
                data={**_due_data(timer), "purpose": timer.purpose, "deadline": timer.deadline},
            )
        for timer in timer_change.cancelled:
            ending = timer_change.outcomes.get(timer.id)
            data = {"deadline": timer.deadline, "outcome": ending} if ending else {}
            event("timer_cancelled", element_id=timer.element_id, task_id=timer.task_id, data=data)
        phase, status = before
        if values.get("phase", phase) != phase:
            event("phase_changed", data={"from": phase, "to": values["phase"]})
        if values.get("status", status) == "completed" and status != "completed":
            event("instance_completed")
        instance_repo.add_events(session, row, events)


def _process_events(now: datetime, actor: Actor, change: waits.ProcessChange) -> list[instance_repo.NewEvent]:
    """History entries for the called processes a step started and ended."""

    def entry(kind: str, called: inspect.CalledInstance) -> instance_repo.NewEvent:
        data = {
            "process_instance_id": called.id,
            "definition_id": called.definition_id,
            "state": called.state,
        }
        return instance_repo.NewEvent(
            now, kind, actor.user_id, called.super_element_id, called.super_task_id, data
        )

    started = [entry("process_started", c) for c in change.started]
    ended = [entry("process_ended", c) for c in [*change.started, *change.ended] if c.state != "active"]
    return started + ended


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def _due_data(row: Any) -> dict[str, Any]:
    """A due date in the history: the instant it passes, its last day and its kind."""
    return {"due_at": _iso(row.due_at), "due_date": _iso(row.due_date), "due_kind": row.due_kind}


def _process_error(err: SpiffWorkflowException) -> ProcessError:
    task_spec = getattr(err, "task_spec", None)
    element = getattr(task_spec, "bpmn_id", None)
    message = str(err).split("\n")[0]
    cause = getattr(err, "exception", None)
    if cause is not None and str(cause) not in message:
        message = f"{message}: {cause}"
    return ProcessError(message, element_id=element)
