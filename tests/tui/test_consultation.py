"""A whole consultation by keystrokes, at 80x24: new client to exported program."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Label

from cexpert.tui.screens.assess import AssessScreen
from cexpert.tui.screens.client import ClientScreen
from cexpert.tui.screens.program import ProgramScreen
from cexpert.tui.widgets.findings import FindingList

pytestmark = pytest.mark.asyncio

async def test_a_new_client_to_an_exported_program(app_factory, clients, service, settle):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n", "f3")
        await pilot.pause()
        assert isinstance(app.screen, ClientScreen)
        assert app.focused is not None and app.focused.id == "name"
        await pilot.press(*"Ada <Lovelace> [AL]")
        await pilot.press("tab", *"52", "tab", *"walk 5k; garden")
        await settle(pilot)
        state = app.consultation
        assert (state.name, state.age, state.goals) == ("Ada <Lovelace> [AL]", 52,
                                                         ["walk 5k", "garden"])

        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, AssessScreen)
        await pilot.press("2")  # the overhead squat page, its first list focused
        await pilot.pause()
        assert isinstance(app.focused, FindingList)
        assert app.focused.group.assessment == "ohsa"
        await pilot.press("space", "down", "space")  # feet turn out, knees move inward
        await pilot.press("3")  # single-leg squat: left side first
        await pilot.pause()
        await pilot.press("space")
        await settle(pilot)
        assert [o.finding for o in state.observations] == [
            "feet_turn_out", "knees_move_inward", "sls_knee_moves_inward"]
        result = app.result
        assert result is not None
        assert [d.id for d in result.dysfunctions] == [
            "feet_turn_out", "knees_move_inward", "sls_knee_moves_inward"]

        await pilot.press("5")  # the FMS page: its first score field
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.id == "fms-deep_squat-both"
        await pilot.press("2", "tab", "3", "tab", "1")
        await settle(pilot)
        assert state.fms == {"deep_squat": (2, 2), "hurdle_step": (3, 1)}
        assert app.result.fms is not None and "hurdle_step" in app.result.fms.asymmetries

        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, ProgramScreen)
        names = [row.text for row in app.screen.query_one("#rows").rows]
        assert any("Side-lying hip abduction" in n for n in names)

        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = clients / "ada-lovelace-al.toml"
        assert saved.exists() and not state.dirty

        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("enter")  # the default file name, both formats
        await pilot.pause()
        md = clients / "ada-lovelace-al-program.md"
        html = clients / "ada-lovelace-al-program.html"
        assert md.exists() and html.exists()
        page = html.read_text(encoding="utf-8")
        assert "Ada &lt;Lovelace&gt; [AL]" in page and "<Lovelace>" not in page
        assert "Side-lying hip abduction" in page
        assert "Trainer&#x27;s appendix" in page  # the rule chains, after the handout
        notes = md.read_text(encoding="utf-8")
        assert "Ada \\<Lovelace\\> \\[AL\\]" in notes and "## Trainer's appendix" in notes

    # the saved consultation re-runs through the service with the same conclusions
    again = service.consult(service.read_case(saved))
    for part in ("dysfunctions", "muscles", "conflicts", "program", "excluded", "referral",
                 "fms", "program_status"):
        assert again.as_json()[part] == result_json(app.result)[part], part


def result_json(result):
    return result.as_json()


async def test_bad_input_is_shown_inline_and_never_crashes(app_factory, clients, settle):
    app = app_factory(clients / "test-client.toml", start="client")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        age = screen.query_one("#age", Input)
        age.focus()
        await pilot.press("ctrl+u", *"abc")
        await settle(pilot)
        error = str(screen.query_one("#age-error", Label).render())
        assert "whole number" in error
        assert app.consultation.age is None and "age" in app.consultation.errors
        assert app.result is not None  # still consulting, without the age

        await pilot.press("f4", "5")  # FMS: a score of 5
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "fms-deep_squat-both"
        await pilot.press("backspace", "5")
        await settle(pilot)
        fms_error = str(app.screen.query_one("#fms-error-deep_squat", Label).render())
        assert "0-3" in fms_error
        assert "deep_squat" not in app.consultation.fms

        text_before = (clients / "test-client.toml").read_text(encoding="utf-8")
        await pilot.press("ctrl+s")  # refused while entries are invalid
        await pilot.pause()
        assert (clients / "test-client.toml").read_text(encoding="utf-8") == text_before
        assert app.is_running

        await pilot.press("backspace", "1")
        await settle(pilot)
        assert app.consultation.fms["deep_squat"] == (1, 1)
        assert "fms.deep_squat.both" not in app.consultation.errors


async def test_a_broken_case_file_is_reported_not_raised(app_factory, clients, settle):
    broken = clients / "broken.toml"
    broken.write_text('[client]\nage = "old"\n[assessment]\nohsa = ["no_such_finding"]\n',
                      encoding="utf-8")
    app = app_factory(broken)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        from cexpert.tui.screens.dialogs import MessageScreen

        assert isinstance(app.screen, MessageScreen)
        assert "no_such_finding" in app.screen.body
        await pilot.press("escape")
        await pilot.pause()
        assert app.current_mode == "clients"
