"""docs/rule-language.md tells the truth: every `cex` example in it loads beside the
shipped knowledge base without errors, its index of codes is the catalogue's, and the
Pygments lexer and TextMate grammar read the shipped rules."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from pygments.token import Error

from cexpert.authoring.codes import index_markdown
from cexpert.authoring.lexer import CexLexer
from cexpert.language.check import check
from cexpert.language.load import load
from cexpert.language.parse import parse_text
from cexpert.resources import rules_dir

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "rule-language.md"
MARKER = "<!-- generated from cexpert.authoring.codes"
BLOCKS = re.findall(r"```cex\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


@pytest.fixture(scope="module")
def shipped():
    return load([rules_dir()]).files


@pytest.mark.parametrize("block", BLOCKS, ids=[f"example{i + 1}" for i in range(len(BLOCKS))])
def test_every_example_loads_beside_the_shipped_rules(shipped, block):
    earlier = [parse_text(b, f"earlier{i}.cex")[0] for i, b in enumerate(BLOCKS)
               if BLOCKS.index(b) < BLOCKS.index(block)]  # later examples use earlier ones
    tree, problems = parse_text(block, "example.cex")
    assert problems == []
    _, diagnostics = check([*shipped, *earlier, tree], "doc", "h")
    assert [d for d in diagnostics if d.is_error] == []


def test_the_code_index_is_the_catalogue():
    text = DOC.read_text(encoding="utf-8")
    head = text[: text.index(MARKER)]
    marker_line = text[text.index(MARKER):].split("\n", 1)[0]
    expected = f"{head}{marker_line}\n\n{index_markdown()}"
    if os.environ.get("CEXPERT_UPDATE_DOCS") == "1":
        DOC.write_text(expected, encoding="utf-8")
    assert text == expected


def test_the_pygments_lexer_reads_the_shipped_rules_without_errors():
    for path in sorted(rules_dir().glob("*.cex")):
        tokens = list(CexLexer().get_tokens(path.read_text(encoding="utf-8")))
        assert [v for t, v in tokens if t is Error] == [], path.name


def test_the_textmate_grammar_is_valid_and_names_the_keywords():
    grammar = json.loads((ROOT / "editors" / "cex.tmLanguage.json").read_text())
    assert grammar["scopeName"] == "source.cex"
    for rule in grammar["repository"].values():
        for key in ("match", "begin", "end"):
            if key in rule:
                re.compile(rule[key])
    keyword = re.compile(grammar["repository"]["keyword"]["match"])
    assert all(keyword.fullmatch(w) for w in ("when", "then", "because", "overactive"))
