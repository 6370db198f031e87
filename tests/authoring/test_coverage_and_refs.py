"""Specifications of `cexpert test` coverage (rules, `or` branches, exercises, files
with missing lines), -k, --format junit; `why-not CASE exercise NAME`; `refs NAME`."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cexpert.cli import main
from cexpert.resources import examples_dir

RULES = """\
source "coverage vocabulary"
phase inhibit "Inhibit" treats overactive cap 4
assessment ohsa "Overhead squat"
finding heels_rise "Heels rise" in ohsa
finding knees_in "Knees move inward" in ohsa
finding feet_out "Feet turn out" in ohsa
muscle soleus "Soleus"
muscle tfl "TFL"
exercise smr_calves "Calf roll" phase inhibit targets soleus
exercise smr_tfl "TFL roll" phase inhibit targets tfl
heels rise → overactive soleus
rule either when knees in or feet out then overactive tfl
rule never when heels rise and knees in and feet out then overactive tfl
"""


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "rules.cex").write_text(RULES, encoding="utf-8")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "calves.toml").write_text('[assessment]\nohsa = ["heels_rise"]\n')
    (tests / "calves.expected.json").write_text('{"program": [{"exercise": "smr_calves"}]}')
    (tests / "knees.toml").write_text('[assessment]\nohsa = ["knees_in"]\n')
    (tests / "knees.expected.json").write_text('{"program": [{"exercise": "smr_calves"}]}')
    return tmp_path


def test_coverage_counts_rules_branches_and_exercises(capsys, project):
    code, out, _ = run(capsys, "test", str(project / "tests"), "--rules",
                       str(project / "rules.cex"), "--format", "json")
    report = json.loads(out)
    assert code == 1  # knees.toml expects the wrong exercise
    coverage = report["coverage"]
    assert (coverage["fired"], coverage["rules"]) == (2, 3)
    assert coverage["branches"]["taken"] == 1 and coverage["branches"]["total"] == 2
    assert coverage["branches"]["never_taken"] == [{"rule": "either", "line": 12, "column": 30}]
    assert coverage["exercises"] == {"total": 2, "used": 2, "unused": []}
    [file] = coverage["files"]
    assert file["missing_lines"] == [12, 13]  # the untaken branch, the rule that never fired


GUARDED = RULES + """\
rule guarded when heels rise and not (knees in or feet out) then overactive tfl
"""


def test_a_branch_under_not_is_taken_where_it_held_and_kept_its_rule_from_firing(
        capsys, project):
    # a `not (a or b)` operand can never hold where its rule fires; a test covers it by
    # showing the guard at work: the operand held and the rule stayed silent
    (project / "rules.cex").write_text(GUARDED, encoding="utf-8")
    both = '[assessment]\nohsa = ["heels_rise", "knees_in"]\n'
    (project / "tests" / "both.toml").write_text(both)
    _, out, _ = run(capsys, "test", str(project / "tests"), "--rules",
                    str(project / "rules.cex"), "--format", "json")
    never = json.loads(out)["coverage"]["branches"]["never_taken"]
    assert [(b["rule"], b["column"]) for b in never if b["rule"] == "guarded"] == [
        ("guarded", GUARDED.splitlines()[-1].index("feet out") + 1)]


def test_the_text_report_has_a_per_file_table_with_missing_lines(capsys, project):
    _, out, _ = run(capsys, "test", str(project / "tests"), "--rules",
                    str(project / "rules.cex"))
    assert "branch coverage: 1/2 branches (50%)" in out
    assert "exercise coverage: 2/2 exercises (100%)" in out
    row = next(line for line in out.splitlines() if line.startswith(str(project / "rules.cex"))
               or line.endswith("12-13"))
    assert row.endswith("12-13")


def test_k_runs_only_the_tests_whose_path_contains_the_pattern(capsys, project):
    code, out, _ = run(capsys, "test", str(project / "tests"), "--rules",
                       str(project / "rules.cex"), "-k", "calv")
    assert code == 0 and "1 tests: 1 passed" in out


def test_junit_reports_each_test_and_its_failure(capsys, project):
    _, out, _ = run(capsys, "test", str(project / "tests"), "--rules",
                    str(project / "rules.cex"), "--format", "junit")
    suite = ET.fromstring(out.split("\n", 1)[1])
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    failed = [c for c in suite if c.find("failure") is not None]
    assert [c.get("name").endswith("knees.toml") for c in failed] == [True]
    assert "$.program[0].exercise" in failed[0].find("failure").text


def test_why_not_an_exercise_names_the_exclusion_and_its_rule(capsys):
    case = examples_dir() / "older_adult_osteoporosis.toml"
    code, out, _ = run(capsys, "why-not", str(case), "exercise", "smr_calves")
    assert code == 0
    assert out.splitlines()[1] == ("  excluded: Rolling is left out because of osteoporosis "
                                   "(rule smr_osteoporosis)")


def test_why_not_an_exercise_names_the_one_preferred(capsys):
    _, out, _ = run(capsys, "why-not", str(examples_dir() / "runner.toml"), "exercise",
                    "smr_adductors_handheld")
    assert "another exercise preferred: Adductor roll (smr_adductors)" in out


def test_why_not_an_exercise_whose_targets_are_not_flagged(capsys):
    _, out, _ = run(capsys, "why-not", str(examples_dir() / "runner.toml"), "exercise",
                    "act_prone_reverse_fly")
    assert "no target flagged" in out


def test_why_not_an_unknown_exercise_is_a_usage_error_with_did_you_mean(capsys):
    code, _, err = run(capsys, "why-not", str(examples_dir() / "runner.toml"), "exercise",
                       "smr_calvs")
    assert code == 2 and "did you mean 'smr_calves'?" in err


def test_refs_lists_the_declaration_and_every_use_by_any_alias(capsys, project):
    code, out, _ = run(capsys, "refs", "TFL", "--rules", str(project / "rules.cex"))
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == 'muscle tfl "TFL": 3 uses'
    assert [line.split(": ")[1] for line in lines[1:]] == ["declared", "used", "used", "used"]


def test_refs_of_an_unknown_name_is_a_usage_error(capsys, project):
    code, _, err = run(capsys, "refs", "tfll", "--rules", str(project / "rules.cex"))
    assert code == 2 and "nothing is declared as 'tfll'" in err


# --- --bless ------------------------------------------------------------------------------------

def test_bless_rewrites_only_the_stated_keys_and_shows_the_diff(capsys, project):
    expected = project / "tests" / "knees.expected.json"
    code, out, _ = run(capsys, "test", str(project / "tests"), "--rules",
                       str(project / "rules.cex"), "--bless")
    assert code == 0 and "1 blessed" in out
    assert '-{"program": [{"exercise": "smr_calves"}]}' in out
    assert '+      "exercise": "smr_tfl"' in out
    assert json.loads(expected.read_text()) == {"program": [{"exercise": "smr_tfl"}]}
    code, _, _ = run(capsys, "test", str(project / "tests"), "--rules",
                     str(project / "rules.cex"))
    assert code == 0


def test_bless_keeps_property_operators_and_sets_lengths():
    from cexpert.authoring.bless import bless

    expected = {"muscles": {"$len": 1, "$contains": [{"id": "tfl"}]}, "referral": {
        "required": True}}
    actual = {"muscles": [{"id": "tfl"}, {"id": "soleus"}], "referral": {"required": False,
                                                                         "urgency": None}}
    assert bless(expected, actual) == {"muscles": {"$len": 2, "$contains": [{"id": "tfl"}]},
                                       "referral": {"required": False}}


def test_bless_leaves_a_passing_test_untouched(capsys, project):
    calves = project / "tests" / "calves.expected.json"
    before = calves.read_text()
    run(capsys, "test", str(project / "tests"), "--rules", str(project / "rules.cex"),
        "--bless")
    assert calves.read_text() == before


# --- --watch ------------------------------------------------------------------------------------

def test_watch_runs_again_after_a_rule_file_changes(tmp_path):
    import threading
    import time

    from cexpert.cli.authoring import watch

    rules = tmp_path / "rules.cex"
    rules.write_text(RULES, encoding="utf-8")
    runs = []

    def edit() -> None:
        time.sleep(0.1)
        rules.write_text(RULES + "# edited\n", encoding="utf-8")

    editor = threading.Thread(target=edit)
    editor.start()
    code = watch([tmp_path], lambda: runs.append(rules.read_text()) or len(runs),
                 interval=0.02, rounds=150)
    editor.join()
    assert code == 2 and runs[-1].endswith("# edited\n")


def test_watch_without_changes_runs_once(tmp_path):
    from cexpert.cli.authoring import watch

    (tmp_path / "rules.cex").write_text(RULES, encoding="utf-8")
    runs = []
    assert watch([tmp_path], lambda: runs.append(1) or 0, interval=0.01, rounds=5) == 0
    assert runs == [1]
