"""Properties of every consultation's document, over the shipped knowledge base's
own vocabulary and arbitrary client text (names and goals with control
characters, line breaks, Markdown and HTML).

- the Markdown has exactly the document's headings, read back by a CommonMark parser,
  and the same blocks (lists, quotes, code, tables...) whatever the client's text;
- the text has no raw control character, and what a client's name or goals say
  cannot add a line;
- the HTML has the same tags whatever the client's text.

The default run draws a few dozen consultations; set CEXPERT_PRESENT_EXAMPLES
(e.g. 10000) for the long run documented in README.
"""

from __future__ import annotations

import dataclasses
import os
import re
from functools import cache
from pathlib import Path

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from markdown_it import MarkdownIt

from cexpert.engine.case import CaseError
from cexpert.present.consultation import CHAINS, consultation
from cexpert.present.document import Document, headings
from cexpert.present.escape import one_line
from cexpert.present.html import render_html
from cexpert.present.markdown import render_markdown
from cexpert.present.text import render_text
from cexpert.resources import examples_dir
from cexpert.service import Service, load_kb

SERVICE = Service(load_kb().kb)
KB = SERVICE.kb
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HOSTILE = "Kim\x1b[31m\x07\n# Forged heading\n- item\r\n<script>x</script> ``` [a](b)\u202e"
SHIPPED = [*sorted(examples_dir().glob("*.toml")),
           Path(__file__).parent.parent / "cases" / "bodyweight_only_knee_valgus.toml"]


def examples(default: int):
    return settings(max_examples=int(os.environ.get("CEXPERT_PRESENT_EXAMPLES", 0)) or default,
                    deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def findings_in(assessment: str) -> list[str]:
    return [f for f, e in KB.of("finding").items() if e.one("in") == assessment]


UNSIDED = [a for a, e in KB.of("assessment").items()
           if not e.one("sided") and not e.one("scored") and a not in ("fms_clearing", "pain")]
#: Client text: any character, weighted towards what means something to a renderer.
MARKUP = hs.sampled_from([*"#*_`[]()<>!|~&-+=.:1 \n\t\r", "\x1b", "\x07", "\x00", "\u202e",
                          "\u2028", "\x85", "&amp;", "<b>", "```", "\n# ", "\n- ", "1. "])
CLIENT_TEXT = hs.lists(hs.one_of(MARKUP, hs.characters()), max_size=16).map("".join)


@hs.composite
def case_files(draw) -> str:
    """A case file from the knowledge base's vocabulary, with arbitrary client text."""
    client = {"name": draw(CLIENT_TEXT), "goals": draw(hs.lists(CLIENT_TEXT, max_size=3))}
    if draw(hs.booleans()):
        client["age"] = draw(hs.integers(18, 90))
    equipment = draw(hs.one_of(hs.none(), hs.just(["none"]),
                               hs.lists(hs.sampled_from(list(KB.of("equipment"))),
                                        unique=True, max_size=3)))
    if equipment is not None:
        client["equipment"] = equipment
    conditions = draw(hs.lists(hs.sampled_from(list(KB.of("condition"))), unique=True,
                               max_size=2))
    if conditions:
        client["conditions"] = conditions
    assessment = {}
    for name in draw(hs.lists(hs.sampled_from(UNSIDED), unique=True, max_size=3)):
        assessment[name] = draw(hs.lists(hs.sampled_from(findings_in(name)), unique=True,
                                         min_size=1, max_size=4))
    if draw(hs.integers(0, 9)) == 0:  # now and then a pain: a referral, the program held
        assessment["pain"] = [draw(hs.sampled_from(findings_in("pain")))]
    return tomlkit.dumps({"client": client, "assessment": assessment})


@cache
def shipped(path: Path, name: str):
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    document.setdefault("client", {})["name"] = name
    return SERVICE.consult(SERVICE.parse_case(tomlkit.dumps(document), path.name))


def markdown_blocks(text: str) -> list[tuple[str, str, int]]:
    """The block structure a CommonMark parser reads: (token type, tag, nesting level)."""
    return [(t.type, t.tag, t.level) for t in MarkdownIt("commonmark").enable("table").parse(text)]


def markdown_headings(text: str) -> list[tuple[int, str]]:
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    return [(int(tokens[i].tag[1]), "".join(c.content for c in tokens[i + 1].children or ()))
            for i in range(len(tokens)) if tokens[i].type == "heading_open"]


def plain(doc: Document) -> Document:
    """The same document with its client text (title, facts) made plain."""
    return dataclasses.replace(doc, title="Consultation", facts=tuple("fact" for _ in doc.facts))


def assert_safe(doc: Document) -> None:
    wanted = [(level, one_line(title).strip()) for level, title in headings(doc)]
    assert markdown_headings(render_markdown(doc)) == wanted
    assert markdown_blocks(render_markdown(doc)) == markdown_blocks(render_markdown(plain(doc)))
    text = render_text(doc)
    assert not CONTROL.search(text)
    assert len(text.splitlines()) == len(render_text(plain(doc)).splitlines())
    tags = re.compile(r"<(/?[a-zA-Z][a-zA-Z0-9]*)")
    assert tags.findall(render_html(doc)) == tags.findall(render_html(plain(doc)))


@examples(40)
@given(case_files(), hs.sampled_from(CHAINS))
def test_any_consultations_document_renders_safely(text, chains):
    try:
        case = SERVICE.parse_case(text, "generated.toml")
    except CaseError:
        return  # a client text the case file refuses is the case file's business
    assert_safe(consultation(SERVICE.consult(case), KB, chains))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
@pytest.mark.parametrize("chains", CHAINS)
def test_shipped_cases_render_safely_with_a_hostile_name(path, chains):
    assert_safe(consultation(shipped(path, HOSTILE), KB, chains))


def test_a_hostile_name_stays_one_line_of_text_and_no_heading_of_markdown():
    doc = consultation(shipped(SHIPPED[0], HOSTILE), KB)
    assert render_text(doc).split("\n")[0] == (
        "Consultation: Kim\\x1b[31m\\x07 # Forged heading - item <script>x</script> ``` "
        "[a](b)\\u202e")
    assert "Forged heading" not in [t for _, t in markdown_headings(render_markdown(doc))[1:]]
