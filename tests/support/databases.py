"""Fresh, migrated databases per test, cheaply: a migrated template is copied (SQLite: the file;
PostgreSQL: CREATE DATABASE … TEMPLATE)."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from engine.store.database import Store

from support.postgres import PostgresServer


class DatabaseFactory:
    def __init__(self, workdir: Path, postgres: PostgresServer | None) -> None:
        self.workdir = workdir
        self.postgres = postgres
        self._sqlite_template: Path | None = None
        self._pg_template: str | None = None

    def sqlite(self) -> str:
        if self._sqlite_template is None:
            self._sqlite_template = self.workdir / "template.db"
            store = Store(f"sqlite:///{self._sqlite_template}")
            store.migrate()
            store.dispose()
        target = self.workdir / f"{uuid.uuid4().hex}.db"
        shutil.copyfile(self._sqlite_template, target)
        return f"sqlite:///{target}"

    def postgresql(self) -> str:
        assert self.postgres is not None, "PostgreSQL is not running"
        if self._pg_template is None:
            self._pg_template = "sagsflow_template"
            self.postgres.execute(f"CREATE DATABASE {self._pg_template}")
            store = Store(self.postgres.sqlalchemy_url(self._pg_template))
            store.migrate()
            store.dispose()
        name = f"t_{uuid.uuid4().hex[:16]}"
        self.postgres.execute(f"CREATE DATABASE {name} TEMPLATE {self._pg_template}")
        return self.postgres.sqlalchemy_url(name)

    def create(self, kind: str) -> str:
        return self.sqlite() if kind == "sqlite" else self.postgresql()
