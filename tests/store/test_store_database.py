"""Opening the client database: where it is, how SQLite is set up, what a bad URL says."""

from __future__ import annotations

import os
import stat

import pytest
import sqlalchemy as sa

from cexpert.store import database
from cexpert.store.database import open_store, resolve_url
from cexpert.store.records import StoreError


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_database_file_is_private_in_a_private_folder(store, db_path):
    assert (mode(db_path.parent), mode(db_path)) == (0o700, 0o600)


def test_the_write_ahead_log_is_private_too(store, db_path, new_client):
    new_client()
    for suffix in ("-wal", "-shm"):
        assert mode(db_path.with_name(db_path.name + suffix)) == 0o600


def test_sqlite_runs_in_wal_mode_with_foreign_keys(store):
    with store.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_foreign_keys_are_enforced(store):
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as c:
        c.exec_driver_sql("INSERT INTO notes (visit_id, text, author, created_at) "
                          "VALUES (999, 'x', '', '')")


def test_the_default_is_sqlite_in_the_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(database.ENV, raising=False)
    monkeypatch.setattr(database, "default_path", lambda: tmp_path / "d" / "clients.db")
    assert resolve_url() == f"sqlite:///{tmp_path / 'd' / 'clients.db'}"


def test_cexpert_db_names_the_database(monkeypatch, tmp_path):
    monkeypatch.setenv(database.ENV, str(tmp_path / "env.db"))
    assert resolve_url() == f"sqlite:///{tmp_path / 'env.db'}"


def test_db_option_wins_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(database.ENV, str(tmp_path / "env.db"))
    assert resolve_url("sqlite:///other.db") == "sqlite:///other.db"


def test_an_unsupported_database_is_refused_by_name():
    with pytest.raises(StoreError, match="unsupported database"):
        open_store("mysql://u:secret@host/db")


def test_a_refusal_never_shows_the_password():
    with pytest.raises(StoreError) as caught:
        open_store("mysql://u:secret@host/db")
    assert "secret" not in str(caught.value)


def test_an_unreachable_folder_is_a_clear_error(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises((StoreError, OSError)):
        open_store(str(blocked / "clients.db"))
