"""Writes of report facts and their scope (see engine/facts.py); the reads are in store/reports.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, insert, update
from sqlmodel import Session

from engine.store.tables import CaseFact, Instance, Timer

CASE_FACT: Table = CaseFact.__table__  # type: ignore[attr-defined]
TIMER: Table = Timer.__table__  # type: ignore[attr-defined]


def add_flag(session: Session, instance: Instance, name: str, flag: bool, at: datetime) -> None:
    row = {"instance_id": instance.id, "municipality": instance.municipality, "name": name, "at": at}
    scope = {"team": instance.team, "caseworker": instance.caseworker}
    session.connection().execute(insert(CASE_FACT), [{**row, "flag": flag, **scope}])


def follow_caseworker(session: Session, instance_id: str, caseworker: str | None) -> None:
    """A case's report rows (timers, flags) carry its current caseworker, for the caseworker view."""
    for table in (TIMER, CASE_FACT):
        statement = update(table).where(table.c.instance_id == instance_id).values(caseworker=caseworker)
        session.connection().execute(statement)
