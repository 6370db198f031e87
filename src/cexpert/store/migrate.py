"""Schema migrations: Alembic, with its scripts shipped inside the package (as MLflow ships
`mlflow/store/db_migrations`): the script location is resolved from this package, no ini
file, and every migration runs in the connection cexpert opened.

Forward-only. The embedded SQLite file is upgraded on open after a backup copy; on
PostgreSQL only the schema owner upgrades (`cexpert db upgrade --db URL`).
"""

from __future__ import annotations

import datetime
import functools
import os
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
TRAINERS_ROLE = "cexpert_trainers"


def config(connection: sa.Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def head() -> str:
    return ScriptDirectory.from_config(config()).get_current_head()


@functools.cache
def _revisions() -> tuple[str, ...]:
    script = ScriptDirectory.from_config(config())
    return tuple(r.revision for r in reversed(list(script.walk_revisions())))


def revisions() -> list[str]:
    """Every revision, oldest first."""
    return list(_revisions())


def current(connection: sa.Connection) -> str | None:
    """The database's revision (None: no schema yet)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sa.Engine, target: str = "head") -> None:
    """Apply every migration up to `target` in one transaction.

    On SQLite a migration that rebuilds a table (Alembic's batch mode) would trip the
    foreign keys half-way, so they are off while it runs (SQLite only switches them
    outside a transaction) and checked whole before the transaction commits."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        raw = connection.connection.driver_connection  # outside SQLAlchemy's transaction
        if sqlite:
            raw.execute("PRAGMA foreign_keys=OFF")
        connection.execution_options(immediate=True)
        try:
            with connection.begin():
                command.upgrade(config(connection), target)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("a migration left rows pointing at nothing; "
                                       "nothing was changed")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")


def backup_sqlite(path: Path, revision: str) -> Path:
    """A consistent copy of the SQLite file (the backup API sees the WAL too), 0600,
    beside it, named for the revision it was at: `clients.db.0001-20261201T1955.bak`."""
    stamp = datetime.datetime.now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.{revision}-{stamp}.bak")
    os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))
    with sqlite3.connect(path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    return target


def schema_owner(connection: sa.Connection) -> str | None:
    """The PostgreSQL role owning the schema's tables (who may migrate it)."""
    return connection.execute(sa.text(
        "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename = 'alembic_version'")).scalar()


def grant_trainers(engine: sa.Engine, role: str = TRAINERS_ROLE) -> bool:
    """Let the members of `role` use the tables (rows filtered by row-level security);
    False when the role does not exist. Run by the schema owner after an upgrade."""
    with engine.begin() as connection:
        if not connection.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                                  {"r": role}).scalar():
            return False
        quoted = connection.dialect.identifier_preparer.quote(role)
        connection.execute(sa.text(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "
            f"{_schema(connection)} TO {quoted}"))
        connection.execute(sa.text(
            f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {quoted}"))
        connection.execute(sa.text(
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_schema(connection)} "
            f"TO {quoted}"))
    return True


def _schema(connection: sa.Connection) -> str:
    name = connection.execute(sa.text("SELECT current_schema()")).scalar()
    return connection.dialect.identifier_preparer.quote(name)
