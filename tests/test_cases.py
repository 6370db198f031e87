"""Every consultation in tests/cases/ through the real CLI, matched against its expectation.

Each `NAME.toml` has a `NAME.expected.json` written from the domain tables
(shared/domain/cases.md, continuum.md §5 S1-S10, safety.md), not copied from
the program's output. The expectation is a PARTIAL document matched against
`cexpert infer NAME.toml --format json` by `cexpert.authoring.expect` (the matcher that
`cexpert test` uses; its operators are documented there and in the README).

Cases in tests/cases_cpt7/ run with the NASM CPT7 profile (`--profile cpt7`).
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
from pathlib import Path
from typing import Any

import pytest

from cexpert.authoring.expect import mismatches
from cexpert.cli import main

CASES_DIR = Path(__file__).parent / "cases"
CASES = sorted(CASES_DIR.glob("*.toml"))
CPT7_DIR = Path(__file__).parent / "cases_cpt7"
CPT7_CASES = sorted(CPT7_DIR.glob("*.toml"))

#: case name -> why the engine (not the knowledge base) gets it wrong. Each is
#: marked xfail(strict=True), so a fix in the engine shows up as an XPASS failure.
ENGINE_BUGS: dict[str, str] = {}



def infer_json(case: Path, profile: str | None = None) -> dict[str, Any]:
    """`cexpert infer CASE --format json [--profile P]` in process; the parsed stdout."""
    argv = ["infer", str(case), "--format", "json"]
    if profile is not None:
        argv += ["--profile", profile]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    assert code == 0, f"cexpert infer {case.name} exited {code}:\n{err.getvalue()}"
    return json.loads(out.getvalue())


@functools.cache
def consultation(case: Path) -> dict[str, Any]:
    """The JSON output for a case, with the CPT7 profile for cases in cases/cpt7/.
    Cached, so tests/test_kb_coverage.py reuses the consultations of this module."""
    return infer_json(case, "cpt7" if case.parent == CPT7_DIR else None)


# --- the tests ------------------------------------------------------------------------------


def _params(paths: list[Path]) -> list:
    out = []
    for path in paths:
        marks = []
        if path.stem in ENGINE_BUGS:
            marks.append(pytest.mark.xfail(strict=True, reason=ENGINE_BUGS[path.stem]))
        out.append(pytest.param(path, id=path.stem, marks=marks))
    return out


def _check(case: Path) -> None:
    expected_path = case.with_name(f"{case.stem}.expected.json")
    assert expected_path.is_file(), f"{case.name} has no {expected_path.name}"
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    problems = mismatches(expected, consultation(case))
    assert not problems, f"{case.name}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("case", _params(CASES))
def test_case(case: Path) -> None:
    _check(case)


@pytest.mark.parametrize("case", _params(CPT7_CASES))
def test_case_cpt7_profile(case: Path) -> None:
    _check(case)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 30
    assert all(c.with_name(f"{c.stem}.expected.json").is_file() for c in CASES + CPT7_CASES)
    orphans = [p.name for folder in (CASES_DIR, CPT7_DIR)
               for p in folder.rglob("*.expected.json")
               if not p.with_name(p.name.replace(".expected.json", ".toml")).is_file()]
    assert not orphans
