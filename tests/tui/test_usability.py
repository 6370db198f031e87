"""Problems found by using the TUI as a new trainer would, each pinned by a test."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, Label
from tui_support import paste_path

from cexpert.tui.messages import ConsultationChanged
from cexpert.tui.screens.assess import AssessScreen
from cexpert.tui.screens.client import ClientScreen
from cexpert.tui.screens.dialogs import PathScreen
from cexpert.tui.screens.why import WhyScreen
from cexpert.tui.widgets.findings import FindingList
from cexpert.tui.widgets.why_tree import WhyTree

pytestmark = pytest.mark.asyncio

CHARACTERS = {"backspace": "\x7f", "tab": "\t", "space": " ", "enter": "\r"}


async def new_client_on_assess(pilot, settle) -> None:
    """From the start: a new client (Ctrl+N), then the assessment pages (F4)."""
    await settle(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)
    await pilot.press("f4")
    await settle(pilot)


def burst(app, *keys: str) -> None:
    """Queue keys the way a fast typist (or a slow link) delivers them: all at once."""
    for key in keys:
        app.post_message(events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None)))


async def test_fast_typing_keeps_backspace_and_tab_in_order(app_factory, settle):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n", "f3")  # a new client starts on Assess; F3: details
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
        await new_client_on_assess(pilot, settle)
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


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_saving_with_a_bad_score_names_the_test_to_fix(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("5", "ctrl+u", "7")  # FMS page: deep squat 7
        await settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert any("Deep squat: Scores are whole numbers 0-3" in n for n in notices(app))


async def test_a_score_error_is_shown_whole_beside_the_wide_live_panel(app_factory, clients,
                                                                      settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5", "ctrl+u", "7")
        await settle(pilot)
        label = app.screen.query_one("#fms-error-deep_squat", Label)
        shown = " ".join(label.render_line(y).text.strip() for y in range(label.size.height))
        assert shown.strip() == "Scores are whole numbers 0-3"


async def test_save_as_to_an_unwritable_place_keeps_the_dialog_open_with_the_reason(
        app_factory, clients, tmp_path, settle):
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_save_as()
        await pilot.pause()
        assert isinstance(app.screen, PathScreen)
        await paste_path(pilot, tmp_path / "a-file" / "kim.toml")
        await pilot.pause()
        assert isinstance(app.screen, PathScreen)  # still open: fix the path and retry
        problem = str(app.screen.query_one("#path-error", Label).render())
        assert "a-file is a file, not a folder" in problem
        assert "Errno" not in problem

        await paste_path(pilot, tmp_path / "kim.toml")
        await pilot.pause()
        assert not isinstance(app.screen, PathScreen)
        assert (tmp_path / "kim.toml").exists()
        assert app.consultation.path == tmp_path / "kim.toml"


async def test_dysfunctions_are_in_priority_order_with_where_they_were_seen(
        app_factory, clients, settle):
    """The rank is the knowledge base's priority order; a 'score' beside it misled."""
    app = app_factory(clients / "test-client.toml", start="results")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        rows = app.screen.query_one("#rows").rows
        assert any(r.kind == "header" and r.text == "Dysfunctions, in priority order"
                   for r in rows)
        details = {r.text: r.detail for r in rows if r.what == "dysfunction"}
        assert details and not any("score" in d for d in details.values())
        assert "OHSA, both sides" in details.values()
        assert "Single-leg squat, left side" in details.values()


async def test_the_why_tree_shows_a_rule_written_over_several_lines_in_full(
        app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml", start="results")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.consultation.set_observed("pain", "knee", "both", True)
        app.post_message(ConsultationChanged())
        await settle(pilot)
        rows = app.screen.query_one("#rows")
        rows.focus()
        rows.highlighted = next(n for n, r in enumerate(rows.rows) if r.what == "referral")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WhyScreen)
        labels = []

        def walk(node):
            for child in node.children:
                labels.append(str(child.label))
                walk(child)

        walk(app.screen.query_one(WhyTree).root)
        start = next(n for n, line in enumerate(labels) if line.startswith("written: "))
        written = " ".join(" ".join(labels[start:start + 12]).split())
        assert "hold program because" in written  # the rule's last line, not cut off
        tree = app.screen.query_one(WhyTree)
        for line in tree.render_lines(tree.region.reset_offset)[1:-1]:
            assert line.text[-3:-1] == "  ", line.text  # no line runs into the border (cut)
        assert "because of rule Pain during the assessment  (pain_refer)" in labels


async def test_focused_lists_say_how_to_tick_and_move_on(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        focused = app.focused
        assert isinstance(focused, FindingList)
        assert "Space: tick" in str(focused.border_subtitle)
        await pilot.press("tab")
        await pilot.pause()
        assert focused.border_subtitle is None


async def test_a_ticked_and_an_unticked_finding_differ_by_more_than_colour(app_factory, settle):
    """Textual draws an X in both states; on a projector only the X's colour told them apart."""
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await new_client_on_assess(pilot, settle)
        await pilot.press("space")
        await settle(pilot)
        findings = app.focused
        ticked, unticked = (findings.render_line(y).text[:3] for y in (0, 1))
        assert (ticked, unticked) == ("▐X▌", "▐ ▌")


async def test_a_referral_that_appears_on_top_takes_the_untouched_highlight():
    """Whichever result reached the Results screen first, the first conclusion is shown:
    a highlight still on the first row moves to the new first row (the referral)."""
    from textual.app import App

    from cexpert.present.rows import Row
    from cexpert.tui.widgets.result_list import ResultList

    plain = [Row("header", "Dysfunctions"), Row("item", "1. Feet turn out", "f5"),
             Row("item", "2. Knees move inward", "f6")]
    referred = [Row("header", "Referral"), Row("alert", "Pain: see a professional", "f9"),
                *plain]

    class One(App):
        def compose(self):
            yield ResultList(id="rows")

    async with One().run_test(size=(60, 12)) as pilot:
        rows = pilot.app.query_one(ResultList)
        rows.show_rows(plain)
        await pilot.pause()
        rows.show_rows(referred)
        await pilot.pause()
        assert rows.highlighted_row.text == "Pain: see a professional"
        rows.highlighted = 4  # the trainer moves to "Knees move inward"
        rows.show_rows(plain)
        await pilot.pause()
        assert rows.highlighted_row.text == "2. Knees move inward"
