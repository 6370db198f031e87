"""The command line is safe for every terminal: output works under any encoding,
control characters from user input are escaped on stderr, and an unexpected
exception is a bug with its own exit code, one line, and the details in a file."""

from __future__ import annotations

import importlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cexpert.cli.main import Exit, main
from cexpert.resources import examples_dir

SCRIPT = Path(sys.executable).with_name("cexpert")
PROGRAM = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cexpert.cli"]
RUNNER = str(examples_dir() / "runner.toml")


def run(*argv: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([*PROGRAM, *argv], capture_output=True, timeout=120,
                          env={**os.environ, **env})


@pytest.mark.parametrize("argv", [
    ["infer", RUNNER], ["infer", RUNNER, "--format", "json"], ["trace", RUNNER],
    ["check"],
], ids=["text", "json", "trace", "check"])
def test_output_works_under_an_encoding_without_the_arrow(argv):
    done = run(*argv, PYTHONIOENCODING="cp1252")
    assert done.returncode == 0, done.stderr.decode("cp1252")
    assert b"Traceback" not in done.stderr


def test_a_character_the_encoding_lacks_is_written_as_an_escape(tmp_path):
    done = run("check", str(Path(__file__).parent / "check" / "e003_bare_name_continues_"
                                                              "nothing.cex"),
               PYTHONIOENCODING="ascii")
    assert done.returncode == 1 and b"Traceback" not in done.stderr


def test_control_characters_from_a_case_file_are_escaped_in_error_messages(tmp_path,
                                                                           capsys):
    case = tmp_path / "case.toml"
    case.write_text('[assessment]\nohsa = ["\\u001b[2J\\u0007gone"]\n', encoding="utf-8")
    code = main(["infer", str(case)])
    err = capsys.readouterr().err
    assert code == Exit.USAGE
    assert "\x1b" not in err and "\x07" not in err
    assert "'\\x1b[2J\\x07gone'" in err


def test_control_characters_in_a_rule_file_are_escaped_in_diagnostics(tmp_path, capsys):
    rules = tmp_path / "kb.cex"
    rules.write_text('muscel \x1b]0;owned\x07 "x"\n', encoding="utf-8")
    code = main(["check", str(rules)])
    err = capsys.readouterr().err
    assert code == Exit.KB_ERRORS
    assert "\x1b" not in err and "\x07" not in err and "\\x1b]0;owned\\x07" in err


def test_an_unexpected_exception_exits_70_with_one_line_and_a_traceback_file(
        tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def broken(args):
        raise RuntimeError("something inside broke")

    monkeypatch.setattr(importlib.import_module("cexpert.cli.authoring"), "cmd_check", broken)
    code = main(["check"])
    captured = capsys.readouterr()
    assert code == Exit.BUG == 70
    (line,) = captured.err.splitlines()
    assert line.startswith("cexpert: internal error (a bug in cexpert, not in your input): "
                           "RuntimeError: something inside broke; details in ")
    report = Path(line.rsplit("details in ", 1)[1])
    assert report.is_relative_to(tmp_path / "state")
    assert "Traceback" in report.read_text(encoding="utf-8")
    assert "something inside broke" in report.read_text(encoding="utf-8")
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert stat.S_IMODE(report.parent.stat().st_mode) == 0o700


def test_the_exit_code_of_a_bug_differs_from_errors_in_the_input():
    assert len({Exit.OK, Exit.KB_ERRORS, Exit.USAGE, Exit.BUG}) == 4


def test_a_command_parses_as_it_would_with_every_command_built():
    """main() builds only the named command's parser: the same arguments come out."""
    from cexpert.cli.main import build_parser

    argv = ["infer", "case.toml", "--format", "json", "--rules", "r"]
    assert vars(build_parser("infer").parse_args(argv)) == vars(
        build_parser().parse_args(argv))
