"""The golden corpus: each tests/check/NAME.cex is loaded (parse and check) and its
rendered diagnostics must equal tests/check/NAME.expected, byte for byte.

Cases may `include "vocabulary/base.cex"`; only the top-level .cex files are cases.
To write or refresh the expectations after an intended change, run

    CEXPERT_UPDATE_GOLDEN=1 uv run pytest tests/test_check_golden.py

and review the diff of tests/check/*.expected before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cexpert.language.diagnostics import render_text
from cexpert.language.load import load

CORPUS = Path(__file__).parent / "check"
CASES = sorted(CORPUS.glob("*.cex"))
UPDATE = os.environ.get("CEXPERT_UPDATE_GOLDEN") == "1"


def rendered(case: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The diagnostics of `case`, with paths relative to the corpus on any machine."""
    monkeypatch.chdir(CORPUS)
    loaded = load([case.name])
    return render_text(loaded.diagnostics, loaded.sources)


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden(case: Path, monkeypatch):
    actual = rendered(case, monkeypatch)
    expected_path = case.with_suffix(".expected")
    if UPDATE:
        expected_path.write_text(actual, encoding="utf-8", newline="\n")
    assert expected_path.exists(), (
        f"{expected_path.name} is missing: run with CEXPERT_UPDATE_GOLDEN=1")
    assert actual == expected_path.read_text(encoding="utf-8")


def test_every_expectation_has_its_case():
    orphans = {p.stem for p in CORPUS.glob("*.expected")} - {c.stem for c in CASES}
    assert not orphans


def test_the_corpus_covers_every_diagnostic_code():
    text = "".join(c.with_suffix(".expected").read_text(encoding="utf-8") for c in CASES)
    codes = ["E001", "E002", "E003", "E004", "E101", "E102", "E103", "E104", "E105", "E106",
             "E107", "E110", "E111", "E201", "E202", "E203", "E204", "E206", "E207", "E208",
             "E209", "E301", "E302", "E303", "W205", "W304", "W305"]
    assert [c for c in codes if f"[{c}]" not in text] == []


def test_the_clean_case_has_no_diagnostics(monkeypatch):
    assert rendered(CORPUS / "clean.cex", monkeypatch) == "Found 0 errors.\n"
