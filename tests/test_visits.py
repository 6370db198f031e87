"""Reasoning across visits: `resolved X`, `new X`, `persists X [for N visits]` and
`visits >= N` in the language, the checker, the engine and the authoring tools."""

from __future__ import annotations

import pytest
from pygments.token import Keyword

from cexpert.authoring.fmt import format_text
from cexpert.authoring.lexer import CexLexer
from cexpert.authoring.lsp import expected_keywords
from cexpert.engine.case import CaseError, EarlierVisit
from cexpert.language import syntax_tree as st
from cexpert.language.parse import parse_text

RULES = """\
source "test rules"
knee valgus → overactive adductors, tfl; underactive glute medius
rule gone when resolved any then note "resolved: {finding}"
rule fresh when new any then note "new: {finding}"
rule still when persists knee valgus then note "still: {finding}"
rule long when persists any for 3 visits then note "three: {finding}"
rule counted when visits >= 2 then note "visit two or later"
"""

NOW = """\
date = 2026-03-01
[client]
name = "Kim"
[assessment]
ohsa = ["knees_move_inward", "feet_turn_out"]
"""


def earlier(*visits: list[str]) -> str:
    return "".join(f'\n[[previous]]\ndate = 2026-0{1 + i // 28}-{1 + i % 28:02d}\n'
                   f'findings = {findings!r}\n'.replace("'", '"')
                   for i, findings in enumerate(visits))


@pytest.fixture
def service(make_service):
    return make_service(RULES)


def notes(service, consult, text: str) -> tuple[str, ...]:
    return consult(service, text).notes


def test_a_first_visit_has_nothing_resolved_new_or_persisting(service, consult):
    assert notes(service, consult, NOW) == ()


def test_a_visit_is_compared_with_the_previous_one(service, consult):
    found = notes(service, consult, NOW + earlier(["knees_move_inward", "heels_rise"]))
    assert found == ("resolved: heels rise", "new: feet turn out", "still: knees move inward",
                     "visit two or later")


def test_persisting_for_n_visits_counts_the_visits_in_a_row(service, consult):
    in_a_row = earlier(["feet_turn_out"], ["knees_move_inward", "feet_turn_out"],
                       ["knees_move_inward", "feet_turn_out"])
    found = notes(service, consult, NOW + in_a_row)
    assert "three: feet turn out" in found and "three: knees move inward" in found
    broken = earlier(["knees_move_inward"], ["feet_turn_out"], ["knees_move_inward"])
    assert [n for n in notes(service, consult, NOW + broken) if n.startswith("three")] == []


def test_the_comparison_is_explained_by_what_was_entered_then(service, consult):
    result = consult(service, NOW + earlier(["knees_move_inward"]))
    persists = next(f for f in result.facts.values() if f.kind == "persists")
    kinds = sorted(result.facts[p].kind for p in persists.premises)
    assert kinds == ["finding", "previous_finding"] and persists.origin == "builtin"
    assert service.describe(result, persists.id) == \
        "Knees move inward persists: found at each of the last 2 visits"


def test_a_first_visit_counts_as_visit_1_when_a_rule_counts_visits(service, consult):
    result = consult(service, NOW)
    (visits,) = [f for f in result.facts.values() if f.kind == "visits"]
    assert visits.data["visits"] == 1


def test_the_previous_tables_are_checked_like_the_rest_of_a_case(service):
    bad = NOW + '[[previous]]\ndate = 2026-04-01\nfindings = ["knees_move_inwrd", "deep_squat"]\n'
    with pytest.raises(CaseError) as error:
        service.parse_case(bad, "case.toml")
    problems = "\n".join(error.value.problems)
    assert "is not before this visit" in problems
    assert "did you mean 'knees_move_inward'" in problems
    assert "'deep_squat' is an FMS test" in problems


def test_aliases_name_earlier_findings(service):
    case = service.parse_case(NOW + earlier(["knee valgus"]), "case.toml")
    assert case.previous == (EarlierVisit("2026-01-01", ("knees_move_inward",)),)
    assert case.visits == 2


@pytest.mark.parametrize(("text", "change", "visits"), [
    ("resolved knee valgus", "resolved", None),
    ("new any", "new", None),
    ("persists knee valgus for 3 visits", "persists", 3),
])
def test_the_conditions_parse(text, change, visits):
    tree, problems = parse_text(f'rule r when {text} then note "n"\n', "r.cex")
    assert problems == []
    node = tree.statements[0].condition
    assert isinstance(node, st.VisitChange) and node.change == change
    assert (node.visits.value if node.visits else None) == visits


@pytest.mark.parametrize(("condition", "message"), [
    ("new knee valgus for 3 visits", "'for ... visits' counts how long a finding persists"),
    ("persists knee valgus for 1 visits", "takes a whole number of at least 2"),
    ("persists deep squat", "'deep squat' is an FMS test"),
    ("visits >= 1.5", "'visits' counts whole visits"),
    ("persist knee valgus", "did you mean 'persists' instead of 'persist'?"),
])
def test_mistakes_are_diagnosed(make_service, condition, message):
    from cexpert.language.diagnostics import DiagnosticError

    with pytest.raises(DiagnosticError) as error:
        make_service(f'source "s"\nrule r when {condition} then note "n"\n')
    text = "\n".join(f"{d.message} {d.help or ''}" for d in error.value.diagnostics)
    assert message in text


def test_fmt_the_lexer_and_completion_know_the_new_words():
    messy = 'rule r   when persists  knee valgus for 3   visits and visits>=2 then note "n"\n'
    formatted = format_text(messy).text
    assert formatted == 'rule r when persists knee valgus for 3 visits and visits >= 2 ' \
                        'then note "n"\n'
    assert format_text(formatted).text == formatted
    tokens = [(t, v) for t, v in CexLexer().get_tokens(formatted) if t is Keyword]
    assert {"persists", "for", "visits"} <= {v for _, v in tokens}
    keywords, _ = expected_keywords("rule r when ", 0, 12)
    assert {"resolved", "persists", "new", "visits"} <= set(keywords)
    keywords, _ = expected_keywords("rule r when persists knee valgus ", 0, 33)
    assert "for" in keywords
