"""The trainer's words on the Results rows and the live summary of the shipped rules:
each FMS flag once, the evidence count named the same everywhere, exclusions by tag in
words (the Results/Program screens draw exactly these rows)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cexpert.present.rows import program_rows, result_rows
from cexpert.service import Service
from cexpert.tui.widgets.live import summary_text

CASES = Path(__file__).parents[1] / "cases"


@pytest.fixture(scope="module")
def shipped() -> Service:
    return Service.open()


def consult(service: Service, name: str):
    return service.consult(service.read_case(CASES / name))


def test_an_fms_flag_is_shown_once_on_results(shipped):
    result = consult(shipped, "case6_athlete_fms_aslr.toml")
    assert result.fms is not None and result.fms.flags
    texts = [r.text for r in result_rows(result, shipped.kb)]
    for flag in result.fms.flags:
        assert texts.count(flag) == 1


def test_the_evidence_count_has_one_name_on_results_and_in_the_live_summary(shipped):
    result = consult(shipped, "case1_desk_worker.toml")
    details = [r.detail for r in result_rows(result, shipped.kb) if r.what == "muscle"]
    assert details and all(d.startswith("evidence ") for d in details)
    summary = summary_text(result, shipped.kb).plain
    assert f"({details[0]})" in summary


def test_an_exclusion_by_tag_is_named_in_words(shipped):
    result = consult(shipped, "case3_older_adult_osteoporosis.toml")
    names = [e.name for e in result.excluded]
    assert "All spinal exercises" in names
    left_out = [r.text for r in program_rows(result, shipped.kb) if r.what == "excluded"]
    assert not [t for t in left_out if "tagged" in t]
