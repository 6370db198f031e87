"""The command line around the TUI: what it imports, what it refuses, what it reports."""

from __future__ import annotations

import pytest

from cexpert.cli import main
from test_import_hygiene import imported_after


@pytest.mark.parametrize("module", ["cexpert.present.export", "cexpert.tui.state",
                                    "cexpert.present.rows", "cexpert.tui.vocab"])
def test_the_tui_core_modules_do_not_import_textual(module):
    assert "textual" not in imported_after(module)


def test_the_cli_refuses_what_is_neither_a_command_nor_a_case(capsys):
    with pytest.raises(SystemExit) as done:
        main(["chekc"])
    assert done.value.code == 2
    assert "unknown command" in capsys.readouterr().err


def test_the_cli_reports_a_broken_case_before_opening_the_tui(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[client]\nage = "x"\n', encoding="utf-8")
    assert main([str(bad)]) == 2
    assert "client.age" in capsys.readouterr().err


def test_without_a_terminal_a_bare_cexpert_prints_the_usage(capsys):
    assert main([]) == 0
    assert "infer" in capsys.readouterr().out


def test_without_a_terminal_the_tui_refuses_politely(tmp_path, capsys):
    assert main([str(tmp_path / "new.toml")]) == 2
    assert "needs a terminal" in capsys.readouterr().err
