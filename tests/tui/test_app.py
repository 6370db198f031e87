"""The app around the screens: clients picker, palette, help, theme, quitting, the CLI."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from cexpert.tui.commands import ConsultationCommands, app_commands
from cexpert.tui.keys import GLOBAL
from cexpert.tui.screens.assess import AssessScreen
from cexpert.tui.screens.clients import ClientsScreen
from cexpert.tui.screens.dialogs import ConfirmScreen
from cexpert.tui.screens.help import HelpScreen

pytestmark = pytest.mark.asyncio

async def test_the_client_picker_filters_and_opens(app_factory, clients, settle):
    (clients / "other.toml").write_text('[client]\nname = "Bo"\n', encoding="utf-8")
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ClientsScreen)
        assert [f.name for f in app.screen.files] == ["Bo", "Test [client]"]
        await pilot.press(*"test", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AssessScreen)
        assert app.consultation.name == "Test [client]"
        assert app.result is not None and app.result.dysfunctions


async def test_every_global_action_is_in_the_palette(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = " | ".join(title for title, _, _ in app_commands(app))
        for word in ("Clients", "Client", "Assess", "Results", "Program", "What if",
                     "Why not", "Export", "Replay", "Save", "New client", "theme", "Help",
                     "Quit"):
            assert word in titles
        assert ConsultationCommands in app.COMMANDS
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"results")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "results"


async def test_the_palette_offers_what_the_screen_offers(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pages = [title for title, _, _ in app.screen.palette_commands()]
        assert "Page: OHSA" in pages and "Page: FMS" in pages
        await app.action_go("results")
        await settle(pilot)
        whys = [title for title, _, _ in app.screen.palette_commands()]
        assert "Why: Adductor complex" in whys


async def test_help_lists_every_key_binding(app_factory, settle):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        from cexpert.tui.screens.help import help_table

        table = help_table()
        keys = {str(cell) for cell in table.columns[0]._cells}
        for key in GLOBAL:
            assert key.display in keys
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_the_theme_toggles_between_light_and_dark(app_factory, settle):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dark = app.current_theme.dark
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.current_theme.dark is not dark
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.current_theme.dark is dark


async def test_quitting_with_unsaved_changes_asks_first(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("1", "space")  # posture: rounded shoulders
        await settle(pilot)
        assert app.consultation.dirty
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # cancel
        await pilot.pause()
        assert app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#answer-save")
        await pilot.pause()
    assert "rounded_shoulders" in (clients / "test-client.toml").read_text(encoding="utf-8")
