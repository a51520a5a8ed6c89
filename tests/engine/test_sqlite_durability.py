"""Acknowledged means on disk: SQLite commits with synchronous=FULL unless configured otherwise
(engine/store/database.py; the trade-off is in the README's Configuration)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from engine.config import EngineSettings
from engine.store.database import Store

FULL, NORMAL = 2, 1  # what PRAGMA synchronous reports


def _synchronous(store: Store) -> tuple[int, int]:
    """(write connections, read connections)."""
    with store.write() as session:
        written = session.connection().execute(text("PRAGMA synchronous")).scalar_one()
    with store.read() as session:
        read = session.connection().execute(text("PRAGMA synchronous")).scalar_one()
    return written, read


def test_every_sqlite_connection_syncs_each_commit_by_default(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    try:
        assert _synchronous(store) == (FULL, FULL)
        assert EngineSettings(database_url=sqlite_url).sqlite_synchronous == "FULL"
    finally:
        store.dispose()


def test_normal_is_a_choice_and_nothing_else_is(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAGSFLOW_SQLITE_SYNCHRONOUS", "NORMAL")
    settings = EngineSettings(database_url=sqlite_url)
    store = Store(sqlite_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        assert _synchronous(store) == (NORMAL, NORMAL)
    finally:
        store.dispose()
    with pytest.raises(ValueError, match="sqlite_synchronous"):
        Store(sqlite_url, sqlite_synchronous="OFF; DROP TABLE instance")
