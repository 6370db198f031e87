"""Specifications for the session: caps, round-robin order, exclusions, substitutions, doses."""

from __future__ import annotations

import pytest

DESIGN_EXAMPLE = 'source "t"\nknee valgus → overactive adductors, underactive glute medius\n'
KNEE_VALGUS = '[assessment]\nohsa = ["knee valgus"]\n'


def chosen(result, phase: str | None = None) -> list[str]:
    return [p.exercise for p in result.program if phase is None or p.phase == phase]


def excluded(result) -> list[tuple]:
    return [(e.exercise, e.muscle, e.phase, e.category) for e in result.excluded]


# --- round-robin (continuum.md §5 S6; cases.md case 2) ---------------------------------------

RUNNER_VOCABULARY = """\
source "test vocabulary: the runner of cases.md case 2"
phase inhibit "Inhibit" treats overactive cap 4
phase activate "Activate" treats underactive cap 4
checkpoint foot_ankle "Foot and ankle" group lower_extremity
checkpoint knee "Knee" group lower_extremity
setting checkpoint_order foot_ankle, knee
setting assessment_order ohsa, single_leg_squat
assessment ohsa "Overhead squat"
assessment single_leg_squat "Single-leg squat" sided
finding feet_turn_out "Feet turn out" in ohsa checkpoint foot_ankle
finding knees_move_inward "Knees move inward" in ohsa checkpoint knee aka "knee valgus"
finding sls_knee_moves_inward "Knee moves inward (single-leg squat)" in single_leg_squat
  checkpoint knee
muscle gastrocnemius_lateral "Lateral gastrocnemius"
muscle soleus "Soleus"
muscle biceps_femoris_short_head "Biceps femoris short head"
muscle hamstring_complex "Hamstring complex"
muscle adductor_complex "Adductor complex" aka "adductors"
muscle tfl "TFL"
muscle vastus_lateralis "Vastus lateralis"
muscle gluteus_medius "Gluteus medius" aka "glute medius"
exercise smr_calves "Calf roll" phase inhibit targets gastrocnemius_lateral, soleus
exercise smr_adductors "Adductor roll" phase inhibit targets adductor_complex
exercise smr_tfl "TFL roll" phase inhibit targets tfl
exercise smr_lateral_thigh "Lateral thigh roll" phase inhibit targets vastus_lateralis
exercise smr_hamstrings "Hamstring roll" phase inhibit
  targets hamstring_complex, biceps_femoris_short_head
exercise smr_biceps_femoris "Hamstring roll, lateral bias" phase inhibit
  targets biceps_femoris_short_head
exercise act_abduction "Side-lying hip abduction" phase activate targets gluteus_medius
"""
RUNNER_RULES = """source "t"
feet turn out → overactive soleus, gastrocnemius lateral, biceps femoris short head
knee valgus → overactive adductors, biceps femoris short head, tfl, vastus lateralis;
  underactive glute medius
sls knee moves inward → same side: overactive adductors, biceps femoris short head, tfl,
  vastus lateralis; underactive glute medius
"""
# Entered out of priority order on purpose: the knee finding first.
RUNNER_CASE = """
[assessment]
ohsa = ["knees_move_inward", "feet_turn_out"]
single_leg_squat = { right = ["sls_knee_moves_inward"] }
"""


@pytest.fixture
def runner(make_service, consult):
    return consult(make_service(RUNNER_RULES, RUNNER_VOCABULARY), RUNNER_CASE)


def test_findings_are_ranked_by_checkpoint_then_assessment(runner):
    assert [d.id for d in runner.dysfunctions] == [
        "feet_turn_out", "knees_move_inward", "sls_knee_moves_inward"]


def test_round_robin_follows_the_worked_example(runner):
    # Round 1: soleus (calf roll, also covers lateral gastrocnemius), adductor complex,
    # then biceps femoris short head for the single-leg finding; round 2: tfl; cap 4.
    assert chosen(runner, "inhibit") == [
        "smr_calves", "smr_adductors", "smr_biceps_femoris", "smr_tfl"]


def test_exercise_chosen_for_a_muscle_lists_it_earliest(runner):
    item = next(p for p in runner.program if p.exercise == "smr_biceps_femoris")
    assert item.targets == ("biceps_femoris_short_head",)


def test_cap_leaves_the_next_muscle_out_and_says_so(runner):
    (item,) = [e for e in runner.excluded if e.category == "cap"]
    assert (item.exercise, item.muscle, item.phase) == (
        "smr_lateral_thigh", "vastus_lateralis", "inhibit")
    assert "cap of 4" in item.reason


def test_cap_lists_an_exercise_left_out_once_though_it_serves_several_muscles(
        make_service, consult):
    vocabulary = (RUNNER_VOCABULARY
                  .replace("cap 4", "cap 3", 1)
                  .replace('exercise smr_lateral_thigh "Lateral thigh roll" phase inhibit '
                           'targets vastus_lateralis\n', "")
                  .replace("phase inhibit targets tfl", "phase inhibit targets tfl, "
                           "vastus_lateralis"))
    result = consult(make_service(RUNNER_RULES, vocabulary), RUNNER_CASE)
    assert [(e.exercise, e.muscle) for e in result.excluded if e.category == "cap"] == [
        ("smr_tfl", "tfl")]


def test_program_item_addresses_the_findings_behind_its_muscles(runner):
    item = next(p for p in runner.program if p.exercise == "smr_adductors")
    assert item.addresses == ("knees_move_inward", "sls_knee_moves_inward")


def test_unilateral_choice_is_both_sides_when_a_bilateral_finding_lists_the_muscle(
        make_service, consult):
    vocabulary = RUNNER_VOCABULARY.replace(" phase inhibit targets", " phase inhibit unilateral "
                                           "targets")
    result = consult(make_service(RUNNER_RULES, vocabulary), RUNNER_CASE)
    sides = {p.exercise: p.side for p in result.program}
    assert sides["smr_calves"] == sides["smr_adductors"] == "both"


def test_an_exercise_done_once_has_no_side(runner):
    """Issue 11: not `unilateral` means done once: no side at all, not "both"."""
    assert {(p.side, p.turn) for p in runner.program} == {(None, None)}


# --- caps ------------------------------------------------------------------------------------


@pytest.mark.parametrize("cap", [1, 2])
def test_each_phase_holds_at_most_its_cap(make_service, consult, vocabulary, cap):
    vocabulary = vocabulary.replace("treats underactive cap 4", f"treats underactive cap {cap}")
    service = make_service('source "t"\nknee valgus → overactive adductors, tfl, soleus;\n'
                           '  underactive glute medius, glute max\n', vocabulary)
    result = consult(service, KNEE_VALGUS)
    assert chosen(result, "activate") == ["act_abduction", "act_bridge"][:cap]


def test_integrate_serves_one_exercise_per_checkpoint_group(make_service, consult):
    service = make_service('source "t"\nknee valgus → overactive adductors\n'
                           'feet turn out → overactive soleus\n')
    result = consult(service, '[assessment]\nohsa = ["knee valgus", "feet turn out"]\n')
    assert chosen(result, "integrate") == ["int_step_up"]


# --- equipment ---------------------------------------------------------------------------------


def test_exercise_needing_missing_equipment_gives_way_to_one_without(make_service, consult):
    result = consult(make_service(DESIGN_EXAMPLE),
                     '[client]\nequipment = ["none"]\n' + KNEE_VALGUS)
    assert chosen(result, "inhibit") == ["stand_adductor"]
    (item,) = result.excluded
    assert (item.exercise, item.category) == ("smr_adductors", "equipment")
    assert "Foam roller" in item.reason


def test_listed_equipment_allows_exercises_that_need_it(make_service, consult):
    result = consult(make_service(DESIGN_EXAMPLE),
                     '[client]\nequipment = ["foam_roller"]\n' + KNEE_VALGUS)
    assert chosen(result, "inhibit") == ["smr_adductors"]
    assert result.excluded == ()


def test_absent_equipment_list_is_unrestricted(make_service, consult):
    result = consult(make_service(DESIGN_EXAMPLE), KNEE_VALGUS)
    assert chosen(result, "inhibit") == ["smr_adductors"]


# --- exclusions and substitutions ------------------------------------------------------------

SAFETY = DESIGN_EXAMPLE + """\
rule osteo "No rolling with osteoporosis" when condition osteoporosis
  then exclude tagged smr because "SMR is contraindicated with osteoporosis"
rule kneel "Kneeling" when limitation cannot kneel
  then substitute smr_adductors with stand_adductor because "the client cannot kneel"
rule older "Longer holds" when age >= 65 then set dose hold 60 sets 2 for inhibit
"""


def test_exclusion_rule_removes_the_exercise_and_lists_it_with_its_reason(make_service,
                                                                         consult):
    result = consult(make_service(SAFETY),
                     '[client]\nconditions = ["osteoporosis"]\n' + KNEE_VALGUS)
    assert chosen(result, "inhibit") == ["stand_adductor"]
    assert ("smr_adductors", "adductor_complex", "inhibit", "contraindication") in excluded(
        result)
    assert {e.reason for e in result.excluded} == {"SMR is contraindicated with osteoporosis"}


def test_exclusion_entry_points_at_the_rule_that_excluded(make_service, consult):
    result = consult(make_service(SAFETY),
                     '[client]\nconditions = ["osteoporosis"]\n' + KNEE_VALGUS)
    item = next(e for e in result.excluded if e.exercise == "smr_adductors")
    fact = result.facts[item.fact]
    assert fact.origin == "builtin"
    assert [result.facts[p].rule for p in fact.premises] == ["osteo"]


def test_exclusion_with_no_allowed_alternative_leaves_the_muscle_without_exercise(
        make_service, consult):
    service = make_service('source "t"\nfeet turn out → overactive soleus\n'
                           'rule osteo when condition osteoporosis then exclude tagged smr '
                           'because "no rolling"\n')
    result = consult(service, '[client]\nconditions = ["osteoporosis"]\n'
                     '[assessment]\nohsa = ["feet turn out"]\n')
    assert chosen(result, "inhibit") == []
    assert ("smr_calves", "soleus", "inhibit", "contraindication") in excluded(result)


def test_substitution_uses_the_replacement_and_lists_the_original(make_service, consult):
    result = consult(make_service(SAFETY),
                     '[client]\nlimitations = ["cannot_kneel"]\n' + KNEE_VALGUS)
    assert chosen(result, "inhibit") == ["stand_adductor"]
    (item,) = result.excluded
    assert (item.exercise, item.category, item.reason) == (
        "smr_adductors", "caution", "the client cannot kneel")
    program_fact = result.facts[result.program[0].fact]
    assert any(result.facts[p].kind == "substitute" for p in program_fact.premises)


def test_declared_substitute_replaces_an_excluded_exercise(make_service, consult,
                                                           vocabulary):
    vocabulary = vocabulary.replace(
        "equipment foam_roller tags smr unilateral",
        "equipment foam_roller tags smr unilateral substitutes stand_adductor")
    vocabulary += ('exercise lying_adductor "Lying adductor release" phase inhibit '
                   'targets adductor_complex\n')
    service = make_service(DESIGN_EXAMPLE + 'rule osteo when condition osteoporosis '
                           'then exclude exercise smr_adductors because "no rolling"\n',
                           vocabulary)
    result = consult(service, '[client]\nconditions = ["osteoporosis"]\n' + KNEE_VALGUS)
    assert chosen(result, "inhibit") == ["stand_adductor"]


def test_set_dose_changes_the_phase_dose_and_is_a_premise(make_service, consult):
    result = consult(make_service(SAFETY), "[client]\nage = 70\n" + KNEE_VALGUS)
    (inhibit,) = [p for p in result.program if p.phase == "inhibit"]
    assert (inhibit.dose.sets, inhibit.dose.hold_s) == (2, 60)
    premises = result.facts[inhibit.fact].premises
    assert any(result.facts[p].kind == "dose_change" for p in premises)
    (activate,) = [p for p in result.program if p.phase == "activate"]
    assert (activate.dose.sets, activate.dose.reps) == (2, "10-15")


def test_phase_default_dose_applies_without_changes(make_service, consult):
    result = consult(make_service(SAFETY), "[client]\nage = 40\n" + KNEE_VALGUS)
    (inhibit,) = [p for p in result.program if p.phase == "inhibit"]
    assert (inhibit.dose.sets, inhibit.dose.hold_s) == (1, 30)


# --- conflicts, holds, sides ------------------------------------------------------------------

CONFLICT = """source "t"
knee valgus → overactive adductors; underactive glute medius
feet turn out → underactive adductors
"""


def test_conflict_muscle_is_reported_in_conflicts_not_in_muscles(make_service, consult):
    result = consult(make_service(CONFLICT),
                     '[assessment]\nohsa = ["knee valgus", "feet turn out"]\n')
    assert [c.id for c in result.conflicts] == ["adductor_complex"]
    assert "adductor_complex" not in {m.id for m in result.muscles}
    assert not any("adductor_complex" in p.targets for p in result.program)
    assert ("adductor_complex", "conflict") in {(e.muscle, e.category)
                                                for e in result.excluded}


def test_opposite_states_on_different_sides_are_not_a_conflict(make_service, consult):
    service = make_service('source "t"\nrule r when knee moves inward then same side: '
                           'overactive adductors; opposite side: underactive adductors\n')
    result = consult(service,
                     '[assessment]\nsingle_leg_squat = { left = ["knee moves inward"] }\n')
    assert result.conflicts == ()
    assert {(m.id, m.state, m.side) for m in result.muscles} == {
        ("adductor_complex", "overactive", "left"), ("adductor_complex", "underactive", "right")}


def test_a_conflict_on_one_side_keeps_the_other_side_in_both_states(make_service, consult):
    service = make_service('source "t"\nknee valgus → overactive adductors\n'
                           'rule r when knee moves inward then same side: '
                           'underactive adductors\n')
    result = consult(service, '[assessment]\nohsa = ["knee valgus"]\n'
                     'single_leg_squat = { left = ["knee moves inward"] }\n')
    assert [(c.id, c.side) for c in result.conflicts] == [("adductor_complex", "left")]
    assert {(m.id, m.state, m.side) for m in result.muscles} == {
        ("adductor_complex", "overactive", "right")}
    assert [(p.exercise, p.side) for p in result.program if p.phase == "inhibit"] == [
        ("smr_adductors", "right")]


def test_hold_program_leaves_the_program_empty(make_service, consult):
    service = make_service(DESIGN_EXAMPLE + 'rule pain when pain low back then '
                           'hold program because "pain reported"\n')
    result = consult(service, '[assessment]\nohsa = ["knee valgus"]\npain = ["low_back"]\n')
    assert result.program == ()
    assert result.program_status == "held"
    assert result.referral.holds_program


def test_unilateral_exercise_is_one_side_when_every_finding_is_one_sided(make_service,
                                                                        consult):
    service = make_service('source "t"\nrule r when knee moves inward then same side: '
                           'overactive adductors\n')
    result = consult(service,
                     '[assessment]\nsingle_leg_squat = { left = ["knee moves inward"] }\n')
    assert [(p.exercise, p.side) for p in result.program if p.phase == "inhibit"] == [
        ("smr_adductors", "left")]


def test_program_item_addresses_its_finding_when_the_rule_tests_age_first(make_service,
                                                                         consult):
    service = make_service('source "t"\nrule older when age >= 65 and feet turn out '
                           'then overactive soleus\n')
    result = consult(service, '[client]\nage = 70\n[assessment]\nohsa = ["feet turn out"]\n')
    (item,) = [p for p in result.program if p.phase == "inhibit"]
    assert item.addresses == ("feet_turn_out",)


def test_prescribed_unilateral_exercise_takes_the_side_its_targets_are_flagged_on(
        make_service, consult):
    service = make_service('source "t"\nrule r when knee moves inward then same side: '
                           'overactive adductors; both sides: prescribe smr_adductors\n')
    result = consult(service,
                     '[assessment]\nsingle_leg_squat = { right = ["knee moves inward"] }\n')
    assert [(p.exercise, p.side) for p in result.program if p.phase == "inhibit"] == [
        ("smr_adductors", "right")]


def test_prescribed_exercise_with_no_flagged_target_is_done_on_both_sides(make_service,
                                                                          consult):
    service = make_service('source "t"\nrule r when knee moves inward '
                           'then prescribe smr_adductors\n')
    result = consult(service,
                     '[assessment]\nsingle_leg_squat = { right = ["knee moves inward"] }\n')
    assert [(p.exercise, p.side) for p in result.program if p.phase == "inhibit"] == [
        ("smr_adductors", "both")]


def test_an_exercise_that_also_works_an_excluded_muscle_is_not_chosen_for_another(
        make_service, consult, vocabulary):
    """`exclude phase inhibit for tfl` rules out every roll that works the TFL, also one
    chosen for the adductors: the next roll that does not work it is used instead."""
    both = ('exercise smr_adductors_tfl "Adductor and TFL roll" phase inhibit '
            'targets adductor_complex, tfl\nexercise smr_adductors')
    rules = DESIGN_EXAMPLE + (
        'rule no_tfl_rolling "No TFL rolling" when condition osteoporosis\n'
        '  then exclude phase inhibit for tfl because "no rolling of the TFL"\n')
    vocabulary = vocabulary.replace("exercise smr_adductors", both, 1).replace(
        "setting exercise_preference smr_adductors",  # the combined roll is preferred
        "setting exercise_preference smr_adductors_tfl, smr_adductors")
    service = make_service(rules, vocabulary)
    result = consult(service, '[client]\nconditions = ["osteoporosis"]\n' + KNEE_VALGUS)
    assert chosen(result, "inhibit") == ["smr_adductors"]
    assert ("smr_adductors_tfl", "adductor_complex", "inhibit", "contraindication") in \
        excluded(result)
