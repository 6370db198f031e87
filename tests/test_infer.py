"""Specifications for a consultation: forward chaining from the findings entered."""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import subprocess
import sys

import pytest

from cexpert.engine.compile import FiringLimitExceeded, WorkingFact
from cexpert.engine.facts import Fact
from cexpert.language.load import load
from cexpert.service import Service

DESIGN_EXAMPLE = 'source "t"\nknee valgus → overactive adductors, underactive glute medius\n'


def states(result) -> list[tuple[str, str, str]]:
    return [(m.id, m.state, m.side) for m in result.muscles]


def derived(result, kind: str) -> list:
    return [f for f in result.facts.values() if f.kind == kind and f.origin == "rule"]


# --- the design example ------------------------------------------------------------------


def test_knee_valgus_gives_overactive_adductors_and_underactive_glute_medius(
        make_service, consult):
    result = consult(make_service(DESIGN_EXAMPLE), '[assessment]\nohsa = ["knee valgus"]\n')
    assert states(result) == [("adductor_complex", "overactive", "both"),
                              ("gluteus_medius", "underactive", "both")]
    assert [(p.phase, p.exercise) for p in result.program] == [
        ("inhibit", "smr_adductors"), ("activate", "act_abduction"),
        ("integrate", "int_step_up")]
    assert result.program_status == "active"


def test_design_example_conclusions_name_the_table_row(make_service, consult):
    result = consult(make_service(DESIGN_EXAMPLE), '[assessment]\nohsa = ["knee valgus"]\n')
    facts = derived(result, "overactive") + derived(result, "underactive")
    assert {f.rule for f in facts} == {"10_rules.knees_move_inward"}


def test_no_findings_means_no_conclusions_and_no_program(make_service, consult):
    result = consult(make_service(DESIGN_EXAMPLE), '[client]\nname = "Kim"\n')
    assert result.muscles == ()
    assert result.program == ()
    assert result.program_status == "none_needed"


# --- several derivations of one conclusion ----------------------------------------------


TWO_ROWS = """source "t"
knee valgus → overactive adductors
feet turn out → overactive adductors
"""


def test_two_findings_implying_one_muscle_keep_both_derivations(make_service, consult):
    result = consult(make_service(TWO_ROWS),
                     '[assessment]\nohsa = ["knee valgus", "feet turn out"]\n')
    evidence = derived(result, "overactive")
    assert len(evidence) == 2
    assert [result.facts[f.premises[0]].get("finding") for f in evidence] == [
        "knees_move_inward", "feet_turn_out"]


def test_muscle_score_counts_the_distinct_findings_behind_it(make_service, consult):
    result = consult(make_service(TWO_ROWS),
                     '[assessment]\nohsa = ["knee valgus", "feet turn out"]\n')
    (muscle,) = result.muscles
    assert muscle.score == 2
    assert result.facts[muscle.fact].premises == tuple(f.id for f in
                                                       derived(result, "overactive"))


def test_one_finding_seen_on_each_side_gives_a_muscle_on_both_sides(make_service, consult):
    result = consult(make_service('source "t"\nrule sls when knee moves inward then '
                                  'same side: overactive tfl\n'),
                     '[assessment]\nsingle_leg_squat = { left = ["knee moves inward"], '
                     'right = ["knee moves inward"] }\n')
    assert states(result) == [("tfl", "overactive", "both")]


# --- sides ------------------------------------------------------------------------------


SIDED = """source "t"
rule sls "Knee caves in on one leg" when knee moves inward
  then same side: overactive tfl; opposite side: underactive glute max
"""


@pytest.mark.parametrize(
    ("side", "same", "opposite"),
    [("left", "left", "right"), ("right", "right", "left")],
)
def test_side_rules_are_relative_to_the_findings_side(make_service, consult, side, same,
                                                      opposite):
    result = consult(make_service(SIDED),
                     f'[assessment]\nsingle_leg_squat = {{ {side} = ["knee moves inward"] }}\n')
    assert states(result) == [("tfl", "overactive", same),
                              ("gluteus_maximus", "underactive", opposite)]


def test_side_rules_on_a_finding_seen_on_both_sides_give_both(make_service, consult):
    result = consult(make_service(SIDED),
                     '[assessment]\nsingle_leg_squat = ["knee moves inward"]\n')
    assert states(result) == [("tfl", "overactive", "both"),
                              ("gluteus_maximus", "underactive", "both")]


def test_fixed_side_prefix_ignores_the_findings_side(make_service, consult):
    result = consult(make_service('source "t"\nrule r when knee moves inward '
                                  'then left: overactive tfl\n'),
                     '[assessment]\nsingle_leg_squat = { right = ["knee moves inward"] }\n')
    assert states(result) == [("tfl", "overactive", "left")]


# --- not, or, comparisons --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("findings", "fires"),
    [(["knees_move_inward"], True), (["knees_move_inward", "heels_rise"], False)],
)
def test_not_blocks_the_rule_while_the_negated_finding_is_present(make_service, consult,
                                                                 findings, fires):
    service = make_service('source "t"\nrule r when knee valgus and not heels rise '
                           'then overactive tfl\n')
    listed = ", ".join(f'"{f}"' for f in findings)
    result = consult(service, f"[assessment]\nohsa = [{listed}]\n")
    assert bool(derived(result, "overactive")) is fires


def test_or_fires_once_for_each_branch_that_matches(make_service, consult):
    service = make_service('source "t"\nrule r when knee valgus or feet turn out '
                           'then overactive tfl\n')
    result = consult(service, '[assessment]\nohsa = ["knee valgus", "feet turn out"]\n')
    premises = [f.premises for f in derived(result, "overactive")]
    assert len(premises) == 2
    assert len(set(premises)) == 2


def test_or_whose_branches_match_the_same_facts_fires_once(make_service, consult):
    service = make_service('source "t"\nrule r "both orders"\n'
                           '  when (knee valgus and feet turn out) or (feet turn out and '
                           'knee valgus)\n  then overactive tfl\n')
    result = consult(service, '[assessment]\nohsa = ["knee valgus", "feet turn out"]\n')
    assert len(derived(result, "overactive")) == 1


def test_or_whose_branches_match_the_same_facts_with_a_comparison_fires_once(
        make_service, consult):
    service = make_service('source "t"\nrule r "overlapping branches"\n'
                           '  when (knee valgus and age >= 18) or (age >= 20 and knee valgus)\n'
                           '  then overactive tfl\n')
    result = consult(service, '[client]\nage = 30\n[assessment]\nohsa = ["knee valgus"]\n')
    assert len(derived(result, "overactive")) == 1


AGE_RULE = 'source "t"\nrule older when age >= 65 and knee valgus then overactive tfl\n'


def test_comparison_with_a_missing_age_does_not_fire(make_service, consult):
    result = consult(make_service(AGE_RULE), '[assessment]\nohsa = ["knee valgus"]\n')
    assert derived(result, "overactive") == []


@pytest.mark.parametrize(("age", "fires"), [(64, False), (65, True), (80, True)])
def test_comparison_fires_only_when_it_holds(make_service, consult, age, fires):
    result = consult(make_service(AGE_RULE),
                     f'[client]\nage = {age}\n[assessment]\nohsa = ["knee valgus"]\n')
    assert bool(derived(result, "overactive")) is fires


# --- stratification -----------------------------------------------------------------------


def test_not_referral_sees_a_referral_from_a_higher_salience_chain(make_service, consult):
    service = make_service('''source "t"
rule reassess "Reassess unless referred" when not referral then reassess in 4 weeks
  salience 100
rule pattern "Pattern" when knee valgus and heels rise then dysfunction lower crossed syndrome
rule refer "Refer the pattern" when dysfunction lower crossed syndrome
  then refer routine because "see a physiotherapist"
''')
    result = consult(service, '[assessment]\nohsa = ["knee valgus", "heels_rise"]\n')
    assert result.referral.required
    assert result.reassessment is None


def test_not_referral_fires_when_nothing_refers(make_service, consult):
    service = make_service('''source "t"
rule reassess "Reassess unless referred" when not referral then reassess in 4 weeks
rule refer "Refer on pain" when pain low back then refer routine because "pain"
''')
    result = consult(service, '[assessment]\nohsa = ["knee valgus"]\n')
    assert result.reassessment is not None
    assert result.reassessment.weeks == 4


# --- runaways ------------------------------------------------------------------------------


def test_checker_rejects_rules_that_would_refire_forever(make_kb):
    loaded = load([make_kb('''source "t"
rule a when overactive tfl then overactive adductors
rule b when overactive adductors then overactive tfl
rule c when knee valgus then overactive tfl
''')])
    assert loaded.kb is None
    assert [d.code for d in loaded.diagnostics if d.is_error] == ["E301"]


FOUR_FIRINGS = """source "t"
setting firing_limit 3
knee valgus → overactive adductors
feet turn out → overactive adductors
heels rise → overactive soleus
low back arches → underactive glute max
"""


def test_firing_limit_stops_the_chaining(make_service):
    service = make_service(FOUR_FIRINGS)
    case = service.parse_case('[assessment]\nohsa = ["knee valgus", "feet turn out", '
                              '"heels_rise", "low_back_arches"]\n', "case.toml")
    with pytest.raises(FiringLimitExceeded) as caught:
        service.consult(case)
    assert caught.value.limit == 3
    assert len(caught.value.last_rules) == 3
    assert "stopped after 3 rule firings" in str(caught.value)


def test_firing_limit_allows_exactly_that_many_firings(make_service, consult):
    result = consult(make_service(FOUR_FIRINGS),
                     '[assessment]\nohsa = ["knee valgus", "feet turn out", "heels_rise"]\n')
    assert result.firings == 3


# --- determinism ----------------------------------------------------------------------------


DETERMINISM_RULES = """source "t"
knee valgus → overactive adductors, tfl; underactive glute medius, glute max
feet turn out → overactive soleus, adductors; underactive glute max
rule sls when knee moves inward then same side: overactive tfl; opposite side: underactive
  glute medius
rule either when knee valgus or heels rise then underactive glute max
rule osteo when condition osteoporosis then exclude tagged smr because "no rolling"
"""
DETERMINISM_CASE = """
[client]
name = "Kim"
age = 70
conditions = ["osteoporosis"]
[assessment]
ohsa = ["feet turn out", "knee valgus", "heels_rise"]
single_leg_squat = { left = ["knee moves inward"] }
[fms]
deep_squat = 2
hurdle_step = { left = 2, right = 1 }
shoulder_mobility = 3
"""


def as_bytes(result) -> bytes:
    return json.dumps(result.as_json(), indent=2, ensure_ascii=False).encode()


def test_same_case_gives_byte_identical_json_on_two_runs(make_service, consult):
    service = make_service(DETERMINISM_RULES)
    assert as_bytes(consult(service, DETERMINISM_CASE)) == as_bytes(
        consult(service, DETERMINISM_CASE))


def test_two_fresh_services_give_byte_identical_json(make_kb, consult):
    kb = make_kb(DETERMINISM_RULES)
    first = consult(Service.open([kb]), DETERMINISM_CASE)
    second = consult(Service.open([kb]), DETERMINISM_CASE)
    assert as_bytes(first) == as_bytes(second)


def test_json_is_byte_identical_across_processes_with_different_hash_seeds(make_kb,
                                                                          tmp_path):
    kb = make_kb(DETERMINISM_RULES)
    case = tmp_path / "case.toml"
    case.write_text(DETERMINISM_CASE, encoding="utf-8")
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "cexpert.cli", "infer", str(case),
                               "--rules", str(kb), "--format", "json"],
                              capture_output=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]


def test_fact_ids_are_numbered_in_the_order_facts_are_made(make_service, consult):
    result = consult(make_service(DETERMINISM_RULES), DETERMINISM_CASE)
    ids = list(result.facts)
    assert ids == [f"f{n}" for n in range(1, len(ids) + 1)]
    for fact in result.facts.values():
        assert all(int(p[1:]) < int(fact.id[1:]) for p in fact.premises), fact


# --- the engine's hand-written constructors ----------------------------------------------


@pytest.mark.parametrize("cls", [Fact, WorkingFact])
def test_a_hand_written_constructor_takes_the_dataclass_fields_with_their_defaults(cls):
    """`Fact` and `WorkingFact` write their fields without `object.__setattr__` (one
    each per fact made): their constructors take exactly the declared fields."""
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert [(p.name, p.default) for p in params] == [
        (f.name, inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default)
        for f in dataclasses.fields(cls)]
    made = cls(*(f"v{i}" for i in range(len(params))))
    assert {f.name: getattr(made, f.name) for f in dataclasses.fields(cls)} == {
        p.name: f"v{i}" for i, p in enumerate(params)}
    assert made == cls(*(f"v{i}" for i in range(len(params))))
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.kind = "other"  # type: ignore[misc]
