"""Rows of the sign-in: web sessions, sign-in attempts under way, and SAML assertions used."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from sqlalchemy import delete, insert
from sqlmodel import Session, SQLModel, col, select

from engine.store.tables import SignInAttempt, UsedAssertion, WebSession

_Row = TypeVar("_Row", bound=SQLModel)


def add_session(session: Session, row: WebSession) -> None:
    session.add(row)
    session.flush()


def get_session(session: Session, key: str) -> WebSession | None:
    return session.get(WebSession, key)


def sessions_of(session: Session, provider: str, subject: str) -> list[WebSession]:
    statement = select(WebSession).where(
        col(WebSession.provider) == provider, col(WebSession.subject) == subject
    )
    return list(session.exec(statement).all())


def delete_session(session: Session, key: str) -> WebSession | None:
    return _take(session, WebSession, key)


def add_attempt(session: Session, row: SignInAttempt) -> None:
    session.add(row)
    session.flush()


def take_attempt(session: Session, key: str) -> SignInAttempt | None:
    """The attempt, deleted in the same transaction (each answer is looked at once)."""
    return _take(session, SignInAttempt, key)


def _take(session: Session, table: type[_Row], key: str) -> _Row | None:
    """The row with this key, deleted in the caller's transaction (None if there is none)."""
    row = session.get(table, key)
    if row is not None:
        session.delete(row)
        session.flush()
    return row


def use_assertion(
    session: Session, assertion_id: str, issuer: str, at: datetime, expires_at: datetime
) -> bool:
    """Record an assertion as used; False if it was used before. Two workers recording the same
    id at the same moment: the primary key fails one of them with an IntegrityError."""
    if session.get(UsedAssertion, assertion_id) is not None:
        return False
    values = {"id": assertion_id, "issuer": issuer, "used_at": at, "expires_at": expires_at}
    session.connection().execute(insert(UsedAssertion.__table__), values)  # type: ignore[attr-defined]
    return True


def prune(session: Session, now: datetime) -> None:
    """Forget what has expired (assertions only once they can no longer be accepted anyway)."""
    session.connection().execute(delete(WebSession).where(col(WebSession.expires_at) < now))
    session.connection().execute(delete(SignInAttempt).where(col(SignInAttempt.expires_at) < now))
    session.connection().execute(delete(UsedAssertion).where(col(UsedAssertion.expires_at) < now))
