"""Sign-in to the pages: attempts under way, sessions, one-time SAML assertions.

The browser holds random secrets in cookies; the database holds only their SHA-256, so a copy of
the tables signs nobody in. Every sign-in, refusal and sign-out writes an access-log row (without
a case) in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from sqlmodel import Session

from engine import audit
from engine.errors import SignInRefusedError
from engine.model import Actor, AssertionUse, Role, SignInAttemptInfo, WebSessionInfo
from engine.store import sessions as repo
from engine.store.tables import SignInAttempt, WebSession

SIGN_IN = "sign-in"
SIGN_IN_REFUSED = "sign-in-refused"
SIGN_OUT = "sign-out"
# A session's last activity is written at most this often (not on every call of every page).
TOUCH_INTERVAL = timedelta(seconds=60)


def key_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_attempt(
    session: Session, secret: str, attempt: SignInAttemptInfo, *, now: datetime, lifetime: timedelta
) -> None:
    row = SignInAttempt(
        id=key_of(secret),
        provider=attempt.provider,
        state=attempt.state,
        secrets=json.dumps(attempt.secrets),
        next_page=attempt.next_page,
        created_at=now,
        expires_at=now + lifetime,
    )
    repo.add_attempt(session, row)


def take_attempt(session: Session, secret: str, *, now: datetime) -> SignInAttemptInfo | None:
    row = repo.take_attempt(session, key_of(secret))
    if row is None or row.expires_at <= now:
        return None
    return SignInAttemptInfo(row.provider, row.state, json.loads(row.secrets), row.next_page)


def open_session(
    session: Session,
    secret: str,
    actor: Actor,
    *,
    provider: str,
    subject: str,
    provider_session: str | None,
    now: datetime,
    lifetime: timedelta,
    assertion: AssertionUse | None = None,
) -> WebSessionInfo:
    if assertion is not None and not repo.use_assertion(
        session, assertion.id, assertion.issuer, now, assertion.expires_at
    ):
        raise SignInRefusedError("the assertion was used before")
    row = WebSession(
        id=key_of(secret),
        user_id=actor.user_id,
        municipality=actor.municipality,
        roles=",".join(sorted(actor.roles)),
        teams=json.dumps(sorted(actor.teams)),
        provider=provider,
        subject=subject,
        provider_session=provider_session,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
    )
    repo.add_session(session, row)
    audit.record(session, actor, action=SIGN_IN, purpose=f"sign-in through {provider}", at=now)
    return _info(row, actor)


def record_refusal(session: Session, actor: Actor, *, provider: str, reason: str, now: datetime) -> None:
    purpose = f"{provider}: {reason}"[:200]
    audit.record(session, actor, action=SIGN_IN_REFUSED, purpose=purpose, at=now)


def current(session: Session, secret: str, *, now: datetime, idle: timedelta) -> WebSessionInfo | None:
    """The live session of `secret`, or None (unknown, past its absolute end, or idle too long)."""
    row = repo.get_session(session, key_of(secret))
    if row is None or row.expires_at <= now or row.last_seen_at + idle <= now:
        return None
    return _info(row, _actor(row))


def needs_touch(found: WebSessionInfo, now: datetime) -> bool:
    return found.last_seen_at + TOUCH_INTERVAL <= now


def touch(session: Session, secret: str, *, now: datetime) -> None:
    row = repo.get_session(session, key_of(secret))
    if row is not None:
        row.last_seen_at = now
        session.add(row)


def end(session: Session, secret: str, actor: Actor, *, now: datetime, reason: str) -> WebSessionInfo | None:
    row = repo.delete_session(session, key_of(secret))
    if row is None:
        return None
    found = _info(row, _actor(row))
    audit.record(session, _with_request(found.actor, actor), action=SIGN_OUT, purpose=reason, at=now)
    return found


def end_all(
    session: Session,
    provider: str,
    subject: str,
    actor: Actor,
    *,
    now: datetime,
    provider_session: str | None,
) -> int:
    """End the sessions of `subject` at `provider` (single logout from the provider); with
    `provider_session`, only the ones it names."""
    ended = 0
    for row in repo.sessions_of(session, provider, subject):
        if provider_session is None or row.provider_session == provider_session:
            repo.delete_session(session, row.id)
            reason = f"single logout from {provider}"
            audit.record(session, _with_request(_actor(row), actor), action=SIGN_OUT, purpose=reason, at=now)
            ended += 1
    return ended


def prune(session: Session, now: datetime) -> None:
    repo.prune(session, now)


def _actor(row: WebSession) -> Actor:
    roles = frozenset(Role(r) for r in row.roles.split(",") if r in Role._value2member_map_)
    return Actor(row.user_id, row.municipality, roles, frozenset(json.loads(row.teams)))


def _with_request(found: Actor, request: Actor) -> Actor:
    return Actor(
        found.user_id, found.municipality, found.roles, found.teams, request.route, request.request_id
    )


def _info(row: WebSession, actor: Actor) -> WebSessionInfo:
    return WebSessionInfo(
        actor=actor,
        provider=row.provider,
        subject=row.subject,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        provider_session=row.provider_session,
    )
