"""Every diagnostic code is documented with a bad and a fixed example, and the
examples are true: each is a rule file added to the shipped knowledge base; the bad
one gives its code in that file, the fixed one no error and not that code."""

from __future__ import annotations

from functools import cache

import pytest

from cexpert.authoring.codes import EXAMPLES, STANDALONE, TITLES
from cexpert.authoring.lints import lint, suppressed
from cexpert.cli import main
from cexpert.language.check import check
from cexpert.language.load import load
from cexpert.language.parse import parse_text
from cexpert.resources import rules_dir

EXAMPLE = "example.cex"
CODED = sorted(code for code, (_, bad, _) in EXAMPLES.items() if bad)


@cache
def shipped():
    loaded = load([rules_dir()])
    assert loaded.ok
    return loaded.files


def codes_in(text: str, standalone: bool = False) -> tuple[set[str], bool]:
    """The codes reported in the example file, and whether there was any error."""
    tree, problems = parse_text(text, EXAMPLE)
    found = list(problems)
    if not problems:
        if 'include "' in text:  # the include's file is not there: what load reports
            return {"E000"}, True
        files = [tree] if standalone else [*shipped(), tree]
        kb, checked = check(files, "doc", "h")
        found += checked
        if kb is not None:
            found += lint(kb, files)
    found = [d for d in found if not suppressed(d, {EXAMPLE: text})]
    return ({d.code for d in found if d.span is not None and d.span.file == EXAMPLE},
            any(d.is_error for d in found))


def test_every_code_has_a_title_and_an_entry():
    assert set(EXAMPLES) == set(TITLES)


@pytest.mark.parametrize("code", CODED)
def test_the_bad_example_gives_its_code(code):
    found, _ = codes_in(EXAMPLES[code][1], code in STANDALONE)
    assert code in found


@pytest.mark.parametrize("code", CODED)
def test_the_fixed_example_is_clean_of_it(code):
    found, error = codes_in(EXAMPLES[code][2], code in STANDALONE)
    assert code not in found and not error, found


def test_explain_prints_the_meaning_and_both_examples(capsys):
    assert main(["explain", "e201"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("E201: an unknown name (or tag)\n")
    assert "    knee valgus → overactive aductors" in out and "Fixed:" in out


def test_explain_of_an_unknown_code_is_a_usage_error(capsys):
    assert main(["explain", "E999"]) == 2
    assert "unknown code 'E999'" in capsys.readouterr().err


def test_every_code_the_language_reports_is_in_the_index():
    import re
    from pathlib import Path

    import cexpert

    source = "".join(p.read_text() for p in Path(cexpert.__file__).parent.rglob("*.py"))
    used = set(re.findall(r'"([EW]\d{3})"', source))
    assert used <= set(TITLES)
