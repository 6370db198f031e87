"""Core specifications of the rule language: the grammar, the design example, errors."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from cexpert.language import syntax_tree as st
from cexpert.language.diagnostics import render_text
from cexpert.language.load import load
from cexpert.language.parse import parse_text, parser
from cexpert.resources import rules_dir

SHIPPED = sorted(rules_dir().glob("*.cex"))


def test_grammar_has_no_conflicts_in_strict_mode():
    assert parser(strict=True) is not None


def test_design_example_gives_overactive_adductors_and_underactive_glute_medius():
    tree, problems = parse_text(
        "knee valgus → overactive adductors, underactive glute medius\n", "x.cex"
    )
    assert problems == []
    (rule,) = tree.statements
    assert [(c.state, c.muscle.text) for c in rule.conclusions] == [
        ("overactive", "adductors"),
        ("underactive", "glute medius"),
    ]


def test_ascii_arrow_is_the_same_as_the_unicode_arrow():
    a, _ = parse_text("knee valgus -> overactive adductors\n", "x.cex")
    b, _ = parse_text("knee valgus → overactive adductors\n", "x.cex")
    assert a.statements[0].conclusions[0].muscle.text == b.statements[0].conclusions[0].muscle.text


def test_side_plank_and_anterior_tibialis_are_writable_names():
    tree, problems = parse_text(
        "x → overactive side plank, anterior tibialis, posterior deltoid\n", "x.cex"
    )
    assert problems == []
    assert [c.muscle.text for c in tree.statements[0].conclusions] == [
        "side plank",
        "anterior tibialis",
        "posterior deltoid",
    ]


def test_indented_line_continues_a_statement():
    tree, problems = parse_text("knee valgus →\n  overactive adductors\n", "x.cex")
    assert problems == [] and len(tree.statements) == 1


def test_string_escapes_are_decoded():
    tree, _ = parse_text('muscle a "Say \\"hi\\"\\n" aka "x"\n', "x.cex")
    decl = tree.statements[0]
    assert isinstance(decl, st.Declaration) and decl.title.value == 'Say "hi"\n'


def test_every_broken_statement_is_reported_with_position_and_caret():
    text = "muscel foo\nknee valgus → overactive adductors\nrule y when age >= then x\n"
    tree, problems = parse_text(text, "x.cex")
    assert [(p.span.line, p.span.column) for p in problems] == [(1, 11), (3, 20)]
    rendered = render_text(problems, {"x.cex": text})
    assert "x.cex:1:11: error[E001]" in rendered
    assert "did you mean 'muscle'" in rendered
    assert "^" in rendered
    assert len(tree.statements) == 1  # the good statement in between still parses


def test_shipped_rules_parse_without_problems():
    for path in SHIPPED:
        _, problems = parse_text(path.read_text(), str(path))
        assert problems == [], path


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hs.lists(
        hs.sampled_from(
            [
                *list('abc →->,;:"\\\n #()=<>0123456789'),
                "knee ",
                "overactive ",
                "underactive ",
                "rule ",
                "when ",
                "then ",
                "not ",
                "muscle ",
            ]
        )
    ).map("".join)
)
def test_parser_never_raises_on_random_text(text):
    _tree, problems = parse_text(text, "fuzz.cex")
    lines = text.replace("\r\n", "\n").count("\n") + 1
    for problem in problems:
        assert 1 <= problem.span.line <= lines + 1


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hs.sampled_from(SHIPPED),
    hs.integers(min_value=0),
    hs.integers(min_value=0, max_value=40),
    hs.text(max_size=5),
)
def test_loading_a_mutated_shipped_file_never_raises(tmp_path_factory, path, at, cut, insert):
    text = path.read_text()
    at %= max(1, len(text))
    mutated = text[:at] + insert + text[at + cut :]
    target: Path = tmp_path_factory.mktemp("kb") / "mutated.cex"
    target.write_text(mutated)
    loaded = load([target])
    assert loaded.ok or any(d.is_error for d in loaded.diagnostics)
