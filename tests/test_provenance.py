"""Specifications for provenance: every fact says where it came from."""

from __future__ import annotations

import pytest

RULES = """source "t"
knee valgus → overactive adductors, tfl; underactive glute medius
feet turn out → overactive soleus; underactive glute max
rule sls "One leg" when knee moves inward then same side: overactive tfl
rule older "Older adults" when age >= 65 and knee valgus then underactive glute max
rule pattern "Pattern" when knee valgus and not heels rise then dysfunction lower crossed syndrome
rule quiet "Nothing to refer" when not referral then reassess in 4 weeks
rule everyone "Everyone" when always then note "Warm up first"
rule osteo "No rolling" when condition osteoporosis then exclude tagged smr because "no rolling"
rule hurdle "Hurdle" when fms hurdle step <= 1 then lower side: underactive glute medius
"""
CASE = """
[client]
age = 70
conditions = ["osteoporosis"]
[assessment]
ohsa = ["knee valgus", "feet turn out"]
single_leg_squat = { right = ["knee moves inward"] }
[fms]
deep_squat = 2
hurdle_step = { left = 2, right = 1 }
shoulder_mobility = 3
[fms.clearing]
shoulder = { right = true }
"""


@pytest.fixture
def result(make_service, consult):
    return consult(make_service(RULES), CASE)


def facts_of(result, kind: str) -> list:
    return [f for f in result.facts.values() if f.kind == kind]


def leaves(result, fact_id: str) -> set[str]:
    """The facts without premises reached by following premises from `fact_id`."""
    found, stack, seen = set(), [fact_id], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        fact = result.facts[current]
        if not fact.premises:
            found.add(current)
        stack.extend(fact.premises)
    return found


# --- derived facts --------------------------------------------------------------------------


def test_every_rule_fact_names_a_rule_of_the_knowledge_base(result):
    derived = [f for f in result.facts.values() if f.origin == "rule"]
    assert derived
    for fact in derived:
        assert fact.rule in result.rules, fact


def test_every_rule_fact_has_premises_that_exist(result):
    for fact in result.facts.values():
        if fact.origin == "rule":
            assert fact.premises, fact
            assert all(p in result.facts for p in fact.premises), fact


def test_every_builtin_fact_has_premises_and_no_rule(result):
    builtins = [f for f in result.facts.values() if f.origin == "builtin"]
    assert builtins
    for fact in builtins:
        assert fact.rule is None, fact
        assert fact.premises, fact


def test_only_input_facts_are_without_premises(result):
    for fact in result.facts.values():
        if not fact.premises:
            assert fact.origin == "input", fact


def test_table_row_conclusion_has_the_finding_as_its_premise(result):
    (fact,) = [f for f in facts_of(result, "overactive") if f.get("muscle") == "soleus"]
    (premise,) = fact.premises
    assert result.facts[premise].get("finding") == "feet_turn_out"
    assert fact.rule == "10_rules.feet_turn_out"


def test_rule_info_points_at_the_file_and_line(result):
    info = result.rules["older"]
    assert info.title == "Older adults"
    assert info.source == "t"
    assert info.file.endswith("10_rules.cex")
    assert info.line == 5


# --- chains reach what was entered -----------------------------------------------------------


def test_following_premises_from_every_program_item_reaches_input_facts(result):
    assert result.program
    for item in result.program:
        reached = leaves(result, item.fact)
        assert reached
        assert {result.facts[f].origin for f in reached} == {"input"}


def test_every_program_item_traces_back_to_an_entered_finding(result):
    for item in result.program:
        kinds = {result.facts[f].kind for f in leaves(result, item.fact)}
        assert kinds & {"finding", "fms_raw"}, item


def test_following_premises_from_every_fact_reaches_input_facts(result):
    for fact in result.facts.values():
        assert {result.facts[f].origin for f in leaves(result, fact.id)} == {"input"}, fact


# --- input -----------------------------------------------------------------------------------


def test_entered_findings_are_input_facts_without_rule_or_premises(result):
    findings = facts_of(result, "finding")
    assert [(f.get("finding"), f.get("side")) for f in findings] == [
        ("knees_move_inward", "both"), ("feet_turn_out", "both"),
        ("sls_knee_moves_inward", "right"), ("clear_shoulder", "right")]
    for fact in findings:
        assert (fact.origin, fact.rule, fact.premises) == ("input", None, ())


def test_client_data_are_input_facts(result):
    assert [(f.kind, f.origin) for f in list(result.facts.values())[:3]] == [
        ("client", "input"), ("age", "input"), ("condition", "input")]


# --- FMS arithmetic ---------------------------------------------------------------------------


def fms_fact(result, test: str):
    (fact,) = [f for f in facts_of(result, "fms") if f.get("test") == test]
    return fact


def test_fms_final_score_is_the_lower_side_as_a_builtin_fact(result):
    fact = fms_fact(result, "hurdle_step")
    assert (fact.get("score"), fact.get("left"), fact.get("right")) == (1, 2, 1)
    assert fact.origin == "builtin"
    (raw,) = fact.premises
    assert result.facts[raw].kind == "fms_raw"
    assert result.facts[raw].origin == "input"


def test_painful_clearing_test_scores_its_side_zero_with_the_clearing_as_premise(result):
    fact = fms_fact(result, "shoulder_mobility")
    assert (fact.get("left"), fact.get("right"), fact.get("score")) == (3, 0, 0)
    assert fact.origin == "builtin"
    kinds = [result.facts[p].kind for p in fact.premises]
    assert kinds == ["fms_raw", "finding"]
    assert result.facts[fact.premises[1]].get("finding") == "clear_shoulder"


def test_fms_total_is_a_builtin_fact_over_every_final_score(result):
    (total,) = facts_of(result, "fms_total")
    assert total.get("total") == 2 + 1 + 0
    assert total.origin == "builtin"
    assert set(total.premises) == {f.id for f in facts_of(result, "fms")}
    assert result.fms.total == 3


def test_asymmetry_is_a_builtin_fact_from_the_final_score(result):
    asymmetries = facts_of(result, "asymmetry")
    assert [a.get("test") for a in asymmetries] == ["hurdle_step", "shoulder_mobility"]
    for fact in asymmetries:
        assert fact.origin == "builtin"
        assert [result.facts[p].kind for p in fact.premises] == ["fms"]


def test_lower_side_rule_uses_the_lower_scoring_side(result):
    (fact,) = [f for f in facts_of(result, "underactive")
               if f.rule == "hurdle"]
    assert fact.get("side") == "right"
    assert result.facts[fact.premises[0]].kind == "fms"


def test_partial_screen_has_a_null_total_and_says_why(make_service, consult):
    result = consult(make_service(RULES), "[fms]\ndeep_squat = 2\nhurdle_step = 1\n")
    assert facts_of(result, "fms_total") == []
    assert result.fms.total is None
    assert result.as_json()["fms"]["total"] is None
    assert "partial screen: total not computed" in result.fms.flags
    for fact in facts_of(result, "fms"):
        assert fact.origin == "builtin"
        assert fact.premises


def test_muscle_summary_is_builtin_over_its_evidence(result):
    for item in result.muscles:
        fact = result.facts[item.fact]
        assert fact.origin == "builtin"
        assert {result.facts[p].kind for p in fact.premises} == {item.state}


def test_the_inputs_behind_a_chain_thousands_of_facts_deep_are_found():
    from cexpert.engine.facts import BUILTIN, INPUT, FactBook

    book = FactBook()
    fact = first = book.add("finding", {}, origin=INPUT)
    for _ in range(5_000):  # deeper than Python's recursion limit
        fact = book.add("derived", {}, origin=BUILTIN, premises=(fact.id,))
    assert book.inputs_behind(fact.id) == {first.id}
