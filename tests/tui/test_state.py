"""The consultation state: written as the same TOML `cexpert infer` reads, comments kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tui_support import CASE, KB

from cexpert.engine.case import CaseError
from cexpert.resources import examples_dir
from cexpert.service import Service
from cexpert.tui.state import Consultation, describe_case_file
from cexpert.tui.vocab import entry_pages, fms_page_label, short_label


def test_an_unchanged_case_is_written_back_byte_for_byte(service):
    state = Consultation.from_text(service.kb, CASE)
    assert state.to_toml() == CASE


def test_edits_keep_comments_aliases_and_untouched_values(service, tmp_path):
    state = Consultation.from_text(service.kb, CASE, tmp_path / "c.toml")
    state.set_observed("single_leg_squat", "sls_hip_drop", "right", True)
    state.set_fms_text("hurdle_step", "right", "2")
    state.set_clearing("clear_shoulder", "left", True)
    text = state.to_toml()
    assert "# A test client: the comment must survive a save." in text
    assert 'ohsa = ["feet_turn_out", "knee valgus"]  # an alias, kept as written' in text
    # inline tables spaced as case files are written by hand (README, examples/)
    assert 'single_leg_squat = { left = ["sls_knee_moves_inward"], right = ["sls_hip_drop"] }' \
        in text
    assert "hurdle_step = { left = 2, right = 2 }" in text
    assert "clear_shoulder = { left = true }" in text
    case = service.parse_case(text)
    assert {(o.finding, o.side) for o in case.observations} == {
        ("feet_turn_out", "both"), ("knees_move_inward", "both"),
        ("sls_knee_moves_inward", "left"), ("sls_hip_drop", "right")}


def test_removing_everything_removes_the_keys(service):
    state = Consultation.from_text(service.kb, CASE)
    state.set_group("ohsa", "both", ["feet_turn_out", "knees_move_inward"], [])
    state.set_fms_text("deep_squat", "both", "")
    state.set_goals_text("")
    text = state.to_toml()
    assert "ohsa" not in text and "deep_squat" not in text and "goals" not in text
    service.parse_case(text)


def test_a_saved_case_reruns_through_the_cli_with_the_same_result(service, tmp_path):
    state = Consultation(service.kb)
    state.set_name("Rae [R]")
    state.set_age_text("61")
    state.set_conditions(["osteoporosis"])
    state.set_equipment([])
    state.set_parq([2])
    state.set_observed("ohsa", "feet_turn_out", "both", True)
    state.set_observed("single_leg_squat", "sls_knee_moves_inward", "right", True)
    state.set_fms_text("shoulder_mobility", "left", "1")
    state.set_fms_text("shoulder_mobility", "right", "3")
    path = state.save(tmp_path / "rae.toml").path
    in_tui = service.consult(state.to_case()).as_json()
    from_file = service.consult(service.read_case(path)).as_json()
    for key in ("dysfunctions", "muscles", "program", "excluded", "referral", "fms"):
        assert in_tui[key] == from_file[key]
    done = subprocess.run([sys.executable, "-m", "cexpert.cli", "infer", str(path), "--rules",
                           str(KB), "--format", "json"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    cli = json.loads(done.stdout)
    assert cli["client"]["name"] == "Rae [R]"
    for key in ("dysfunctions", "muscles", "program", "excluded", "referral", "fms"):
        assert cli[key] == in_tui[key]


def test_invalid_entries_are_errors_and_block_saving(service, tmp_path):
    state = Consultation(service.kb)
    assert state.set_age_text("abc") == "Age must be a whole number of years, 1-129"
    assert state.set_fms_text("deep_squat", "both", "5") == "Scores are whole numbers 0-3"
    state.set_fms_text("hurdle_step", "left", "2")
    assert state.errors["fms.hurdle_step"] == "Score both sides"
    with pytest.raises(ValueError, match="whole number"):
        state.save(tmp_path / "x.toml")
    assert not (tmp_path / "x.toml").exists()
    service.parse_case(state.to_toml())  # what is valid still consults


def test_a_broken_file_raises_case_error_with_every_problem(service, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[client]\nage = "x"\n[assessment]\nohsa = ["nope"]\n', encoding="utf-8")
    with pytest.raises(CaseError) as error:
        Consultation.from_file(service.kb, path)
    assert len(error.value.problems) == 2
    assert describe_case_file(path).readable
    (tmp_path / "worse.toml").write_text("[client", encoding="utf-8")
    assert not describe_case_file(tmp_path / "worse.toml").readable


def test_the_pages_come_from_the_knowledge_base(service):
    pages = {p.assessment: p for p in entry_pages(service.kb)}
    assert list(pages) == ["posture", "ohsa", "single_leg_squat", "pain"]
    assert [g.title for g in pages["ohsa"].groups] == ["Anterior view", "Lateral view"]
    assert [g.side for g in pages["single_leg_squat"].groups] == ["left", "right"]
    assert pages["ohsa"].label == "OHSA" and pages["pain"].label == "Pain"
    assert fms_page_label(service.kb) == "FMS"


def test_the_shipped_knowledge_base_and_example_load():
    service = Service.open()
    pages = entry_pages(service.kb)
    assert len(pages) >= 5 and all(p.groups for p in pages)
    assert all(len(short_label(service.kb.get("assessment", p.assessment))) <= 20
               for p in pages)
    assert len(pages) + 1 <= 9  # with the FMS page, the keys 1-9 reach every page
    length = next(p for p in pages if p.label == "Muscle length")
    assert {g.assessment for g in length.groups} == {
        "thomas_test", "hamstring_90_90_test", "ober_test", "shoulder_flexion_test",
        "pec_minor_length_test"}  # one page for the tests declared 'group muscle_length'
    assert len({g.key for g in length.groups}) == len(length.groups) == 10
    example = Path(examples_dir()) / "runner.toml"
    state = Consultation.from_file(service.kb, example)
    assert state.to_toml() == example.read_text(encoding="utf-8")
    assert service.consult(state.to_case()).dysfunctions


def test_only_the_clearing_tests_done_per_side_offer_left_and_right():
    from cexpert.service import load_kb
    from cexpert.tui.vocab import clearing_sides
    kb = load_kb().kb
    assert clearing_sides(kb, kb.get("finding", "clear_shoulder_impingement")) == (
        "left", "right")
    assert clearing_sides(kb, kb.get("finding", "clear_spinal_flexion")) == ("both",)


def test_each_referral_is_its_own_row_naming_what_was_entered():
    from cexpert.present.rows import result_rows
    from cexpert.service import Service, load_kb
    service = Service(load_kb().kb)
    result = service.consult(service.parse_case(
        '[assessment]\npain = ["knee", "neck"]\n', "case.toml"))
    alerts = [r for r in result_rows(result, service.kb) if r.what == "referral"]
    assert [r.fact for r in alerts] == list(result.referral.facts)
    assert {r.detail for r in alerts} == {"Knee pain", "Neck pain"}
