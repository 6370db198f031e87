"""The trainer's session, polished: where a new client starts, page keys, honest ticks."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette
from textual.widgets import Checkbox, Input, TabbedContent
from textual.widgets._footer import FooterKey

from cexpert.tui.keys import ESSENTIAL
from cexpert.tui.screens.assess import AssessScreen
from cexpert.tui.screens.client import ClientScreen
from cexpert.tui.widgets.findings import ChoiceList, FindingList

pytestmark = pytest.mark.asyncio


def _in_view(widget) -> bool:
    """The widget's top line is on screen (not scrolled off, not hidden)."""
    region = widget.screen.find_widget(widget).region
    return widget.screen.region.contains_point(region.offset)


async def test_a_new_client_opens_assess_on_the_first_page_with_its_first_list_focused(
        app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3", "tab")  # the previous client left on page 3, its second list
        await pilot.press("ctrl+n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AssessScreen)
        assert screen.query_one("#pages", TabbedContent).active == screen.page_ids[0]
        first = screen.query_one(f"#{screen.page_ids[0]}").query(FindingList).first()
        assert app.focused is first and _in_view(first)
        await pilot.press("space")
        await settle(pilot)
        ticked = first.group.findings[0].id
        assert app.consultation.is_observed(first.group.assessment, ticked, first.group.side)


async def test_opening_another_client_starts_assess_on_the_first_page(
        app_factory, clients, settle):
    (clients / "other.toml").write_text('[client]\nname = "Bo"\n', encoding="utf-8")
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        app.open_case(clients / "other.toml")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AssessScreen)
        assert screen.query_one("#pages", TabbedContent).active == screen.page_ids[0]
        assert isinstance(app.focused, FindingList)


@pytest.mark.parametrize("key", ["ctrl+pagedown", "alt+right"])
async def test_next_page_keys_work_from_any_field_and_focus_the_new_pages_first_field(
        key, app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml", start="client")
    async with app.run_test(size=(80, 24)) as pilot:  # one app, every starting field
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClientScreen)
        for start in ("#name", "#unrestricted", "#limitations"):
            screen.set_focus(screen.query_one(start))
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
            assert screen.query_one("#client-tabs", TabbedContent).active == "health", start
            assert app.focused is screen.query_one("#health").query(ChoiceList).first()
            assert app.consultation.name == "Test [client]"  # the key typed nothing
            back = "ctrl+pageup" if key == "ctrl+pagedown" else "alt+left"
            await pilot.press(back)
            await pilot.pause()
            assert screen.query_one("#client-tabs", TabbedContent).active == "details"
            assert isinstance(app.focused, Input) and app.focused.id == "name"


async def test_the_palettes_page_commands_focus_the_pages_first_field(
        app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml", start="client")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"client page: par")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ClientScreen)
        assert screen.query_one("#client-tabs", TabbedContent).active == "parq"
        assert app.focused is screen.query_one("#parq-yes")


async def test_a_tick_then_an_untick_leaves_the_client_unchanged(
        app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2", "tab", "space")
        await settle(pilot)
        assert app.consultation.dirty and "●" in app.sub_title
        await pilot.press("space")
        await settle(pilot)
        assert not app.consultation.dirty and "●" not in app.sub_title
        await pilot.press("f3")
        await pilot.pause()
        box = app.screen.query_one("#unrestricted", Checkbox)
        box.toggle()
        await pilot.pause()
        box.toggle()
        await settle(pilot)
        assert not app.consultation.dirty


def _drawn(box: Checkbox) -> str:
    return box.render().plain  # what the box draws, as characters (no colour)


async def test_every_check_box_shows_its_state_without_colour(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml", start="client")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        boxes = list(app.screen.query(Checkbox))
        await pilot.press("f4", "5")  # the FMS page: its clearing tests
        await settle(pilot)
        boxes += list(app.screen.query(Checkbox))
        await pilot.press("f9")
        await pilot.pause()
        boxes += list(app.screen.query(Checkbox))  # the export's formats
        assert len(boxes) >= 5
        for box in boxes:
            for value in (True, False):
                box.value = value
                await pilot.pause()
                inside = _drawn(box).split("▌")[0]
                assert ("X" in inside) is value, (box.id, value, _drawn(box))


@pytest.mark.parametrize("keys", [("f5",), ("f6",), ("f5", "enter")],
                         ids=["Results", "Program", "Why"])
async def test_at_80_columns_the_footer_keeps_program_export_and_save(
        keys, app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        shown = {key.action for key in app.screen.query(FooterKey)
                 if key.region.width and key.region.right <= 80}
        assert shown >= ESSENTIAL, shown


async def test_at_80_columns_par_q_questions_wrap_instead_of_being_cut(
        app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml", start="client")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+pagedown", "ctrl+pagedown")
        await pilot.pause()
        questions = app.screen.query_one("#parq-yes", ChoiceList)
        lines = [questions.render_line(y).text.rstrip() for y in range(questions.size.height)]
        assert not any(line.endswith("…") for line in lines), lines
        first = str(questions.get_option_at_index(0).prompt)
        drawn = " ".join(line.strip() for line in lines)
        assert first in drawn  # the whole question, over two lines
        assert sum(1 for line in lines if "▐" in line) <= questions.option_count  # one box each


async def test_why_not_filters_by_typing_and_names_the_group_that_covers_a_muscle(
        app_factory, clients, settle):
    from textual.widgets import OptionList, Static

    from cexpert.tui.screens.why_not import WhyNotScreen

    app = app_factory(clients / "test-client.toml", start="results")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f8")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WhyNotScreen)
        await pilot.press(*"ilio")  # an alias of Psoas
        await pilot.pause()
        muscles = screen.query_one("#muscles", OptionList)
        assert [muscles.get_option_at_index(i).id for i in range(muscles.option_count)] == [
            "psoas"]
        answer = str(screen.query_one("#why-not-answer", Static).render())
        assert "Psoas is part of the hip flexor complex: ask about that" in answer
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert screen.muscle == "hip_flexor_complex"
        assert screen.query_one("#why-not-tree").border_title == \
            "Why is Hip flexor complex not overactive?"


async def test_why_not_state_is_chosen_by_the_arrow_that_moves_to_it(
        app_factory, clients, settle):
    from cexpert.tui.screens.why_not import WhyNotScreen

    app = app_factory(clients / "test-client.toml", start="results")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_why_not("gluteus_medius", "overactive")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, WhyNotScreen)
        screen.query_one("#state").focus()
        await pilot.press("right")  # no Space: moving to "underactive" chooses it
        await pilot.pause()
        assert screen.state_asked == "underactive"
        assert "underactive" in screen.query_one("#why-not-tree").border_title
        await pilot.press("left")
        await pilot.pause()
        assert screen.state_asked == "overactive"

