"""Specifications for a rule author's tests: the partial matcher and `cexpert test`.

A test is NAME.toml with NAME.expected.json beside it; `cexpert test` runs every
one with the knowledge base, reports each mismatch with its JSON path, and the
rules no test makes fire. Exit 0 all passed, 1 a test failed or the knowledge
base has errors, 2 nothing to run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cexpert.authoring.expect import find, mismatches, read_expected
from test_check_cli import cli

RULES = """source "t"
knee valgus → overactive adductors, underactive glute medius
feet turn out → overactive soleus
"""
CASE = '[assessment]\nohsa = ["knee valgus"]\n'


@pytest.fixture
def suite(make_kb, tmp_path) -> tuple[str, Path]:
    """(knowledge base, folder of tests) with one passing test."""
    kb = make_kb(RULES)
    folder = tmp_path / "tests"
    folder.mkdir()
    write(folder, "valgus", CASE, {"muscles": {"$contains": [{"id": "adductor_complex"}]}})
    return str(kb), folder


def write(folder: Path, name: str, case: str, expected: object | str) -> None:
    (folder / f"{name}.toml").write_text(case, encoding="utf-8")
    text = expected if isinstance(expected, str) else json.dumps(expected)
    (folder / f"{name}.expected.json").write_text(text, encoding="utf-8")


# --- the matcher -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        ({"a": 1}, {"a": 1, "b": 2}, True),
        ({"a": 1, "c": 3}, {"a": 1}, False),
        ([1, 2], [1, 2], True),
        ([1, 2], [2, 1], False),
        ([{"id": "x"}], [{"id": "x", "side": "both"}], True),
        ({"$contains": [2, 1]}, [1, 2, 3], True),
        ({"$contains": [1, 1]}, [1, 2], False),
        ({"$absent": [{"id": "y"}]}, [{"id": "x"}], True),
        ({"$absent": [{"id": "x"}]}, [{"id": "x"}], False),
        ({"$ordered": [1, 3]}, [1, 2, 3], True),
        ({"$ordered": [3, 1]}, [1, 2, 3], False),
        ({"$len": 2, "$contains": [1]}, [1, 2], True),
        ({"$len": 1}, [1, 2], False),
        ({"$substr": "ell"}, "hello", True),
        ({"$substr": "x"}, "hello", False),
        (False, 0, False),
        (None, None, True),
    ],
)
def test_matcher(expected, actual, ok) -> None:
    assert (not mismatches(expected, actual)) is ok


def test_a_mismatch_names_its_json_path() -> None:
    assert mismatches({"program": [{"side": "left"}]}, {"program": [{"side": "both"}]}) == [
        "$.program[0].side: expected 'left', got 'both'"]


def test_an_unknown_operator_is_reported_with_the_known_ones() -> None:
    (problem,) = mismatches({"$contain": [1]}, [1])
    assert "$contain" in problem and "$contains" in problem


# --- finding and reading tests -------------------------------------------------------------


def test_a_case_without_expectation_in_a_folder_is_not_a_test(suite) -> None:
    _, folder = suite
    (folder / "draft.toml").write_text(CASE, encoding="utf-8")
    tests, problems = find([folder])
    assert [t.case.name for t in tests] == ["valgus.toml"]
    assert problems == []


def test_an_expectation_without_its_case_is_reported(suite) -> None:
    _, folder = suite
    (folder / "lost.expected.json").write_text("{}", encoding="utf-8")
    _, problems = find([folder])
    assert problems == [f"{folder / 'lost.expected.json'}: no case file lost.toml beside it"]


def test_invalid_json_is_reported_with_line_and_column(tmp_path) -> None:
    path = tmp_path / "x.expected.json"
    path.write_text('{\n  "muscles": [,]\n}', encoding="utf-8")
    _, error = read_expected(path)
    assert error is not None and error.startswith(f"{path}:2:")


# --- cexpert test ---------------------------------------------------------------------------


def test_passing_tests_exit_0_with_a_summary_and_rule_coverage(capsys, suite) -> None:
    kb, folder = suite
    code, out, _ = cli(capsys, "test", str(folder), "--rules", kb)
    assert code == 0
    assert "1 tests: 1 passed, 0 failed, 0 errors" in out
    assert "rule coverage: 1/2 rules fired in some test (50%)" in out
    assert "never fired: " in out


def test_a_failing_test_exits_1_and_shows_where_it_differs(capsys, suite) -> None:
    kb, folder = suite
    write(folder, "wrong", CASE, {"muscles": [{"id": "soleus"}]})
    code, out, _ = cli(capsys, "test", str(folder), "--rules", kb)
    assert code == 1
    assert any(line.startswith("FAIL") and line.endswith("wrong.toml")
               for line in out.splitlines())
    assert "$.muscles: expected 1 items, got 2" in out


def test_a_broken_case_is_an_error_naming_the_field(capsys, suite) -> None:
    kb, folder = suite
    write(folder, "broken", '[assessment]\nohsa = ["knee valgos"]\n', {})
    code, out, _ = cli(capsys, "test", str(folder), "--rules", kb)
    assert code == 1
    assert "ERROR" in out and "knee valgos" in out


def test_nothing_to_run_exits_2(capsys, tmp_path) -> None:
    code, _, err = cli(capsys, "test", str(tmp_path))
    assert code == 2
    assert "no tests found" in err


def test_json_report_lists_every_test_and_the_coverage(capsys, suite) -> None:
    kb, folder = suite
    _, out, _ = cli(capsys, "test", str(folder), "--rules", kb, "--format", "json")
    data = json.loads(out)
    assert [t["status"] for t in data["tests"]] == ["passed"]
    assert data["coverage"]["fired"] == 1


def test_an_unknown_profile_is_a_knowledge_base_error_with_did_you_mean(capsys) -> None:
    code, _, err = cli(capsys, "kb", "--profile", "cpx7")
    assert code == 1
    assert "no rule belongs to the profile 'cpx7'" in err
    assert "did you mean 'cpt7'?" in err


def test_the_profile_option_changes_the_knowledge_base_hash(capsys) -> None:
    hashes = [json.loads(cli(capsys, "kb", "--format", "json", *extra)[1])
              ["knowledge_base"]["hash"] for extra in ([], ["--profile", "cpt7"])]
    assert hashes[0] != hashes[1]
