"""Migrations: forward-only, applied on open after a backup, and a database made at any
earlier revision (with data) reaches the head keeping every row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from cexpert.store import migrate, schema
from cexpert.store.database import _sqlite_engine, open_store

# Rows written at a revision, in that revision's own columns (so this data stays what an
# old cexpert would have written when later revisions change the tables).
ROWS_AT = {
    "0001": {
        "clients": [{"id": "c-1", "name": "Ann", "age": 41, "goals": '["run"]',
                     "conditions": '[{"id":"osteoporosis","region":null,"status":null}]',
                     "equipment": None, "limitations": "[]", "notes": "n", "version": 2,
                     "created_at": "2025-01-01T00:00:00Z",
                     "updated_at": "2025-02-01T00:00:00Z"}],
        "visits": [{"id": 1, "client_id": "c-1", "number": 1, "version": 1,
                    "status": "closed", "revision": 3, "date": "2025-01-01", "trainer": "sam",
                    "case_toml": "[client]\nname = 'Ann'\n", "entered": "{}",
                    "created_at": "2025-01-01T00:00:00Z"},
                   {"id": 2, "client_id": "c-1", "number": 2, "version": 1,
                    "status": "draft", "revision": 1, "date": "2025-03-01", "trainer": "sam",
                    "case_toml": "", "entered": "{}", "created_at": "2025-03-01T00:00:00Z"}],
        "results": [{"visit_id": 1, "schema_version": 1, "kb_hash": "sha256:ab",
                     "kb_path": "rules", "program_status": "active", "referral": False,
                     "fms_total": None, "findings": 2, "program": "[]", "result": "{}"}],
        "clearances": [{"id": 1, "client_id": "c-1", "what": "pregnancy", "by_whom": "Dr R",
                        "date": "2025-01-02", "scope": "all", "created_at": "2025-01-02"}],
        "notes": [{"id": 1, "visit_id": 1, "text": "sore knee", "author": "sam",
                   "created_at": "2025-01-01T01:00:00Z"}],
    },
    "0002": {
        "client_shares": [{"client_id": "c-1", "trainer": "kim", "owner": ""}],
    },
    "0004": {
        "photos": [{"id": 1, "visit_id": 1, "view": "front", "media_type": "image/png",
                    "data": b"\x89PNG\r\n\x1a\n\x00", "sha256": "ab" * 32, "size": 9,
                    "created_at": "2025-01-01T02:00:00Z"}],
    },
}


def made_at(path: Path, revision: str) -> None:
    """A database at `revision` holding the rows of every revision up to it."""
    engine = _sqlite_engine(sa.make_url(f"sqlite:///{path}"))
    migrate.upgrade(engine, revision)
    upto = migrate.revisions()[: migrate.revisions().index(revision) + 1]
    with engine.begin() as c:
        for rev in upto:
            for table, rows in ROWS_AT.get(rev, {}).items():
                reflected = sa.Table(table, sa.MetaData(), autoload_with=c)
                c.execute(reflected.insert(), rows)
    engine.dispose()


def rows(path: Path, table: str, columns) -> list[tuple]:
    with sqlite3.connect(path) as c:
        return c.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY 1").fetchall()


EARLIER = migrate.revisions()[:-1]


def test_the_rows_seeded_at_the_head_revision_read_back_through_the_store(tmp_path):
    """The rows every revision seeds, up to the head, are what the store reads (so a later
    revision is tested on data its predecessors really hold)."""
    path = tmp_path / "clients.db"
    made_at(path, migrate.head())
    with open_store(str(path)) as store:
        assert [(p.number, p.view, p.data) for p in store.photos("c-1", with_data=True)] == [
            (1, "front", b"\x89PNG\r\n\x1a\n\x00")]


def test_there_are_at_least_two_revisions():
    assert len(migrate.revisions()) >= 2


@pytest.mark.parametrize("revision", EARLIER)
def test_a_database_at_an_earlier_revision_keeps_every_row_at_head(tmp_path, revision):
    path = tmp_path / "clients.db"
    made_at(path, revision)
    upto = migrate.revisions()[: migrate.revisions().index(revision) + 1]
    written = {t: r for rev in upto for t, r in ROWS_AT.get(rev, {}).items()}
    open_store(str(path)).close()
    for table, inserted in written.items():
        columns = list(inserted[0])
        expected = sorted(tuple(row[c] for c in columns) for row in inserted)
        assert rows(path, table, columns) == expected, table


@pytest.mark.parametrize("revision", EARLIER)
def test_the_upgrade_on_open_leaves_a_backup_at_the_old_revision(tmp_path, revision):
    path = tmp_path / "clients.db"
    made_at(path, revision)
    open_store(str(path)).close()
    [backup] = tmp_path.glob(f"clients.db.{revision}-*.bak")
    with sqlite3.connect(backup) as c:
        assert c.execute("SELECT version_num FROM alembic_version").fetchone() == (revision,)


def test_an_upgraded_database_is_at_head(tmp_path):
    path = tmp_path / "clients.db"
    made_at(path, EARLIER[0])
    with open_store(str(path)) as store, store.engine.connect() as c:
        assert migrate.current(c) == migrate.head()


def test_a_database_at_head_is_not_backed_up_again(tmp_path):
    path = tmp_path / "clients.db"
    open_store(str(path)).close()
    open_store(str(path)).close()
    assert list(tmp_path.glob("*.bak")) == []


def test_the_migrated_tables_are_the_ones_the_queries_use(store):
    with store.engine.connect() as c:
        inspector = sa.inspect(c)
        for table in schema.metadata.sorted_tables:
            stored = {col["name"] for col in inspector.get_columns(table.name)}
            assert stored == {col.name for col in table.columns}, table.name


def test_a_database_newer_than_this_cexpert_is_refused(tmp_path):
    path = tmp_path / "clients.db"
    open_store(str(path)).close()
    with sqlite3.connect(path) as c:
        c.execute("UPDATE alembic_version SET version_num = '9999'")
    from cexpert.store.records import StoreError

    with pytest.raises(StoreError, match="newer than this cexpert"):
        open_store(str(path))


def test_migrations_are_forward_only():
    from importlib import import_module

    for revision in migrate.revisions():
        module = next((migrate.MIGRATIONS / "versions").glob(f"{revision}_*.py")).stem
        downgrade = import_module(f"cexpert.store.migrations.versions.{module}").downgrade
        with pytest.raises(NotImplementedError):
            downgrade()


def test_the_revision_chain_read_from_the_scripts_is_alembics():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.config())
    assert (migrate.revisions(), migrate.head()) == (
        [r.revision for r in reversed(list(script.walk_revisions()))],
        script.get_current_head())


def test_opening_a_store_at_head_does_not_import_alembic(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "clients.db"
    open_store(str(path)).close()
    code = ("import sys; from cexpert.store.database import open_store; "
            f"open_store({str(path)!r}).clients(); print('alembic' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
