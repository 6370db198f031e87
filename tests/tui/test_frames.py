"""Fewer frames, the same screens: what the start-up and the live update paint.

The TUI skips work Textual would do again for nothing (a footer recomposed with
the same keys, a second layout after the summary's update, the screen laid out
once without its width class). These specify that what is on screen is what
Textual's own path gives.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.widget import Widget
from textual.widgets._footer import FooterKey

from cexpert.resources import examples_dir
from cexpert.service import Service
from cexpert.tui.app import make_app
from cexpert.tui.screens.assess import AssessScreen
from cexpert.tui.widgets.findings import FindingList
from cexpert.tui.widgets.footer import KeysFooter
from cexpert.tui.widgets.live import SizedByLayout

pytestmark = pytest.mark.asyncio

RUNNER = examples_dir() / "runner.toml"


def _footer_keys(screen) -> list[tuple[str, str, bool]]:
    return [(key.action, key.description, key._disabled)
            for key in screen.query_one(KeysFooter).query(FooterKey)]


def _keys_to_show(screen) -> list[tuple[str, str, bool]]:
    return [(binding.action, binding.description, not enabled)
            for binding, enabled, _ in screen.query_one(KeysFooter).keys_to_show()]


@pytest.mark.parametrize("keys", [(), ("f5",), ("f6",), ("f5", "enter"), ("f5", "f4"),
                                  ("f5", "escape", "f4")],
                         ids=["Assess", "Results", "Program", "Why", "back", "escape"])
async def test_the_footer_shows_the_keys_of_the_focus_and_screen_now(
        keys, app_factory, clients, settle):
    """A recompose is skipped only when the keys would be the same ones."""
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        assert _footer_keys(app.screen) == _keys_to_show(app.screen)


async def test_the_first_frame_of_assess_is_complete(app_factory, clients, settle,
                                                     monkeypatch):
    """Laid out for the terminal's width, its first list focused, its keys in the footer:
    Textual would paint it first without the width class, the focus or the keys."""
    first: list[tuple[bool, object, int]] = []
    display = App._display

    def painted(app, screen, renderable) -> None:
        display(app, screen, renderable)
        if renderable is not None and isinstance(screen, AssessScreen) and not first:
            first.append((screen.has_class("-narrow"), screen.focused,
                          len(screen.query_one(KeysFooter).children)))

    monkeypatch.setattr(App, "_display", painted)
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        narrow, focused, keys = first[0]
        assert narrow
        assert isinstance(focused, FindingList)
        assert keys == len(_keys_to_show(app.screen))


async def _updates(pilot, toggles: int) -> list[tuple[str, int]]:
    """The screen, and the summary's height, after each of `toggles` toggled findings
    (going down the first list)."""
    app = pilot.app
    shots = []
    for n in range(toggles):
        if n:
            await pilot.press("down")
        before = app.consults
        await pilot.press("space")
        while app.consults == before:
            await pilot.pause(0.01)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        shots.append((app.export_screenshot(),
                      app.screen.query_one("#live-summary").virtual_size.height))
    return shots


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["narrow", "wide"])
async def test_the_live_update_paints_what_a_second_layout_would(size, monkeypatch):
    """After each toggle, one layout pass; Textual's stock path (a second pass on the
    next frame when the summary's height changed) paints the same screens."""
    service = Service.open()
    runs = []
    for stock in (False, True):
        if stock:
            monkeypatch.setattr(SizedByLayout, "_size_updated", Widget._size_updated)
        app = make_app(service, case_path=RUNNER, clients_dir=Path("/nonexistent"))
        async with app.run_test(size=size) as pilot:
            while app.result is None:
                await pilot.pause(0.01)
            await pilot.press("1")
            await pilot.pause()
            runs.append(await _updates(pilot, 6))
    assert runs[0] == runs[1]
    if size == (80, 24):  # the summary grew or shrank on the way: a second pass was due
        assert len({height for _, height in runs[0]}) > 1
