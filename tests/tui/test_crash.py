"""A bug anywhere in the TUI: an error screen, the consultation kept and saved, exit non-zero."""

from __future__ import annotations

import pytest
from textual.widgets import Button

from cexpert.tui.app import CexpertApp
from cexpert.tui.recovery import CRASH_EXIT
from cexpert.tui.screens.crash import CrashScreen
from cexpert.tui.screens.results import ResultsScreen
from cexpert.tui.widgets.result_list import ResultList

pytestmark = pytest.mark.asyncio


def _boom(*_args, **_kwargs):
    raise RuntimeError("injected failure")


async def _failing_work() -> None:
    raise RuntimeError("injected failure")


# Where the failure is injected, and the key that reaches it.
FAILURES = {
    "an app action": (CexpertApp, "action_help", "f1"),
    "a screen handler": (ResultsScreen, "show_result", "f5"),
    "a render": (ResultList, "render_line", "f5"),
    "a worker": (None, None, None),
}


@pytest.mark.parametrize("where", list(FAILURES))
async def test_a_bug_shows_the_error_screen_keeps_the_entries_and_saves_them(
        where, app_factory, clients, tmp_path, settle, monkeypatch):
    path = clients / "test-client.toml"
    app = app_factory(path)
    app.recovery_dir = tmp_path / "recovery"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2", "tab", "space")  # OHSA, lateral view: "Low back arches"
        await settle(pilot)
        assert app.consultation.is_observed("ohsa", "low_back_arches", "both")
        cls, method, key = FAILURES[where]
        if cls is None:
            app.run_worker(_failing_work())
        else:
            monkeypatch.setattr(cls, method, _boom)
            await pilot.press(key)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, CrashScreen), app.screen
        text = str(app.screen.query_one("#crash-text").render())
        assert "RuntimeError: injected failure" in text and "nothing you entered is lost" in text
        copy = app.crash.copy
        assert copy is not None and copy.parent == tmp_path / "recovery"
        assert "low_back_arches" in copy.read_text(encoding="utf-8")  # kept at once
        assert "injected failure" in app.crash.log.read_text(encoding="utf-8")
        assert "low_back_arches" not in path.read_text(encoding="utf-8")
        await pilot.press("ctrl+n", "f4")  # nothing else runs on top of a bug
        assert isinstance(app.screen, CrashScreen)
        await pilot.click("#save")
        await pilot.pause()
    assert app.return_code == CRASH_EXIT
    assert "low_back_arches" in path.read_text(encoding="utf-8")


async def test_quitting_from_the_error_screen_exits_non_zero_and_keeps_the_copy(
        app_factory, clients, tmp_path, settle, monkeypatch):
    app = app_factory(clients / "test-client.toml")
    app.recovery_dir = tmp_path / "recovery"
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.consultation.set_age_text("4x")  # not valid yet: kept as typed in the copy
        monkeypatch.setattr(CexpertApp, "action_help", _boom)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, CrashScreen)
        await pilot.click("#save")  # cannot be saved as it is: says why, stays
        await pilot.pause()
        assert "not valid yet" in str(app.screen.query_one("#crash-error").render())
        assert app.screen.query_one("#quit", Button)
        await pilot.click("#quit")
        await pilot.pause()
    assert app.return_code == CRASH_EXIT
    assert "'4x'" in app.crash.copy.read_text(encoding="utf-8")
