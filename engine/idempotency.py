"""Requests sent with an idempotency key: a retry of the same request gets the first answer.

An integrator whose `POST /cases` timed out cannot know whether the case was opened. Sent again
with the same key and the same body, the request is answered with the answer kept from the first
time, and nothing is done twice; the same key with a different body is refused. The key is
claimed before the command runs and the answer kept in the same transaction, so it exists exactly
when the command happened; a concurrent request with the same key waits for the first (its claim
fails on the unique key) and is then answered from it. A command that fails keeps nothing.
Keys are scoped to the caller and the operation, and kept for `KEEP_FOR` (then pruned hourly).
Giving a kept answer again is a read of the cases it shows, and is access-logged as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from engine import audit
from engine.errors import IdempotencyKeyReusedError
from engine.model import Actor
from engine.store import kept_answers as repo
from engine.store.tables import KeptAnswer

KEEP_FOR = timedelta(days=7)


@dataclass(frozen=True)
class IdempotentRequest:
    """`key`: the caller's Idempotency-Key; `fingerprint`: a digest of what was asked (the body)."""

    operation: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class Answer:
    """The answer to give (as the caller rendered it the first time), and whether it is a replay."""

    text: str
    replayed: bool


def kept(session: Session, actor: Actor, request: IdempotentRequest, now: datetime) -> Answer | None:
    """The answer kept for this key, or None; a different request under the same key is refused."""
    row = repo.find(session, actor.municipality, actor.user_id, request.operation, request.key)
    if row is None:
        return None
    if row.fingerprint != request.fingerprint:
        raise IdempotencyKeyReusedError(request.key)
    cases = [c for c in row.cases.split(",") if c]
    audit.record_each(session, actor, action="read", purpose="kept answer", at=now, instance_ids=cases)
    return Answer(row.answer, replayed=True)


def claim(session: Session, actor: Actor, request: IdempotentRequest, now: datetime) -> KeptAnswer:
    """Reserve the key for this request before its command runs (see the module docstring)."""
    row = KeptAnswer(
        municipality=actor.municipality,
        caller=actor.user_id,
        operation=request.operation,
        key=request.key,
        fingerprint=request.fingerprint,
        answer="",
        cases="",
        created_at=now,
    )
    repo.add(session, row)
    return row


def keep(session: Session, row: KeptAnswer, text: str, cases: Sequence[str]) -> Answer:
    row.answer = text
    row.cases = ",".join(cases)
    session.add(row)
    return Answer(text, replayed=False)


def prune(session: Session, now: datetime) -> int:
    return repo.prune(session, now - KEEP_FOR)
