"""Why, why not and what if, driven from the keyboard."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.widgets import Static

from cexpert.tui.screens.results import ResultsScreen
from cexpert.tui.screens.what_if import WhatIfScreen
from cexpert.tui.screens.why import WhyScreen
from cexpert.tui.screens.why_not import WhyNotScreen
from cexpert.tui.widgets.result_list import ResultList
from cexpert.tui.widgets.why_tree import WhyTree

pytestmark = pytest.mark.asyncio

def _drawn(renderable) -> str:
    console = Console(width=60, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def tree_lines(tree: WhyTree) -> list[str]:
    lines = []

    def walk(node, depth):
        for child in node.children:
            lines.append("  " * depth + str(child.label))
            walk(child, depth + 1)

    walk(tree.root, 0)
    return lines


async def highlight(pilot, rows: ResultList, predicate) -> None:
    target = next(n for n, row in enumerate(rows.rows) if predicate(row))
    rows.focus()
    rows.highlighted = target
    await pilot.pause()


async def test_why_shows_the_chain_down_to_what_was_entered(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml", start="results")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        rows = app.screen.query_one("#rows", ResultList)
        await highlight(pilot, rows, lambda r: r.what == "muscle" and r.key == "adductor_complex")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WhyScreen)
        lines = tree_lines(app.screen.query_one(WhyTree))
        text = " ".join(" ".join(lines).split())  # a long line continues on the next
        assert "Adductor complex is probably overactive" in text
        assert "because of Overhead squat assessment table: Knees move inward" in text
        assert "10_rules.knees_move_inward" in text  # the Why view still names the rule
        assert "source: TUI test table" in text
        assert "Entered: Knees move inward [valgus] in Overhead squat assessment" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)


async def test_why_of_an_exercise_and_an_exclusion(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml", start="program")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.consultation.set_conditions(["osteoporosis"])
        app.consultation.set_limitations([])
        app.schedule_consult()
        await settle(pilot)
        rows = app.screen.query_one("#rows", ResultList)
        await highlight(pilot, rows, lambda r: r.what == "excluded")
        preview = _drawn(app.screen.query_one("#preview").query_one(Static).content)
        assert "osteoporosis" in preview.lower()  # the wide layout previews the chain
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WhyScreen)
        detail = str(app.screen.query_one("#why-detail", Static).render())
        assert "No rolling with osteoporosis" in detail


async def test_why_not_lists_the_conditions_that_failed(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml", start="results")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rows = app.screen.query_one("#rows", ResultList)
        await highlight(pilot, rows, lambda r: r.what == "muscle")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, WhyNotScreen)
        app.screen.muscle, app.screen.state_asked = "pectoralis_minor", "overactive"
        app.screen.answer()
        await pilot.pause()
        text = "\n".join(tree_lines(app.screen.query_one(WhyTree)))
        answer = str(app.screen.query_one("#why-not-answer", Static).render())
        assert "2 rule(s) could conclude it" in answer
        assert "✗ fails  Arms fall forward was entered" in text
        assert "✗ fails  Rounded shoulders was entered" in text


async def test_what_if_shows_the_difference_then_applies_it(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f7")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WhatIfScreen)
        index = next(n for n, c in enumerate(screen.choices) if c and c[1] == "low_back_arches")
        screen.query_one("#toggles").highlighted = index
        await settle(pilot)
        diff = str(screen.query_one("#diff", Static).render())
        assert "Adding Low back arches" in diff
        assert "+ Hip flexor complex overactive" in diff
        assert not app.consultation.is_observed("ohsa", "low_back_arches", "both")
        await pilot.press("space")
        await settle(pilot)
        assert app.consultation.is_observed("ohsa", "low_back_arches", "both")
        assert any(m.id == "hip_flexor_complex" for m in app.result.muscles)
        assert "Removing Low back arches" in str(screen.query_one("#diff", Static).render())


async def test_a_pain_finding_puts_the_referral_banner_on_top(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        banner = app.screen.query_one("ReferralBanner")
        assert not banner.has_class("-shown")
        await pilot.press("4", "space")  # the pain page: low back pain
        await settle(pilot)
        assert app.result.referral.required
        assert banner.has_class("-shown")
        assert "Pain was reported" in str(banner.render())
