"""Database connections, transactions and schema migrations for SQLite and PostgreSQL.

Write transactions are serialised per instance: on SQLite every write transaction starts with
`BEGIN IMMEDIATE` (one writer at a time, others wait up to `busy_timeout`), on PostgreSQL the
instance row is locked with `SELECT … FOR UPDATE` by the caller. Either way a version column is
checked on update as the final fence.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from engine import faults

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_SYNCHRONOUS = ("FULL", "EXTRA", "NORMAL")
_MIGRATION_LOCK_ID = 4_711_2024


class Store:
    """Owns the SQLAlchemy engines and hands out read and write sessions."""

    def __init__(
        self, url: str, *, pool_size: int = 20, echo: bool = False, sqlite_synchronous: str = "FULL"
    ) -> None:
        """`sqlite_synchronous`: SQLite's `PRAGMA synchronous` (FULL: a commit is on disk before it
        returns, also after a power cut; NORMAL: survives a killed process, not a power cut)."""
        self.url = url
        self.dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
        if self.dialect == "sqlite":
            if sqlite_synchronous not in SQLITE_SYNCHRONOUS:
                raise ValueError(f"sqlite_synchronous must be one of {', '.join(SQLITE_SYNCHRONOUS)}")
            self._writer = _sqlite_engine(
                url, begin="BEGIN IMMEDIATE", echo=echo, synchronous=sqlite_synchronous
            )
            self._reader = _sqlite_engine(url, begin="BEGIN", echo=echo, synchronous=sqlite_synchronous)
        else:
            self._writer = create_engine(
                url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=True,
                echo=echo,
                hide_parameters=not echo,
            )
            self._reader = self._writer
        # SQLite has one writer at a time. Within a process, queue writers on a lock: a waiter gets
        # it the moment it is free, where SQLite's busy handler would poll in sleeps of milliseconds.
        # Other processes on the same file still wait through busy_timeout.
        self._write_lock: AbstractContextManager[object] = (
            threading.Lock() if self.dialect == "sqlite" else nullcontext()
        )
        self._write_sessions = sessionmaker(self._writer, class_=Session, expire_on_commit=False)
        self._read_sessions = sessionmaker(self._reader, class_=Session, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits on success and rolls back on any exception."""
        with self._write_lock, self._write_sessions() as session:
            with session.begin():
                yield session
            for action in session.info.pop("after_commit", ()):
                action()
            if session.info.get("step"):
                faults.reach("step.after_commit")

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only snapshot; closing it rolls the transaction back, loaded rows stay usable."""
        with self._read_sessions() as session:
            yield session

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to the newest Alembic revision, or `revision` (safe with several workers)."""
        with self._writer.connect() as connection:
            if self.dialect == "postgresql":
                connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
                connection.commit()
            try:
                with _sqlite_foreign_keys_off(connection, self.is_sqlite):
                    config = alembic_config(self.url)
                    config.attributes["connection"] = connection
                    command.upgrade(config, revision)
                    connection.commit()
            finally:
                if self.dialect == "postgresql":
                    connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _MIGRATION_LOCK_ID})
                    connection.commit()

    def analyze(self) -> None:
        """Refresh the query planner's statistics (at start and hourly). SQLite keeps none of its
        own and picks poor plans for the reports once tables grow; the analysis limit keeps this
        to milliseconds even on large databases. PostgreSQL's autovacuum refreshes its own, but
        only a while after a bulk load (an import, a restore), and may be turned down: ANALYZE
        samples a bounded number of rows per table and blocks neither reads nor writes."""
        with self.write() as session:
            if self.is_sqlite:
                session.connection().exec_driver_sql("PRAGMA analysis_limit=1000")
            session.connection().exec_driver_sql("ANALYZE")

    def dispose(self) -> None:
        self._writer.dispose()
        self._reader.dispose()


@contextmanager
def _sqlite_foreign_keys_off(connection: Any, sqlite: bool) -> Iterator[None]:
    """SQLite rebuilds a table to change its constraints (Alembic's batch mode): with foreign keys
    enforced, dropping the old table fails while other tables refer to it. As SQLite's own
    procedure for such changes says, enforcement is off while the migrations run (the pragma only
    takes effect outside a transaction, so it goes straight to the driver's connection) and the
    references are checked before it is on again."""
    if not sqlite:
        yield
        return
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys=OFF")
    before = raw.execute("PRAGMA schema_version").fetchone()
    try:
        yield
        changed = raw.execute("PRAGMA schema_version").fetchone() != before
        broken = raw.execute("PRAGMA foreign_key_check").fetchall() if changed else []
        if broken:
            raise RuntimeError(f"the migration broke {len(broken)} references between tables")
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run `action` once the write transaction of `session` has committed; never on a rollback."""
    session.info.setdefault("after_commit", []).append(action)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _sqlite_engine(url: str, *, begin: str, echo: bool, synchronous: str) -> Engine:
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=not echo,  # errors must not carry case data into logs
        connect_args={"check_same_thread": False, "timeout": 30},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")  # one of SQLITE_SYNCHRONOUS
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine
