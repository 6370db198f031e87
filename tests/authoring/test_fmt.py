"""Specifications of `cexpert fmt`: one canonical layout that keeps the syntax tree
(apart from positions) and every comment, is idempotent, and is what the shipped
rules are written in. The properties run over generated rule files: a short run by
default, CEXPERT_FMT_EXAMPLES=10000 for the long one."""

from __future__ import annotations

import dataclasses
import os

import pytest
from hypothesis import HealthCheck, given, settings

from authoring.rule_text import rule_file
from cexpert.authoring.fmt import comments, format_text
from cexpert.cli import main
from cexpert.language import syntax_tree as st
from cexpert.language.parse import parse_text
from cexpert.resources import rules_dir

SHIPPED = sorted(rules_dir().glob("*.cex"))
EXAMPLES = int(os.environ.get("CEXPERT_FMT_EXAMPLES", 0)) or 150
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def shape(node):
    """A syntax tree without its positions (and without the file's text)."""
    if isinstance(node, st.Span):
        return None
    if isinstance(node, st.RuleFile):
        return tuple(shape(s) for s in node.statements)
    if dataclasses.is_dataclass(node):
        return (type(node).__name__, *(shape(getattr(node, f.name))
                                       for f in dataclasses.fields(node)))
    if isinstance(node, tuple | list):
        return tuple(shape(n) for n in node)
    return node


def tree(text: str):
    parsed, problems = parse_text(text, "f.cex")
    assert problems == [], problems
    return shape(parsed)


def formatted(text: str) -> str:
    result = format_text(text, "f.cex")
    assert result.ok, result.diagnostics
    return result.text


# --- properties --------------------------------------------------------------------------------

@PROPERTY
@given(rule_file())
def test_formatting_keeps_the_syntax_tree_apart_from_positions(text):
    assert tree(formatted(text)) == tree(text)


@PROPERTY
@given(rule_file())
def test_formatting_is_idempotent(text):
    once = formatted(text)
    assert formatted(once) == once


@PROPERTY
@given(rule_file())
def test_formatting_keeps_every_comment_beside_its_code(text):
    assert comments(formatted(text)) == comments(text)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_the_shipped_rules_are_formatted(path):
    text = path.read_text(encoding="utf-8")
    assert formatted(text) == text


# --- the layout ---------------------------------------------------------------------------------

def test_tokens_get_one_space_and_the_arrow_is_written_as_such():
    assert formatted('heels_rise   ->overactive soleus ,tfl\n') == \
        "heels_rise → overactive soleus, tfl\n"


def test_continuation_lines_keep_their_nesting_in_canonical_widths():
    text = "rule r\n\twhen heels_rise\n         and knees_move_inward\n\tthen overactive tfl\n"
    assert formatted(text) == ("rule r\n  when heels_rise\n    and knees_move_inward\n"
                               "  then overactive tfl\n")


def test_a_comment_beside_code_stands_two_spaces_after_it():
    assert formatted("heels_rise → overactive soleus # why\n") == \
        "heels_rise → overactive soleus  # why\n"


def test_a_comment_inside_a_statement_is_indented_with_it():
    text = "rule r when heels_rise\n# the cause\n\n  then overactive tfl\n"
    assert formatted(text) == "rule r when heels_rise\n  # the cause\n  then overactive tfl\n"


def test_blank_lines_between_statements_become_one():
    assert formatted("\n\nheels_rise → overactive tfl\n\n\n\nfeet_turn_out → overactive tfl\n\n") \
        == "heels_rise → overactive tfl\n\nfeet_turn_out → overactive tfl\n"


def test_a_long_line_is_wrapped_after_a_comma():
    names = ", ".join(f"muscle_number_{i}" for i in range(8))
    lines = formatted(f"setting fms_order {names}\n").splitlines()
    assert len(lines) == 2 and lines[1].startswith("  muscle_number_")
    assert all(len(line) <= 100 for line in lines)


def test_a_file_with_syntax_errors_is_not_formatted():
    result = format_text("sectoin \"x\"\n", "f.cex")
    assert not result.ok and result.diagnostics[0].code == "E001"


# --- the command ---------------------------------------------------------------------------------

def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_fmt_check_changes_nothing_and_exits_1_for_an_unformatted_file(capsys, tmp_path):
    path = tmp_path / "a.cex"
    path.write_text("heels_rise ->  overactive tfl\n", encoding="utf-8")
    code, _, err = run(capsys, "fmt", "--check", str(path))
    assert code == 1 and f"{path} would be reformatted" in err
    assert path.read_text() == "heels_rise ->  overactive tfl\n"


def test_fmt_diff_prints_the_change(capsys, tmp_path):
    path = tmp_path / "a.cex"
    path.write_text("heels_rise ->  overactive tfl\n", encoding="utf-8")
    code, out, _ = run(capsys, "fmt", "--diff", str(path))
    assert code == 1
    assert "-heels_rise ->  overactive tfl\n+heels_rise → overactive tfl\n" in out


def test_fmt_rewrites_the_files_of_a_folder(capsys, tmp_path):
    (tmp_path / "a.cex").write_text("heels_rise ->  overactive tfl\n", encoding="utf-8")
    code, _, err = run(capsys, "fmt", str(tmp_path))
    assert code == 0 and "1 file reformatted, 0 already formatted." in err
    assert (tmp_path / "a.cex").read_text() == "heels_rise → overactive tfl\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.cex"]  # no temporary left


def test_fmt_of_a_broken_file_reports_it_and_leaves_it(capsys, tmp_path):
    path = tmp_path / "a.cex"
    path.write_text('sectoin "x"\n', encoding="utf-8")
    code, _, err = run(capsys, "fmt", str(path))
    assert code == 1 and "error[E001]" in err and "has syntax errors" in err
    assert path.read_text() == 'sectoin "x"\n'


def test_fmt_check_passes_on_the_shipped_rules(capsys):
    code, _, _ = run(capsys, "fmt", "--check", str(rules_dir()))
    assert code == 0


def test_regions_and_measures_are_laid_out_like_the_rest():
    text = ('region calf  "Calf"   within leg\n'
            'rule r when condition veins at  lower leg ,thigh and weeks of pregnancy>=14\n'
            '    then exclude phase inhibit at its region because "x"\n')
    assert format_text(text, "f.cex").text == (
        'region calf "Calf" within leg\n'
        'rule r when condition veins at lower leg, thigh and weeks of pregnancy >= 14\n'
        '  then exclude phase inhibit at its region because "x"\n')
