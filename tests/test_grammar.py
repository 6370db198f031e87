"""Specifications of the grammar itself (grammar/cex.lark): how it is built, its
keywords and terminals, and one line for every form of the language."""

from __future__ import annotations

import re

import pytest
from lark import Lark
from lark.exceptions import GrammarError

from cexpert.language import syntax_tree as st
from cexpert.language.parse import DECLARATION_KINDS, RESERVED, parse_text, parser
from cexpert.resources import grammar_path


def keywords() -> set[str]:
    """Every literal word of the grammar (the contextual lexer's keywords)."""
    return {
        t.pattern.value for t in parser().terminals
        if t.pattern.type == "str" and t.pattern.value.isalpha()
    }


def alternatives(rule: str) -> set[str]:
    """The literal words a one-token rule such as `kind` accepts."""
    literals = {t.name: t.pattern.value for t in parser().terminals}
    return {
        literals[symbol.name]
        for r in parser().rules if r.origin.name == rule
        for symbol in r.expansion
    }


def only_statement(text: str):
    tree, problems = parse_text(text, "g.cex")
    assert problems == [], problems
    (statement,) = tree.statements
    return statement


# --- how the parser is built ----------------------------------------------------------


def test_grammar_builds_with_strict_so_no_conflict_is_resolved_silently():
    strict = parser(strict=True)
    assert strict.options.strict is True


def test_strict_mode_rejects_a_grammar_with_a_shift_reduce_conflict():
    # the guard the test above relies on: a dangling-else grammar must not build
    ambiguous = """
        start: stmt
        stmt: "if" "x" "then" stmt | "if" "x" "then" stmt "else" stmt | "y"
        %ignore " "
    """
    with pytest.raises(GrammarError):
        Lark(ambiguous, parser="lalr", strict=True)


def test_parser_is_lalr_with_the_contextual_lexer_and_positions():
    options = parser().options
    assert (options.parser, options.lexer) == ("lalr", "contextual")
    assert options.propagate_positions


def test_strict_and_cached_parsers_accept_the_same_text():
    text = "knee valgus → overactive adductors, underactive glute medius\n"
    assert parser(strict=True).parse(text) == parser().parse(text)


def test_parser_is_built_once_per_mode():
    assert parser() is parser()


def test_grammar_is_the_packaged_file():
    assert grammar_path().name == "cex.lark"
    assert "start:" in grammar_path().read_text(encoding="utf-8")


# --- keywords and terminals -----------------------------------------------------------


def test_every_reserved_word_is_a_keyword_of_the_grammar():
    assert set(RESERVED) <= keywords()


def test_declaration_kinds_are_exactly_the_grammar_kinds():
    assert alternatives("kind") == set(DECLARATION_KINDS)


def test_a_declaration_starts_with_each_kind():
    for kind in DECLARATION_KINDS:
        statement = only_statement(f"{kind} some_id\n")
        assert isinstance(statement, st.Declaration) and statement.kind == kind


def test_fact_kinds_of_conditions():
    assert alternatives("fact_kind") == {
        "finding", "condition", "pain", "dysfunction", "overactive", "underactive",
        "equipment", "followup", "limitation", "assessed",
    }


def test_suggest_test_names_the_test_how_and_why():
    rule = only_statement('rule r when knee valgus then suggest test single leg squat '
                          'with "a hand on a wall" because "why"\n')
    (suggestion,) = rule.conclusions
    assert isinstance(suggestion, st.SuggestTest)
    assert suggestion.test.text == "single leg squat"
    assert (suggestion.how.value, suggestion.reason.value) == ("a hand on a wall", "why")


def test_evidence_compares_the_findings_behind_a_muscle_state():
    rule = only_statement("rule r when evidence overactive hip flexors <= 1 and not assessed "
                          "thomas test then note \"n\"\n")
    evidence, negation = rule.condition.operands
    assert (evidence.quantity, evidence.state, evidence.subject.text) == (
        "evidence", "overactive", "hip flexors")
    assert negation.operand.kind == "assessed"


def test_a_bare_cleared_names_no_subject_and_lists_its_clinicians():
    rule = only_statement('rule r when parq 2 and not cleared by physician, physical '
                          'therapist within 12 months then note "n"\n')
    clearance = rule.condition.operands[1].operand
    assert clearance.subject is None
    assert [n.text for n in clearance.by] == ["physician", "physical therapist"]
    assert clearance.within.value == 12


@pytest.mark.parametrize(
    "word", ["glute", "gluteus_medius", "knock-knees", "o'brien", "a1", "L5/S1", "TFL"]
)
def test_word_terminal_accepts(word):
    assert re.fullmatch(parser().get_terminal("WORD").pattern.value, word)


@pytest.mark.parametrize("word", ["1st", "_x", "a-", "a--b", "a-1", "-a", "é"])
def test_word_terminal_rejects(word):
    assert not re.fullmatch(parser().get_terminal("WORD").pattern.value, word)


@pytest.mark.parametrize("literal", ['""', '"a b"', r'"say \"hi\""', r'"back\\slash"'])
def test_string_terminal_accepts(literal):
    assert re.fullmatch(parser().get_terminal("STRING").pattern.value, literal)


@pytest.mark.parametrize("literal", ['"a\nb"', '"open', r'"ends in escape\"'])
def test_string_terminal_rejects(literal):
    assert not re.fullmatch(parser().get_terminal("STRING").pattern.value, literal)


@pytest.mark.parametrize("arrow", ["→", "->"])
def test_both_arrows_are_the_arrow_terminal(arrow):
    assert re.fullmatch(parser().get_terminal("ARROW").pattern.value, arrow)


@pytest.mark.parametrize("operator", ["<", "<=", "=", "==", "!=", ">=", ">"])
def test_every_comparison_operator_parses(operator):
    rule = only_statement(f"rule r when age {operator} 65 then note \"n\"\n")
    assert rule.condition.operator == operator


# --- one line for every form of the language --------------------------------------------

STATEMENTS = [
    ('muscle gluteus_medius "Gluteus medius" region hip aka "glute medius"', st.Declaration),
    ('setting checkpoint_order foot_ankle, knee, lphc', st.Setting),
    ('include "other.cex"', st.Include),
    ('section "Overhead squat"', st.Section),
    ('section "Overhead squat" source "NASM CES"', st.Section),
    ('source "NASM CPT7"', st.FileSource),
    ('rule r when heels rise then overactive soleus', st.Rule),
    ('rule r "Title" heels rise → overactive soleus', st.Rule),
    ('heels rise → overactive soleus', st.Rule),
]


@pytest.mark.parametrize(("text", "node"), STATEMENTS)
def test_statement_form(text, node):
    assert isinstance(only_statement(text + "\n"), node)


CONDITIONS = [
    ("heels rise", st.FactTest),
    ("finding heels rise", st.FactTest),
    ("condition osteoporosis", st.FactTest),
    ("pain low back", st.FactTest),
    ("pain any", st.FactTest),
    ("dysfunction lower crossed", st.FactTest),
    ("overactive tfl", st.FactTest),
    ("underactive glute medius", st.FactTest),
    ("cleared pregnancy", st.ClearanceTest),
    ("cleared pregnancy by obstetric provider, physician", st.ClearanceTest),
    ("cleared by physician within 12 months", st.ClearanceTest),
    ("pain any and not cleared by physician", st.All),
    ("equipment foam roller", st.FactTest),
    ("followup yes", st.FactTest),
    ("limitation cannot kneel", st.FactTest),
    ("age >= 65", st.Comparison),
    ("fms deep squat <= 1", st.Comparison),
    ("fms total <= 14", st.Comparison),
    ("fms hurdle step asymmetric", st.Asymmetry),
    ("fms priority hurdle step", st.FmsPriorityTest),
    ("parq yes", st.ParqTest),
    ("parq 4", st.ParqTest),
    ("referral", st.ReferralTest),
    ("always", st.AlwaysTest),
    ("resolved heels rise", st.VisitChange),
    ("new any", st.VisitChange),
    ("persists heels rise for 3 visits", st.VisitChange),
    ("visits >= 4", st.Comparison),
    ("not heels rise", st.Not),
    ("heels rise and feet turn out", st.All),
    ("heels rise or feet turn out", st.Any),
    ("(heels rise or feet turn out) and not (age > 65)", st.All),
]


@pytest.mark.parametrize(("text", "node"), CONDITIONS)
def test_condition_form(text, node):
    rule = only_statement(f'rule r when {text} then note "n"\n')
    assert isinstance(rule.condition, node)


CONCLUSIONS = [
    ("overactive soleus", st.MuscleState),
    ("underactive glute medius", st.MuscleState),
    ("same side: overactive soleus", st.MuscleState),
    ("dysfunction lower crossed", st.Dysfunction),
    ("prescribe smr calves", st.Prescribe),
    ('refer urgent because "r"', st.Refer),
    ('refer because "r"', st.Refer),
    ('hold program because "r"', st.HoldProgram),
    ('exclude phase inhibit because "r"', st.Exclude),
    ('exclude exercise a, b tagged smr for tfl because "r"', st.Exclude),
    ('substitute a with b because "r"', st.Substitute),
    ("set dose hold 60 sets 2 reps \"10-15\" tempo \"4/2/1\" for lengthen", st.SetDose),
    ("reassess in 4 weeks", st.Reassess),
    ("fms target any", st.FmsTarget),
    ('note "n"', st.Note),
]


@pytest.mark.parametrize(("text", "node"), CONCLUSIONS)
def test_conclusion_form(text, node):
    rule = only_statement(f"rule r when heels rise then {text}\n")
    (conclusion,) = rule.conclusions
    assert isinstance(conclusion, node)


@pytest.mark.parametrize(
    "options", ['source "s"', "salience 10", "salience -5", "profile ces",
                'source "s" salience 2 profile cpt7']
)
def test_rule_options_go_before_or_after_the_body(options):
    before = only_statement(f"rule r {options} when heels rise then overactive tfl\n")
    after = only_statement(f"rule r when heels rise then overactive tfl {options}\n")

    def values(rule):
        return (
            rule.source and rule.source.value, rule.salience and rule.salience.value,
            rule.profile,
        )

    assert values(before) == values(after) != (None, None, None)


def test_conclusions_are_separated_by_commas_or_semicolons():
    rule = only_statement("heels rise → overactive a, b; underactive c; dysfunction d\n")
    assert [type(c).__name__ for c in rule.conclusions] == [
        "MuscleState", "MuscleState", "MuscleState", "Dysfunction"]


def test_an_empty_file_and_a_file_of_comments_are_valid():
    for text in ["", "\n\n", "# only a comment\n", "  # indented comment\n\n# another"]:
        tree, problems = parse_text(text, "g.cex")
        assert (tree.statements, problems) == ((), [])
