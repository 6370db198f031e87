"""Specifications for `always`, `note`, `fms priority`, FMS sides and negation."""

from __future__ import annotations

from pathlib import Path

import pytest

from cexpert.service import Service

VOCABULARY = """
source "test vocabulary"
phase inhibit "Inhibit" treats overactive cap 4
phase activate "Activate" treats underactive cap 4
checkpoint knee "Knee" group lower
checkpoint foot_ankle "Foot and ankle" group lower
assessment ohsa "Overhead squat" views anterior, posterior
assessment fms "Functional Movement Screen" scored 3
assessment fms_clearing "Clearing" sided
finding knees_move_inward "Knees move inward" in ohsa checkpoint knee aka "knee valgus"
finding heels_rise "Heels rise" in ohsa checkpoint foot_ankle
finding feet_flatten "Feet flatten" in ohsa checkpoint foot_ankle
finding hurdle_step "Hurdle step" in fms sided
finding active_straight_leg_raise "Active straight-leg raise" in fms sided
finding deep_squat "Deep squat" in fms
muscle adductor_complex "Adductor complex" aka "adductors"
muscle gluteus_medius "Gluteus medius" aka "glute medius"
muscle hamstring_complex "Hamstring complex" aka "hamstrings"
muscle upper_trapezius "Upper trapezius"
dysfunction lower_crossed_syndrome "Lower crossed syndrome"
exercise smr_adductors "Adductor roll" phase inhibit targets adductor_complex
exercise smr_hamstrings "Hamstring roll" phase inhibit targets hamstring_complex
exercise smr_upper_trap "Upper trap roll" phase inhibit targets upper_trapezius
exercise act_abduction "Side-lying hip abduction" phase activate targets gluteus_medius
setting fms_order active_straight_leg_raise, hurdle_step, deep_squat
"""


def make_service(tmp_path: Path, rules: str) -> Service:
    (tmp_path / "kb").mkdir(exist_ok=True)
    (tmp_path / "kb" / "00_vocabulary.cex").write_text(VOCABULARY)
    (tmp_path / "kb" / "10_rules.cex").write_text(rules)
    return Service.open([tmp_path / "kb"])


def consult(service: Service, case: str):
    return service.consult(service.parse_case(case, "case.toml"))


def test_always_fires_once_per_consultation(tmp_path):
    service = make_service(tmp_path, '''source "t"
knee valgus → overactive adductors
rule neck when always then exclude phase inhibit for upper trapezius because "neck rule"
''')
    result = consult(service, '[assessment]\nohsa = ["knees_move_inward"]\n')
    exclusions = [f for f in result.facts.values() if f.kind == "exclusion"]
    assert len(exclusions) == 1


def test_note_is_reported_with_the_results(tmp_path):
    service = make_service(tmp_path, '''source "t"
rule heel_note when heels rise then note "Try the heels-elevated squat"
''')
    result = consult(service, '[assessment]\nohsa = ["heels_rise"]\n')
    assert result.notes == ("Try the heels-elevated squat",)
    assert result.as_json()["notes"] == ["Try the heels-elevated squat"]


def test_note_from_fms_facts_is_an_fms_flag(tmp_path):
    service = make_service(tmp_path, '''source "t"
rule low_total when fms total <= 14 then note "FMS total 14 or less"
''')
    case = "[fms]\ndeep_squat = 2\nhurdle_step = 2\nactive_straight_leg_raise = 2\n"
    result = consult(service, case)
    assert "FMS total 14 or less" in result.fms.flags


def test_fms_priority_is_the_first_target_in_the_order_setting(tmp_path):
    service = make_service(tmp_path, '''source "t"
rule targets when fms any = 1 then fms target any
rule aslr when fms priority active straight leg raise then overactive hamstrings
rule hurdle when fms priority hurdle step then overactive adductors
''')
    case = "[fms]\nhurdle_step = 1\nactive_straight_leg_raise = 1\ndeep_squat = 2\n"
    result = consult(service, case)
    assert result.fms.priority == ("active_straight_leg_raise",)  # one at a time (P5)
    assert result.fms.next == ("hurdle_step",)
    assert [m.id for m in result.muscles] == ["hamstring_complex"]


def test_lower_side_follows_the_lower_fms_score(tmp_path):
    service = make_service(tmp_path, '''source "t"
rule targets when fms any asymmetric then fms target any
rule aslr when fms priority active straight leg raise then lower side: overactive hamstrings
''')
    case = "[fms]\nactive_straight_leg_raise = { left = 3, right = 1 }\n"
    result = consult(service, case)
    assert [(m.id, m.side) for m in result.muscles] == [("hamstring_complex", "right")]


@pytest.mark.parametrize(
    ("findings", "fires"),
    [
        (["heels_rise"], True),
        (["heels_rise", "feet_flatten"], False),
        (["heels_rise", "feet_flatten", "knees_move_inward"], True),
    ],
)
def test_negation_of_a_compound_condition(tmp_path, findings, fires):
    service = make_service(tmp_path, '''source "t"
rule pattern when heels rise and not (feet flatten and not knee valgus)
  then dysfunction lower crossed syndrome
''')
    listed = ", ".join(f'"{f}"' for f in findings)
    result = consult(service, f"[assessment]\nohsa = [{listed}]\n")
    assert any(d.id == "lower_crossed_syndrome" for d in result.dysfunctions) is fires


def test_not_referral_sees_a_referral_concluded_later_in_file_order(tmp_path):
    service = make_service(tmp_path, '''source "t"
rule reassess when not referral then reassess in 4 weeks
rule refer when heels rise then refer routine because "test"
''')
    result = consult(service, '[assessment]\nohsa = ["heels_rise"]\n')
    assert result.reassessment is None
    assert result.referral.required


@pytest.mark.parametrize(("urgency", "fires"), [("urgent", True), ("routine", False)])
def test_referral_urgent_sees_only_an_urgent_referral(tmp_path, urgency, fires):
    service = make_service(tmp_path, f'''source "t"
rule refer when heels rise then refer {urgency} because "test"
rule urgent_note when referral urgent then note "urgent"
''')
    result = consult(service, '[assessment]\nohsa = ["heels_rise"]\n')
    assert ("urgent" in result.notes) is fires


# --- condition status --------------------------------------------------------------------

STATUS_RULES = '''source "t"
condition diabetes "Diabetes" statuses controlled, advanced
rule advanced_diabetes when condition diabetes is advanced
  then note "Advanced diabetes: no rolling"
rule any_diabetes when condition diabetes then note "Diabetes: check the skin"
'''


def test_a_condition_status_test_fires_only_for_that_status(tmp_path):
    service = make_service(tmp_path, STATUS_RULES)
    advanced = consult(service, '[client]\nconditions = [{ id = "diabetes", '
                                'status = "advanced" }]\n')
    controlled = consult(service, '[client]\nconditions = [{ id = "diabetes", '
                                  'status = "controlled" }]\n')
    assert set(advanced.notes) == {"Advanced diabetes: no rolling", "Diabetes: check the skin"}
    assert controlled.notes == ("Diabetes: check the skin",)


def test_a_condition_entered_without_status_matches_no_status_test(tmp_path):
    service = make_service(tmp_path, STATUS_RULES)
    result = consult(service, '[client]\nconditions = ["diabetes"]\n')
    assert result.notes == ("Diabetes: check the skin",)


def test_a_status_the_condition_does_not_declare_is_an_error_with_did_you_mean(tmp_path):
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "v.cex").write_text(VOCABULARY, encoding="utf-8")
    (tmp_path / "kb" / "r.cex").write_text(STATUS_RULES.replace("is advanced", "is advnced"),
                                           encoding="utf-8")
    from cexpert.language.load import load
    (problem,) = [d for d in load([tmp_path / "kb"]).diagnostics if d.is_error]
    assert problem.message == "'advnced' is not a status of the condition 'diabetes'"
    assert problem.help == "did you mean 'advanced'?"


def test_a_case_status_the_condition_does_not_declare_is_refused(tmp_path):
    from cexpert.engine.case import CaseError
    service = make_service(tmp_path, STATUS_RULES)
    with pytest.raises(CaseError) as error:
        service.parse_case('[client]\nconditions = [{ id = "diabetes", status = "advnced" }]\n',
                           "case.toml")
    assert "client.conditions[0].status: 'advnced' is not a status of diabetes" in str(
        error.value)
    assert "did you mean 'advanced'?" in str(error.value)


def test_why_not_explains_a_status_that_was_not_entered(tmp_path):
    from cexpert.explain.why_not import _atom_words
    from cexpert.language.knowledge import Atom
    service = make_service(tmp_path, STATUS_RULES)
    (rule,) = [r for r in service.kb.rules if r.id == "advanced_diabetes"]
    assert isinstance(rule.condition, Atom)
    assert _atom_words(rule.condition, service.kb) == "condition Diabetes is advanced"
