"""Queries for instances (cases), their events and subscriptions."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    Update,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    text,
    update,
)
from sqlalchemy import select as select_columns
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from engine.errors import ConcurrentUpdateError
from engine.model import InstanceFilter
from engine.store.filters import equal_where_given
from engine.store.tables import Event, Incident, Instance, Subscription, Task

EVENT: Table = Event.__table__  # type: ignore[attr-defined]
INSTANCE: Table = Instance.__table__  # type: ignore[attr-defined]
SUBSCRIPTION: Table = Subscription.__table__  # type: ignore[attr-defined]


def lock(session: Session, instance_id: str) -> Instance | None:
    """The instance row, locked until the transaction ends (PostgreSQL; SQLite holds the write lock)."""
    statement = select(Instance).where(Instance.id == instance_id).with_for_update()
    return session.exec(statement).first()


_LOCK_BY_TASK = (
    select(Instance)
    .where(Instance.id == select(Task.instance_id).where(Task.id == bindparam("task")).scalar_subquery())
    .with_for_update()
)


def lock_by_task(session: Session, task_id: str) -> Instance | None:
    """The instance a task belongs to, locked like `lock` (always the instance first, then its rows,
    so two commands on one case cannot deadlock on PostgreSQL)."""
    return session.scalars(_LOCK_BY_TASK, {"task": task_id}).first()


def hold_business_key(session: Session, municipality: str, business_key: str) -> None:
    """Serialise the opening of cases under one business key until the transaction ends, so two
    concurrent requests cannot both find it free. PostgreSQL: a transaction-scoped advisory lock
    on a digest of the key; SQLite: every write transaction already holds the database's lock."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        digest = hashlib.sha256(f"{municipality}\x00{business_key}".encode()).digest()[:8]
        connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": int.from_bytes(digest, signed=True)}
        )


def active_with_business_key(
    session: Session, municipality: str, process_key: str, business_key: str
) -> str | None:
    """The id of an active instance of `process_key` with this business key, if there is one."""
    statement = select(Instance.id).where(
        Instance.municipality == municipality,
        Instance.process_key == process_key,
        Instance.business_key == business_key,
        Instance.status == "active",
    )
    return session.exec(statement.limit(1)).first()


def get(session: Session, instance_id: str, municipality: str) -> Instance | None:
    row = session.get(Instance, instance_id)
    return row if row is not None and row.municipality == municipality else None


def save(session: Session, row: Instance, values: dict[str, Any]) -> None:
    """Write `values` and bump the version, refusing if someone else changed the row first."""
    result = session.connection().execute(
        _update_statement(tuple(sorted(values))),
        {**values, "b_id": row.id, "b_version": row.version, "version": row.version + 1},
    )
    if result.rowcount != 1:
        raise ConcurrentUpdateError(row.id)
    # Mirror the written values without marking the row dirty: a plain setattr would make the ORM
    # write the (large) state a second time at commit, and without the version check.
    for key, value in {**values, "version": row.version + 1}.items():
        set_committed_value(row, key, value)


@functools.cache
def _update_statement(columns: tuple[str, ...]) -> Update:
    """The versioned update of `columns`, built once per set of columns (each step saves the same)."""
    return (
        update(INSTANCE)
        .where(INSTANCE.c.id == bindparam("b_id"), INSTANCE.c.version == bindparam("b_version"))
        .values({name: bindparam(name) for name in (*columns, "version")})
    )


def search(
    session: Session, f: InstanceFilter, *, offset: int, limit: int, newest_first: bool = True
) -> tuple[list[Instance], int]:
    statement = select(Instance).where(Instance.municipality == f.municipality)
    simple = {
        Instance.status: f.status,
        Instance.process_key: f.process_key,
        Instance.definition_id: f.definition_id,
        Instance.business_key: f.business_key,
        Instance.phase: f.phase,
        Instance.team: f.team,
        Instance.caseworker: f.caseworker,
    }
    statement = statement.where(*equal_where_given(simple))
    if f.business_key_like:
        statement = statement.where(col(Instance.business_key).like(f.business_key_like))
    if f.activity_id:
        statement = statement.where(col(Instance.current_activities).contains(json.dumps(f.activity_id)))
    if f.started_after:
        statement = statement.where(col(Instance.started_at) >= f.started_after)
    if f.started_before:
        statement = statement.where(col(Instance.started_at) < f.started_before)
    if f.ids is not None:
        statement = statement.where(col(Instance.id).in_(list(f.ids)))
    if f.visible_to_user is not None:
        statement = statement.where(visible_to(f.visible_to_user, f.visible_to_teams))
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    order = col(Instance.started_at).desc() if newest_first else col(Instance.started_at)
    rows = session.exec(statement.order_by(order, col(Instance.id)).offset(offset).limit(limit)).all()
    return list(rows), int(total)


def visible_to(user: str, teams: Sequence[str] | None) -> ColumnElement[bool]:
    """The cases a caseworker may see (engine/access.py): their own, their teams', and those where
    they hold a task."""
    return or_(
        col(Instance.caseworker) == user,
        col(Instance.team).in_(list(teams or ())),
        exists().where(col(Task.instance_id) == col(Instance.id), col(Task.assignee) == user),
    )


@dataclass(frozen=True)
class NewEvent:
    """One history entry to append (see `add_events`)."""

    at: datetime
    kind: str
    actor: str
    element_id: str | None = None
    task_id: str | None = None
    data: dict[str, Any] | None = None


def add_event(
    session: Session,
    instance: Instance,
    *,
    at: datetime,
    kind: str,
    actor: str,
    element_id: str | None = None,
    task_id: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    add_events(session, instance, [NewEvent(at, kind, actor, element_id, task_id, data)])


def add_events(session: Session, instance: Instance, events: Sequence[NewEvent]) -> None:
    """Append history entries in one statement. The history is append-only, so it is written with
    a plain insert: no ORM objects to track, and ids in insertion order."""
    if not events:
        return
    rows = [
        {
            "instance_id": instance.id,
            "municipality": instance.municipality,
            "at": e.at,
            "kind": e.kind,
            "actor": e.actor,
            "element_id": e.element_id,
            "task_id": e.task_id,
            "data": json.dumps(e.data or {}, ensure_ascii=False),
        }
        for e in events
    ]
    session.connection().execute(insert(EVENT), rows)  # no autoflush: history rows depend on nothing pending


def events_for(session: Session, instance_id: str) -> list[Event]:
    statement = select(Event).where(Event.instance_id == instance_id).order_by(col(Event.id))
    return list(session.exec(statement).all())


_SUBSCRIPTION_KEYS = select_columns(
    SUBSCRIPTION.c.id, SUBSCRIPTION.c.task_id, SUBSCRIPTION.c.message_name
).where(SUBSCRIPTION.c.instance_id == bindparam("instance"))
_DELETE_SUBSCRIPTION = delete(SUBSCRIPTION).where(SUBSCRIPTION.c.id == bindparam("subscription"))


def subscription_keys(session: Session, instance_id: str) -> dict[tuple[str, str], str]:
    """(task id, message name) -> subscription id, for the instance (the step pipeline)."""
    rows = session.connection().execute(_SUBSCRIPTION_KEYS, {"instance": instance_id})
    return {(task_id, name): subscription_id for subscription_id, task_id, name in rows}


def add_subscriptions(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.connection().execute(insert(SUBSCRIPTION), list(rows))


def delete_subscriptions(session: Session, subscription_ids: Sequence[str]) -> None:
    if subscription_ids:
        session.connection().execute(_DELETE_SUBSCRIPTION, [{"subscription": i} for i in subscription_ids])


def instances_waiting_for(
    session: Session,
    message_name: str,
    municipality: str,
    business_key: str | None,
    instance_id: str | None,
) -> list[str]:
    statement = (
        select(Subscription.instance_id)
        .join(Instance, col(Instance.id) == col(Subscription.instance_id))
        .where(Subscription.message_name == message_name, Subscription.municipality == municipality)
        .distinct()
    )
    if business_key is not None:
        statement = statement.where(Instance.business_key == business_key)
    if instance_id is not None:
        statement = statement.where(Instance.id == instance_id)
    return list(session.exec(statement).all())


def open_incidents(session: Session, instance_id: str) -> list[Incident]:
    statement = select(Incident).where(
        Incident.instance_id == instance_id, col(Incident.resolved_at).is_(None)
    )
    return list(session.exec(statement).all())
