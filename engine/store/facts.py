"""Writes of report facts (see engine/facts.py); the reads are in store/reports.py."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, insert
from sqlmodel import Session

from engine.store.tables import CaseFact, Instance

CASE_FACT: Table = CaseFact.__table__  # type: ignore[attr-defined]


def add_flag(session: Session, instance: Instance, name: str, flag: bool, at: datetime) -> None:
    row = {"instance_id": instance.id, "municipality": instance.municipality, "name": name, "at": at}
    session.connection().execute(insert(CASE_FACT), [{**row, "flag": flag}])
