"""Opening the client database: which one (`--db URL`, `CEXPERT_DB`, or SQLite in the
user's data directory), how SQLite is set up (WAL, foreign keys, 0600 file in a 0700
folder, one writer at a time), and the schema brought to the head revision on open.

SQLAlchemy Core rather than the ORM: the store hands out frozen records (as every stage
does), its queries are few and written out (the history list is one aggregate query),
there is no session state to reconcile with the optimistic version checks, and the
PostgreSQL row-level security policies are SQL anyway.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
import sqlalchemy as sa
from sqlalchemy import event

from cexpert.store import migrate
from cexpert.store.records import StoreError
from cexpert.store.repository import Store

ENV = "CEXPERT_DB"
FILE_NAME = "clients.db"


class SchemaOutOfDate(StoreError):
    """A PostgreSQL schema older (or newer) than this cexpert: only its owner upgrades."""


def default_path() -> Path:
    return platformdirs.user_data_path("cexpert", appauthor=False) / FILE_NAME


def resolve_url(given: str | None = None) -> str:
    """`--db` if given, else `CEXPERT_DB`, else the SQLite file in the user's data folder;
    a plain path means a SQLite file."""
    url = given or os.environ.get(ENV) or str(default_path())
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    return url


def describe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def open_store(given: str | None = None, *, migrate_on_open: bool = True) -> Store:
    """The store at `given` (see `resolve_url`), its schema at head; raise StoreError."""
    url = resolve_url(given)
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise StoreError(f"not a database URL: {url}") from None
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed)
    elif parsed.get_backend_name() == "postgresql":
        engine = sa.create_engine(parsed, pool_pre_ping=True)
    else:
        raise StoreError(f"unsupported database (use sqlite:/// or postgresql+psycopg://): "
                         f"{describe(url)}")
    try:
        if migrate_on_open:
            _bring_to_head(engine, parsed)
    except sa.exc.OperationalError as error:
        engine.dispose()
        raise StoreError(f"cannot open the database {describe(url)}: "
                         f"{_first_line(error)}") from None
    except BaseException:
        engine.dispose()
        raise
    return Store(engine)


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    if url.database in (None, "", ":memory:"):
        raise StoreError("the client database must be a file (sqlite:///PATH)")
    path = Path(url.database)
    _private_file(path)
    engine = sa.create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we say BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL",
                       "busy_timeout=30000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        # A write takes the lock when it starts (IMMEDIATE), so two writers queue
        # instead of one failing half-way on a read lock it cannot upgrade.
        immediate = connection.get_execution_options().get("immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _private_file(path: Path) -> None:
    """The database folder 0700 and file 0600, made before SQLite creates them (its WAL
    and shared-memory files take the file's permissions)."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
        os.chmod(path.parent, 0o700)  # mkdir's mode is filtered by the umask
    if not path.exists():
        try:
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        except OSError as error:
            raise StoreError(f"cannot create the database file {path}: "
                             f"{error.strerror}") from None
        os.chmod(path, 0o600)


def _bring_to_head(engine: sa.Engine, url: sa.URL) -> None:
    head = migrate.head()
    with engine.connect() as connection:
        current = migrate.current(connection)
        owner = migrate.schema_owner(connection) if url.get_backend_name() == "postgresql" \
            else None
    if current == head:
        return
    if url.get_backend_name() == "postgresql":
        raise SchemaOutOfDate(_out_of_date(url, current, head, owner))
    if current is not None and current not in migrate.revisions():
        raise StoreError(f"the database {url.database} is at schema revision {current}, "
                         f"newer than this cexpert knows (up to {head}): upgrade cexpert")
    if current is not None:
        migrate.backup_sqlite(Path(url.database), current)
    migrate.upgrade(engine)


def _out_of_date(url: sa.URL, current: str | None, head: str, owner: str | None) -> str:
    where = url.render_as_string(hide_password=True)
    at = f"is at schema revision {current}" if current else "has no cexpert schema yet"
    if current is not None and current not in migrate.revisions():
        return (f"the database {where} {at}, newer than this cexpert knows (up to {head}): "
                f"upgrade cexpert")
    who = f"its schema owner, the role '{owner}'," if owner else "the schema owner"
    return (f"the database {where} {at}; this cexpert needs {head}. Only {who} may "
            f"upgrade it: `cexpert db upgrade --db URL` connecting as that role.")


def _first_line(error: Exception) -> str:
    text = str(getattr(error, "orig", error)) or type(error).__name__
    return text.strip().splitlines()[0]
