"""The Alembic migrations build exactly the schema the table models declare, and step down and up."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import engine.store.tables  # noqa: F401  (registers the tables)
from engine.store.database import alembic_config


def _differences(url: str) -> list[object]:
    connection_engine = create_engine(url)
    try:
        with connection_engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        connection_engine.dispose()


def test_the_migrated_schema_is_the_declared_one(database_url: str) -> None:
    assert _differences(database_url) == []


def test_the_newest_migration_steps_down_and_up_again(database_url: str) -> None:
    command.downgrade(alembic_config(database_url), "-1")
    command.upgrade(alembic_config(database_url), "head")
    assert _differences(database_url) == []


def test_a_step_reads_its_pending_timers_by_the_instance_even_without_statistics(sqlite_url: str) -> None:
    """SQLite without ANALYZE: the (status, due_at) index must not win, or every step scans all
    pending timers (20 ms a step with 100,000 waiting)."""
    checked = create_engine(sqlite_url)
    try:
        with checked.connect() as connection:
            assert not connection.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
            ).first()
            plan = connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT * FROM timer WHERE instance_id = ? AND status = 'pending'", ("x",)
            ).all()
    finally:
        checked.dispose()
    assert "ix_timer_instance_status" in plan[0][3]
