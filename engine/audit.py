"""The access log: every read or change of case data, written in the caller's transaction.

If the row cannot be written the transaction fails, and so does the request (fail closed).
Rows hold identifiers and a purpose, never case content (no CPR numbers, no free text).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, insert
from sqlmodel import Session

from engine.model import Actor
from engine.store.tables import AccessLog

ACCESS_LOG: Table = AccessLog.__table__  # type: ignore[attr-defined]


def record(
    session: Session,
    actor: Actor,
    *,
    action: str,
    purpose: str,
    at: datetime,
    instance_id: str | None = None,
) -> None:
    record_many(session, actor, action=action, purpose=purpose, at=at, instance_ids=[instance_id])


def record_many(
    session: Session,
    actor: Actor,
    *,
    action: str,
    purpose: str,
    at: datetime,
    instance_ids: Sequence[str | None],
) -> None:
    """One row per entry of `instance_ids`, in one statement executed at once (so a refused row
    fails the request here, not at some later flush)."""
    common = {
        "at": at,
        "actor": actor.user_id,
        "roles": ",".join(sorted(actor.roles)),
        "municipality": actor.municipality,
        "action": action,
        "purpose": purpose,
        "route": actor.route,
        "request_id": actor.request_id,
    }
    session.connection().execute(insert(ACCESS_LOG), [{**common, "instance_id": i} for i in instance_ids])


def record_each(
    session: Session,
    actor: Actor,
    *,
    action: str,
    purpose: str,
    at: datetime,
    instance_ids: Sequence[str],
) -> None:
    """One row per case a list or search returned (one row without a case if it returned none)."""
    distinct: list[str | None] = list(dict.fromkeys(instance_ids)) or [None]
    record_many(session, actor, action=action, purpose=purpose, at=at, instance_ids=distinct)
