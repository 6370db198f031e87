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
import re
import sqlite3
from pathlib import Path

import sqlalchemy as sa

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
TRAINERS_ROLE = "cexpert_trainers"
_REVISION = re.compile(r'^revision = "(\w+)"$', re.M)
_DOWN = re.compile(r'^down_revision = (?:None|"(\w+)")$', re.M)


def config(connection: sa.Connection | None = None):
    """Alembic's configuration: the packaged scripts, run in `connection`."""
    from alembic.config import Config  # only when migrating: Alembic costs ~40% of the
                                       # store's import time, and a store at head needs none
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def _chain() -> tuple[str, ...]:
    """The revisions oldest first, read from the scripts' `revision` / `down_revision`
    lines without importing Alembic (a test checks it against Alembic's own view)."""
    parent_of: dict[str, str | None] = {}
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(text), _DOWN.search(text)
        if revision and down:
            parent_of[revision.group(1)] = down.group(1)
    child_of = {parent: revision for revision, parent in parent_of.items()}
    chain, node = [], child_of.get(None)
    while node is not None:
        chain.append(node)
        node = child_of.get(node)
    return tuple(chain)


def head() -> str:
    return _chain()[-1]


def revisions() -> list[str]:
    """Every revision, oldest first."""
    return list(_chain())


def current(connection: sa.Connection) -> str | None:
    """The database's revision (None: no schema yet)."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


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
                from alembic import command

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
