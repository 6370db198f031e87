"""The TUI watches the rules it loaded: a save re-checks them, errors go to a panel (the
session keeps its rules and its client), a good knowledge base is swapped in and the
open client consulted on it, with what changed shown."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tui_support import KB

from cexpert.service import Service
from cexpert.tui.app import make_app
from cexpert.tui.screens.dialogs import MessageScreen

pytestmark = pytest.mark.asyncio


async def _until(pilot, done, tries: int = 60) -> None:
    for _ in range(tries):
        await pilot.pause(0.1)
        if done():
            return
    raise AssertionError("the app never got there")


def _panel_text(app) -> str:
    screen = app.screen
    assert isinstance(screen, MessageScreen)
    return f"{screen.title_text}\n{screen.body}"


async def test_a_saved_rule_file_is_checked_shown_and_consulted_on(tmp_path: Path, clients,
                                                                    settle):
    kb = tmp_path / "kb"
    shutil.copytree(KB, kb)
    app = make_app(Service.open([kb]), case_path=clients / "test-client.toml", clients_dir=clients)
    app.rules_poll_s = 0.1
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        first = app.service
        before = {m.id for m in app.result.muscles}
        assert "psoas" not in before
        await _until(pilot, lambda: app._rules_stamp is not None)

        # a broken rule file: a panel with the diagnostic, the old rules and result kept
        extra = kb / "20_author.cex"
        extra.write_text('source "an author"\nfeet turn out → overactive psaos\n',
                         encoding="utf-8")
        await _until(pilot, lambda: app.rules_problem is not None)
        text = _panel_text(app)
        assert "the session keeps the rules it had" in text
        assert "E201" in text and "20_author.cex:2" in text and "psoas" in text  # did you mean
        assert app.service is first and app.crash is None
        await pilot.press("escape")

        # fixed: the new knowledge base is used and the change is listed
        extra.write_text('source "an author"\nfeet turn out → overactive psoas\n',
                         encoding="utf-8")
        await _until(pilot, lambda: app.rules_reloads == 1)
        await settle(pilot)
        assert app.service is not first and app.rules_problem is None
        assert "psoas" in {m.id for m in app.result.muscles}
        text = _panel_text(app)
        assert "Rules reloaded" in text and "1 change" in text and "Psoas" in text
        await pilot.press("escape")

        # the next edit consults on the new rules too
        app.consultation.set_observed("ohsa", "feet_turn_out", "both", False)
        app.schedule_consult()
        await settle(pilot)
        assert "psoas" not in {m.id for m in app.result.muscles}
        assert app.consultation.kb is app.service.kb


async def test_a_rule_file_saved_without_changing_this_client_says_so(tmp_path: Path,
                                                                       clients, settle):
    kb = tmp_path / "kb"
    shutil.copytree(KB, kb)
    app = make_app(Service.open([kb]), case_path=clients / "test-client.toml", clients_dir=clients)
    app.rules_poll_s = 0.1
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await _until(pilot, lambda: app._rules_stamp is not None)
        (kb / "20_author.cex").write_text(
            'source "an author"\nlow back arches → overactive psoas\n', encoding="utf-8")
        await _until(pilot, lambda: app.rules_reloads == 1)
        assert not isinstance(app.screen, MessageScreen)  # a notification, no panel
        assert app.consultation.dirty is False
