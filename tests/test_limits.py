"""Deep or wide rules and huge numbers are refused at check time with the limit in
words; whatever `check` accepts, the engine runs (issue 10, "Rule files are data")."""

from __future__ import annotations

import json

from cexpert.language.limits import MAX_ALTERNATIVES, MAX_CHAIN, MAX_NESTING, MAX_TOGETHER
from cexpert.language.load import load

BOTH_SIDES = '[assessment]\nsingle_leg_squat = { left = ["knee moves inward"], ' \
             'right = ["knee moves inward"] }\n'


def problems(make_kb, rules: str) -> list[tuple[str, str]]:
    loaded = load([make_kb('source "t"\n' + rules)])
    return [(d.code, d.message) for d in loaded.diagnostics if d.is_error]


def test_500_anded_tests_of_a_sided_finding_are_refused_at_check(make_kb):
    condition = " and ".join(["finding sls_knee_moves_inward"] * 500)
    found = problems(make_kb, f"rule deep when {condition} then overactive tfl\n")
    assert found == [("E209", "this rule is too large for the engine: it tests 500 "
                      f"conditions that must hold together; the limit is {MAX_TOGETHER} "
                      "in one alternative")]


def test_anded_ors_40_times_are_refused_without_being_spread_out(make_kb):
    condition = " and ".join(["(heels rise or feet turn out)"] * 40)
    found = problems(make_kb, f"rule wide when {condition} then overactive tfl\n")
    assert ("E209", "this rule is too large for the engine: its 'or's give "
            f"1,099,511,627,776 alternatives once spread out; the limit is {MAX_ALTERNATIVES} "
            "(each becomes its own engine rule)") in found


def test_nested_parentheses_are_limited_like_nested_nots(make_kb):
    nested = "heels rise"
    for _ in range(MAX_NESTING + 1):
        nested = f"(feet turn out or {nested})"
    nots = "not " * (MAX_NESTING + 1) + "heels rise"
    found = problems(make_kb, f"rule parens when {nested} then overactive tfl\n"
                              f"rule nots when {nots} then overactive tfl\n")
    assert [code for code, _ in found] == ["E209", "E209"]
    assert all(f"the limit is {MAX_NESTING} levels of 'and', 'or', 'not' and parentheses"
               in message for _, message in found)


def test_nesting_beyond_the_parser_is_a_diagnostic_naming_the_limit(make_kb):
    nested = "heels rise"
    for _ in range(2000):
        nested = f"(feet turn out and {nested})"
    loaded = load([make_kb(f'source "t"\nrule deep when {nested} then overactive tfl\n')])
    (error,) = [d for d in loaded.diagnostics if d.is_error]
    assert error.code == "E001" and "nest too deeply" in error.message
    assert f"at most {MAX_NESTING} levels" in error.help


def test_a_rule_at_every_limit_runs_and_explains(make_service, consult):
    together = " and ".join(f"age > {n}" for n in range(MAX_TOGETHER - 1))
    alternatives = " and ".join(["(heels rise or feet turn out)"] * 8)  # 256
    nested = "finding sls_knee_moves_inward"
    for _ in range(MAX_NESTING // 2):
        nested = f"(age > 1 and ({nested} or heels rise))"
    service = make_service(
        'source "t"\n'
        f"rule together when {together} and finding sls_knee_moves_inward "
        "then overactive tfl\n"
        f"rule alternatives when {alternatives} then underactive gluteus_maximus\n"
        f"rule nested when {nested} then overactive soleus\n")
    result = consult(service, '[client]\nage = 40\n' + BOTH_SIDES.replace(
        "[assessment]", '[assessment]\nohsa = ["heels rise"]'))
    concluded = {(m.id, m.state) for m in result.muscles}
    assert {("tfl", "overactive"), ("gluteus_maximus", "underactive"),
            ("soleus", "overactive")} <= concluded
    for fact_id in result.facts:
        assert service.why(result, fact_id) is not None


def test_a_400_digit_number_is_out_of_range_not_infinite(make_kb):
    found = problems(make_kb, f"rule r when age > {'9' * 400} then overactive tfl\n")
    assert found == [("E004", "the number 999999999999… (400 digits) is out of range")]


def test_a_huge_hold_is_a_diagnostic_not_an_overflow(make_kb):
    found = problems(make_kb, f"rule r when heels rise then overactive tfl; "
                              f"set dose hold {'9' * 30} for smr_tfl\n")
    assert [code for code, _ in found] == ["E004"]


def test_reassess_in_a_huge_number_of_weeks_never_writes_infinity(make_kb, make_service,
                                                                   consult):
    rules = f"rule r when heels rise then reassess in {'9' * 400} weeks\n"
    assert [code for code, _ in problems(make_kb, rules)] == ["E004"]
    service = make_service('source "t"\nrule r when heels rise then reassess in 1000000 '
                           'weeks\n')
    result = consult(service, '[assessment]\nohsa = ["heels rise"]\n')
    text = json.dumps(result.as_json(), allow_nan=False)  # raises on inf or nan
    assert '"weeks": 1000000' in text


def chain(count: int, reverse: bool = False) -> tuple[str, str]:
    """A vocabulary of `count` dysfunctions and rules that conclude them one from the
    next, from `heels rise`; `reverse` writes the chain's last rule first."""
    vocabulary = "".join(f'dysfunction d{i} "D{i}"\n' for i in range(count))
    rules = ["rule r0 when heels rise then dysfunction d0"]
    rules += [f"rule r{i} when dysfunction d{i - 1} then dysfunction d{i}"
              for i in range(1, count)]
    return vocabulary, 'source "t"\n' + "\n".join(reversed(rules) if reverse else rules) + "\n"


def test_a_chain_of_rules_longer_than_the_limit_is_refused_at_check(make_kb, vocabulary):
    extra, rules = chain(1200, reverse=True)  # written backwards: the deepest walk
    loaded = load([make_kb(rules, vocabulary + extra)])
    assert [(d.code, d.message) for d in loaded.diagnostics if d.is_error] == [
        ("E209", "rule 'r1199' ends a chain of 1,200 rules, each testing what the one "
         f"before it concludes; the limit is {MAX_CHAIN} (an explanation follows the "
         "chain to its inputs)")]


def test_a_chain_at_the_limit_runs_and_explains(make_service, consult, vocabulary):
    extra, rules = chain(MAX_CHAIN)
    service = make_service(rules, vocabulary + extra)
    result = consult(service, '[assessment]\nohsa = ["heels rise"]\n')
    (last,) = [f for f in result.facts.values()
               if f.kind == "dysfunction" and f.get("dysfunction") == f"d{MAX_CHAIN - 1}"]
    node, depth = service.why(result, last.id), 0
    while node.children:
        node, depth = node.children[0], depth + 1
    assert depth >= MAX_CHAIN
