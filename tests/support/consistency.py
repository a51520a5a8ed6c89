"""Is a case whole? Its mirror rows (open tasks, pending timers, subscriptions, current activities)
must say exactly what its saved workflow state says: a half-written step would break that."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import col, select

from engine.bpmn import inspect
from engine.service import Engine
from engine.store.tables import AccessLog, Event, Instance, ProcessInstance, Subscription, Task, Timer


def problems(engine: Engine, instance_id: str) -> list[str]:
    """What disagrees between the case's state and its mirror rows (empty: the case is whole)."""
    with engine.store.read() as session:
        row = session.get(Instance, instance_id)
        assert row is not None, instance_id
        seen = inspect.snapshot(engine.runner.load(session, row))
        tasks = session.exec(select(Task).where(Task.instance_id == instance_id, Task.state == "open")).all()
        timers = session.exec(
            select(Timer).where(Timer.instance_id == instance_id, Timer.status == "pending")
        ).all()
        subscriptions = session.exec(
            select(Subscription).where(Subscription.instance_id == instance_id)
        ).all()
        processes = session.exec(select(ProcessInstance).where(ProcessInstance.root_id == instance_id)).all()
    found = []
    called = {i: c.state for i, c in inspect.called_instances(seen.workflow).items()}
    mirrored = {p.id: p.state for p in processes if p.id != instance_id}
    if {i: s for i, s in mirrored.items() if s == "active"} != {
        i: s for i, s in called.items() if s == "active"
    }:
        found.append(f"active called process rows {sorted(mirrored)} but the state has {sorted(called)}")
    root = [p.state for p in processes if p.id == instance_id]
    if root != ["completed" if seen.workflow.completed else "active"]:
        found.append(f"the case's process instance row is {root}")
    live = {
        (str(t.id), inspect.element_id(t) or t.task_spec.name)
        for t in seen.ready_user_tasks + seen.external_tasks
    }
    if {(t.id, t.element_id) for t in tasks} != live:
        found.append(
            f"open task rows {sorted((t.id, t.element_id) for t in tasks)} but the state has {sorted(live)}"
        )
    waiting = {(str(w.task.id), inspect.element_id(w.task) or "") for w in seen.timers}
    if {(t.task_id, t.element_id) for t in timers} != waiting:
        found.append(
            f"pending timers {sorted((t.task_id, t.element_id) for t in timers)} but the state waits on {sorted(waiting)}"
        )
    messages = {(str(w.task.id), w.definition.name, w.element_id or "") for w in seen.messages}
    if {(s.task_id, s.message_name, s.element_id) for s in subscriptions} != messages:
        found.append("subscriptions differ from the messages the state waits for")
    versions = {i: c.definition_id for i, c in inspect.called_instances(seen.workflow).items()}
    versions[instance_id] = row.definition_id
    if {p.id: p.definition_id for p in processes if p.id in versions} != versions or (
        row.definition_id != seen.workflow.definition_id
    ):
        found.append("process instance rows name other definition versions than the state")
    if json.loads(row.current_activities) != seen.current_activities:
        found.append(
            f"current activities {row.current_activities} but the state is at {seen.current_activities}"
        )
    return found


@dataclass(frozen=True)
class Picture:
    """Everything a step writes for one case, to compare before and after."""

    version: int
    state: str
    tasks: tuple[tuple[str, str], ...]
    timers: tuple[tuple[str, str], ...]
    events: tuple[tuple[str, str | None], ...]
    access_log: int


def picture(engine: Engine, instance_id: str) -> Picture:
    with engine.store.read() as session:
        row = session.get(Instance, instance_id)
        assert row is not None, instance_id
        tasks = session.exec(select(Task).where(Task.instance_id == instance_id).order_by(col(Task.id))).all()
        timers = session.exec(
            select(Timer).where(Timer.instance_id == instance_id).order_by(col(Timer.id))
        ).all()
        events = session.exec(
            select(Event).where(Event.instance_id == instance_id).order_by(col(Event.id))
        ).all()
        logged = session.exec(select(AccessLog).where(AccessLog.instance_id == instance_id)).all()
        return Picture(
            row.version,
            row.state,
            tuple((t.id, t.state) for t in tasks),
            tuple((t.task_id, t.status) for t in timers),
            tuple((e.kind, e.task_id) for e in events),
            len(logged),
        )
