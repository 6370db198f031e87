"""The command line's text outputs show a client's control characters as escapes."""

from __future__ import annotations

import re

import pytest

from test_check_cli import cli

RULES = 'source "t"\nknee valgus → overactive adductors, underactive glute medius\n'
CASE = ('[client]\nname = "Kim\\u001b[2J\\u0007"\n[assessment]\n'
        'ohsa = ["knee valgus"]\n')
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def case(make_kb, tmp_path):
    path = tmp_path / "case.toml"
    path.write_text(CASE, encoding="utf-8")
    return str(make_kb(RULES)), str(path)


@pytest.mark.parametrize("argv", [["infer"], ["infer", "--why"], ["trace"], ["trace", "--facts"]],
                         ids=" ".join)
def test_text_output_escapes_a_clients_control_characters(capsys, case, argv):
    kb, path = case
    code, out, _ = cli(capsys, argv[0], path, *argv[1:], "--rules", kb)
    assert code == 0
    assert "Kim\\x1b[2J\\x07" in out
    assert not RAW.search(out)


def test_markdown_output_escapes_them_and_their_markup(capsys, case):
    kb, path = case
    _, out, _ = cli(capsys, "infer", path, "--format", "markdown", "--rules", kb)
    assert out.startswith("# Consultation: Kim\\\\x1b\\[2J\\\\x07\n")
    assert not RAW.search(out)
