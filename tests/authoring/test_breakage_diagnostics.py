"""The breakage run's confusing messages, made precise: each misspelling gets its
hint, each error its line, and one broken file no longer hides the others' errors.
Also `extend KIND ID ...`: adding to another file's declaration."""

from __future__ import annotations

from pathlib import Path

import pytest

from cexpert.language.load import load
from cexpert.language.parse import parse_text

VOCABULARY = """\
source "vocabulary"
phase inhibit "Inhibit" treats overactive
assessment ohsa "Overhead squat"
finding heels_rise "Heels rise" in ohsa
muscle soleus "Soleus"
muscle iliacus "Iliacus"
exercise smr_calves "Calf roll" phase inhibit targets soleus, iliacus tags smr
"""


@pytest.fixture
def kb(tmp_path: Path):
    """kb({name: text}) -> Loaded, with VOCABULARY as 00_vocabulary.cex."""

    def make(files: dict[str, str]):
        (tmp_path / "00_vocabulary.cex").write_text(VOCABULARY, encoding="utf-8")
        for name, text in files.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
        return load([tmp_path])

    return make


def only(loaded, code):
    found = [d for d in loaded.diagnostics]
    assert [d.code for d in found] == [code], found
    return found[0]


def syntax(text: str):
    _, problems = parse_text(text, "f.cex")
    assert len(problems) == 1, problems
    return problems[0]


def test_a_misspelled_attribute_is_reported_as_an_attribute_with_its_suggestion(kb):
    d = only(kb({"a.cex": 'exercise smr_x "X" phase inhibit targts iliacus\n'}), "E103")
    assert d.message == "unknown attribute 'targts'"
    assert d.help == "did you mean 'targets'?"
    assert (d.span.line, d.span.column, d.span.end_column) == (1, 34, 40)


def test_a_misspelled_section_suggests_section_not_setting():
    assert syntax('sectoin "Hips"\n').help.endswith("did you mean 'section' instead of 'sectoin'?")


def test_a_misspelled_source_in_a_rule_header_is_named():
    d = syntax('rule r "R" sorce "x" when heels rise then overactive soleus\n')
    assert d.help == "did you mean 'source' instead of 'sorce'?"


def test_a_misspelled_exclude_is_named():
    d = syntax('rule r when heels rise then exlude phase inhibit because "x"\n')
    assert d.help == "did you mean 'exclude' instead of 'exlude'?"


def test_a_syntax_error_in_one_file_leaves_the_name_errors_of_the_others(kb):
    loaded = kb({"10_typo.cex": 'source "x"\nheels rise → overactive solues\n',
                 "20_broken.cex": 'sectoin "x"\n'})
    assert sorted(d.code for d in loaded.diagnostics) == ["E001", "E201"]
    unknown = next(d for d in loaded.diagnostics if d.code == "E201")
    assert unknown.help == "did you mean 'soleus'?"
    assert "a statement with a syntax error may declare it" in unknown.notes[-1]
    assert loaded.kb is None


def test_redeclaring_another_files_exercise_points_at_the_new_one_without_E107(kb):
    d = only(kb({"aa_mine.cex": "exercise smr_calves tags kneeling\n"}), "E101")
    assert Path(d.span.file).name == "aa_mine.cex"
    assert d.help == ("to add aliases, tags or substitutes from this file, write "
                      "'extend exercise smr_calves ...'")


def test_extend_adds_tags_and_aliases_to_another_files_declaration(kb):
    loaded = kb({"aa_mine.cex": 'extend exercise smr_calves tags kneeling aka "calf roller"\n'
                 'source "x"\nrule r when heels rise then exclude tagged kneeling '
                 'because "x"\n'})
    assert loaded.diagnostics == ()
    calves = loaded.kb.get("exercise", "smr_calves")
    assert calves.many("tags") == ("smr", "kneeling")
    assert calves.aliases == ("calf roller",)


def test_extend_of_an_unknown_declaration_is_E201_with_did_you_mean(kb):
    d = only(kb({"aa_mine.cex": "extend exercise smr_calvs tags kneeling\n"}), "E201")
    assert d.help == "did you mean 'smr_calves'?"


def test_extend_cannot_change_what_the_declaration_fixes(kb):
    d = only(kb({"aa_mine.cex": "extend exercise smr_calves phase lengthen\n"}), "E103")
    assert d.message == "'extend' cannot change 'phase'"
