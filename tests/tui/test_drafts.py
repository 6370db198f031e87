"""A stored client's visit edited in the TUI is a draft in the client database: it
saves itself as it is edited (off the UI thread), is offered for resuming when the
client's History opens again, and is closed with its consultation from History."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_support import _settle, stored_client_database

from cexpert.store.database import open_store
from cexpert.tui.app import make_app
from cexpert.tui.screens.dialogs import ConfirmScreen
from cexpert.tui.screens.history import HistoryScreen

pytestmark = pytest.mark.asyncio
CLIENT = "c-test0001"


@pytest.fixture
def database(tmp_path: Path, service) -> str:
    return stored_client_database(tmp_path / "data" / "clients.db", service)


async def _history(pilot) -> HistoryScreen:
    await _settle(pilot)
    await pilot.press(*"database", "enter")
    await _settle(pilot)
    assert isinstance(pilot.app.screen, HistoryScreen)
    return pilot.app.screen


def _stored_draft(database: str):
    with open_store(database) as store:
        return store.draft(CLIENT)


async def _new_visit_edited(pilot, age: str) -> None:
    await _history(pilot)
    await pilot.press("v")
    await _settle(pilot)
    app = pilot.app
    app.consultation.set_age_text(age)
    app.consult_now()
    await _settle(pilot)


async def test_a_new_visit_is_a_draft_that_saves_each_change(service, clients, database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        await _new_visit_edited(pilot, "41")
        assert app.draft is not None and app.draft.number == 3
        assert app.current_mode == "assess"
        draft = _stored_draft(database)
        assert draft is not None and draft.number == 3 and "age = 41" in draft.case_toml
        assert "draft visit 3 (" in app.sub_title


async def test_a_new_visit_starts_from_the_latest_entries_compared_with_the_closed_visits(
        service, clients, database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        await _history(pilot)
        await pilot.press("v")
        await _settle(pilot)
        text = app.consultation.to_toml()
        assert text.count("[[previous]]") == 2  # visits 1 and 2
        assert '"knee valgus"' in text or "knee valgus" in text  # visit 2's finding, carried


async def test_an_entry_not_valid_yet_is_not_saved_into_the_draft(service, clients, database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        await _new_visit_edited(pilot, "41")
        app.consultation.set_age_text("4x")
        app.consult_now()
        await _settle(pilot)
        assert "age = 41" in _stored_draft(database).case_toml


async def test_reopening_the_client_offers_to_resume_the_draft(service, clients, database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        await _new_visit_edited(pilot, "43")
    again = make_app(service, clients_dir=clients, db=database)
    async with again.run_test(size=(100, 30)) as pilot:
        await _settle(pilot)
        await pilot.press(*"database", "enter")
        await _settle(pilot)
        assert isinstance(again.screen, ConfirmScreen)
        assert "Visit 3" in again.screen.question and "Resume" in again.screen.question
        await pilot.press("enter")
        await _settle(pilot)
        assert again.draft is not None and again.draft.number == 3
        assert again.consultation.age == 43


async def test_closing_the_draft_stores_its_consultation_and_ends_the_autosave(
        service, clients, database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        await _new_visit_edited(pilot, "44")
        await app.switch_mode("clients")  # back where the visit was started: its History
        await _settle(pilot)
        history = app.screen
        assert isinstance(history, HistoryScreen)
        history.load()
        await _settle(pilot)
        await pilot.press("up", "x")  # visit 2 highlighted: X closes the draft all the same
        await _settle(pilot)
        assert app.draft is None
        assert history.visits[-1].status == "closed"
    with open_store(database) as store:
        closed = store.history(CLIENT)[-1]
        assert closed.number == 3 and closed.summary is not None and store.draft(CLIENT) is None


async def test_a_closed_draft_stays_on_screen_as_the_closed_visit_saved(
        service, clients, database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        await _new_visit_edited(pilot, "44")
        await app.switch_mode("clients")
        await _settle(pilot)
        app.screen.load()
        await _settle(pilot)
        await pilot.press("x")
        await _settle(pilot)
        assert app.stored_visit is not None and app.stored_visit.number == 3
        assert not app.consultation.dirty
        app.consultation.set_age_text("47")  # a later change: Ctrl+S offers a correction
        await app.switch_mode("assess")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "correct" in [key for key, _ in app.screen.answers]


def _saved_elsewhere(database: str, age: str = "50"):
    """Another trainer's TUI (its own connection) saves the same draft: theirs."""
    theirs = _stored_draft(database)
    with open_store(database) as store:
        return store.save_draft(CLIENT, theirs.case_toml.replace("age = 45", f"age = {age}"),
                                theirs.entered, number=3, expected_revision=theirs.revision)


async def _refused(pilot, database: str):
    """A draft edited here (45), saved elsewhere (50), then edited here again (46): the
    autosave is refused; what the database holds then."""
    await _new_visit_edited(pilot, "45")
    theirs = _saved_elsewhere(database, "50")
    app = pilot.app
    app.consultation.set_age_text("46")
    app.consult_now()
    await _settle(pilot)
    return theirs


async def test_a_draft_saved_elsewhere_meanwhile_is_never_overwritten(service, clients,
                                                                      database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        theirs = await _refused(pilot, database)
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen) and "changed elsewhere" in dialog.question
        assert f"revision {theirs.revision}" in dialog.question
        assert [key for key, _ in dialog.answers] == ["reload", "keep", "cancel"]
        assert dialog.focused.id == "answer-cancel"  # Enter loses nothing
        assert app.draft_stopped and app.consultation.age == 46  # mine still on screen
        assert "age = 50" in _stored_draft(database).case_toml


async def test_reloading_a_draft_saved_elsewhere_shows_theirs(service, clients, database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        theirs = await _refused(pilot, database)
        await pilot.click("#answer-reload")
        await _settle(pilot)
        assert app.consultation.age == 50
        assert app.draft is not None and app.draft.revision == theirs.revision
        assert not app.draft_stopped and "saved as you go" in app.sub_title


async def test_keeping_mine_saves_it_as_the_revision_after_theirs(service, clients,
                                                                  database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        theirs = await _refused(pilot, database)
        await pilot.click("#answer-keep")
        await _settle(pilot)
        assert not app.draft_stopped
    stored = _stored_draft(database)
    assert "age = 46" in stored.case_toml and stored.revision == theirs.revision + 1


async def test_cancelling_leaves_autosave_stopped_visibly(service, clients, database):
    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        await _refused(pilot, database)
        await pilot.press("escape")
        await _settle(pilot)
        assert "autosave stopped" in app.sub_title
        assert any("Autosave of visit 3" in str(n.message) for n in app._notifications)
        app.consultation.set_age_text("47")  # nothing is saved now
        app.consult_now()
        await _settle(pilot)
        assert "age = 50" in _stored_draft(database).case_toml
        await pilot.press("ctrl+s")  # asks again
        await _settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "changed elsewhere" in app.screen.question


async def test_a_draft_closed_elsewhere_is_kept_as_its_correction(service, clients,
                                                                  database):
    from cexpert.store.records import StoredResult

    app = make_app(service, clients_dir=clients, db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        await _new_visit_edited(pilot, "45")
        theirs = _stored_draft(database)
        result = service.consult(service.parse_case(theirs.case_toml, "theirs.toml"))
        with open_store(database) as store:  # the CLI or another TUI closes it
            store.close_visit(CLIENT, 3, theirs.revision,
                              StoredResult.of_json(result.as_json()))
        app.consultation.set_age_text("46")
        app.consult_now()
        await _settle(pilot)
        assert isinstance(app.screen, ConfirmScreen) and "closed elsewhere" in \
            app.screen.question
        await pilot.click("#answer-keep")
        await _settle(pilot)
        assert app.draft is None and app.stored_visit.version == 2
    with open_store(database) as store:
        first, second = store.versions(CLIENT, 3)
    assert "age = 45" in first.case_toml and "age = 46" in second.case_toml
