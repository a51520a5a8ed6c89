"""`Engine`: the one object the API (and the CLI and scheduler) talks to.

Each method is one use case: it opens a transaction, calls the use-case module, and returns
plain `engine.model` values. Transactions are opened here and nowhere else.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from engine import (
    access,
    case_variables,
    corrections,
    decisions,
    definitions,
    external_tasks,
    faults,
    idempotency,
    incidents,
    instances,
    jobs,
    messages,
    migration,
    monitoring,
    process_instances,
    reports,
    sessions,
    task_forms,
    tasks,
    tick,
)
from engine.clock import Clock
from engine.config import EngineSettings
from engine.contract import ContractSettings
from engine.deadlines import DEFAULT_SETTINGS, DeadlineSettings
from engine.definitions import DefinitionCache, DeployRequest
from engine.errors import ConcurrentUpdateError, EngineError, InstructionFailure, SignInRefusedError
from engine.idempotency import Answer, IdempotentRequest
from engine.info import instance_info, task_info
from engine.instances import ReportOfConcern
from engine.model import (
    ActivityInstanceInfo,
    Actor,
    AssertionUse,
    DefinitionFilter,
    DefinitionInfo,
    DeploymentInfo,
    DiagramInfo,
    ExternalTaskInfo,
    FetchRequest,
    FormContent,
    FormInfo,
    IncidentInfo,
    InstanceFilter,
    InstanceInfo,
    InstanceMigration,
    JobInfo,
    MigrationPlan,
    MigrationReport,
    MigrationSelection,
    Page,
    ProcessInstanceFilter,
    ProcessInstanceInfo,
    SignInAttemptInfo,
    TaskFilter,
    TaskInfo,
    WebSessionInfo,
)
from engine.monitoring import IncidentFilter, JobFilter
from engine.runner import Runner, StepResult
from engine.store import definitions as definition_repo
from engine.store.database import Store
from engine.store.tables import Definition

BOOT_DEPLOYMENT_SOURCE = "sagsflow"
_T = TypeVar("_T")


class Engine:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        settings: EngineSettings,
        deadlines: DeadlineSettings = DEFAULT_SETTINGS,
    ) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings
        self.deadlines = deadlines
        self.cache = DefinitionCache()
        self.runner = Runner(self.cache, clock, settings, deadlines)
        self.contract = ContractSettings(settings.case_process_key, settings.groups)

    # --- definitions -------------------------------------------------------------------

    def deploy(self, request: DeployRequest, *, actor: Actor) -> DeploymentInfo:
        access.require(actor, *access.DEPLOYERS)
        try:
            with self.store.write() as session:
                return definitions.deploy(
                    session,
                    request,
                    actor=actor,
                    now=self.clock.now(),
                    contract=self.contract,
                    operator=self.settings.operator_municipality,
                )
        except IntegrityError:
            raise ConcurrentUpdateError(request.name, kind="deployment") from None

    def deploy_directory(self, directory: Path, *, actor: Actor) -> DeploymentInfo | None:
        """Deploy workflows/*.bpmn and *.dmn at start-up (a no-op when nothing changed)."""
        files = sorted(p for p in directory.glob("*") if p.suffix in (".bpmn", ".dmn"))
        if not files:
            return None
        request = DeployRequest(
            resources=[(p.name, p.read_bytes()) for p in files],
            name=directory.name,
            source=BOOT_DEPLOYMENT_SOURCE,
            duplicate_filtering=True,
            shared=True,
        )
        return self.deploy(request, actor=actor)

    def list_definitions(
        self,
        *,
        actor: Actor,
        key: str | None = None,
        latest_only: bool = False,
        offset: int = 0,
        limit: int = 100,
        where: DefinitionFilter | None = None,
    ) -> Page[DefinitionInfo]:
        """Process definitions of the actor's municipality and the shared ones."""
        with self.store.read() as session:
            rows, total = definition_repo.list_definitions(
                session,
                key=key,
                latest_only=latest_only,
                offset=offset,
                limit=limit,
                visible_to=actor.municipality,
                where=where,
            )
            return Page(tuple(definitions.definition_info(r) for r in rows), total, offset, limit)

    def get_definition(self, definition_id: str, *, actor: Actor) -> DefinitionInfo:
        with self.store.read() as session:
            row = definitions.resolve(session, actor.municipality, definition_id=definition_id)
            return definitions.definition_info(row)

    def latest_definition(self, key: str, *, actor: Actor) -> DefinitionInfo:
        with self.store.read() as session:
            return definitions.definition_info(definitions.resolve(session, actor.municipality, key=key))

    def definition_xml(self, definition_id: str, *, actor: Actor) -> bytes:
        with self.store.read() as session:
            row = definitions.resolve(session, actor.municipality, definition_id=definition_id)
            return _deployed_file(session, row)

    # --- decisions ---------------------------------------------------------------------

    def list_decisions(
        self, f: DefinitionFilter, *, actor: Actor, offset: int = 0, limit: int = 100
    ) -> Page[DefinitionInfo]:
        with self.store.read() as session:
            rows, total = definition_repo.list_definitions(
                session, kind="decision", where=f, offset=offset, limit=limit, visible_to=actor.municipality
            )
            return Page(tuple(definitions.definition_info(r) for r in rows), total, offset, limit)

    def get_decision(
        self, *, actor: Actor, definition_id: str | None = None, key: str | None = None
    ) -> DefinitionInfo:
        """A decision definition by id, or the newest version of `key`."""
        with self.store.read() as session:
            row = decisions.find(session, actor.municipality, definition_id=definition_id, key=key)
            return definitions.definition_info(row)

    def decision_xml(self, definition_id: str, *, actor: Actor) -> bytes:
        """The DMN file the decision definition version was deployed from."""
        with self.store.read() as session:
            row = decisions.find(session, actor.municipality, definition_id=definition_id)
            return _deployed_file(session, row)

    def evaluate_decision(
        self,
        variables: dict[str, Any],
        *,
        actor: Actor,
        definition_id: str | None = None,
        key: str | None = None,
    ) -> decisions.DecisionResult:
        """Evaluate a decision definition (by id, or the newest version of `key`) on its own."""
        with self.store.read() as session:
            row = decisions.find(session, actor.municipality, definition_id=definition_id, key=key)
            return decisions.evaluate_decision(session, self.cache, row, variables, actor=actor)

    # --- cases -------------------------------------------------------------------------

    def start_instance(
        self,
        *,
        actor: Actor,
        definition_id: str | None = None,
        key: str | None = None,
        business_key: str | None = None,
        variables: dict[str, Any] | None = None,
        by_form: bool = False,
    ) -> InstanceInfo:
        """`by_form`: the variables come from the start form (Camunda's submit-form) and are checked
        against it when it is a Camunda Form."""
        with self.store.write() as session:
            result = instances.start(
                session,
                self.runner,
                actor=actor,
                deadlines=self.deadlines,
                definition_id=definition_id,
                key=key,
                business_key=business_key,
                variables=variables,
                by_form=by_form,
            )
            return _summary(result)

    def start_form(
        self, *, actor: Actor, definition_id: str | None = None, key: str | None = None
    ) -> FormInfo:
        return self._read_start(task_forms.start_form, actor, definition_id, key)

    def start_form_file(
        self, *, actor: Actor, definition_id: str | None = None, key: str | None = None
    ) -> FormContent:
        return self._read_start(task_forms.start_form_file, actor, definition_id, key)

    def _read_start(
        self,
        read: Callable[[Session, Runner, Definition], _T],
        actor: Actor,
        definition_id: str | None,
        key: str | None,
    ) -> _T:
        """`read` on the definition (by id, or the newest version of `key`) a start form comes from."""
        access.require(actor, *access.DEFINITION_READERS)
        with self.store.read() as session:
            definition = definitions.resolve(
                session, actor.municipality, definition_id=definition_id, key=key
            )
            return read(session, self.runner, definition)

    def open_case(self, report: ReportOfConcern, *, actor: Actor) -> InstanceInfo:
        with self.store.write() as session:
            return self._open_case(session, report, actor)

    def open_case_once(
        self,
        report: ReportOfConcern,
        *,
        actor: Actor,
        request: IdempotentRequest,
        render: Callable[[InstanceInfo], str],
    ) -> Answer:
        """`open_case` for a request with an idempotency key: the answer as `render` wrote it the
        first time, kept with the key (engine/idempotency.py)."""

        def run(session: Session) -> tuple[str, list[str]]:
            summary = self._open_case(session, report, actor)
            return render(summary), [summary.id]

        return self._once(actor, request, run)

    def _open_case(self, session: Session, report: ReportOfConcern, actor: Actor) -> InstanceInfo:
        result = instances.open_case(
            session,
            self.runner,
            report,
            actor=actor,
            deadlines=self.deadlines,
            process_key=self.settings.case_process_key,
        )
        return _summary(result)

    @contextmanager
    def _step(self, command: str, *, passing: tuple[type[Exception], ...] = ()) -> Iterator[Session]:
        """The transaction of a command that advances a case. If it fails for an internal reason
        (anything but an `EngineError` or `passing`), it rolls back and becomes `StepFailedError`,
        with an incident on the case it had locked (engine/incidents.py)."""
        with incidents.step_scope() as scope:
            try:
                with self.store.write() as session:
                    yield session
            except Exception as err:
                if isinstance(err, (EngineError, *passing)):
                    raise
                raise incidents.failed(self.store, self.clock, scope, command, err) from None

    def _once(
        self, actor: Actor, request: IdempotentRequest, run: Callable[[Session], tuple[str, list[str]]]
    ) -> Answer:
        for attempt in range(2):
            try:
                with self._step(request.operation, passing=(IntegrityError,)) as session:
                    now = self.clock.now()
                    found = idempotency.kept(session, actor, request, now)
                    if found is not None:
                        return found
                    row = idempotency.claim(session, actor, request, now)
                    text, cases = run(session)
                    return idempotency.keep(session, row, text, cases)
            except IntegrityError:  # the same key claimed concurrently: answer from the first
                if attempt:
                    raise ConcurrentUpdateError(request.key, kind="request") from None
        raise AssertionError("unreachable")

    def get_case(self, instance_id: str, *, actor: Actor, purpose: str = "case view") -> InstanceInfo:
        with self.store.write() as session:  # the access-log row commits with the read
            return instances.get(session, self.runner, instance_id, actor=actor, purpose=purpose)

    def case_diagrams(self, instance_id: str, *, actor: Actor) -> list[DiagramInfo]:
        with self.store.write() as session:  # the access-log row commits with the read
            return instances.diagrams(session, self.runner, instance_id, actor=actor)

    def list_cases(
        self,
        f: InstanceFilter,
        *,
        actor: Actor,
        offset: int = 0,
        limit: int = 50,
        purpose: str = "case list",
    ) -> Page[InstanceInfo]:
        with self.store.write() as session:
            return instances.search(
                session, self.runner, f, actor=actor, purpose=purpose, offset=offset, limit=limit
            )

    # --- process instances (cases and the processes their call activities started) ---------

    def list_process_instances(
        self,
        f: ProcessInstanceFilter,
        *,
        actor: Actor,
        offset: int = 0,
        limit: int = 100,
        purpose: str = "process-instance list",
    ) -> Page[ProcessInstanceInfo]:
        with self.store.write() as session:  # the access-log rows commit with the read
            return process_instances.search(
                session, self.runner, f, actor=actor, purpose=purpose, offset=offset, limit=limit
            )

    def get_process_instance(
        self, process_instance_id: str, *, actor: Actor, purpose: str, with_variables: bool = False
    ) -> ProcessInstanceInfo:
        with self.store.write() as session:
            return process_instances.get(
                session,
                self.runner,
                process_instance_id,
                actor=actor,
                purpose=purpose,
                with_variables=with_variables,
            )

    def change_variables(
        self,
        instance_id: str,
        *,
        modifications: dict[str, Any],
        deletions: list[str],
        actor: Actor,
    ) -> InstanceInfo:
        """Set or delete variables of a running case (waiting conditional events are evaluated again)."""
        with self.store.write() as session:
            result = case_variables.change(
                session,
                self.runner,
                instance_id,
                modifications=modifications,
                deletions=deletions,
                actor=actor,
                deadlines=self.deadlines,
            )
            return _summary(result)

    # --- tasks -------------------------------------------------------------------------

    def list_tasks(self, f: TaskFilter, *, actor: Actor, offset: int = 0, limit: int = 50) -> Page[TaskInfo]:
        with self.store.write() as session:
            return tasks.search(session, self.runner, f, actor=actor, offset=offset, limit=limit)

    def get_task(self, task_id: str, *, actor: Actor) -> TaskInfo:
        with self.store.write() as session:
            return tasks.get(session, self.runner, task_id, actor=actor)

    def task_form(self, task_id: str, *, actor: Actor) -> FormInfo:
        with self.store.write() as session:  # the access-log row commits with the read
            return task_forms.task_form(session, self.runner, task_id, actor=actor)

    def task_form_file(self, task_id: str, *, actor: Actor) -> FormContent | None:
        with self.store.write() as session:
            return task_forms.task_form_file(session, self.runner, task_id, actor=actor)

    def claim_task(self, task_id: str, *, actor: Actor, user_id: str | None = None) -> TaskInfo:
        with self.store.write() as session:
            return tasks.claim(session, self.runner, task_id, actor=actor, user_id=user_id)

    def unclaim_task(self, task_id: str, *, actor: Actor) -> TaskInfo:
        with self.store.write() as session:
            return tasks.unclaim(session, self.runner, task_id, actor=actor)

    def complete_task(
        self, task_id: str, variables: dict[str, Any], *, actor: Actor, with_variables: bool = False
    ) -> InstanceInfo:
        """`with_variables`: include the case's variables after the step (Camunda's withVariablesInReturn)."""
        with self._step("complete task") as session:
            result = tasks.complete(
                session, self.runner, task_id, variables, actor=actor, deadlines=self.deadlines
            )
            summary = _summary(result)
            if not with_variables:
                return summary
            current = instances.current_variables(result.workflow)
            return dataclasses.replace(summary, variables=current)

    def throw_from_task(
        self,
        task_id: str,
        *,
        kind: str,
        code: str,
        message: str | None = None,
        variables: dict[str, Any] | None = None,
        actor: Actor,
    ) -> InstanceInfo:
        """A user task throws a BPMN error or escalation (`kind` "error" or "escalation")."""
        with self._step("throw from task") as session:
            result = tasks.throw(
                session,
                self.runner,
                task_id,
                kind=kind,
                code=code,
                message=message,
                variables=variables or {},
                actor=actor,
                deadlines=self.deadlines,
            )
            return _summary(result)

    # --- messages and timers -----------------------------------------------------------

    def correlate(
        self,
        message_name: str,
        *,
        actor: Actor,
        business_key: str | None = None,
        instance_id: str | None = None,
        variables: dict[str, Any] | None = None,
        all_matches: bool = False,
        correlation_keys: dict[str, Any] | None = None,
    ) -> list[InstanceInfo]:
        with self._step("correlate message") as session:
            return self._correlate(
                session,
                message_name,
                actor=actor,
                business_key=business_key,
                instance_id=instance_id,
                variables=variables,
                all_matches=all_matches,
                correlation_keys=correlation_keys,
            )

    def correlate_once(
        self,
        message_name: str,
        *,
        actor: Actor,
        request: IdempotentRequest,
        render: Callable[[list[InstanceInfo]], str],
        business_key: str | None = None,
        instance_id: str | None = None,
        variables: dict[str, Any] | None = None,
        all_matches: bool = False,
    ) -> Answer:
        """`correlate` for a request with an idempotency key (see `open_case_once`)."""

        def run(session: Session) -> tuple[str, list[str]]:
            found = self._correlate(
                session,
                message_name,
                actor=actor,
                business_key=business_key,
                instance_id=instance_id,
                variables=variables,
                all_matches=all_matches,
            )
            return render(found), [c.id for c in found]

        return self._once(actor, request, run)

    def _correlate(
        self,
        session: Session,
        message_name: str,
        *,
        actor: Actor,
        business_key: str | None,
        instance_id: str | None,
        variables: dict[str, Any] | None,
        all_matches: bool,
        correlation_keys: dict[str, Any] | None = None,
    ) -> list[InstanceInfo]:
        def start(definition: Definition) -> StepResult:
            return instances.start(
                session,
                self.runner,
                actor=actor,
                deadlines=self.deadlines,
                definition_id=definition.id,
                business_key=business_key,
                variables=variables,
                start_message=message_name,
            )

        results = messages.correlate(
            session,
            self.runner,
            message_name,
            actor=actor,
            deadlines=self.deadlines,
            business_key=business_key,
            instance_id=instance_id,
            variables=variables,
            all_matches=all_matches,
            correlation_keys=correlation_keys,
            start=start,
        )
        return [dataclasses.replace(_summary(r.result), started_by_message=r.started) for r in results]

    # --- reports -----------------------------------------------------------------------------

    def report_overview(
        self,
        *,
        actor: Actor,
        team: str | None = None,
        caseworker: str | None = None,
        period: tuple[datetime | None, datetime | None] = (None, None),
    ) -> reports.Overview:
        with self.store.write() as session:
            return reports.overview(
                session, self.clock, actor=actor, team=team, caseworker=caseworker, period=period
            )

    def report_standings(
        self,
        *,
        actor: Actor,
        phase: str | None = None,
        team: str | None = None,
        caseworker: str | None = None,
        offset: int = 0,
        limit: int = 100,
    ) -> tuple[list[reports.CaseStanding], int]:
        with self.store.write() as session:
            return reports.standings(
                session,
                self.clock,
                actor=actor,
                phase=phase,
                team=team,
                caseworker=caseworker,
                offset=offset,
                limit=limit,
            )

    def report_workload(
        self, *, actor: Actor, team: str | None = None, days: int = 7
    ) -> list[reports.Holder]:
        with self.store.write() as session:
            return reports.workload(session, self.clock, actor=actor, team=team, days=days)

    def report_deadlines(
        self,
        *,
        actor: Actor,
        days: int,
        team: str | None = None,
        caseworker: str | None = None,
        period: tuple[datetime | None, datetime | None] = (None, None),
    ) -> tuple[list[reports.DeadlineRow], list[reports.DeadlineRow]]:
        with self.store.write() as session:
            return reports.deadlines(
                session, self.clock, actor=actor, days=days, team=team, caseworker=caseworker, period=period
            )

    def fire_due_timers(self) -> tick.TickResult:
        return tick.fire_due(self.store, self.runner, self.settings)

    def seconds_until_next_timer(self) -> float | None:
        return tick.seconds_until_next(self.store, self.runner)

    def correct_legacy_deadlines(self, *, dry_run: bool = False) -> list[corrections.CaseCorrection]:
        """Give deadlines stored before due dates had a last day their meaning (engine/corrections.py)."""
        return corrections.correct_all(self.store, self.runner, self.clock, dry_run=dry_run)

    def maintain(self) -> None:
        """Housekeeping the scheduler runs hourly: fresh planner statistics, expired sessions, old
        kept answers (idempotency keys)."""
        self.store.analyze()
        with self.store.write() as session:
            sessions.prune(session, self.clock.now())
            idempotency.prune(session, self.clock.now())

    # --- migrating running cases to another version ----------------------------------------

    def generate_migration(
        self, source_id: str, target_id: str, *, actor: Actor, update_event_triggers: bool = False
    ) -> MigrationPlan:
        with self.store.read() as session:
            return migration.generate(
                session,
                self.cache,
                source_id,
                target_id,
                actor=actor,
                update_event_triggers=update_event_triggers,
            )

    def definition_version(self, reference: str, *, actor: Actor) -> DefinitionInfo:
        """A process definition by id, or by `key:version` (the municipality's own version, else the
        shared one of that number)."""
        with self.store.read() as session:
            return definitions.definition_info(
                definitions.by_reference(session, reference, actor.municipality)
            )

    def check_migration_plan(self, plan: MigrationPlan, *, actor: Actor) -> list[InstructionFailure]:
        """What in the plan can never be applied, whatever state a case is in."""
        with self.store.read() as session:
            return migration.check_plan(session, self.cache, plan, actor=actor)

    def migrate(
        self,
        plan: MigrationPlan,
        selection: MigrationSelection,
        *,
        actor: Actor,
        dry_run: bool = False,
        batch_size: int = 100,
        progress: Callable[[int], None] | None = None,
    ) -> MigrationReport:
        """Migrate (or with `dry_run` only validate) the selected process instances, case by case,
        each case in its own transaction; `batch_size` cases between progress reports."""
        started = time.perf_counter()
        with self.store.read() as session:
            prepared = migration.prepare(session, self.cache, plan, actor=actor)
            cases, outcomes = migration.select(session, prepared, selection, actor=actor)
        for number, (case_id, selected) in enumerate(cases.items(), start=1):
            outcomes += self._migrate_case(prepared, case_id, selected, actor=actor, dry_run=dry_run)
            time.sleep(0)  # let a step waiting for the write lock in before the next case takes it
            if progress is not None and (number % batch_size == 0 or number == len(cases)):
                progress(number)
        return MigrationReport(tuple(outcomes), time.perf_counter() - started)

    def _migrate_case(
        self, prepared: migration.Prepared, case_id: str, selected: list[str], *, actor: Actor, dry_run: bool
    ) -> list[InstanceMigration]:
        if dry_run:
            with self.store.write() as session:  # the access-log row commits with the read
                return migration.validate_case(session, self.runner, prepared, case_id, selected, actor=actor)
        for attempt in range(2):
            try:
                with self.store.write() as session:
                    done = migration.migrate_case(
                        session, self.runner, prepared, case_id, selected, actor=actor
                    )
                faults.reach("migration.after_case")
                return done
            except ConcurrentUpdateError:  # a step on the case in another worker: once more, fresh
                if attempt:
                    raise
        raise AssertionError("unreachable")

    # --- sign-in to the pages ----------------------------------------------------------

    def start_sign_in(self, secret: str, attempt: SignInAttemptInfo, *, lifetime: timedelta) -> None:
        with self.store.write() as session:
            sessions.start_attempt(session, secret, attempt, now=self.clock.now(), lifetime=lifetime)

    def take_sign_in(self, secret: str) -> SignInAttemptInfo | None:
        """The attempt the browser's cookie names, forgotten at once (None: unknown or expired)."""
        with self.store.write() as session:
            return sessions.take_attempt(session, secret, now=self.clock.now())

    def open_session(
        self,
        secret: str,
        actor: Actor,
        *,
        provider: str,
        subject: str,
        lifetime: timedelta,
        provider_session: str | None = None,
        assertion: AssertionUse | None = None,
    ) -> WebSessionInfo:
        """Sign in: the session, the assertion's one use and the access-log row in one transaction."""
        try:
            with self.store.write() as session:
                return sessions.open_session(
                    session,
                    secret,
                    actor,
                    provider=provider,
                    subject=subject,
                    provider_session=provider_session,
                    now=self.clock.now(),
                    lifetime=lifetime,
                    assertion=assertion,
                )
        except IntegrityError:  # the same assertion in another worker at the same moment
            raise SignInRefusedError("the assertion was used before") from None

    def refuse_sign_in(self, actor: Actor, *, provider: str, reason: str) -> None:
        with self.store.write() as session:
            sessions.record_refusal(session, actor, provider=provider, reason=reason, now=self.clock.now())

    def web_session(self, secret: str, *, idle: timedelta) -> WebSessionInfo | None:
        """The live session of a cookie's secret; its last activity is kept (at most once a minute)."""
        now = self.clock.now()
        with self.store.read() as session:
            found = sessions.current(session, secret, now=now, idle=idle)
        if found is not None and sessions.needs_touch(found, now):
            with self.store.write() as session:
                sessions.touch(session, secret, now=now)
        return found

    def end_session(self, secret: str, *, actor: Actor, reason: str = "sign-out") -> WebSessionInfo | None:
        with self.store.write() as session:
            return sessions.end(session, secret, actor, now=self.clock.now(), reason=reason)

    def end_provider_sessions(
        self, provider: str, subject: str, *, actor: Actor, provider_session: str | None = None
    ) -> int:
        with self.store.write() as session:
            return sessions.end_all(
                session, provider, subject, actor, now=self.clock.now(), provider_session=provider_session
            )

    # --- external tasks (workers) ------------------------------------------------------

    def fetch_and_lock(self, request: FetchRequest, *, actor: Actor) -> list[ExternalTaskInfo]:
        """One attempt in one short transaction; see `fetch_and_lock_waiting` for long polling."""
        with self.store.write() as session:
            return external_tasks.fetch_and_lock(
                session, self.runner, request, actor=actor, postgres=not self.store.is_sqlite
            )

    async def fetch_and_lock_waiting(
        self,
        request: FetchRequest,
        *,
        actor: Actor,
        timeout_ms: int,
        stop: Callable[[], Awaitable[bool]] | None = None,
    ) -> list[ExternalTaskInfo]:
        """Fetch and lock, waiting up to `timeout_ms` for a task to appear (Camunda long polling)."""
        access.require(actor, *external_tasks.WORKERS)
        external_tasks.check_fetch(request, timeout_ms=timeout_ms)

        def available() -> bool:
            with self.store.read() as session:
                return external_tasks.any_fetchable(session, self.runner, request, actor=actor)

        return await external_tasks.long_poll(
            lambda: self.fetch_and_lock(request, actor=actor), available, timeout_ms / 1000, stop=stop
        )

    def complete_external_task(
        self,
        task_id: str,
        *,
        worker_id: str,
        variables: dict[str, Any],
        local_variables: dict[str, Any],
        actor: Actor,
    ) -> InstanceInfo:
        with self._step("complete external task") as session:
            result = external_tasks.complete(
                session,
                self.runner,
                task_id,
                worker_id=worker_id,
                variables=variables,
                local_variables=local_variables,
                actor=actor,
                deadlines=self.deadlines,
            )
            return _summary(result)

    def fail_external_task(
        self,
        task_id: str,
        *,
        worker_id: str,
        error_message: str | None,
        error_details: str | None,
        retries: int,
        retry_timeout_ms: int,
        actor: Actor,
    ) -> None:
        with self.store.write() as session:
            external_tasks.fail(
                session,
                self.runner,
                task_id,
                worker_id=worker_id,
                error_message=error_message,
                error_details=error_details,
                retries=retries,
                retry_timeout_ms=retry_timeout_ms,
                actor=actor,
            )

    def throw_bpmn_error(
        self,
        task_id: str,
        *,
        worker_id: str,
        error_code: str,
        error_message: str | None,
        variables: dict[str, Any],
        actor: Actor,
    ) -> InstanceInfo:
        with self._step("throw BPMN error") as session:
            result = external_tasks.bpmn_error(
                session,
                self.runner,
                task_id,
                worker_id=worker_id,
                error_code=error_code,
                error_message=error_message,
                variables=variables,
                actor=actor,
                deadlines=self.deadlines,
            )
            return _summary(result)

    def extend_external_task_lock(
        self, task_id: str, *, worker_id: str, duration_ms: int, actor: Actor
    ) -> None:
        with self.store.write() as session:
            external_tasks.extend_lock(
                session, self.runner, task_id, worker_id=worker_id, duration_ms=duration_ms, actor=actor
            )

    def lock_external_task(self, task_id: str, *, worker_id: str, duration_ms: int, actor: Actor) -> None:
        with self.store.write() as session:
            external_tasks.lock(
                session, self.runner, task_id, worker_id=worker_id, duration_ms=duration_ms, actor=actor
            )

    def unlock_external_task(self, task_id: str, *, actor: Actor) -> None:
        with self.store.write() as session:
            external_tasks.unlock(session, self.runner, task_id, actor=actor)

    def set_external_task_retries(self, task_id: str, *, retries: int, actor: Actor) -> None:
        with self.store.write() as session:
            external_tasks.set_retries(session, self.runner, task_id, retries=retries, actor=actor)

    def get_external_task(self, task_id: str, *, actor: Actor) -> ExternalTaskInfo:
        with self.store.write() as session:  # the access-log row commits with the read
            return external_tasks.get(session, self.runner, task_id, actor=actor)

    # --- operations views ----------------------------------------------------------------

    def list_deployments(self, *, actor: Actor, offset: int = 0, limit: int = 100) -> Page[DeploymentInfo]:
        access.require(actor, *access.DEFINITION_READERS)
        with self.store.read() as session:
            rows, total = definitions.list_deployments(
                session, municipality=actor.municipality, offset=offset, limit=limit
            )
            return Page(tuple(rows), total, offset, limit)

    def list_incidents(
        self, f: IncidentFilter, *, actor: Actor, offset: int = 0, limit: int = 100
    ) -> list[IncidentInfo]:
        with self.store.write() as session:
            return monitoring.incidents(session, self.runner, f, actor=actor, offset=offset, limit=limit)

    def list_jobs(self, f: JobFilter, *, actor: Actor, offset: int = 0, limit: int = 100) -> list[JobInfo]:
        with self.store.write() as session:
            return monitoring.jobs(
                session,
                self.runner,
                f,
                actor=actor,
                max_attempts=self.settings.timer_max_attempts,
                offset=offset,
                limit=limit,
            )

    def execute_job(self, job_id: str, *, actor: Actor) -> None:
        with self._step("execute job") as session:
            jobs.execute(session, self.runner, job_id, actor=actor)

    def set_job_due_date(self, job_id: str, due: datetime, *, actor: Actor) -> None:
        with self.store.write() as session:
            jobs.set_due_date(session, self.runner, job_id, due, actor=actor)

    def set_job_retries(self, job_id: str, retries: int, *, actor: Actor) -> None:
        with self.store.write() as session:
            jobs.set_retries(session, self.runner, job_id, retries, actor=actor)

    def activity_instances(self, instance_id: str, *, actor: Actor) -> ActivityInstanceInfo:
        with self.store.write() as session:
            return monitoring.activity_instances(session, self.runner, instance_id, actor=actor)


def _deployed_file(session: Session, row: Definition) -> bytes:
    """The file (BPMN or DMN) the definition version was deployed from; empty if it is gone."""
    resource = definition_repo.resource_by_name(session, row.deployment_id, row.resource_name)
    return resource.content if resource else b""


def _summary(result: StepResult) -> InstanceInfo:
    row = result.instance
    return instance_info(row, tasks=tuple(task_info(t, row) for t in result.tasks.open))


__all__: Sequence[str] = ("Engine",)
