"""Specifications of `cexpert check`: exit codes (0 clean, 1 errors, 2 usage),
diagnostics on stderr as `file:line:col: error[CODE]`, never a traceback."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cexpert.cli import main
from cexpert.resources import rules_dir

VOCABULARY = """\
source "test vocabulary"
phase inhibit "Inhibit" treats overactive cap 4
assessment ohsa "Overhead squat"
finding heels_rise "Heels rise" in ohsa
muscle soleus "Soleus"
exercise smr_calves "Calf roll" phase inhibit targets soleus
"""


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Run `cexpert ARGV` in process: (exit code, stdout, stderr)."""
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse's usage errors
        code = exit_.code
    out, err = capsys.readouterr()
    return int(code), out, err


@pytest.fixture
def write(tmp_path: Path):
    """write(name, text) -> path of a file in tmp_path, as a string."""

    def make(name: str, text: str | bytes) -> str:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return str(path)

    return make


# --- exit 0 -------------------------------------------------------------------------------


def test_check_of_the_shipped_rules_exits_0(capsys):
    code, out, err = cli(capsys, "check", str(rules_dir()))
    assert code == 0
    assert out.endswith("declarations, no problems.\n")
    assert err == ""


def test_check_without_paths_checks_the_shipped_rules(capsys):
    code, out, _ = cli(capsys, "check")
    assert code == 0 and "no problems" in out


def test_check_of_a_clean_file_reports_counts(capsys, write):
    path = write("kb.cex", VOCABULARY + "heels rise → overactive soleus\n")
    code, out, err = cli(capsys, "check", path)
    assert (code, err) == (0, "")
    assert out == f"{path}: 1 rule, 5 declarations, no problems.\n"


def test_check_with_warnings_only_exits_0_and_prints_them(capsys, write):
    path = write("kb.cex", VOCABULARY.replace('source "test vocabulary"\n', "")
                 + "heels rise → overactive soleus\n")
    code, out, err = cli(capsys, "check", path)
    assert code == 0
    assert f"{path}:6:1: warning[W205]: rule 'kb.heels_rise' cites no source" in err
    assert err.endswith("Found 0 errors and 1 warning.\n")
    assert out == f"{path}: 1 rule, 5 declarations, 1 warning.\n"


def test_check_accepts_several_paths(capsys, write):
    vocabulary = write("a/vocabulary.cex", VOCABULARY)
    rules = write("b/rules.cex", 'source "s"\nheels rise → overactive soleus\n')
    code, out, _ = cli(capsys, "check", vocabulary, rules)
    assert code == 0 and "1 rule," in out


# --- exit 1 -------------------------------------------------------------------------------


def test_broken_file_exits_1_with_file_line_col_and_caret(capsys, write):
    path = write("bad.cex", 'source "s"\nmuscel soleus\n')
    code, out, err = cli(capsys, "check", path)
    assert code == 1 and out == ""
    assert err.startswith(f"{path}:2:14: error[E001]: unexpected end of the statement\n")
    assert "2 | muscel soleus\n  |              ^\n" in err
    assert "did you mean 'muscle' instead of 'muscel'?" in err
    assert err.endswith("Found 1 error.\n")


def test_every_syntax_error_of_every_file_is_printed(capsys, write):
    write("kb/a.cex", "muscel x\nrule r when age >= then x\n")
    write("kb/b.cex", 'muscle m "open\n')
    code, _, err = cli(capsys, "check", str(Path(write("kb/c.cex", "")).parent))
    assert code == 1
    assert [line.split(": ")[1] for line in err.splitlines() if ": error[" in line] == [
        "error[E001]", "error[E001]", "error[E002]"]
    assert "Found 3 errors." in err


def test_unknown_name_exits_1_with_did_you_mean(capsys, write):
    path = write("kb.cex", VOCABULARY + "heels rise → overactive solues\n")
    code, _, err = cli(capsys, "check", path)
    assert code == 1
    assert f"{path}:7:25: error[E201]: unknown muscle 'solues'" in err
    assert "  = help: did you mean 'soleus'?" in err


def test_missing_path_exits_1(capsys, tmp_path):
    code, _, err = cli(capsys, "check", str(tmp_path / "nowhere.cex"))
    assert code == 1
    assert f"error[E000]: no such file or directory: {tmp_path / 'nowhere.cex'}" in err


def test_directory_without_rule_files_exits_1(capsys, tmp_path):
    code, _, err = cli(capsys, "check", str(tmp_path))
    assert code == 1 and "error[E000]: no .cex files in" in err


def test_file_that_is_not_utf8_exits_1(capsys, write):
    code, _, err = cli(capsys, "check", write("latin1.cex", b"muscle m \"M\xfcller\"\n"))
    assert code == 1 and "1:12: error[E000]: this file is not UTF-8 text: byte 0xfc" in err


def test_missing_include_is_reported_at_the_include(capsys, write):
    path = write("kb.cex", 'include "other.cex"\n')
    code, _, err = cli(capsys, "check", path)
    assert code == 1
    assert f"{path}:1:9: error[E000]: no such file or directory" in err


def test_json_format_lists_the_diagnostics(capsys, write):
    path = write("kb.cex", VOCABULARY + "heels rise → overactive solues\n")
    code, out, _ = cli(capsys, "check", path, "--format", "json")
    assert code == 1
    (problem,) = json.loads(out)
    assert (problem["code"], problem["severity"], problem["help"]) == (
        "E201", "error", "did you mean 'soleus'?")
    assert problem["span"] == {"file": path, "line": 7, "column": 25, "end_line": 7,
                               "end_column": 31}


def test_max_errors_limits_what_is_shown_not_the_exit_code(capsys, write):
    path = write("kb.cex", "muscel a\nmuscel b\nmuscel c\n")
    code, _, err = cli(capsys, "check", path, "--max-errors", "1")
    assert code == 1
    assert err.count("error[E001]") == 1


# --- exit 2 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--format", "xml"],
        ["check", "--max-errors", "many"],
        ["check", "--no-such-option"],
        ["no-such-command"],
    ],
)
def test_usage_error_exits_2(capsys, argv):
    code, out, err = cli(capsys, *argv)
    assert code == 2 and out == ""
    assert "usage: cexpert" in err and "error:" in err


# --- never a traceback --------------------------------------------------------------------

NASTY = [
    b"",
    b"\n\n\n",
    b"\x00\x01\x02",
    b"\xef\xbb\xbfsource \"bom\"\n",
    b"\xff\xfe\x00garbage",
    b"\"",
    b"rule r when " + b"not " * 3000 + b"x then note \"n\"\n",
    b"rule r when " + b"(" * 3000 + b"x" + b")" * 3000 + b" then note \"n\"\n",
    b"rule r salience " + b"9" * 500 + b" when x then note \"n\"\n",
    b"rule r when age >= " + b"9" * 500 + b" then reassess in " + b"9" * 500 + b" weeks\n",
    b"phase p treats overactive cap 2.5 hold " + b"9" * 500 + b"\n",
    b"assessment a views 1, 2\nfinding f in a view 3\n",
    b"include \"kb.cex\"\n",
    b"a \xe2\x86\x92 b: c: d; ;; ,,\r\n\r  \t\x0c\xe2\x80\xa8\n",
    "muscle m \"\u00fcber\" aka \"\u540d\u524d\", \"\U0001f9b5\"\n".encode(),
]


@pytest.mark.parametrize("content", NASTY, ids=[f"nasty{i}" for i in range(len(NASTY))])
def test_no_input_gives_a_traceback(capsys, write, content):
    code, _, err = cli(capsys, "check", write("kb.cex", content))
    assert code in (0, 1)
    assert "Traceback" not in err


def test_the_command_line_program_exits_with_the_codes_and_no_traceback(write):
    """The real process: exit statuses as the shell sees them."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    script = Path(sys.executable).with_name("cexpert")
    program = [str(script)] if script.exists() else [sys.executable, "-m", "cexpert.cli"]
    broken = write("bad.cex", "rule r when " + "not " * 3000 + "x then\n" + "muscel x\n")
    results = {
        name: subprocess.run([*program, "check", *args], capture_output=True, text=True,
                             env=env, timeout=60, cwd=rules_dir().parent)
        for name, args in {"clean": ["rules/"], "broken": [broken],
                           "usage": ["--format", "xml"]}.items()
    }
    assert {name: r.returncode for name, r in results.items()} == {
        "clean": 0, "broken": 1, "usage": 2}
    assert f"{broken}:2:9: error[E001]" in results["broken"].stderr
    assert not any("Traceback" in r.stderr for r in results.values())


# --- the collector: the CLI owns its process --------------------------------------------------

@pytest.fixture
def check_args():
    """The parsed `cexpert check` of the shipped rules, uncached, and no frozen objects
    left behind for the next test."""
    from cexpert.cli.main import build_parser

    yield build_parser("check").parse_args(["check", str(rules_dir())])
    gc.unfreeze()


def test_check_freezes_the_knowledge_base_it_built(check_args, capsys, monkeypatch):
    from cexpert.cli.authoring import cmd_check

    monkeypatch.setenv("CEXPERT_KB_CACHE", "off")
    assert cmd_check(check_args) == 0
    assert gc.get_freeze_count() > 10_000 and gc.isenabled()


def test_checks_again_under_watch_do_not_pile_up_frozen_objects(check_args, capsys,
                                                                monkeypatch):
    from cexpert.cli.authoring import cmd_check

    monkeypatch.setenv("CEXPERT_KB_CACHE", "off")
    frozen = []
    for _ in range(4):
        cmd_check(check_args)
        frozen.append(gc.get_freeze_count())
    assert frozen[3] <= frozen[1], frozen


def test_check_leaves_the_collector_on_and_nothing_frozen(capsys):
    code, _, _ = cli(capsys, "check", str(rules_dir()))
    assert code == 0 and gc.isenabled() and gc.get_freeze_count() == 0
