"""Saving from the TUI: a file changed on disk or a link is never overwritten unasked."""

from __future__ import annotations

import pytest
from tui_support import paste_path

from cexpert.tui.screens.dialogs import ConfirmScreen, PathScreen

pytestmark = pytest.mark.asyncio


async def test_a_save_over_a_file_changed_on_disk_asks_and_reload_shows_their_change(
        app_factory, clients, settle):
    path = clients / "test-client.toml"
    app = app_factory(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.consultation.set_age_text("41")
        path.write_text(path.read_text(encoding="utf-8").replace("age = 40", "age = 55"),
                        encoding="utf-8")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "changed on disk" in app.screen.question
        assert "age = 55" in path.read_text(encoding="utf-8")  # their edit is still there
        await pilot.click("#answer-reload")
        await settle(pilot)
        assert app.consultation.age == 55 and not app.consultation.dirty


async def test_a_save_over_a_file_changed_on_disk_can_go_to_a_new_name(
        app_factory, clients, settle):
    path = clients / "test-client.toml"
    app = app_factory(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.consultation.set_age_text("41")
        path.write_text(path.read_text(encoding="utf-8") + "# theirs\n", encoding="utf-8")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.click("#answer-save_as")
        await pilot.pause()
        assert isinstance(app.screen, PathScreen)
        fresh = app.screen.default
        assert fresh != path and not fresh.exists()  # not the file being protected
        await pilot.press("enter")
        await pilot.pause()
        assert app.consultation.path == fresh
        assert "age = 41" in app.consultation.path.read_text(encoding="utf-8")
        assert path.read_text(encoding="utf-8").endswith("# theirs\n")


async def test_save_as_never_replaces_another_existing_file(app_factory, clients, settle):
    other = clients / "other.toml"
    other.write_text('[client]\nname = "Bo"\n', encoding="utf-8")
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_save_as()
        await pilot.pause()
        await paste_path(pilot, other)
        await pilot.pause()
        assert isinstance(app.screen, PathScreen)
        assert "already exists" in str(app.screen.query_one("#path-error").render())
        assert other.read_text(encoding="utf-8") == '[client]\nname = "Bo"\n'


async def test_a_linked_case_file_is_saved_to_its_target_only_when_asked(
        app_factory, clients, tmp_path, settle):
    target = clients / "test-client.toml"
    link = tmp_path / "link.toml"
    link.symlink_to(target)
    app = app_factory(link)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.consultation.set_age_text("42")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and "is a link to" in app.screen.question
        assert "age = 40" in target.read_text(encoding="utf-8")
        await pilot.click("#answer-follow")
        await pilot.pause()
        assert "age = 42" in target.read_text(encoding="utf-8") and link.is_symlink()
        assert app.consultation.path == target.resolve() and not app.consultation.dirty
