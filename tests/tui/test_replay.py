"""Replay: an educator steps through the chaining of the consultation on screen."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.command import CommandPalette
from textual.geometry import Region
from textual.widgets import Input, Static

from cexpert.tui.screens.replay import ReplayScreen

pytestmark = pytest.mark.asyncio


def detail(app) -> str:
    return str(app.screen.query_one("#replay-detail", Static).content)


async def test_ctrl_r_opens_the_replay_on_what_the_trainer_entered(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)
        assert app.screen.position == 0
        assert "Step 1 of" in detail(app) and "entered by the trainer" in detail(app)


async def test_the_palette_opens_the_replay(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"replay")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)


async def test_right_and_left_step_through_the_firings(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r", "right")
        await pilot.pause()
        assert app.screen.position == 1
        firing = next(i for i, s in enumerate(app.screen.steps)
                      if s.rule == "10_rules.feet_turn_out")
        await pilot.press(*["right"] * (firing - 1))
        await pilot.pause()
        text = detail(app)
        assert "rule 10_rules.feet_turn_out" in text
        assert "Matched:" in text and "Feet turn out" in text
        assert "Added:" in text and "Soleus is probably overactive" in text
        await pilot.press("left")
        await pilot.pause()
        assert app.screen.position == firing - 1


async def test_end_goes_to_the_last_step_and_right_stops_there(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r", "end", "right")
        await pilot.pause()
        screen = app.screen
        assert screen.position == len(screen.steps) - 1
        assert f"Step {len(screen.steps)} of {len(screen.steps)}" in detail(app)


async def test_names_with_square_brackets_are_shown_literally(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "Knees move inward [valgus]" in detail(app)


async def test_without_conclusions_the_replay_says_what_to_do(app_factory, settle):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.result = None  # e.g. the first consultation is still being computed
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)
        assert "Nothing to replay yet" in detail(app)
        await pilot.press("right")  # nothing to step through: no crash
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReplayScreen)


async def test_ctrl_r_works_while_typing_in_a_field(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml", start="client")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query(Input).first().focus()
        await pilot.pause()
        assert isinstance(app.focused, Input)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ReplayScreen)


async def test_rule_text_with_square_brackets_is_shown_as_written(
        app_factory, clients, settle, service, monkeypatch):
    real = service.steps

    def bracketed(result):  # a rule written with a side in brackets, e.g. "[L]"
        return tuple(replace(s, rule_text=f"{s.rule_text}\n  [L] side only [bold]x[/bold]")
                     if s.origin == "rule" else s for s in real(result))

    monkeypatch.setattr(service, "steps", bracketed)
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        firing = next(i for i, s in enumerate(app.screen.steps) if s.origin == "rule")
        await pilot.press(*["right"] * firing)
        await pilot.pause()
        assert "[L] side only [bold]x[/bold]" in detail(app)
        shown = app.screen.query_one("#replay-detail", Static)  # as drawn, not just stored
        strips = shown.render_lines(Region(0, 0, shown.size.width, shown.size.height))
        assert "[L] side only [bold]x[/bold]" in "".join(s.text for s in strips)
