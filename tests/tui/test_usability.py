"""Problems found by using the TUI as a new trainer would, each pinned by a test."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input

from cexpert.tui.screens.assess import AssessScreen
from cexpert.tui.screens.client import ClientScreen
from cexpert.tui.widgets.findings import FindingList

pytestmark = pytest.mark.asyncio

CHARACTERS = {"backspace": "\x7f", "tab": "\t", "space": " ", "enter": "\r"}


def burst(app, *keys: str) -> None:
    """Queue keys the way a fast typist (or a slow link) delivers them: all at once."""
    for key in keys:
        app.post_message(events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None)))


async def test_fast_typing_keeps_backspace_and_tab_in_order(app_factory, settle):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
        burst(app, *"Ana", "tab", *"abc", "backspace", "backspace", "backspace", *"42",
              "tab", *"run", "backspace", "n")
        await settle(pilot)
        state = app.consultation
        assert (state.name, state.text_of("age"), state.goals) == ("Ana", "42", ["run"])
        assert app.focused is not None and app.focused.id == "goals"


async def test_fast_score_entry_lands_each_score_in_its_own_field(app_factory, settle):
    app = app_factory(start="assess")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("5")  # the FMS page, its first score field
        await pilot.pause()
        burst(app, "2", "tab", "3", "tab", "1")
        await settle(pilot)
        assert app.consultation.fms == {"deep_squat": (2, 2), "hurdle_step": (3, 1)}


async def test_the_assess_screen_opens_with_a_finding_list_focused(app_factory, settle):
    """F4 used to leave the focus on the page tabs, where Space and Down do nothing."""
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, AssessScreen)
        assert isinstance(app.focused, FindingList)
        await pilot.press("space")
        await settle(pilot)
        assert app.consultation.observations  # the first finding was ticked

        await pilot.press("f5", "f4")  # coming back keeps the list focused
        await settle(pilot)
        assert isinstance(app.focused, FindingList)


async def test_the_client_screen_opens_with_a_field_focused(app_factory, settle):
    app = app_factory(start="assess")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
        assert isinstance(app.focused, Input) and app.focused.id == "name"
