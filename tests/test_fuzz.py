"""Fuzzing the parse and check stages with hypothesis.

Whatever the text, `parse_text` and a full `load` never raise, every diagnostic
has a span inside the file it names, and the diagnostics render. Three sources
of text: random characters, mutations of the shipped rule files, and soups of
the language's own tokens. Runs are derandomized (the same examples every run);
set CEXPERT_FUZZ_EXAMPLES to try more.
"""

from __future__ import annotations

import os
import re
import resource
import time
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from cexpert.language import syntax_tree as st
from cexpert.language.check import check
from cexpert.language.diagnostics import Diagnostic, printable, render_text
from cexpert.language.load import load
from cexpert.language.parse import parse_text, parser
from cexpert.resources import rules_dir

SHIPPED = sorted(rules_dir().glob("*.cex"))
TEXTS = {path.name: path.read_text(encoding="utf-8") for path in SHIPPED}


def fuzz(examples: int):
    return settings(
        max_examples=int(os.environ.get("CEXPERT_FUZZ_EXAMPLES", 0)) or examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- the properties -----------------------------------------------------------------------


def lines_of(text: str) -> list[str]:
    """The file's lines as the parser counts them (newline, after CRLF/CR folding)."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def assert_inside(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic], text: str,
                  path: str) -> None:
    """Every span starts on a character of the file (or just past a line's end) and
    ends after it starts, no further than the end of its last line (one past it for a
    caret that points just past the end)."""
    lines = lines_of(text)
    for d in diagnostics:
        assert d.span is not None, d
        span = d.span
        assert span.file == path, d
        assert 1 <= span.line <= span.end_line <= len(lines), d
        line_end = len(lines[span.line - 1]) + 1
        assert 1 <= span.column <= line_end, d
        if span.end_line == span.line:
            assert span.end_column >= span.column, d
        limit = len(lines[span.end_line - 1]) + 1
        if span.end_line == span.line and span.column == line_end:
            limit += 1  # a caret just past the end of the statement
        assert span.end_column <= limit, d


def assert_renders(diagnostics, sources: dict[str, str]) -> None:
    text = render_text(list(diagnostics), sources)
    assert text.endswith(".\n")
    for d in diagnostics:  # the excerpt shows the very line the span names
        if d.span is not None and d.span.file in sources:
            line = printable(lines_of(sources[d.span.file])[d.span.line - 1].expandtabs(1))
            assert f"{d.span.line} | {line}" in text


def parse_property(text: str) -> None:
    tree, problems = parse_text(text, "fuzz.cex")
    assert isinstance(tree, st.RuleFile)
    assert all(p.is_error and p.code in ("E001", "E002", "E003", "E004") for p in problems)
    assert_inside(problems, text, "fuzz.cex")
    assert_renders(problems, {"fuzz.cex": tree.source})


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """One folder for the module: each example overwrites the same file in it."""
    return tmp_path_factory.mktemp("fuzz")


def load_property(folder: Path, text: str) -> None:
    path = folder / "fuzz.cex"
    path.write_bytes(text.encode("utf-8"))
    loaded = load([path])
    assert loaded.ok == (not any(d.is_error for d in loaded.diagnostics))
    assert_inside(loaded.diagnostics, text, str(path))
    assert_renders(loaded.diagnostics, loaded.sources)


# --- random text --------------------------------------------------------------------------

LANGUAGE_CHARACTERS = 'abcxyz_AB019 \t\n\r→->,;:()=<>!"\\#.-/\'+'
random_text = hs.text(
    alphabet=hs.one_of(
        hs.sampled_from(LANGUAGE_CHARACTERS),
        hs.characters(codec="utf-8"),
    ),
    max_size=120,
)


@fuzz(300)
@given(random_text)
def test_parse_never_raises_on_random_text(text):
    parse_property(text)


@fuzz(150)
@given(random_text)
def test_load_never_raises_on_random_text(folder, text):
    load_property(folder, text)


# --- mutations of the shipped rule files ---------------------------------------------------


@hs.composite
def mutated(draw, excerpt: bool = True) -> tuple[str, str]:
    """(file name, its text after a few deletions, insertions, swaps or a truncation).

    With `excerpt`, a run of up to 60 lines of the file is mutated rather than all of
    it: statements are parsed one by one after an error, so a window finds the same
    problems as the whole file, several times faster.
    """
    name = draw(hs.sampled_from(sorted(TEXTS)))
    text = TEXTS[name]
    if excerpt:
        lines = text.split("\n")
        start = draw(hs.integers(0, len(lines) - 1))
        text = "\n".join(lines[start:start + draw(hs.integers(1, 60))]) + "\n"
    for _ in range(draw(hs.integers(1, 4))):
        at = draw(hs.integers(0, len(text)))
        operation = draw(hs.sampled_from(["delete", "insert", "swap", "truncate"]))
        if operation == "delete":
            text = text[:at] + text[at + draw(hs.integers(1, 40)):]
        elif operation == "insert":
            text = text[:at] + draw(hs.text(LANGUAGE_CHARACTERS, min_size=1, max_size=6)) \
                + text[at:]
        elif operation == "swap" and len(text) > 1:
            i, j = sorted(draw(hs.lists(hs.integers(0, len(text) - 1), min_size=2,
                                        max_size=2, unique=True)))
            text = text[:i] + text[j] + text[i + 1:j] + text[i] + text[j + 1:]
        elif operation == "truncate":
            text = text[:at]
    return name, text


@fuzz(250)
@given(mutated())
def test_parse_never_raises_on_mutated_shipped_files(case):
    _, text = case
    parse_property(text)


@fuzz(150)
@given(mutated())
def test_load_never_raises_on_a_mutated_shipped_file(folder, case):
    _, text = case
    load_property(folder, text)


@cache
def _shipped_trees() -> dict[str, st.RuleFile]:
    return {name: parse_text(text, name)[0] for name, text in TEXTS.items()}


@fuzz(60)
@given(mutated(excerpt=False))
def test_check_never_raises_on_one_mutated_file_among_the_shipped_ones(case):
    """The checker is total on whatever statements survive parsing, with the whole
    shipped vocabulary around them (so deep checks such as cycles are reached)."""
    name, text = case
    tree, problems = parse_text(text, name)
    files = [tree if other == name else parsed for other, parsed in _shipped_trees().items()]
    kb, diagnostics = check(files, "kb", "hash")
    assert (kb is None) == any(d.is_error for d in diagnostics)
    assert_inside([d for d in diagnostics if d.span.file == name], text, name)
    assert_renders([*problems, *diagnostics], {f.path: f.source for f in files})


# --- structural mutants of the shipped files: lines and tokens deleted, doubled, swapped ----

#: A rule-file token: a string, an arrow, a word or number, or one other character.
TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"?|→|->|[\w.]+|\S')
MUTANT_OPERATIONS = ("delete line", "duplicate line", "swap lines", "delete token",
                     "duplicate token", "swap tokens", "move token")
#: The documented long run sets this (README, "Fuzzing"); the default run is short.
MUTANTS = int(os.environ.get("CEXPERT_FUZZ_MUTANTS", 0)) or 40
HANG_SECONDS = 5.0
PEAK_MEMORY_MB = 1024


@hs.composite
def structural_mutant(draw) -> tuple[str, str, tuple[str, ...]]:
    """(file name, its text after 1-4 structural edits, the edits): what an author's
    slip or a bad merge does to a rule file."""
    name = draw(hs.sampled_from(sorted(TEXTS)))
    lines = TEXTS[name].split("\n")
    done = []
    for _ in range(draw(hs.integers(1, 4))):
        operation = draw(hs.sampled_from(MUTANT_OPERATIONS))
        i = draw(hs.integers(0, len(lines) - 1))
        j = draw(hs.integers(0, len(lines) - 1))
        if operation == "delete line" and len(lines) > 1:
            del lines[i]
        elif operation == "duplicate line":
            lines.insert(i, lines[j])
        elif operation == "swap lines":
            lines[i], lines[j] = lines[j], lines[i]
        else:
            tokens = [m.span() for m in TOKEN.finditer(lines[i])]
            if not tokens:
                continue
            start, end = tokens[draw(hs.integers(0, len(tokens) - 1))]
            token = lines[i][start:end]
            if operation == "delete token":
                lines[i] = lines[i][:start] + lines[i][end:]
            elif operation == "duplicate token":
                lines[i] = lines[i][:end] + " " + token + lines[i][end:]
            elif operation == "swap tokens":
                other_start, other_end = tokens[draw(hs.integers(0, len(tokens) - 1))]
                if (other_start, other_end) == (start, end):
                    continue
                (a, b), (c, d) = sorted([(start, end), (other_start, other_end)])
                line = lines[i]
                lines[i] = line[:a] + line[c:d] + line[b:c] + line[a:b] + line[d:]
            else:  # move token to another line
                lines[i] = lines[i][:start] + lines[i][end:]
                at = draw(hs.integers(0, len(lines[j])))
                lines[j] = lines[j][:at] + token + " " + lines[j][at:]
        done.append(operation)
    return name, "\n".join(lines), tuple(done)


@pytest.fixture(scope="module")
def mutant_stats():
    """Counts over the run; at its end, no mutant took HANG_SECONDS of CPU time (not
    wall time: a loaded machine is not a hang) and the process stayed under
    PEAK_MEMORY_MB (a traceback fails the test at once). With CEXPERT_FUZZ_PROGRESS
    set to a file, a line of counts goes there every 100 mutants."""
    _shipped_trees()  # built once, outside the timed examples
    stats = {"mutants": 0, "slowest_s": 0.0, "errors": 0, "clean": 0,
             "operations": dict.fromkeys(MUTANT_OPERATIONS, 0)}
    yield stats
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nfuzzed {stats['mutants']} structural mutants of the shipped rule files: "
          f"0 tracebacks, {stats['errors']} with error diagnostics, {stats['clean']} clean; "
          f"slowest {stats['slowest_s']:.2f} s CPU (limit {HANG_SECONDS:.0f} s); peak RSS "
          f"{peak_mb:.0f} MB (limit {PEAK_MEMORY_MB}); operations {stats['operations']}")
    if stats["mutants"]:
        assert stats["slowest_s"] < HANG_SECONDS
        assert peak_mb < PEAK_MEMORY_MB


@fuzz(MUTANTS)
@given(structural_mutant())
def test_structural_mutants_of_the_shipped_files_never_raise_or_hang(mutant_stats, case):
    """Parse the mutant, check it with the rest of the shipped knowledge base, render
    every diagnostic: never an exception, never a hang (issue 10)."""
    name, text, operations = case
    start = time.process_time()
    tree, problems = parse_text(text, name)
    files = [tree if other == name else parsed for other, parsed in _shipped_trees().items()]
    _, diagnostics = check(files, "kb", "hash")  # on whatever statements survived
    found = [*problems, *diagnostics]
    assert_inside([d for d in found if d.span is not None and d.span.file == name], text,
                  name)
    assert_renders(found, {f.path: f.source for f in files})
    elapsed = time.process_time() - start
    mutant_stats["mutants"] += 1
    if os.environ.get("CEXPERT_FUZZ_PROGRESS") and mutant_stats["mutants"] % 100 == 0:
        with open(os.environ["CEXPERT_FUZZ_PROGRESS"], "a", encoding="utf-8") as progress:
            progress.write(f"{time.strftime('%H:%M:%S')} {mutant_stats}\n")
    mutant_stats["slowest_s"] = max(mutant_stats["slowest_s"], elapsed)
    mutant_stats["errors" if any(d.is_error for d in found) else "clean"] += 1
    for operation in operations:
        mutant_stats["operations"][operation] += 1
    assert elapsed < HANG_SECONDS, f"{operations} took {elapsed:.1f} s"


# --- soups of the language's tokens ------------------------------------------------------------


@cache
def keywords() -> list[str]:
    return sorted({t.pattern.value for t in parser().terminals if t.pattern.type == "str"})


def token_soup():
    words = hs.sampled_from(["x", "knee valgus", "glute medius", "soleus", "any", "yes",
                             "same side", "heels_rise", "a-b", "tfl"])
    strings = hs.sampled_from(['"x"', '"glute medius"', r'"say \"hi\""', '"a # b"', '"open'])
    numbers = hs.sampled_from(["0", "1", "-2", "3.5", "65", "9" * 40])
    layout = hs.sampled_from(["\n", "\n  ", "\n\t", "  # comment\n", "\r\n", "->", "→"])
    token = hs.one_of(hs.sampled_from(keywords()), words, strings, numbers, layout)
    return hs.lists(token, max_size=40).map(" ".join)


@fuzz(300)
@given(token_soup())
def test_parse_never_raises_on_token_soup(text):
    parse_property(text)


@fuzz(200)
@given(token_soup())
def test_load_never_raises_on_token_soup(folder, text):
    load_property(folder, text)


VOCABULARY = """\
source "fuzz vocabulary"
phase inhibit treats overactive
phase activate treats underactive
assessment ohsa views anterior
assessment fms scored 3
finding knees_move_inward in ohsa aka "knee valgus"
finding heels_rise in ohsa
finding deep_squat in fms
muscle gluteus_medius aka "glute medius"
muscle soleus
muscle tfl
dysfunction x
condition yes
exercise e phase inhibit targets soleus, tfl
exercise f phase activate targets gluteus_medius
"""


@fuzz(150)
@given(token_soup())
def test_load_never_raises_on_token_soup_after_a_vocabulary(folder, soup):
    """With names that resolve, the soup's rules reach the checker's later stages."""
    load_property(folder, VOCABULARY + soup)
