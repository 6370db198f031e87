"""The LALR driver builds exactly the syntax tree Lark and the Transformer build."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given

from cexpert.language import parse as P
from cexpert.language.parse_driver import MAX_DEPTH, Fallback
from test_fuzz import fuzz, mutated, token_soup

ROOT = Path(__file__).resolve().parent.parent
RULE_FILES = sorted(p for d in ("rules", "examples", "tests") for p in (ROOT / d).rglob("*.cex"))

SNIPPETS = [
    "", "\n\n", "# only a comment\n",
    'rule r when (a and (b or not c)) or d then overactive x, y; underactive z\n',
    'rule r "T" source "s" salience 5 when age >= 65 and fms deep squat <= 1 then '
    'note "n"\n',
    "a and finding b → left: overactive x, y; right: underactive z\n",
    'rule r when cleared by physician within 12 months then refer urgent because "x"\n',
    "setting profile a, b\nmuscle m \"M\"\n  region hip aka \"x\", \"y\"\n",
    'rule r when condition c at lower leg, thigh then exclude phase inhibit, '
    'exercise e because "r"\n',
    'rule r when persists any for 4 visits then set dose sets 2 reps "10" for e\n',
]


def _both(text: str):
    try:
        fast = P._parse_fast(text, "t.cex", 3)
    except Exception as error:  # the driver refuses: Lark must refuse too
        fast = type(error)
    try:
        lark = P._parse_with_lark(text, "t.cex", 3)
    except Exception as error:
        lark = type(error)
    return fast, lark


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_driver_builds_lark_s_tree_for_every_rule_file(path):
    text = path.read_text(encoding="utf-8")
    fast, lark = _both(text)
    if isinstance(lark, type):
        assert isinstance(fast, type)  # a file with errors: Lark's exceptions report them
    else:
        assert fast == lark  # nodes and every span


@pytest.mark.parametrize("text", SNIPPETS)
def test_the_driver_builds_lark_s_tree_for_each_shape(text):
    fast, lark = _both(text)
    assert not isinstance(lark, type) and fast == lark


def test_a_deep_statement_is_left_to_lark():
    text = "rule r when " + "not " * MAX_DEPTH + 'a then note "n"\n'
    with pytest.raises(Fallback):
        P._parse_fast(text, "t.cex", 0)
    assert P.parse_text(text, "t.cex")[0].statements  # Lark parses it: same tree as ever


# --- properties: on any text, the driver agrees with Lark or leaves the text to it ---


def _agrees(text: str) -> None:
    fast, lark = _both(text)
    if isinstance(fast, type):  # refused: `parse_text` asks Lark, whose answer stands;
        assert isinstance(lark, type) or fast is Fallback  # valid text only when deep
        return
    assert fast == lark  # accepted: Lark accepts it too, with the same nodes and spans


@fuzz(200)
@given(mutated())
def test_the_driver_agrees_with_lark_on_mutated_shipped_files(case):
    _agrees(case[1])


@fuzz(200)
@given(token_soup())
def test_the_driver_agrees_with_lark_on_token_soup(text):
    _agrees(text)
