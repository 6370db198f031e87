"""Specifications for `cexpert infer`, `why`, `why-not` and `kb` on the command line.

stdout carries data, stderr diagnostics; exit 0 ok, 1 knowledge-base errors,
2 usage or case errors; never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cexpert.resources import examples_dir
from test_check_cli import cli

RULES = """source "t"
knee valgus → overactive adductors, underactive glute medius
rule older "Older adults" when age >= 65 then set dose hold 60 for inhibit
"""
CASE = '[client]\nname = "Kim"\nage = 70\n[assessment]\nohsa = ["knee valgus"]\n'


@pytest.fixture
def files(make_kb, tmp_path):
    """(knowledge base directory, case file) as strings."""
    kb = make_kb(RULES)
    case = tmp_path / "case.toml"
    case.write_text(CASE, encoding="utf-8")
    return str(kb), str(case)


# --- infer -----------------------------------------------------------------------------------


def test_infer_prints_a_text_report_and_exits_0(capsys, files):
    kb, case = files
    code, out, err = cli(capsys, "infer", case, "--rules", kb)
    assert code == 0
    assert err == ""
    assert out.startswith("Consultation: Kim\nAge 70\n")
    assert "Adductor roll, both sides: 1 set, hold 60 s" in out


def test_text_report_says_what_each_exercise_is_for(capsys, files):
    kb, case = files
    _, out, _ = cli(capsys, "infer", case, "--rules", kb)
    assert "for Adductor complex (overactive); addresses knees move inward" in out


def test_text_report_keeps_the_chains_in_the_trainers_appendix(capsys, files):
    kb, case = files
    _, out, _ = cli(capsys, "infer", case, "--rules", kb)
    handout, appendix = out.split("TRAINER'S APPENDIX")
    assert "← " not in handout
    assert "← Overhead squat table: Knees move inward" in appendix


def test_infer_why_adds_each_recommendations_reasoning_chain(capsys, files):
    kb, case = files
    code, out, _ = cli(capsys, "infer", case, "--rules", kb, "--why")
    assert code == 0
    assert "TRAINER'S APPENDIX" not in out
    program = out.split("\nPROGRAM\n")[1]
    assert "← Overhead squat table: Knees move inward" in program
    assert "Entered: Knees move inward" in program


def test_infer_json_is_the_whole_of_stdout(capsys, files):
    kb, case = files
    code, out, err = cli(capsys, "infer", case, "--rules", kb, "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["schema_version"] == 3
    assert [m["id"] for m in data["muscles"]] == ["adductor_complex", "gluteus_medius"]


def test_infer_markdown_has_a_title_and_sections(capsys, files):
    kb, case = files
    code, out, _ = cli(capsys, "infer", case, "--rules", kb, "--format", "markdown")
    assert code == 0
    assert out.startswith("# Consultation: Kim\n")
    assert "\n## Program\n" in out
    assert "\n1. **Adductor roll, both sides**: 1 set" in out


def test_all_formats_report_the_same_program(capsys, files):
    kb, case = files
    outputs = [cli(capsys, "infer", case, "--rules", kb, "--format", f)[1]
               for f in ("text", "markdown")]
    for name in ("Adductor roll", "Side-lying hip abduction", "Step-up to balance"):
        assert all(name in out for out in outputs)


def test_case_error_exits_2_naming_the_field(capsys, files, tmp_path):
    kb, _ = files
    bad = tmp_path / "bad.toml"
    bad.write_text('[assessment]\nohsa = ["knee valgs"]\n', encoding="utf-8")
    code, out, err = cli(capsys, "infer", str(bad), "--rules", kb)
    assert code == 2
    assert out == ""
    assert "assessment.ohsa[0]: unknown finding in ohsa 'knee valgs'" in err


def test_missing_case_file_exits_2(capsys, files, tmp_path):
    kb, _ = files
    code, out, err = cli(capsys, "infer", str(tmp_path / "nope.toml"), "--rules", kb)
    assert (code, out) == (2, "")
    assert "cannot read the case file" in err


def test_knowledge_base_errors_exit_1_with_diagnostics(capsys, make_kb, files):
    _, case = files
    broken = make_kb('source "t"\nknee valgus → overactive adductorz\n')
    code, out, err = cli(capsys, "infer", case, "--rules", str(broken))
    assert (code, out) == (1, "")
    assert "error[E201]" in err
    assert "did you mean" in err


def test_missing_knowledge_base_exits_1(capsys, files, tmp_path):
    _, case = files
    code, _, err = cli(capsys, "infer", case, "--rules", str(tmp_path / "nowhere"))
    assert code == 1
    assert "no such file or directory" in err


def test_firing_limit_exits_1_with_a_message(capsys, make_kb, tmp_path):
    kb = make_kb('source "t"\nsetting firing_limit 1\nknee valgus → overactive adductors\n'
                 'feet turn out → overactive adductors\n')
    case = tmp_path / "case.toml"
    case.write_text('[assessment]\nohsa = ["knee valgus", "feet turn out"]\n',
                    encoding="utf-8")
    code, out, err = cli(capsys, "infer", str(case), "--rules", str(kb))
    assert (code, out) == (1, "")
    assert err.startswith("error: stopped after 1 rule firings")


@pytest.mark.parametrize(
    "argv",
    [["infer"], ["infer", "case.toml", "--format", "yaml"], ["infer", "case.toml", "--bogus"],
     ["no-such-command"]],
    ids=["no-case", "bad-format", "bad-option", "bad-command"],
)
def test_usage_errors_exit_2(capsys, argv):
    code, out, err = cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "usage:" in err


def test_no_command_prints_help_and_exits_0(capsys):
    code, out, _ = cli(capsys)
    assert code == 0
    assert "infer" in out


def test_broken_input_never_prints_a_traceback(files, tmp_path):
    kb, _ = files
    for number, text in enumerate(["\x00\x01", "[fms]\ndeep_squat = []\n",
                                   "assessment = 3\n", '[assessment]\nohsa = [[1]]\n']):
        case = tmp_path / f"bad{number}.toml"
        case.write_text(text, encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "cexpert.cli", "infer", str(case),
                               "--rules", kb], capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, (text, done.stderr)
        assert "Traceback" not in done.stderr


# --- why, why-not, kb ---------------------------------------------------------------------------


def test_why_prints_the_chain_of_an_exercise(capsys, files):
    kb, case = files
    code, out, _ = cli(capsys, "why", case, "smr_adductors", "--rules", kb)
    assert code == 0
    assert "← rule 10_rules.knees_move_inward" in out
    assert "Entered: Knees move inward" in out


def test_why_of_something_not_concluded_exits_2(capsys, files):
    kb, case = files
    code, _, err = cli(capsys, "why", case, "smr_calves", "--rules", kb)
    assert code == 2
    assert "is not a conclusion of this consultation" in err


def test_why_not_prints_each_condition(capsys, make_kb, tmp_path):
    kb = make_kb('source "t"\nknee valgus and feet turn out → overactive tfl\n')
    case = tmp_path / "case.toml"
    case.write_text('[assessment]\nohsa = ["knee valgus"]\n', encoding="utf-8")
    code, out, _ = cli(capsys, "why-not", str(case), "overactive", "TFL", "--rules", str(kb))
    assert code == 0
    assert "holds  Knees move inward was entered" in out
    assert "FAILS  Feet turn out was entered" in out


def test_why_not_unknown_muscle_exits_2_with_a_suggestion(capsys, files):
    kb, case = files
    code, _, err = cli(capsys, "why-not", case, "overactive", "adductor_complx", "--rules", kb)
    assert code == 2
    assert "did you mean 'adductor_complex'?" in err


def test_kb_json_counts_the_declarations(capsys, files):
    kb, _ = files
    code, out, _ = cli(capsys, "kb", "--rules", kb, "--format", "json")
    assert code == 0
    summary = json.loads(out)
    assert summary["counts"]["rules"] == 2
    assert summary["counts"]["muscles"] == 5
    assert summary["exercises"]["integrate"] == ["int_step_up"]


@pytest.mark.parametrize("example", sorted(examples_dir().glob("*.toml")), ids=lambda p: p.stem)
def test_every_shipped_example_runs_on_the_shipped_rules(capsys, example):
    code, out, err = cli(capsys, "infer", str(example))
    assert (code, err) == (0, "")
    assert "\nPROGRAM\n" in out


def test_trace_replays_the_consultation_step_by_step(capsys, files):
    kb, case = files
    code, out, _ = cli(capsys, "trace", case, "--rules", kb)
    assert code == 0
    assert out.startswith("Step 1  entered by the trainer\n")
    assert "rule 10_rules.knees_move_inward" in out


def test_trace_facts_lists_one_line_per_fact(capsys, files):
    kb, case = files
    _, out, _ = cli(capsys, "trace", case, "--rules", kb, "--facts")
    assert out.split("\n")[0].split()[:2] == ["f1", "entered"]


def test_trace_json_has_the_steps_and_every_fact_in_words(capsys, files):
    kb, case = files
    code, out, _ = cli(capsys, "trace", case, "--rules", kb, "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["steps"][0]["origin"] == "input"
    added = [f for step in data["steps"] for f in step["added"]]
    assert added == list(data["facts"])
    assert all(fact["text"] for fact in data["facts"].values())


def test_infer_html_is_a_standalone_handout_with_user_text_escaped(capsys, make_kb, tmp_path):
    kb = make_kb(RULES)
    case = tmp_path / "case.toml"
    case.write_text('[client]\nname = "<b>Kim</b> [L]"\n[assessment]\nohsa = ["knee valgus"]\n',
                    encoding="utf-8")
    code, out, _ = cli(capsys, "infer", str(case), "--rules", str(kb), "--format", "html")
    assert code == 0
    assert out.startswith("<!DOCTYPE html>")
    assert "&lt;b&gt;Kim&lt;/b&gt; [L]" in out and "<b>Kim</b>" not in out
    assert "Adductor roll" in out
    assert "http://" not in out and "https://" not in out  # no external assets


def test_opening_the_service_again_does_not_pile_up_frozen_objects(monkeypatch):
    """`cexpert test --watch` opens the service each round: the last round's load is
    collected first, not frozen again."""
    import gc

    from cexpert.cli.consult import open_service

    monkeypatch.setenv("CEXPERT_KB_CACHE", "off")
    frozen = []
    try:
        for _ in range(4):
            open_service(None)
            frozen.append(gc.get_freeze_count())
    finally:
        gc.unfreeze()
    # a round's load is ≈ 100k objects; what stays is the odd cache entry
    assert frozen[3] - frozen[1] < frozen[0] // 20, frozen
