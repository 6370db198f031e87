"""A condition's status on the Health page: chosen with the keys, saved, read back, consulted.

The test knowledge base declares `statuses controlled, uncontrolled` for high blood
pressure and refers (holding the program) when it is uncontrolled.
"""

from __future__ import annotations

import tomllib

import pytest
from tui_support import CASE

from cexpert.engine.case import ClientCondition
from cexpert.tui.screens.client import ClientScreen
from cexpert.tui.state import Consultation
from cexpert.tui.widgets.findings import ChoiceList
from cexpert.tui.widgets.status import ConditionStatus

WITH_STATUS = CASE.replace(
    'equipment = ["foam_roller"]\n',
    'equipment = ["foam_roller"]\n'
    'conditions = ["osteoporosis", { id = "hypertension", status = "uncontrolled" }]'
    "  # as the client said\n")


def saved_conditions(path) -> list:
    return tomllib.loads(path.read_text(encoding="utf-8"))["client"]["conditions"]


async def open_health(pilot, settle) -> ClientScreen:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ClientScreen)
    screen.show_page("health")
    await settle(pilot)
    screen.set_focus(screen.query_one("#conditions-0", ChoiceList))
    await pilot.pause()
    return screen


@pytest.mark.asyncio
async def test_ticking_then_choosing_uncontrolled_refers_and_saves_the_status(
        app_factory, clients, settle):
    path = clients / "test-client.toml"
    app = app_factory(path, start="client")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_health(pilot, settle)
        row = screen.query_one("#status-hypertension", ConditionStatus)
        assert not row.display  # no status to choose until the condition is ticked
        await pilot.press("down", "space")  # High blood pressure
        await settle(pilot)
        assert list(app.consultation.conditions) == ["hypertension"]
        assert row.display and row.status is None
        assert not app.result.referral.required
        await pilot.press("tab")
        assert app.focused is row
        assert "Space: choose" in str(row.border_subtitle)
        await pilot.press("right", "right", "space")  # not stated, controlled, uncontrolled
        await settle(pilot)
        assert row.status == "uncontrolled"
        assert app.consultation.conditions["hypertension"] == ClientCondition(
            "hypertension", "uncontrolled")
        assert app.result.referral.required
        banner = screen.query_one("ReferralBanner")
        assert banner.has_class("-shown")
        assert "Blood pressure is not under control" in str(banner.render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert saved_conditions(path) == [{"id": "hypertension", "status": "uncontrolled"}]
        assert 'conditions = [{ id = "hypertension", status = "uncontrolled" }]' in \
            path.read_text(encoding="utf-8")
        assert "# A test client: the comment must survive a save." in \
            path.read_text(encoding="utf-8")


@pytest.mark.asyncio
async def test_a_status_in_the_case_file_is_shown_and_clearing_it_writes_the_plain_id(
        app_factory, clients, settle):
    path = clients / "with-status.toml"
    path.write_text(WITH_STATUS, encoding="utf-8")
    app = app_factory(path, start="client")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_health(pilot, settle)
        row = screen.query_one("#status-hypertension", ConditionStatus)
        assert row.display and row.status == "uncontrolled"
        assert str(row.border_title) == "High blood pressure: status"
        assert app.result.referral.required
        screen.set_focus(row)
        await pilot.pause()
        await pilot.press("left", "left", "space")  # back to "not stated"
        await settle(pilot)
        assert row.status is None
        assert app.consultation.conditions["hypertension"] == ClientCondition("hypertension")
        assert not app.result.referral.required
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = path.read_text(encoding="utf-8")
        assert 'conditions = ["osteoporosis", "hypertension"]' in text
        assert saved_conditions(path) == ["osteoporosis", "hypertension"]


@pytest.mark.asyncio
async def test_unticking_a_condition_hides_its_status_and_a_new_tick_starts_unstated(
        app_factory, clients, settle):
    path = clients / "with-status.toml"
    path.write_text(WITH_STATUS, encoding="utf-8")
    app = app_factory(path, start="client")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_health(pilot, settle)
        row = screen.query_one("#status-hypertension", ConditionStatus)
        await pilot.press("down", "space")  # untick High blood pressure
        await settle(pilot)
        assert "hypertension" not in app.consultation.conditions and not row.display
        assert not app.result.referral.required
        await pilot.press("space")  # tick it again
        await settle(pilot)
        assert row.display and row.status is None
        assert app.consultation.conditions["hypertension"].status is None


@pytest.mark.asyncio
async def test_only_conditions_that_declare_statuses_get_a_status_row(app_factory, settle):
    app = app_factory(start="client")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_health(pilot, settle)
        rows = list(screen.query(ConditionStatus))
        assert [r.condition for r in rows] == ["hypertension"]
        assert [str(b.label) for b in rows[0].query("RadioButton")] == [
            "not stated", "controlled", "uncontrolled"]


def test_the_status_is_written_as_an_inline_table_and_cleared_to_the_id(service):
    state = Consultation.from_text(service.kb, CASE)
    state.set_conditions(["osteoporosis", "hypertension"])
    revision = state.revision
    state.set_condition_status("hypertension", "controlled")
    assert state.revision == revision + 1
    assert 'conditions = ["osteoporosis", { id = "hypertension", status = "controlled" }]' \
        in state.to_toml()
    state.set_condition_status("hypertension", "controlled")
    assert state.revision == revision + 1  # no change, no re-consultation
    state.set_condition_status("hypertension", None)
    assert 'conditions = ["osteoporosis", "hypertension"]' in state.to_toml()
    assert "# A test client: the comment must survive a save." in state.to_toml()
    assert service.parse_case(state.to_toml()).client.conditions[1].status is None


def test_a_status_ticks_its_condition_and_only_declared_statuses_are_taken(service):
    state = Consultation(service.kb)
    state.set_condition_status("hypertension", "uncontrolled")
    assert list(state.conditions) == ["hypertension"]
    state.set_condition_status("osteoporosis", None)  # nothing to clear: not ticked
    assert "osteoporosis" not in state.conditions
    with pytest.raises(ValueError, match="controlled, uncontrolled"):
        state.set_condition_status("hypertension", "severe")
    with pytest.raises(ValueError):
        state.set_condition_status("osteoporosis", "controlled")  # declares none
    case = service.parse_case(state.to_toml())
    assert case.client.conditions == (ClientCondition("hypertension", "uncontrolled"),)


def test_many_or_long_statuses_go_one_per_line():
    short = ConditionStatus("hypertension", "High blood pressure", ("controlled", "uncontrolled"))
    long = ConditionStatus("x", "X", ("controlled with medication", "not controlled, untreated"))
    assert not short.has_class("-stacked") and long.has_class("-stacked")


# --- where a regional condition is, and its measures, with the shipped rules --------------


def test_a_region_ticks_its_condition_is_saved_and_read_back():
    from cexpert.service import Service

    shipped = Service.open()
    state = Consultation(shipped.kb)
    state.set_condition_region("varicose_veins", "lower_leg")
    assert list(state.conditions) == ["varicose_veins"]
    assert state.region_of("varicose_veins") == "lower_leg"
    with pytest.raises(ValueError):
        state.set_condition_region("varicose_veins", "elbw")
    case = shipped.parse_case(state.to_toml())
    assert case.client.conditions == (ClientCondition("varicose_veins", region="lower_leg"),)
    state.set_condition_region("varicose_veins", None)
    assert shipped.parse_case(state.to_toml()).client.conditions[0].region is None


def test_weeks_of_pregnancy_in_the_case_file_survive_a_save():
    from cexpert.service import Service

    shipped = Service.open()
    text = '[client]\nname = "P"\nconditions = [{ id = "pregnancy", weeks = 20 }]\n'
    state = Consultation.from_text(shipped.kb, text)
    state.set_condition_status("pregnancy", "second_trimester")
    case = shipped.parse_case(state.to_toml())
    assert case.client.conditions[0].measures == (("weeks", 20),)
    assert case.client.conditions[0].status == "second_trimester"


def test_a_regional_condition_gets_a_where_row_naming_the_regions():
    row = ConditionStatus("varicose_veins", "Varicose veins", ("lower_leg", "thigh"),
                          what="where", labels=("lower leg", "thigh"))
    assert str(row.border_title) == "Varicose veins: where"
    assert row.status_at(1) == "lower_leg"


@pytest.mark.asyncio
async def test_where_a_regional_condition_is_chosen_on_the_health_page_and_saved(
        clients, settle):
    """With the shipped rules: varicose veins ticked, then 'lower leg' chosen in its
    where row; the calf roll leaves the program and the case file records the region."""
    from cexpert.service import Service
    from cexpert.tui.app import make_app

    path = clients / "veins.toml"
    path.write_text('[client]\nname = "Veins"\nconditions = ["varicose_veins"]\n'
                    '[assessment]\nohsa = ["feet_turn_out", "arms_fall_forward"]\n',
                    encoding="utf-8")
    app = make_app(Service.open(), case_path=path, clients_dir=clients, start="client")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        screen.show_page("health")
        await settle(pilot)
        row = screen.query_one("#region-varicose_veins", ConditionStatus)
        assert row.display and row.status is None
        assert str(row.border_title) == "Varicose veins: where"
        screen.set_focus(row)
        await pilot.pause()
        await pilot.press(*["right"] * row.statuses.index("lower_leg"), "space")
        await settle(pilot)
        assert row.status == "lower_leg"
        assert app.consultation.conditions["varicose_veins"].region == "lower_leg"
        assert "smr_calves" not in [p.exercise for p in app.result.program]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert saved_conditions(path) == [{"id": "varicose_veins", "region": "lower_leg"}]
