"""The TUI over the client database: the picker lists its clients (read off the UI
thread), a client's History screen shows the visits, and a visit opens as the
consultation, compared with the visits before it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, OptionList
from tui_support import _settle, stored_client_database

from cexpert.tui.app import make_app
from cexpert.tui.records import database_for_tui
from cexpert.tui.screens.clients import ClientsScreen
from cexpert.tui.screens.history import HistoryScreen


@pytest.fixture
def database(tmp_path: Path, service) -> str:
    """A database with one client of two closed visits, the second with a note."""
    return stored_client_database(tmp_path / "data" / "clients.db", service)


def app_over(service, clients, database):
    return make_app(service, clients_dir=clients, db=database)


async def stored_options(pilot) -> list[str]:
    await _settle(pilot)
    options = pilot.app.screen.query_one("#clients", OptionList)
    return [str(options.get_option_at_index(i).prompt)
            for i in range(options.option_count)]


@pytest.mark.asyncio
async def test_the_picker_lists_the_databases_clients_beside_the_case_files(
        service, clients, database):
    app = app_over(service, clients, database)
    async with app.run_test(size=(100, 30)) as pilot:
        shown = await stored_options(pilot)
        assert isinstance(app.screen, ClientsScreen)
        assert any("Test [client]" in s and "(database)" in s and "2 visits, last 2026-02-07"
                   in s for s in shown)
        assert any("test-client.toml" in s for s in shown)  # the case files stay


@pytest.mark.asyncio
async def test_the_first_screen_does_not_wait_for_the_database(service, clients, database,
                                                               monkeypatch):
    import threading

    from cexpert.tui import records

    release = threading.Event()
    opened = records.RecordsThread._open

    def slow_open(self):
        release.wait(10)
        return opened(self)

    monkeypatch.setattr(records.RecordsThread, "_open", slow_open)
    app = app_over(service, clients, database)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, ClientsScreen) and screen.stored is None
        assert "Reading the client database" in str(
            screen.query_one("#clients-intro").render())
        release.set()
        shown = await stored_options(pilot)
        assert any("(database)" in s for s in shown)


@pytest.mark.asyncio
async def test_history_shows_each_visit_and_its_notes(service, clients, database):
    app = app_over(service, clients, database)
    async with app.run_test(size=(100, 30)) as pilot:
        await stored_options(pilot)
        await pilot.press("d", "a", "t", "a", "b", "a", "s", "e", "enter")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        table = screen.query_one("#visits", DataTable)
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        assert [r[:3] for r in rows] == [["1", "2026-01-10", "closed"],
                                         ["2", "2026-02-07", "closed"]]
        assert rows[1][-1] == "1"  # one note
        assert "Knees better; keep the band" in str(screen.query_one("#visit-notes").render())
        await pilot.press("escape")
        await _settle(pilot)
        assert isinstance(app.screen, ClientsScreen)


@pytest.mark.asyncio
async def test_a_visit_opens_as_the_consultation_compared_with_the_one_before(
        service, clients, database):
    app = app_over(service, clients, database)
    async with app.run_test(size=(100, 30)) as pilot:
        await stored_options(pilot)
        await pilot.press("d", "a", "t", "a", "b", "a", "s", "e", "enter")
        await _settle(pilot)
        await pilot.press("enter")  # the latest visit is highlighted
        await _settle(pilot)
        assert app.current_mode == "assess" and app.consultation.path is None
        text = app.consultation.to_toml()
        assert "[[previous]]" in text and "feet_turn_out" in text
        facts = app.result.facts.values()
        assert {f.data.get("finding") for f in facts if f.kind == "resolved"} == \
            {"feet_turn_out"}


def test_starting_the_tui_never_creates_a_database(tmp_path, monkeypatch):
    monkeypatch.delenv("CEXPERT_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "nowhere"))
    assert database_for_tui(None) is None
    assert database_for_tui("x.db") == "x.db"
    monkeypatch.setenv("CEXPERT_DB", "y.db")
    assert database_for_tui(None) == "y.db"
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.asyncio
async def test_compare_shows_the_two_visits_and_a_chart_with_gaps(service, clients, database):
    from cexpert.tui.screens.compare import CompareScreen, segments

    app = app_over(service, clients, database)
    async with app.run_test(size=(100, 40)) as pilot:
        await stored_options(pilot)
        await pilot.press(*"database", "enter")
        await _settle(pilot)
        await pilot.press("c")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        assert "visit 1 (2026-01-10) → visit 2 (2026-02-07)" in screen.text.lower()
        assert "findings resolved: ohsa: feet_turn_out" in screen.text
    assert segments([14, None, 15, 16, None]) == [[(1, 14)], [(3, 15), (4, 16)]]


@pytest.mark.asyncio
async def test_a_note_and_a_clearance_are_recorded_from_history(service, clients, database):
    from cexpert.store.database import open_store

    app = app_over(service, clients, database)
    async with app.run_test(size=(100, 30)) as pilot:
        await stored_options(pilot)
        await pilot.press(*"database", "enter")
        await _settle(pilot)
        await pilot.press("up", "n")  # visit 1
        await _settle(pilot)
        await pilot.press(*"First look", "enter")
        await _settle(pilot)
        assert "First look" in str(app.screen.query_one("#visit-notes").render())
        await pilot.press("k")
        await _settle(pilot)
        await pilot.press(*"pregnancy", "tab", *"Dr Ruiz", "tab", "ctrl+a", "ctrl+k",
                          *"2999-01-01", "enter")
        await _settle(pilot)
        assert "in the future" in str(app.screen.query_one("#text-error").render())
        await pilot.press("ctrl+a", "ctrl+k", *"2026-01-02", "enter")
        await _settle(pilot)
    with open_store(database) as store:
        (note,) = store.visit("c-test0001", 1).notes
        assert note.text == "First look"
        (clearance,) = store.clearances("c-test0001")
        assert (clearance.what, clearance.by_whom, clearance.date, clearance.scope) == (
            "pregnancy", "Dr Ruiz", "2026-01-02", "all exercise")


# --- the first start: the clients folder offered once ---------------------------------------
async def _offer(pilot):
    from cexpert.tui.screens.dialogs import ConfirmScreen

    await _settle(pilot)
    return pilot.app.screen if isinstance(pilot.app.screen, ConfirmScreen) else None


@pytest.mark.asyncio
async def test_the_first_start_offers_to_import_the_clients_folder_and_imports_it(
        service, clients, tmp_path):
    from cexpert.tui.screens.dialogs import MessageScreen

    app = make_app(service, clients_dir=clients, db=str(tmp_path / "clients.db"),
                   import_marker=tmp_path / "offered.json")
    async with app.run_test(size=(100, 30)) as pilot:
        offer = await _offer(pilot)
        assert offer is not None and "1 case file in" in offer.question
        await pilot.press("enter")  # Import: the first answer
        await _settle(pilot)
        assert isinstance(app.screen, MessageScreen)
        assert app.screen.title_text == "1 case file imported"
        assert "test-client.toml: visit 1" in app.screen.body
        await pilot.press("escape")
        shown = await stored_options(pilot)
        assert any("Test [client]" in s and "(database)" in s for s in shown)


@pytest.mark.asyncio
async def test_the_import_offer_is_asked_once_whatever_the_answer(service, clients, tmp_path):
    marker = tmp_path / "offered.json"
    for expected in (True, False):
        app = make_app(service, clients_dir=clients, db=str(tmp_path / "clients.db"),
                       import_marker=marker)
        async with app.run_test(size=(100, 30)) as pilot:
            offer = await _offer(pilot)
            assert (offer is not None) is expected
            if offer is not None:
                await pilot.press("escape")  # not now
                await _settle(pilot)
                assert app.records.call(lambda store: store.clients()) == []


@pytest.mark.asyncio
async def test_importing_without_a_database_makes_the_one_in_the_data_folder(
        service, clients, tmp_path, monkeypatch):
    monkeypatch.delenv("CEXPERT_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    app = make_app(service, clients_dir=clients, db=database_for_tui(None),
                   import_marker=tmp_path / "offered.json")
    assert app.records is None
    async with app.run_test(size=(100, 30)) as pilot:
        offer = await _offer(pilot)
        assert "a new client database in your data folder" in offer.question
        await pilot.press("enter")
        await _settle(pilot)
    assert (tmp_path / "data" / "cexpert" / "clients.db").is_file()


@pytest.mark.asyncio
async def test_a_case_file_that_cannot_be_imported_is_named_with_its_reason(
        service, clients, tmp_path):
    (clients / "odd.toml").write_text('[client]\nname = "Odd"\nage = 30\n'
                                      '[assessment]\nohsa = ["no_such_finding"]\n',
                                      encoding="utf-8")
    app = make_app(service, clients_dir=clients, db=str(tmp_path / "clients.db"),
                   import_marker=tmp_path / "offered.json")
    async with app.run_test(size=(100, 30)) as pilot:
        offer = await _offer(pilot)
        assert offer is not None
        await pilot.press("enter")
        await _settle(pilot)
        assert app.screen.title_text == "1 case file imported, 1 not"
        assert "not imported: odd.toml:" in app.screen.body
        assert "no_such_finding" in app.screen.body
