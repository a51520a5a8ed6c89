"""Correlating a message to the case(s) waiting for it, by business key or instance id, or
starting a process at its message start event.

Cases waiting for a message are found through the subscription table (no instance is loaded
to search). A message that matches no waiting case and starts no process, or several when only
one was expected, is refused and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from sqlmodel import Session

from engine import access, audit, definitions, inputs
from engine.bpmn import inspect
from engine.bpmn.events import MessageEventDefinition
from engine.deadlines import DeadlineSettings
from engine.errors import NotCorrelatedError, WrongStateError
from engine.model import Actor
from engine.runner import Runner, StepResult
from engine.store import instances as instance_repo
from engine.store import process_instances as process_repo
from engine.store import tasks as task_repo
from engine.store.tables import Definition

MAX_MESSAGE_NAME = 300


StartByMessage = Callable[[Definition], StepResult]


@dataclass(frozen=True)
class Correlated:
    result: StepResult
    started: bool  # a message start event started this instance


def correlate(
    session: Session,
    runner: Runner,
    message_name: str,
    *,
    actor: Actor,
    deadlines: DeadlineSettings,
    business_key: str | None = None,
    instance_id: str | None = None,
    variables: dict[str, Any] | None = None,
    all_matches: bool = False,
    correlation_keys: Mapping[str, Any] | None = None,
    start: StartByMessage | None = None,
) -> list[Correlated]:
    """`correlation_keys`: process variables the waiting case must hold (Camunda's correlationKeys).

    As in Camunda, waiting cases come first; only when none waits (and no instance id is given)
    does `start` start the newest version of the process whose message start event it is. With
    `all_matches`, every waiting case and every such process get the message."""
    access.require(actor, *access.CASE_WRITERS)
    if not message_name or len(message_name) > MAX_MESSAGE_NAME:
        raise NotCorrelatedError("a message needs a name")
    if instance_id is not None:  # a called process instance: the message goes to its case
        called = process_repo.get(session, instance_id, actor.municipality)
        instance_id = called[0].root_id if called is not None else instance_id
    candidates = _waiting(session, runner, message_name, actor, business_key, instance_id, correlation_keys)
    starters = []
    if start is not None and instance_id is None and (all_matches or not candidates):
        starters = definitions.started_by_message(session, runner.cache, message_name, actor.municipality)
    targets = len(candidates) + len(starters)
    if not targets:
        raise NotCorrelatedError(f"no case is waiting for message '{message_name}'" + _where(business_key))
    if targets > 1 and not all_matches:
        what = "cases wait" if candidates else "processes start"
        raise NotCorrelatedError(f"{targets} {what} for message '{message_name}'" + _where(business_key))
    delivered = [
        Correlated(_deliver(session, runner, found, message_name, variables or {}, actor, deadlines), False)
        for found in sorted(candidates)
    ]
    return delivered + [Correlated(start(d), True) for d in starters if start is not None]


def _waiting(
    session: Session,
    runner: Runner,
    message_name: str,
    actor: Actor,
    business_key: str | None,
    instance_id: str | None,
    correlation_keys: Mapping[str, Any] | None,
) -> list[str]:
    candidates = [
        found
        for found in instance_repo.instances_waiting_for(
            session, message_name, actor.municipality, business_key, instance_id
        )
        if _visible(session, found, actor)
    ]
    if correlation_keys:
        candidates = [
            c for c in candidates if _holds(session, runner, c, actor, message_name, correlation_keys)
        ]
    return candidates


def _holds(
    session: Session,
    runner: Runner,
    instance_id: str,
    actor: Actor,
    message_name: str,
    keys: Mapping[str, Any],
) -> bool:
    row = instance_repo.get(session, instance_id, actor.municipality)
    if row is None:
        return False
    waiting = inspect.waiting_messages(runner.view(session, row))
    return any(
        w.definition.name == message_name and all(w.task.data.get(k) == v for k, v in keys.items())
        for w in waiting
    )


def _deliver(
    session: Session,
    runner: Runner,
    instance_id: str,
    message_name: str,
    variables: dict[str, Any],
    actor: Actor,
    deadlines: DeadlineSettings,
) -> StepResult:
    instance = runner.lock(session, instance_id, actor.municipality)
    workflow = runner.load(session, instance)
    waiting = [w for w in inspect.waiting_messages(workflow) if w.definition.name == message_name]
    if not waiting:
        raise WrongStateError(f"case {instance_id} no longer waits for '{message_name}'")
    catcher = waiting[0]
    definition = catcher.definition
    checked = inputs.prepare(variables, current=catcher.task.data, deadlines=deadlines)

    def deliver(wf: BpmnWorkflow) -> None:
        wf.send_event(BpmnEvent(definition, _payload(definition, checked)))

    now = runner.clock.now()
    correlated = instance_repo.NewEvent(
        now,
        "message_correlated",
        actor.user_id,
        catcher.element_id,
        data={"message": message_name, "variables": checked},
    )
    result = runner.advance(
        session, instance, workflow, actor=actor, command=deliver, command_events=[correlated]
    )
    audit.record(
        session,
        actor,
        action="update",
        purpose=f"message {message_name}",
        at=now,
        instance_id=instance.id,
    )
    return result


def _visible(session: Session, instance_id: str, actor: Actor) -> bool:
    """Cases the actor may not see are treated as if they did not wait (no existence leak)."""
    if access.case_scope(actor) is None:
        return True
    row = instance_repo.get(session, instance_id, actor.municipality)
    if row is None:
        return False
    assignees = {t.assignee for t in task_repo.for_instance(session, row.id) if t.assignee}
    return access.may_see_case(actor, row.team, row.caseworker, assignees)


def _payload(definition: Any, variables: dict[str, Any]) -> dict[str, Any]:
    """Camunda-parsed catch events wrap the payload; plain BPMN receive tasks merge it directly."""
    if isinstance(definition, MessageEventDefinition):
        return {"payload": variables, "result_var": definition.result_var}
    return variables


def _where(business_key: str | None) -> str:
    return f" with business key '{business_key}'" if business_key else ""
