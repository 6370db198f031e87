"""The same store on PostgreSQL: one schema, migrated only by its owner, and row-level
security so a trainer sees and changes only their own clients and those shared."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from cexpert.cli.main import main
from cexpert.store import migrate
from cexpert.store.database import SchemaOutOfDate, open_store
from cexpert.store.export import dumps, export_client, import_record
from cexpert.store.records import ClientDetails, NotFound, StaleRecord

TABLES = ("clients", "visits", "results", "notes", "clearances", "client_shares", "photos")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(32))


def cli(capsys, *argv) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return int(code), out, err


@pytest.fixture
def as_role(pg_server, pg_database):
    """as_role(role) -> the database URL connecting as that role."""
    return lambda role: pg_server.url(role, pg_database)


@pytest.fixture
def alice_client(as_role, visit_of):
    """A client of alice's with two consulted visits, a note, a posture photo and a
    clearance: its id."""
    with open_store(as_role("alice")) as alice:
        client = alice.create_client(ClientDetails("Kim Knees", 29))
        _, what, result = visit_of()
        alice.record_visit(client.id, "[client]\n", what, result, date="2026-01-01")
        alice.record_visit(client.id, "[client]\n", what, result, date="2026-02-01")
        alice.add_note(client.id, 1, "sore knee", "alice")
        alice.attach_photo(client.id, 1, "front", PNG)
        alice.add_clearance(client.id, "pregnancy", "Dr R", "2026-01-02", "all")
        return client.id


def test_a_trainer_stores_and_reads_back_a_client_on_postgresql(as_role, alice_client):
    with open_store(as_role("alice")) as alice:
        assert [v.date for v in alice.history(alice_client)] == ["2026-01-01", "2026-02-01"]


def test_a_record_exported_from_postgresql_imports_into_sqlite_unchanged(
        as_role, alice_client, store):
    with open_store(as_role("alice")) as alice:
        exported = dumps(export_client(alice, alice_client))
    import_record(store, json.loads(exported))
    assert dumps(export_client(store, alice_client)) == exported


def test_a_stale_save_is_refused_on_postgresql_too(as_role, alice_client):
    with open_store(as_role("alice")) as alice:
        record = alice.client(alice_client)
        alice.update_client(alice_client, ClientDetails("Kim K", 29), record.version)
        with pytest.raises(StaleRecord):
            alice.update_client(alice_client, ClientDetails("Kim", 29), record.version)


def test_the_client_owner_is_the_trainer_who_made_it(as_role, alice_client):
    with open_store(as_role("alice")) as alice:
        assert alice.client(alice_client).owner == "alice"


def test_another_trainer_sees_no_row_of_any_table(as_role, alice_client):
    engine = sa.create_engine(as_role("bob"))
    with engine.connect() as c:
        counts = {t: c.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in TABLES}
    engine.dispose()
    assert counts == dict.fromkeys(TABLES, 0)


@pytest.mark.parametrize("command", [["list"], ["show", "{id}"], ["history", "{id}"],
                                     ["compare", "{id}"], ["export", "{id}"],
                                     ["report", "{id}"], ["show", "Kim"],
                                     ["photo", "{id}", "1", "--front", "{png}"]])
def test_another_trainer_cannot_read_the_client_by_any_command(capsys, as_role, alice_client,
                                                               command, tmp_path):
    png = tmp_path / "front.png"
    png.write_bytes(PNG)
    argv = [part.format(id=alice_client, png=png) for part in command]
    code, out, err = cli(capsys, "clients", *argv, "--db", as_role("bob"))
    assert "Kim" not in out and alice_client not in out
    assert command == ["list"] or (code, "no client matches") == (2, err.split("'")[0]
                                                                  .split(": ", 1)[1].strip())


def test_another_trainer_cannot_change_the_client(as_role, alice_client):
    with open_store(as_role("bob")) as bob, pytest.raises(NotFound):
        bob.update_client(alice_client, ClientDetails("taken over"), 1)


def test_another_trainer_cannot_add_a_visit_to_the_client(as_role, alice_client, visit_of):
    _, what, result = visit_of()
    with open_store(as_role("bob")) as bob, pytest.raises(NotFound):
        bob.record_visit(alice_client, "[client]\n", what, result)


def test_a_trainer_reads_back_a_photo_on_postgresql(as_role, alice_client):
    with open_store(as_role("alice")) as alice:
        assert alice.photo(alice_client, 1, "front").data == PNG


def test_another_trainer_cannot_read_the_clients_photos(as_role, alice_client):
    with open_store(as_role("bob")) as bob, pytest.raises(NotFound):
        bob.photos(alice_client, with_data=True)


def test_another_trainer_cannot_attach_a_photo_to_the_clients_visit(as_role, alice_client):
    with open_store(as_role("bob")) as bob, pytest.raises(NotFound):
        bob.attach_photo(alice_client, 1, "side", PNG)


def test_another_trainer_cannot_insert_a_photo_row_for_the_clients_visit(as_role,
                                                                        alice_client):
    """WITH CHECK: even knowing the visit's id, a row for it is refused."""
    alice = sa.create_engine(as_role("alice"))
    with alice.connect() as c:
        visit_id = c.exec_driver_sql("SELECT min(id) FROM visits").scalar()
    alice.dispose()
    bob = sa.create_engine(as_role("bob"))
    with bob.connect() as c, pytest.raises(sa.exc.ProgrammingError,
                                           match="row-level security"):
        c.execute(sa.text("INSERT INTO photos (visit_id, view, media_type, data, sha256, "
                          "size, created_at) VALUES (:v, 'side', 'image/png', :d, 'x', 1, "
                          "'x')"), {"v": visit_id, "d": PNG})
    bob.dispose()


def test_a_shared_clients_photos_are_seen_by_the_trainer_it_is_shared_with(as_role,
                                                                          alice_client):
    with open_store(as_role("alice")) as alice:
        alice.share(alice_client, "bob")
    with open_store(as_role("bob")) as bob:
        assert [p.view for p in bob.photos(alice_client)] == ["front"]


def test_a_shared_client_is_seen_by_the_trainer_it_is_shared_with(as_role, alice_client):
    with open_store(as_role("alice")) as alice:
        alice.share(alice_client, "bob")
    with open_store(as_role("bob")) as bob:
        assert [c.id for c in bob.clients()] == [alice_client]
        assert len(bob.history(alice_client)) == 2


def test_the_owner_role_is_held_to_the_policies_too(as_role, alice_client):
    """FORCE ROW LEVEL SECURITY: even the schema owner sees only its own clients."""
    with open_store(as_role("clinic")) as clinic:
        assert clinic.clients() == []


def test_a_trainer_opening_an_out_of_date_schema_is_told_who_must_upgrade(pg_server):
    name = pg_server.new_database()
    with open_store(pg_server.url("clinic", name), migrate_on_open=False) as owner:
        migrate.upgrade(owner.engine, "0001")
        migrate.grant_trainers(owner.engine)
    with pytest.raises(SchemaOutOfDate, match=r"role 'clinic'.*cexpert db upgrade"):
        open_store(pg_server.url("alice", name))


def test_opening_an_out_of_date_schema_changes_nothing(pg_server):
    name = pg_server.new_database()
    with open_store(pg_server.url("clinic", name), migrate_on_open=False) as owner:
        migrate.upgrade(owner.engine, "0001")
    with pytest.raises(SchemaOutOfDate):
        open_store(pg_server.url("clinic", name))
    with open_store(pg_server.url("clinic", name), migrate_on_open=False) as owner, \
            owner.engine.connect() as c:
        assert migrate.current(c) == "0001"


def test_db_upgrade_by_the_owner_migrates_and_grants_the_trainers(capsys, pg_server):
    name = pg_server.new_database()
    code, out, _ = cli(capsys, "db", "upgrade", "--db", pg_server.url("clinic", name))
    assert code == 0 and "granted to 'cexpert_trainers'" in out
    with open_store(pg_server.url("alice", name)) as alice:
        assert alice.clients() == []


def test_db_upgrade_by_a_trainer_is_refused(capsys, pg_server):
    name = pg_server.new_database()
    code, _, err = cli(capsys, "db", "upgrade", "--db", pg_server.url("alice", name))
    assert code == 2 and "cannot upgrade" in err


def test_a_database_at_the_first_revision_keeps_its_rows_at_head_on_postgresql(pg_server):
    name = pg_server.new_database()
    url = pg_server.url("clinic", name)
    with open_store(url, migrate_on_open=False) as owner:
        migrate.upgrade(owner.engine, "0001")
        with owner.engine.begin() as c:
            c.exec_driver_sql("INSERT INTO clients VALUES ('c-1', 'Ann', 41, '[]', '[]', "
                              "NULL, '[]', '', 1, 'x', 'x')")
        migrate.upgrade(owner.engine)
    with open_store(url) as owner:
        assert [(c.id, c.name) for c in owner.clients()] == [("c-1", "Ann")]
