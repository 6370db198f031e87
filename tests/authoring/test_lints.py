"""Specifications of `cexpert check --strict`: each W4xx warning, its selection by
code and its inline suppression, the SARIF and JSON outputs, --max-errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cexpert.authoring.lints import LINTS, lint
from cexpert.cli import main
from cexpert.language.load import load

BASE = """\
source "lint vocabulary"
phase inhibit "Inhibit" treats overactive cap 4
phase activate "Activate" treats underactive cap 4
setting assessment_order ohsa
assessment ohsa "Overhead squat"
finding heels_rise "Heels rise" in ohsa
finding knees_in "Knees move inward" in ohsa
muscle soleus "Soleus"
muscle tfl "TFL"
muscle piriformis "Piriformis"
exercise smr_calves "Calf roll" phase inhibit targets soleus, tfl
exercise act_calves "Calf raise" phase activate targets soleus, tfl
"""


HOME = ('setup "Stand tall" cues "Move slowly", "Breathe" feel "The muscle working" '
        'mistake "Rushing" easier "Smaller range" harder "Longer holds" source "t"')


def instructed(text: str) -> str:
    """`text` with home instructions for each exercise it declares, so that only the
    warning a test is about is reported (an exercise without them is W408)."""
    import re

    ids = re.findall(r"^exercise (\w+)", text, re.M)
    return text + "".join(f"extend exercise {i} {HOME}\n" for i in ids)


@pytest.fixture
def strict(tmp_path: Path):
    """strict(rules, base=BASE) -> the strict warnings' codes and the diagnostics."""

    def run(rules: str, base: str = BASE):
        (tmp_path / "00_base.cex").write_text(instructed(base), encoding="utf-8")
        (tmp_path / "10_rules.cex").write_text(instructed('source "t"\n' + rules),
                                               encoding="utf-8")
        loaded = load([tmp_path])
        assert loaded.ok, loaded.diagnostics
        found = lint(loaded.kb, loaded.files)
        return [d.code for d in found], found

    return run


def test_a_clean_knowledge_base_has_no_strict_warnings(strict):
    codes, _ = strict("heels rise → overactive soleus, tfl\nknees in → underactive tfl, soleus\n")
    assert codes == []


def test_an_exercise_no_rule_can_reach_is_W401(strict):
    codes, found = strict("heels rise → overactive soleus\nknees in → underactive tfl\n",
                          BASE + 'exercise act_other "Other" phase activate targets piriformis\n')
    assert codes == ["W401"]
    assert found[0].message.startswith("exercise 'act_other' can never be in a program")
    assert (found[0].span.line, found[0].span.column) == (13, 10)


def test_a_prescribed_or_substituting_exercise_is_reachable(strict):
    extra = ('exercise act_other "Other" phase activate targets piriformis\n'
             'exercise act_third "Third" phase activate targets piriformis\n')
    codes, _ = strict("heels rise → overactive soleus, tfl\nknees in → underactive tfl\n"
                      "rule r when knees in then prescribe act_other\n"
                      'rule s when heels rise then substitute act_calves with act_third '
                      'because "x"\n', BASE + extra)
    assert codes == []


def test_a_flaggable_muscle_without_an_exercise_in_a_phase_treating_its_state_is_W402(strict):
    base = BASE.replace("act_calves \"Calf raise\" phase activate targets soleus, tfl",
                        "act_calves \"Calf raise\" phase activate targets soleus")
    codes, found = strict("heels rise → overactive soleus, tfl\nknees in → underactive tfl\n",
                          base)
    assert "W402" in codes
    gap = next(d for d in found if d.code == "W402")
    assert gap.message == "'tfl' can be flagged underactive, but the activate phase has no " \
        "exercise for it"


def test_two_rows_for_the_same_finding_are_W403(strict):
    codes, found = strict("heels rise → overactive soleus, tfl\nknees in → underactive tfl\n"
                          "heels rise → overactive tfl\n")
    assert codes == ["W403"]
    assert found[0].span.line == 4 and "first row at" in found[0].notes[0]


def test_one_row_making_a_muscle_both_overactive_and_underactive_is_W404(strict):
    codes, found = strict("heels rise → overactive soleus, tfl; underactive soleus\n")
    assert codes == ["W404"]
    assert "both overactive and underactive" in found[0].message


def test_opposite_states_on_opposite_sides_are_not_W404(strict):
    codes, _ = strict("heels rise → same side: overactive soleus, tfl; "
                      "opposite side: underactive soleus, tfl\n")
    assert "W404" not in codes


PUSH = 'assessment push "Pushing"\nfinding push_arches "Low back arches" in push\n'
PUSH_ROW = "push arches → overactive soleus\n"


def test_an_assessment_missing_from_assessment_order_is_W405(strict):
    codes, found = strict("heels rise → overactive soleus, tfl\nknees in → underactive tfl\n"
                          + PUSH_ROW, BASE + PUSH)
    assert codes == ["W405"]
    assert found[0].message.startswith("assessment 'push' is missing")


def test_an_assessment_whose_findings_flag_no_muscle_needs_no_place_in_the_order(strict):
    # pain reports and clearing tests lead to referrals, not ranked dysfunctions
    codes, _ = strict("heels rise → overactive soleus, tfl\nknees in → underactive tfl\n"
                      'rule r when push arches then refer routine because "pain"\n',
                      BASE + PUSH)
    assert codes == []


def test_a_phase_a_standing_caution_excludes_for_a_muscle_is_not_a_gap_W402(strict):
    base = BASE.replace("smr_calves \"Calf roll\" phase inhibit targets soleus, tfl",
                        "smr_calves \"Calf roll\" phase inhibit targets soleus")
    rows = "heels rise → overactive soleus, tfl\nknees in → underactive tfl\n"
    codes, _ = strict(rows, base)
    assert codes == ["W402"]
    codes, _ = strict(rows + "rule no_rolling when always then exclude phase inhibit for tfl "
                      'because "never rolled"\n', base)
    assert codes == []


def test_an_exercise_only_another_profile_reaches_is_not_W401(strict):
    base = (BASE.replace("setting assessment_order ohsa", "setting assessment_order ohsa\n"
                         "setting profile ces, cpt7")
            + 'exercise act_other "Other" phase activate targets piriformis\n')
    rows = "heels rise → overactive soleus, tfl\nknees in → underactive tfl\n"
    codes, _ = strict(rows + "knees in → underactive piriformis\n  profile cpt7\n", base)
    assert codes == []
    codes, _ = strict(rows, base)
    assert codes == ["W401"]


def test_the_shipped_rules_are_clean_under_strict(capsys):
    from cexpert.resources import rules_dir

    code, out, err = cli(capsys, "check", "--strict", str(rules_dir()))
    assert (code, err) == (0, "")
    assert out.endswith("no problems.\n")


def test_an_or_with_identical_branches_is_W406(strict):
    codes, found = strict("heels rise → overactive soleus, tfl\nknees in → underactive tfl\n"
                          "rule r when heels rise or knees in or heels rise then "
                          "underactive soleus\n")
    assert codes == ["W406"]
    assert found[0].span.column == 39  # the second "heels rise"


def test_a_rule_including_another_with_the_opposite_state_is_W407(strict):
    codes, found = strict("heels rise → overactive soleus, tfl\nknees in → underactive tfl\n"
                          "rule r when heels rise and knees in then underactive soleus\n")
    assert codes == ["W407"]
    assert found[0].message == ("rule 'r' fires whenever '10_rules.heels_rise' does and gives "
                                "the opposite state for soleus")


def test_an_exercise_without_home_instructions_is_W408(tmp_path):
    (tmp_path / "00_base.cex").write_text(BASE, encoding="utf-8")
    (tmp_path / "10_rules.cex").write_text(
        'source "t"\nheels rise → overactive soleus, tfl\nknees in → underactive tfl\n'
        f"extend exercise smr_calves {HOME}\n", encoding="utf-8")
    loaded = load([tmp_path])
    found = lint(loaded.kb, loaded.files)
    assert [(d.code, d.message) for d in found] == [
        ("W408", "exercise 'act_calves' has no home instructions")]
    assert (found[0].span.line, found[0].span.column) == (12, 10)


def test_every_strict_code_is_documented_by_a_title():
    assert sorted(LINTS) == [f"W40{n}" for n in range(1, 9)]
    assert all(lint_.title for lint_ in LINTS.values())


# --- the command ----------------------------------------------------------------------------

def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return int(code), out, err


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    (tmp_path / "00_base.cex").write_text(
        BASE + 'exercise act_other "Other" phase activate targets piriformis\n' + PUSH,
        encoding="utf-8")
    (tmp_path / "05_instructions.cex").write_text("".join(
        f"extend exercise {i} {HOME}\n" for i in ("smr_calves", "act_calves", "act_other")),
        encoding="utf-8")
    (tmp_path / "10_rules.cex").write_text(
        'source "t"\nheels rise → overactive soleus, tfl\nknees in → underactive tfl\n'
        + PUSH_ROW, encoding="utf-8")
    return tmp_path


def test_check_without_strict_leaves_the_lints_out(capsys, kb_dir):
    code, out, err = cli(capsys, "check", str(kb_dir))
    assert (code, err) == (0, "") and out.endswith("no problems.\n")


def test_check_strict_reports_the_lints_and_still_exits_0(capsys, kb_dir):
    code, out, err = cli(capsys, "check", "--strict", str(kb_dir))
    assert code == 0
    assert "warning[W401]" in err and "warning[W405]" in err
    assert out.endswith("2 warnings.\n")


def test_select_and_ignore_choose_codes_by_prefix(capsys, kb_dir):
    _, _, err = cli(capsys, "check", "--strict", "--select", "W401", str(kb_dir))
    assert "W401" in err and "W405" not in err
    _, _, err = cli(capsys, "check", "--strict", "--ignore", "W40", str(kb_dir))
    assert err == ""


def test_an_inline_comment_suppresses_a_warning_on_its_line(capsys, kb_dir):
    base = kb_dir / "00_base.cex"
    base.write_text(base.read_text().replace(
        'assessment push "Pushing"', 'assessment push "Pushing"  # cexpert: ignore[W405]'))
    _, _, err = cli(capsys, "check", "--strict", str(kb_dir))
    assert "W405" not in err and "W401" in err


def test_a_comment_line_above_suppresses_the_statement_below(capsys, kb_dir):
    base = kb_dir / "00_base.cex"
    base.write_text(base.read_text().replace(
        "exercise act_other", "# kept for the next release  # cexpert: ignore[W401]\n"
        "exercise act_other"))
    _, _, err = cli(capsys, "check", "--strict", str(kb_dir))
    assert "W401" not in err and "W405" in err


def test_a_suppression_of_another_code_suppresses_nothing(capsys, kb_dir):
    base = kb_dir / "00_base.cex"
    base.write_text(base.read_text().replace(
        'assessment push "Pushing"', 'assessment push "Pushing"  # cexpert: ignore[W401]'))
    _, _, err = cli(capsys, "check", "--strict", str(kb_dir))
    assert "W405" in err


def test_sarif_output_is_a_2_1_0_log_with_one_result_per_warning(capsys, kb_dir,
                                                                 monkeypatch):
    monkeypatch.chdir(kb_dir)
    _, out, _ = cli(capsys, "check", "--strict", "--format", "sarif", ".")
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["W401", "W405"]
    first = run["results"][0]
    assert first["level"] == "warning"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "00_base.cex"
    assert location["region"]["startLine"] == 13


def test_json_output_carries_the_strict_warnings(capsys, kb_dir):
    _, out, _ = cli(capsys, "check", "--strict", "--format", "json", str(kb_dir))
    assert [d["code"] for d in json.loads(out)] == ["W401", "W405"]


def test_max_errors_counts_every_diagnostic_and_says_how_many_are_hidden(capsys, tmp_path):
    (tmp_path / "kb.cex").write_text(BASE + 'source "t"\nheels rise → overactive a1, a2, a3\n',
                                     encoding="utf-8")
    code, _, err = cli(capsys, "check", "--max-errors", "1", str(tmp_path))
    assert code == 1
    assert err.count("error[E201]") == 1
    assert err.endswith("Found 3 errors (2 not shown by --max-errors 1).\n")


# --- a property over generated rule files -------------------------------------------------------

def test_lints_never_raise_and_point_into_the_knowledge_base():
    import os

    from hypothesis import HealthCheck, given, settings

    from authoring.rule_text import rule_file
    from cexpert.language.check import check
    from cexpert.language.parse import parse_text
    from cexpert.resources import rules_dir

    shipped = load([rules_dir()]).files
    examples = int(os.environ.get("CEXPERT_LINT_EXAMPLES", 0)) or 40

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(rule_file())
    def prop(text):
        tree, problems = parse_text(text, "generated.cex")
        assert problems == []
        kb, _ = check([*shipped, tree], "gen", "h")
        if kb is None:
            return
        files = {f.path: f.source for f in [*shipped, tree]}
        for d in lint(kb, [*shipped, tree]):
            assert d.code in LINTS and not d.is_error
            assert d.span is not None and d.span.file in files
            assert 1 <= d.span.line <= files[d.span.file].count("\n") + 1

    prop()
