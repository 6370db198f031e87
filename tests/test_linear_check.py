"""`check` is linear in file size: each file's text is split into lines once, however
many rules it holds and however many diagnostics point into it (issue 10). The time
itself is measured in `bench/check_scaling.py`, never asserted here."""

from __future__ import annotations

from cexpert.language import diagnostics, syntax_tree
from cexpert.language.check import check
from cexpert.language.diagnostics import Diagnostic, render_text
from cexpert.language.parse import parse_text

VOCABULARY = """\
source "test vocabulary"
phase inhibit "Inhibit" treats overactive cap 4
assessment ohsa "Overhead squat"
muscle tfl "TFL"
exercise smr_tfl "TFL roll" phase inhibit targets tfl
"""


def many_rules(count: int) -> str:
    findings = "".join(f'finding f{i} "F{i}" in ohsa\n' for i in range(count))
    rows = "".join(f"f{i} → overactive tfl\n" for i in range(count))
    return VOCABULARY + findings + rows


def counting_splits(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = syntax_tree.source_lines

    def counted(text: str) -> list[str]:
        calls.append(len(text))
        return real(text)

    monkeypatch.setattr(syntax_tree, "source_lines", counted)
    monkeypatch.setattr(diagnostics, "source_lines", counted)
    return calls


def test_checking_a_file_of_many_rules_splits_its_text_once(monkeypatch):
    tree, problems = parse_text(many_rules(300), "big.cex")
    assert not problems
    calls = counting_splits(monkeypatch)
    kb, _ = check([tree], "big.cex", "sha256:x")
    assert kb is not None and len(kb.rules) == 300
    assert len(calls) == 1


def test_rendering_many_diagnostics_splits_each_file_once(monkeypatch):
    text = many_rules(50)
    span = syntax_tree.Span
    found = [Diagnostic("E201", f"problem {i}", span("big.cex", 6 + i, 1, 6 + i, 3))
             for i in range(200)]
    calls = counting_splits(monkeypatch)
    rendered = render_text(found, {"big.cex": text})
    assert rendered.count("error[E201]") == 200
    assert len(calls) == 1
