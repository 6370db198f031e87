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


# --- the agenda, as the engine recorded it ---------------------------------------------


async def _at_rule(app, pilot, rule: str) -> None:
    index = next(i for i, s in enumerate(app.screen.steps) if s.rule == rule)
    app.screen._go(index)
    await pilot.pause()


async def test_a_firing_shows_the_agenda_in_firing_order_and_why_it_won(
        app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        await _at_rule(app, pilot, "10_rules.feet_turn_out")
        text = detail(app)
        assert "Why now: firing 1, it won on earlier in the knowledge base" in text
        agenda = text.split("Agenda (")[1].split("Working memory")[0]
        assert agenda.index("10_rules.feet_turn_out") < agenda.index("10_rules.knees_move_inward")
        assert "▶  1. 10_rules.feet_turn_out" in agenda
        assert "(round 1)" in text and "[round 1, salience 0" in agenda
        assert "stratum" not in text  # the engine's word, said as a round


async def test_working_memory_marks_the_facts_the_last_firing_added(
        app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        await _at_rule(app, pilot, "10_rules.knees_move_inward")
        memory = detail(app).split("Working memory")[1]
        assert "* newest" in memory
        newest = [line for line in memory.splitlines() if line.startswith(" *")]
        assert newest and all("probably" in line for line in newest)  # feet_turn_out's


async def test_b_then_c_runs_to_the_next_firing_of_that_rule(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        await _at_rule(app, pilot, "reassess")
        first = app.screen.position
        await pilot.press("b", "home", "c")
        await pilot.pause()
        assert app.screen.position == first
        await pilot.press("c")
        await pilot.pause()
        assert app.screen.position > first and app.screen.steps[app.screen.position].rule == (
            "reassess")


async def test_slash_jumps_to_where_a_conclusion_first_appeared(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r", "slash", *"tfl", "enter")
        await pilot.pause()
        step = app.screen.steps[app.screen.position]
        assert step.rule == "10_rules.knees_move_inward"
        assert "tfl" in app.screen.breakpoints


async def test_slash_on_something_never_concluded_says_so(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r", "slash", *"nothing", "enter")
        await pilot.pause()
        assert app.screen.position == 0 and app.screen.breakpoints == []
