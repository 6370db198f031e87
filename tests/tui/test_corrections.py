"""A closed visit of a stored client, reopened from History and edited, is saved as a
correction: the visit's next version, the old one kept. A correction saved elsewhere
meanwhile (another TUI, the CLI) is never overwritten: the trainer chooses to reload
theirs, or to keep mine as the version after theirs (theirs kept)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable
from tui_support import _settle, stored_client_database

from cexpert.store.database import open_store
from cexpert.store.records import StoredResult, entered
from cexpert.tui.app import make_app
from cexpert.tui.screens.dialogs import ConfirmScreen
from cexpert.tui.screens.history import HistoryScreen

pytestmark = pytest.mark.asyncio
CLIENT = "c-test0001"


@pytest.fixture
def database(tmp_path: Path, service) -> str:
    return stored_client_database(tmp_path / "data" / "clients.db", service)


def _versions(database: str, number: int = 2):
    with open_store(database) as store:
        return store.versions(CLIENT, number)


def _notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def _visit_2_edited(pilot, age: str = "42") -> None:
    """Visit 2 (closed) reopened from History, its age changed, Ctrl+S pressed."""
    await _settle(pilot)
    await pilot.press(*"database", "enter")
    await _settle(pilot)
    assert isinstance(pilot.app.screen, HistoryScreen)
    await pilot.press("enter")  # the latest visit, 2, is highlighted
    await _settle(pilot)
    app = pilot.app
    assert app.stored_visit is not None and app.stored_visit.number == 2
    app.consultation.set_age_text(age)
    app.consult_now()
    await _settle(pilot)
    await pilot.press("ctrl+s")
    await _settle(pilot)


def _correct_elsewhere(database: str, service, age: str = "50") -> None:
    """Another trainer's session corrects visit 2 first (its own connection)."""
    with open_store(database) as store:
        visit = store.visit(CLIENT, 2)
        text = visit.case_toml.replace("age = 40", f"age = {age}")
        case = service.parse_case(text, "theirs.toml")
        store.correct_visit(CLIENT, 2, visit.version, text, entered(case),
                            StoredResult.of_json(service.consult(case).as_json()),
                            trainer="bob")


async def test_saving_an_edited_closed_visit_offers_a_correction_or_a_case_file(
        service, clients, database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        await _visit_2_edited(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert [label for _, label in dialog.answers] == [
            "Save as a correction (version 2, the old version kept)",
            "Save as case file…", "Cancel"]
        await pilot.press("escape")
        await _settle(pilot)
        assert len(_versions(database)) == 1  # cancelled: nothing written


async def test_a_correction_of_a_closed_visit_is_version_2_and_keeps_version_1(
        service, clients, database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        await _visit_2_edited(pilot, "42")
        await pilot.press("enter")  # Save as a correction
        await _settle(pilot)
        assert "Visit 2 corrected (version 2); version 1 kept" in _notices(app)
        assert app.stored_visit.version == 2 and not app.consultation.dirty
    first, second = _versions(database)
    assert (first.version, second.version) == (1, 2)
    assert "age = 40" in first.case_toml and "age = 42" in second.case_toml
    assert first.result is not None and second.result is not None and second.closed


async def test_history_shows_the_corrected_visit_as_its_latest_version(
        service, clients, database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        await _visit_2_edited(pilot, "42")
        await pilot.press("enter")
        await _settle(pilot)
        await app.switch_mode("clients")  # back to the History it was opened from
        await _settle(pilot)
        history = app.screen
        assert isinstance(history, HistoryScreen)
        assert history.visits[-1].version == 2
        table = history.query_one("#visits", DataTable)
        assert table.get_row_at(1)[:3] == ["2", "2026-02-07", "closed v2"]
        notes = str(history.query_one("#visit-notes").render())
        assert "version 2, corrected" in notes and "1 earlier version kept" in notes
        assert "Knees better; keep the band" in notes  # the note made on version 1


async def test_an_unchanged_closed_visit_offers_no_correction(service, clients, database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        await _visit_2_edited(pilot, "40")  # the age it has
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen) and "unchanged" in dialog.question
        assert [key for key, _ in dialog.answers] == ["case_file", "cancel"]


async def test_a_correction_saved_elsewhere_meanwhile_is_refused_with_a_choice(
        service, clients, database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        await _visit_2_edited(pilot, "42")
        _correct_elsewhere(database, service, "50")
        await pilot.press("enter")  # Save as a correction: version 1 is not the latest
        await _settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        assert "corrected elsewhere" in dialog.question and "version 2 by bob" in dialog.question
        assert [key for key, _ in dialog.answers] == ["reload", "keep", "cancel"]
        assert dialog.focused.id == "answer-cancel"  # Enter loses nothing
        assert app.consultation.age == 42  # mine still on screen
    assert [v.version for v in _versions(database)] == [1, 2]
    assert "age = 50" in _versions(database)[-1].case_toml


async def _answer_after_a_correction_elsewhere(pilot, database, service, answer: str):
    """Age 42 typed into visit 2 while another session corrects it to 50, then Ctrl+S's
    refusal answered with `answer` (keep, reload)."""
    await _visit_2_edited(pilot, "42")
    _correct_elsewhere(database, service, "50")
    await pilot.press("enter")
    await _settle(pilot)
    await pilot.click(f"#answer-{answer}")
    await _settle(pilot)


async def test_keeping_mine_after_a_correction_elsewhere_is_version_3_theirs_kept(
        service, clients, database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        await _answer_after_a_correction_elsewhere(pilot, database, service, "keep")
        assert "Visit 2 corrected (version 3); versions 1 to 2 kept" in _notices(app)
    ages = [v.case_toml.split("age = ")[1][:2] for v in _versions(database)]
    assert ages == ["40", "50", "42"]


async def test_reloading_after_a_correction_elsewhere_shows_theirs(service, clients,
                                                                   database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        await _answer_after_a_correction_elsewhere(pilot, database, service, "reload")
        assert app.consultation.age == 50 and app.stored_visit.version == 2
        assert not isinstance(app.screen, ConfirmScreen)
