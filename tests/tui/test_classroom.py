"""The classroom demo (`cexpert serve --demo`): opens on the Lessons, saves nothing, asks
nothing on quit; the projector theme; the screen log the browser test reads."""

from __future__ import annotations

import time

import pytest

from cexpert.resources import examples_dir
from cexpert.service import Service
from cexpert.tui.app import make_app
from cexpert.tui.classroom import ScreenLog
from cexpert.tui.screens.lessons import LessonsScreen

pytestmark = pytest.mark.asyncio

SHIPPED = Service.open()


def teaching_files() -> dict:
    return {p: p.stat().st_mtime_ns for p in (examples_dir() / "teaching").iterdir()}


async def test_the_demo_opens_on_the_lessons(settle):
    app = make_app(SHIPPED, demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LessonsScreen)


async def test_the_demo_saves_nothing_and_says_so(settle):
    before = teaching_files()
    app = make_app(SHIPPED, demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # lesson 1
        await settle(pilot)
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert any("nothing is saved" in n.message for n in app._notifications)
        assert app.write_case(examples_dir() / "teaching" / "01_one_row.toml") is not None
    assert teaching_files() == before


async def test_the_demo_offers_no_export(settle):
    app = make_app(SHIPPED, demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f9")
        await pilot.pause()
        assert any("read-only" in n.message for n in app._notifications)
        with pytest.raises(ValueError):
            app.export_to(examples_dir() / "teaching" / "x", ["markdown"])


async def test_quitting_the_demo_after_a_change_asks_nothing(settle):
    app = make_app(SHIPPED, demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_the_projector_theme_is_black_white_and_yellow(settle):
    app = make_app(SHIPPED, demo=True, projector=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        theme = app.current_theme
        assert (theme.name, theme.background, theme.foreground) == (
            "projector", "#000000", "#ffffff")


async def test_the_screen_log_writes_what_is_on_screen(settle, tmp_path):
    app = make_app(SHIPPED, demo=True)
    app.screen_log = ScreenLog(app, tmp_path)
    text = ""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        deadline = time.monotonic() + 60  # a few ticks when idle; a loaded CI machine may need more
        while "1. One table row fires" not in text and time.monotonic() < deadline:
            await pilot.pause(0.2)
            logs = list(tmp_path.glob("screen-*.txt"))
            text = logs[0].read_text(encoding="utf-8") if logs else ""
    # read while the app runs: the tick during shutdown may log the closing (blank) frame
    assert "1. One table row fires" in text and len(text.split("\n")) == 24
