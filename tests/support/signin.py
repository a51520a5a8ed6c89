"""Reading what sign-in left in the database: sessions, attempts, used assertions, access log."""

from __future__ import annotations

from sqlmodel import Session, select

from engine.service import Engine
from engine.store.tables import AccessLog, Instance, SignInAttempt, UsedAssertion, WebSession

SIGN_IN_ACTIONS = ("sign-in", "sign-in-refused", "sign-out")


def counts(engine: Engine) -> dict[str, int]:
    """How many sessions, sign-ins under way, used assertions and cases there are."""
    with engine.store.read() as session:
        return {
            table.__name__: len(session.exec(select(table)).all())
            for table in (WebSession, SignInAttempt, UsedAssertion, Instance)
        }


def sign_in_log(engine: Engine) -> list[tuple[str, str, str]]:
    """(action, actor, purpose) of each sign-in, refusal and sign-out row, oldest first."""
    with engine.store.read() as session:
        rows = _rows(session)
    return [(r.action, r.actor, r.purpose) for r in rows]


def _rows(session: Session) -> list[AccessLog]:
    statement = select(AccessLog).where(AccessLog.action.in_(SIGN_IN_ACTIONS)).order_by(AccessLog.id)  # type: ignore[attr-defined]
    return list(session.exec(statement).all())
