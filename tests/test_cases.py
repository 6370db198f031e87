"""Every consultation in tests/cases/ through the real CLI, matched against its expectation.

Each `NAME.toml` has a `NAME.expected.json` written from the domain tables
(shared/domain/cases.md, continuum.md §5 S1-S10, safety.md), not copied from
the program's output. The expectation is a PARTIAL document matched against
`cexpert infer NAME.toml --format json` (see tests/cases/README.md):

* a dict matches a dict that has at least its keys, each value matching;
* a list matches a list of the same length, item by item;
* ``{"$contains": [...]}`` each item matches a different item of the list, in any order;
* ``{"$absent": [...]}`` no item of the list matches any of these;
* ``{"$ordered": [...]}`` these items appear in the list in this relative order;
* ``{"$len": N}`` the list has N items (the list operators combine in one object);
* ``{"$substr": "text"}`` a string containing the text;
* anything else must be equal.

Cases in tests/cases/cpt7/ run with the NASM CPT7 profile: the shipped rules
with `setting profile cpt7` instead of `setting profile ces`.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from cexpert.cli import main
from cexpert.resources import rules_dir

CASES_DIR = Path(__file__).parent / "cases"
CASES = sorted(CASES_DIR.glob("*.toml"))
CPT7_CASES = sorted((CASES_DIR / "cpt7").glob("*.toml"))

#: case name -> why the engine (not the knowledge base) gets it wrong. Each is
#: marked xfail(strict=True), so a fix in the engine shows up as an XPASS failure.
ENGINE_BUGS: dict[str, str] = {}

LIST_OPERATORS = ("$contains", "$absent", "$ordered", "$len")


def infer_json(case: Path, rules: Path | None = None) -> dict[str, Any]:
    """`cexpert infer CASE --format json` in process; the parsed stdout."""
    argv = ["infer", str(case), "--format", "json"]
    if rules is not None:
        argv += ["--rules", str(rules)]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    assert code == 0, f"cexpert infer {case.name} exited {code}:\n{err.getvalue()}"
    return json.loads(out.getvalue())


_FOLDER = tempfile.TemporaryDirectory(prefix="cexpert-cases-")


@functools.cache
def cpt7_rules() -> Path:
    """A copy of the shipped rules with the CPT7 profile selected (made once)."""
    target = Path(_FOLDER.name) / "rules_cpt7"
    shutil.copytree(rules_dir(), target)
    settings = target / "00_settings.cex"
    text = settings.read_text(encoding="utf-8")
    assert "setting profile ces\n" in text
    settings.write_text(text.replace("setting profile ces\n", "setting profile cpt7\n"),
                        encoding="utf-8")
    return target


@functools.cache
def consultation(case: Path) -> dict[str, Any]:
    """The JSON output for a case, with the CPT7 profile for cases in cases/cpt7/.
    Cached, so tests/test_kb_coverage.py reuses the consultations of this module."""
    return infer_json(case, cpt7_rules() if case.parent.name == "cpt7" else None)


# --- the partial matcher ----------------------------------------------------------------


def mismatches(expected: Any, actual: Any, where: str = "$") -> list[str]:
    """Every way `actual` fails `expected`; empty when it matches."""
    if isinstance(expected, dict) and "$substr" in expected:
        if isinstance(actual, str) and expected["$substr"] in actual:
            return []
        return [f"{where}: expected a string containing {expected['$substr']!r}, "
                f"got {actual!r}"]
    if isinstance(expected, dict) and any(k in expected for k in LIST_OPERATORS):
        return _list_operators(expected, actual, where)
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        problems = []
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{where}.{key}: missing")
            else:
                problems += mismatches(value, actual[key], f"{where}.{key}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: expected a list, got {actual!r}"]
        if len(expected) != len(actual):
            return [f"{where}: expected {len(expected)} items, got {len(actual)}: "
                    f"{_short(actual)}"]
        return [p for i, (e, a) in enumerate(zip(expected, actual, strict=True))
                for p in mismatches(e, a, f"{where}[{i}]")]
    if expected != actual or (type(expected) is bool and type(actual) is not bool):
        return [f"{where}: expected {expected!r}, got {actual!r}"]
    return []


def _matches(expected: Any, actual: Any) -> bool:
    return not mismatches(expected, actual)


def _list_operators(expected: dict, actual: Any, where: str) -> list[str]:
    unknown = set(expected) - set(LIST_OPERATORS)
    if unknown:
        return [f"{where}: unknown operator(s) {sorted(unknown)}"]
    if not isinstance(actual, list):
        return [f"{where}: expected a list, got {actual!r}"]
    problems = []
    if "$len" in expected and len(actual) != expected["$len"]:
        problems.append(f"{where}: expected {expected['$len']} items, got {len(actual)}: "
                        f"{_short(actual)}")
    free = list(range(len(actual)))
    for item in expected.get("$contains", []):
        hit = next((i for i in free if _matches(item, actual[i])), None)
        if hit is None:
            problems.append(f"{where}: no item matches {item!r}; items: {_short(actual)}")
        else:
            free.remove(hit)
    for item in expected.get("$absent", []):
        found = [a for a in actual if _matches(item, a)]
        if found:
            problems.append(f"{where}: expected no item matching {item!r}, found {found!r}")
    position = 0
    for item in expected.get("$ordered", []):
        hit = next((i for i in range(position, len(actual)) if _matches(item, actual[i])),
                   None)
        if hit is None:
            problems.append(f"{where}: {item!r} not found in order after position "
                            f"{position}; items: {_short(actual)}")
            break
        position = hit + 1
    return problems


def _short(items: list) -> str:
    """A list shown by the fields a reader looks for first."""
    keys = ("phase", "exercise", "id", "state", "side", "muscle", "category")
    shown = []
    for item in items:
        if isinstance(item, dict):
            shown.append({k: item[k] for k in keys if k in item})
        else:
            shown.append(item)
    return json.dumps(shown)


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
    orphans = [p.name for p in CASES_DIR.rglob("*.expected.json")
               if not p.with_name(p.name.replace(".expected.json", ".toml")).is_file()]
    assert not orphans


# --- the matcher itself ------------------------------------------------------------------


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
