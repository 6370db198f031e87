"""Specifications for case files: the TOML a trainer writes, and every way it can be wrong."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cexpert.engine.case import BOTH, CaseError, FmsScore, Observation

RULES = 'source "t"\nknee valgus → overactive adductors, underactive glute medius\n'


@pytest.fixture
def service(make_service):
    return make_service(RULES)


def problems_of(service, text: str) -> tuple[str, ...]:
    with pytest.raises(CaseError) as caught:
        service.parse_case(text, "case.toml")
    return caught.value.problems


# --- unknown names: the field and the closest valid id ------------------------------


@pytest.mark.parametrize(
    ("text", "field", "suggestion"),
    [
        ('[assessment]\nohsa = ["knees_move_inwrd"]\n', "assessment.ohsa[0]",
         "knees_move_inward"),
        ('[assessment]\nohs = ["heels_rise"]\n', "assessment.ohs", "ohsa"),
        ('[client]\nconditions = ["osteoporosi"]\n', "client.conditions[0]", "osteoporosis"),
        ('[client]\nequipment = ["foam_rollr"]\n', "client.equipment[0]", "foam_roller"),
        ('[client]\nlimitations = ["cannot_knel"]\n', "client.limitations[0]", "cannot_kneel"),
        ('[screening]\ncleared = ["osteoporsis"]\n', "screening.cleared[0]", "osteoporosis"),
        ("[fms]\nhurdle_stp = 2\n", "fms.hurdle_stp", "hurdle_step"),
        ("[fms.clearing]\nclear_shouldr = true\n", "fms.clearing.clear_shouldr",
         "clear_shoulder"),
        ('[clinet]\nname = "Kim"\n', "clinet", "client"),
        ('[client]\nnmae = "Kim"\n', "client.nmae", "name"),
    ],
)
def test_unknown_name_names_the_field_and_the_closest_valid_id(service, text, field,
                                                               suggestion):
    (problem,) = problems_of(service, text)
    assert problem.startswith(f"{field}: ")
    assert f"did you mean '{suggestion}'?" in problem


def test_finding_from_another_assessment_is_unknown_in_this_one(service):
    (problem,) = problems_of(service, '[assessment]\nohsa = ["knee moves inward"]\n')
    assert problem.startswith("assessment.ohsa[0]: unknown finding in ohsa")


def test_all_problems_are_reported_at_once(service):
    text = """
[client]
age = 200
equipment = ["foam_rollr"]
[assessment]
ohsa = ["knees_move_inwrd", "heels_rise", "feet_turn_ot"]
[fms]
deep_squat = 4
"""
    problems = problems_of(service, text)
    fields = [p.split(": ", 1)[0] for p in problems]
    assert fields == ["client.age", "client.equipment[0]", "assessment.ohsa[0]",
                      "assessment.ohsa[2]", "fms.deep_squat"]


def test_case_error_message_prefixes_every_problem_with_the_path(service):
    with pytest.raises(CaseError) as caught:
        service.parse_case('[assessment]\nohsa = ["x"]\n[fms]\ndeep_squat = 9\n', "kim.toml")
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert all(line.startswith("kim.toml: ") for line in lines)


def test_toml_syntax_error_is_one_problem_naming_the_line(service):
    (problem,) = problems_of(service, '[assessment]\nohsa = [heels_rise]\n')
    assert problem.startswith("not valid TOML")
    assert "line 2" in problem


def test_unreadable_case_file_is_a_case_error(service, tmp_path):
    with pytest.raises(CaseError) as caught:
        service.read_case(tmp_path / "missing.toml")
    assert "cannot read the case file" in caught.value.problems[0]


# --- FMS scores --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["4", "-1", "2.5", "true", '"2"'])
def test_out_of_range_fms_score_names_the_field_and_the_range(service, value):
    (problem,) = problems_of(service, f"[fms]\ndeep_squat = {value}\n")
    assert problem.startswith("fms.deep_squat: scores are whole numbers 0-3")


def test_out_of_range_score_on_one_side_names_that_side(service):
    (problem,) = problems_of(service, "[fms]\nhurdle_step = { left = 2, right = 5 }\n")
    assert problem == "fms.hurdle_step.right: scores are whole numbers 0-3, got 5"


def test_missing_side_of_a_sided_score_is_reported(service):
    (problem,) = problems_of(service, "[fms]\nhurdle_step = { left = 2 }\n")
    assert problem == "fms.hurdle_step.right: missing score"


def test_bilateral_fms_test_given_as_one_number_means_both_sides(service):
    case = service.parse_case("[fms]\nhurdle_step = 2\n", "case.toml")
    assert case.fms == (FmsScore("hurdle_step", 2, 2),)


def test_sided_fms_scores_keep_each_side(service):
    case = service.parse_case("[fms]\nhurdle_step = { left = 3, right = 1 }\n", "case.toml")
    assert case.fms == (FmsScore("hurdle_step", 3, 1),)


def test_test_scored_once_rejects_per_side_scores(service):
    (problem,) = problems_of(service, "[fms]\ndeep_squat = { left = 2, right = 2 }\n")
    assert problem == "fms.deep_squat: this test is scored once, not per side"


# --- sides of findings -----------------------------------------------------------------


def test_sided_findings_table_gives_each_finding_its_side(service):
    case = service.parse_case(
        '[assessment]\nsingle_leg_squat = { left = ["knee moves inward"], right = [] }\n',
        "case.toml")
    assert case.observations == (
        Observation("single_leg_squat", "sls_knee_moves_inward", "left"),)


def test_finding_listed_on_both_sides_is_observed_on_each(service):
    case = service.parse_case(
        '[assessment]\nsingle_leg_squat = { left = ["knee moves inward"], '
        'right = ["sls_knee_moves_inward"] }\n', "case.toml")
    assert [o.side for o in case.observations] == ["left", "right"]


def test_plain_list_of_findings_means_both_sides(service):
    case = service.parse_case('[assessment]\nsingle_leg_squat = ["knee moves inward"]\n',
                              "case.toml")
    assert case.observations == (
        Observation("single_leg_squat", "sls_knee_moves_inward", BOTH),)


def test_sides_other_than_left_and_right_are_rejected(service):
    (problem,) = problems_of(
        service, '[assessment]\nsingle_leg_squat = { middle = ["knee moves inward"] }\n')
    assert problem == "assessment.single_leg_squat.middle: sides are 'left' and 'right'"


def test_finding_listed_twice_is_observed_once(service):
    case = service.parse_case('[assessment]\nohsa = ["knee valgus", "knees_move_inward"]\n',
                              "case.toml")
    assert case.observations == (Observation("ohsa", "knees_move_inward", BOTH),)


def test_finding_may_be_written_by_its_alias(service):
    case = service.parse_case('[assessment]\nohsa = ["Knee Valgus"]\n', "case.toml")
    assert case.observations == (Observation("ohsa", "knees_move_inward", BOTH),)


# --- equipment ----------------------------------------------------------------------------


def test_equipment_absent_means_unrestricted(service):
    case = service.parse_case('[client]\nname = "Kim"\n', "case.toml")
    assert case.client.equipment is None


def test_equipment_none_means_bodyweight_only(service):
    case = service.parse_case('[client]\nequipment = ["none"]\n', "case.toml")
    assert case.client.equipment == ("none",)


# --- from the command line ------------------------------------------------------------------


def run_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cexpert.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


@pytest.mark.parametrize(
    "text",
    [
        '[assessment]\nohsa = ["knees_move_inwrd"]\n[fms]\ndeep_squat = 4\n',
        '[assessment\nohsa = ["heels_rise"]\n',
    ],
    ids=["bad-values", "toml-syntax"],
)
def test_case_errors_exit_2_from_the_cli_without_a_traceback(make_kb, tmp_path, text):
    kb = make_kb(RULES)
    case = tmp_path / "case.toml"
    case.write_text(text, encoding="utf-8")
    done = run_cli("infer", str(case), "--rules", str(kb))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert "the case file cannot be used" in done.stderr


def test_cli_lists_every_case_problem_with_field_and_suggestion(make_kb, tmp_path):
    kb = make_kb(RULES)
    case = tmp_path / "case.toml"
    case.write_text('[assessment]\nohsa = ["knees_move_inwrd"]\n[fms]\ndeep_squat = 4\n',
                    encoding="utf-8")
    done = run_cli("infer", str(case), "--rules", str(kb))
    assert "assessment.ohsa[0]" in done.stderr
    assert "did you mean 'knees_move_inward'?" in done.stderr
    assert "fms.deep_squat: scores are whole numbers 0-3, got 4" in done.stderr


# --- clearing tests ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    from cexpert.service import Service, load_kb
    return Service(load_kb().kb)


def test_a_clearing_test_done_once_rejects_per_side_answers(shipped):
    (problem,) = problems_of(
        shipped, "[fms.clearing]\nclear_spinal_flexion = { left = true, right = false }\n")
    assert problem == ("fms.clearing.clear_spinal_flexion: this test is done once, not per "
                       "side: use true (painful) or false")


def test_a_clearing_test_done_per_side_keeps_each_side(shipped):
    case = shipped.parse_case(
        "[fms.clearing]\nclear_shoulder_impingement = { left = true, right = false }\n",
        "case.toml")
    assert [(c.test, c.side, c.positive) for c in case.clearing] == [
        ("clear_shoulder_impingement", "left", True),
        ("clear_shoulder_impingement", "right", False)]


# --- the visit date and the client id (for a client database) ------------------------


def test_a_case_file_may_carry_its_visit_date(service):
    case = service.parse_case('date = 2026-03-01\n[client]\nname = "A"\n', "case.toml")
    assert case.date == "2026-03-01"


def test_a_visit_date_may_be_written_as_a_string(service):
    assert service.parse_case('date = "2026-03-01"\n', "case.toml").date == "2026-03-01"


def test_a_case_file_without_a_date_has_none(service):
    assert service.parse_case('[client]\nname = "A"\n', "case.toml").date is None


def test_a_malformed_visit_date_is_refused_with_the_value(service):
    assert problems_of(service, 'date = "next tuesday"\n') == (
        "date: must be a date such as 2026-03-01, got 'next tuesday'",)


def test_a_case_file_may_carry_the_client_id(service):
    case = service.parse_case('[client]\nid = "c-1"\nname = "A"\n', "case.toml")
    assert case.client.id == "c-1"


def test_a_client_id_must_be_a_string(service):
    assert problems_of(service, "[client]\nid = 7\n") == (
        "client.id: must be a client id (a string), got 7",)
