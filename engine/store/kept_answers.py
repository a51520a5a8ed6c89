"""Queries for kept answers (requests sent with an Idempotency-Key)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from engine.store.tables import KeptAnswer


def find(session: Session, municipality: str, caller: str, operation: str, key: str) -> KeptAnswer | None:
    statement = select(KeptAnswer).where(
        KeptAnswer.municipality == municipality,
        KeptAnswer.caller == caller,
        KeptAnswer.operation == operation,
        KeptAnswer.key == key,
    )
    return session.exec(statement).first()


def add(session: Session, row: KeptAnswer) -> None:
    """Insert now, so that a concurrent request with the same key fails here (unique constraint)
    rather than after the command's work."""
    session.add(row)
    session.flush()


def prune(session: Session, before: datetime) -> int:
    result = session.connection().execute(delete(KeptAnswer).where(col(KeptAnswer.created_at) < before))
    return int(result.rowcount or 0)
