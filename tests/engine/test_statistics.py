"""The planner statistics the service refreshes at start and hourly (Store.analyze)."""

from __future__ import annotations

from sqlalchemy import text

from engine.service import Engine


def _analyzed(engine: Engine) -> bool:
    with engine.store.read() as session:
        if engine.store.is_sqlite:
            query = "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
        else:
            query = "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'timer' AND last_analyze IS NOT NULL"
        return bool(session.execute(text(query)).scalar_one())


def test_statistics_are_refreshed_on_both_databases(engine: Engine) -> None:
    assert not _analyzed(engine)
    engine.store.analyze()
    assert _analyzed(engine)
