"""Use cases on process instances as Camunda counts them: each case, and each process a call
activity started in one (a child with its own id, definition version and super instance).

Access follows the case: a process instance is visible to whoever may see its case, and every
read is access-logged against the case."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session

from engine import access, audit, instances
from engine.bpmn import inspect
from engine.errors import NotFoundError
from engine.model import Actor, Page, ProcessInstanceFilter, ProcessInstanceInfo
from engine.runner import Runner
from engine.store import process_instances as repo
from engine.store.tables import Instance, ProcessInstance

PROCESS_INSTANCE = "Process instance"


def search(
    session: Session,
    runner: Runner,
    f: ProcessInstanceFilter,
    *,
    actor: Actor,
    purpose: str,
    offset: int = 0,
    limit: int = 100,
) -> Page[ProcessInstanceInfo]:
    rows, total = repo.search(session, access.scoped(f, actor), offset=offset, limit=limit)
    audit.record_each(
        session,
        actor,
        action="search",
        purpose=purpose,
        at=runner.clock.now(),
        instance_ids=list(dict.fromkeys(row.root_id for row, _ in rows)),
    )
    return Page(tuple(_info(row, name) for row, name in rows), total, offset, limit)


def get(
    session: Session,
    runner: Runner,
    process_instance_id: str,
    *,
    actor: Actor,
    purpose: str,
    with_variables: bool = False,
) -> ProcessInstanceInfo:
    """One process instance (a case or a called process); "not found" for one the actor may not see."""
    row, name, case = _visible(session, process_instance_id, actor)
    variables = None
    if with_variables:
        called_id = None if row.id == case.id else row.id
        variables = inspect.process_variables(runner.view(session, case), called_id)
        if variables is None:  # a called process entered before process instances were recorded
            raise NotFoundError(PROCESS_INSTANCE, process_instance_id)
    audit.record(session, actor, action="read", purpose=purpose, at=runner.clock.now(), instance_id=case.id)
    return replace(_info(row, name), variables=variables)


def visible_case(
    session: Session, process_instance_id: str, actor: Actor
) -> tuple[ProcessInstance, Instance]:
    """The process instance and its case, if the actor may see the case (else "not found")."""
    row, _, case = _visible(session, process_instance_id, actor)
    return row, case


def _visible(
    session: Session, process_instance_id: str, actor: Actor
) -> tuple[ProcessInstance, str | None, Instance]:
    found = repo.get(session, process_instance_id, actor.municipality)
    if found is None:
        raise NotFoundError(PROCESS_INSTANCE, process_instance_id)
    try:
        case, _ = instances.visible_case(session, found[0].root_id, actor)
    except NotFoundError:  # the case is hidden from the actor: so is each of its processes
        raise NotFoundError(PROCESS_INSTANCE, process_instance_id) from None
    return found[0], found[1], case


def _info(row: ProcessInstance, definition_name: str | None) -> ProcessInstanceInfo:
    return ProcessInstanceInfo(
        id=row.id,
        case_id=row.root_id,
        super_id=row.super_id,
        super_element_id=row.super_element_id,
        definition_id=row.definition_id,
        definition_name=definition_name,
        process_key=row.process_key,
        business_key=row.business_key,
        municipality=row.municipality,
        state=row.state,
        started_at=row.started_at,
        ended_at=row.ended_at,
    )
