"""Use cases on cases (process instances): start one, open one from an underretning, read, list."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlmodel import Session

from engine import access, audit, contract, facts, info, inputs, task_forms
from engine.bpmn import inspect
from engine.bpmn.compaction import completed_marks
from engine.bpmn.starts import start_form_reference
from engine.bpmn.workflow import CaseWorkflow
from engine.deadlines import DeadlineSettings, format_instant
from engine.definitions import resolve
from engine.errors import (
    CaseNumberInUseError,
    InvalidDefinitionError,
    InvalidVariablesError,
    NotFoundError,
    VariableProblem,
)
from engine.model import Actor, DiagramInfo, InstanceFilter, InstanceInfo, Page
from engine.runner import Runner, StepResult
from engine.store import instances as repo
from engine.store import tasks as task_repo
from engine.store import timers as timer_repo
from engine.store.tables import Instance, Task

MAX_BUSINESS_KEY = 200
EARLIEST_REPORT_YEAR = 1900
REPORTER_TYPES = ("professional", "private", "anonymous", "child", "parent")


@dataclass(frozen=True)
class ReportOfConcern:
    """An underretning as it arrives: the facts that start a case and its first deadlines."""

    received_at: datetime
    reporter_type: str
    child_ref: str
    text: str
    team: str | None = None
    business_key: str | None = None


def start(
    session: Session,
    runner: Runner,
    *,
    actor: Actor,
    deadlines: DeadlineSettings,
    definition_id: str | None = None,
    key: str | None = None,
    business_key: str | None = None,
    variables: dict[str, Any] | None = None,
    team: str | None = None,
    start_message: str | None = None,
    by_form: bool = False,
) -> StepResult:
    """`start_message`: start at the message start event for that message (a correlated message);
    `by_form`: the variables were submitted with the start form, which checks them (submit-form)."""
    access.require(actor, *access.CASE_WRITERS)
    _check_business_key(business_key)
    definition = resolve(session, actor.municipality, definition_id=definition_id, key=key)
    checked = inputs.prepare(variables or {}, current={}, deadlines=deadlines)
    if by_form:
        reference = start_form_reference(runner.cache.get(session, definition.id).spec)
        task_forms.check_submission(session, definition, reference, checked, {})
    result = runner.start(
        session,
        definition,
        actor=actor,
        business_key=business_key,
        variables=checked,
        team=team or _first(actor.teams),
        case_values=facts.on_start(checked),
        start_message=start_message,
    )
    audit.record(
        session,
        actor,
        action="create",
        purpose="start case",
        at=runner.clock.now(),
        instance_id=result.instance.id,
    )
    return result


def open_case(
    session: Session,
    runner: Runner,
    report: ReportOfConcern,
    *,
    actor: Actor,
    deadlines: DeadlineSettings,
    process_key: str,
) -> StepResult:
    """Start the case process from an underretning (barnets lov §§ 132-137)."""
    if report.reporter_type not in REPORTER_TYPES:
        raise InvalidVariablesError(
            [VariableProblem("reporter_type", f"must be one of {', '.join(REPORTER_TYPES)}")]
        )
    if report.received_at > runner.clock.now():
        raise InvalidVariablesError([VariableProblem("received_at", "lies in the future")])
    if report.received_at.year < EARLIEST_REPORT_YEAR:
        raise InvalidVariablesError([VariableProblem("received_at", f"lies before {EARLIEST_REPORT_YEAR}")])
    variables = {  # the start variables of the diagram contract (engine/contract.py)
        contract.RECEIVED: format_instant(report.received_at),
        contract.REPORTER_TYPE: report.reporter_type,
        contract.CHILD_REF: report.child_ref,
        contract.REPORT_TEXT: report.text,
    }
    business_key = report.business_key or _new_case_number(report.received_at)
    _refuse_a_second_open_case(session, actor, process_key, business_key)
    return start(
        session,
        runner,
        actor=actor,
        deadlines=deadlines,
        key=process_key,
        business_key=business_key,
        variables=variables,
        team=report.team,
    )


def _refuse_a_second_open_case(session: Session, actor: Actor, process_key: str, case_number: str) -> None:
    """One open case per case number: a retried or repeated intake must not open a second one."""
    repo.hold_business_key(session, actor.municipality, case_number)
    existing = repo.active_with_business_key(session, actor.municipality, process_key, case_number)
    if existing is not None:
        raise CaseNumberInUseError(case_number, existing)


def get(
    session: Session,
    runner: Runner,
    instance_id: str,
    *,
    actor: Actor,
    purpose: str,
    with_variables: bool = True,
) -> InstanceInfo:
    row, tasks = visible_case(session, instance_id, actor)
    variables = current_variables(runner.view(session, row)) if with_variables else None
    audit.record(session, actor, action="read", purpose=purpose, at=runner.clock.now(), instance_id=row.id)
    return _named(
        session,
        runner,
        row,
        tasks=tuple(info.task_info(t, row) for t in tasks),
        timers=tuple(info.timer_info(t) for t in timer_repo.for_instance(session, row.id)),
        history=tuple(info.event_info(e) for e in repo.events_for(session, row.id)),
        variables=variables,
    )


def search(
    session: Session,
    runner: Runner,
    f: InstanceFilter,
    *,
    actor: Actor,
    purpose: str,
    offset: int = 0,
    limit: int = 50,
) -> Page[InstanceInfo]:
    rows, total = repo.search(session, access.scoped(f, actor), offset=offset, limit=limit)
    audit.record_each(
        session,
        actor,
        action="search",
        purpose=purpose,
        at=runner.clock.now(),
        instance_ids=[r.id for r in rows],
    )
    return Page(tuple(_named(session, runner, r) for r in rows), total, offset, limit)


def _named(session: Session, runner: Runner, row: Instance, **parts: Any) -> InstanceInfo:
    """The case with its process's and current activities' labels from its diagrams (the ids
    stay; a definition that no longer loads leaves the labels out)."""
    found = info.instance_info(row, **parts)
    try:
        loaded = runner.cache.get(session, row.definition_id)
    except (InvalidDefinitionError, NotFoundError):
        return found
    names = loaded.element_names
    current = {a: names[a] for a in found.current_activities if a in names}
    return replace(found, process_name=loaded.name, activity_names=current)


def diagrams(session: Session, runner: Runner, instance_id: str, *, actor: Actor) -> list[DiagramInfo]:
    """The case as diagrams, one per BPMN file it ran in (access is logged).

    The main process comes first, then each called process in the order it started. An embedded
    or event subprocess is drawn inside its parent's file, so its marks join that diagram; a
    process that ran more than once (a call activity in a loop) gets the union of its marks, per
    definition version it ran.
    `completed` holds the elements completed at least once, `active` those where a token stands
    now (an element can be in both).
    """
    row, _ = visible_case(session, instance_id, actor)
    workflow = runner.view(session, row)
    by_file: dict[tuple[str, str], DiagramInfo] = {}  # (definition, file): two versions are two diagrams
    for definition_id, spec, completed, active in _marks(session, runner, workflow):
        xml = runner.cache.get(session, definition_id).xml_of(spec)
        if xml is None:
            continue
        key = (definition_id, spec.file)
        seen = by_file.get(key) or DiagramInfo(spec.name, spec.description, xml.decode("utf-8"), (), ())
        by_file[key] = replace(
            seen, completed=_merge(seen.completed, completed), active=_merge(seen.active, active)
        )
    now = runner.clock.now()
    audit.record(session, actor, action="read", purpose="case diagram", at=now, instance_id=row.id)
    return list(by_file.values())


def _marks(
    session: Session, runner: Runner, workflow: CaseWorkflow
) -> Iterator[tuple[str, Any, list[str], list[str]]]:
    """(definition id, spec, completed, active) of the main process, then of each process that ran
    in the case: first those compaction removed (their completed marks are kept), then the live ones."""
    removed = completed_marks(workflow)
    main = (workflow.definition_id, workflow.spec.name)
    completed, active = inspect.element_marks(workflow)
    yield workflow.definition_id, workflow.spec, [*removed.get(main, ()), *completed], active
    for (definition_id, name), ids in removed.items():
        if (definition_id, name) == main or not definition_id:
            continue
        loaded = runner.cache.get(session, definition_id)
        spec = loaded.spec if loaded.spec.name == name else loaded.subprocess_specs.get(name)
        if spec is not None:
            yield definition_id, spec, ids, []
    for process in workflow.subprocesses.values():  # parents are created before children
        yield process.definition_id, process.spec, *inspect.element_marks(process)


def _merge(first: tuple[str, ...], second: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*first, *second]))


def visible_case(session: Session, instance_id: str, actor: Actor) -> tuple[Instance, list[Task]]:
    """The case and its tasks, if the actor may see it; otherwise "not found" (never "forbidden")."""
    row = repo.get(session, instance_id, actor.municipality)
    if row is None:
        raise NotFoundError("case", instance_id)
    tasks = task_repo.for_instance(session, row.id)
    if not access.may_see_case(actor, row.team, row.caseworker, {t.assignee for t in tasks if t.assignee}):
        raise NotFoundError("case", instance_id)
    return row, tasks


def current_variables(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The variables as the case sees them now: the data of its most advanced active task."""
    active = workflow.get_tasks(state=inspect.ACTIVE)
    source = active[-1] if active else (workflow.last_task or workflow.task_tree)
    return {k: v for k, v in source.data.items() if not k.startswith("_") and k != "data_objects"}


def _check_business_key(key: str | None) -> None:
    if key is None:
        return
    if not key.strip() or len(key) > MAX_BUSINESS_KEY or "\x00" in key:
        raise InvalidVariablesError(
            [VariableProblem("businessKey", f"must be 1-{MAX_BUSINESS_KEY} printable characters")]
        )


def _new_case_number(received_at: datetime) -> str:
    return f"S-{received_at.year}-{secrets.token_hex(4).upper()}"


def _first(values: frozenset[str]) -> str | None:
    return sorted(values)[0] if values else None
