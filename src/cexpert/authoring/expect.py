"""Expectations: a rule author's tests for a knowledge base, run by `cexpert test`.

A test is a case file `NAME.toml` with `NAME.expected.json` beside it: a
PARTIAL document matched against the JSON that `cexpert infer NAME.toml
--format json` prints, so a test states only what it is about:

* an object matches an object that has at least its keys, each value matching;
* a list matches a list of the same length, item by item;
* ``{"$contains": [...]}``: each item matches a different item of the list;
* ``{"$absent": [...]}``: no item of the list matches any of these;
* ``{"$ordered": [...]}``: these items appear in the list in this relative order;
* ``{"$len": N}``: the list has N items (list operators combine in one object);
* ``{"$substr": "text"}``: a string containing the text;
* anything else must be equal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cexpert.language.diagnostics import did_you_mean

LIST_OPERATORS = ("$contains", "$absent", "$ordered", "$len")
SUFFIX = ".expected.json"


# --- the partial matcher ----------------------------------------------------------------


def mismatches(expected: Any, actual: Any, where: str = "$") -> list[str]:
    """Every way `actual` fails `expected`, each with its JSON path; empty when it matches."""
    if isinstance(expected, dict) and "$substr" in expected:
        if isinstance(actual, str) and expected["$substr"] in actual:
            return []
        return [f"{where}: expected a string containing {expected['$substr']!r}, "
                f"got {actual!r}"]
    if isinstance(expected, dict) and any(str(k).startswith("$") for k in expected):
        return _list_operators(expected, actual, where)  # a misspelt one is reported there
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
    unknown = sorted(set(expected) - set(LIST_OPERATORS))
    if unknown:
        hint = did_you_mean(unknown[0], [*LIST_OPERATORS, "$substr"])
        return [f"{where}: unknown operator {unknown[0]!r}"
                + (f"; {hint}" if hint else f"; use {', '.join(LIST_OPERATORS)}, $substr")]
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
    shown = [{k: item[k] for k in keys if k in item} if isinstance(item, dict) else item
             for item in items]
    return json.dumps(shown)


# --- finding and reading tests ------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    case: Path
    expected: Path


@dataclass(frozen=True)
class Outcome:
    """One test's verdict: `passed`, `failed` (with each mismatch) or `error` (unreadable)."""

    case: Path
    status: str
    problems: tuple[str, ...] = ()
    rules_fired: tuple[str, ...] = ()


def find(paths: Iterable[str | Path]) -> tuple[list[Expectation], list[str]]:
    """The tests under `paths` (files or folders, searched recursively) and the problems
    met on the way: a case without its expectation, an expectation without its case."""
    tests: list[Expectation] = []
    problems: list[str] = []
    for path in map(Path, paths):
        if path.is_dir():
            cases = sorted(path.rglob("*.toml"))
            orphans = sorted(p for p in path.rglob(f"*{SUFFIX}")
                             if not _case_of(p).is_file())
            problems += [f"{p}: no case file {_case_of(p).name} beside it" for p in orphans]
        elif path.name.endswith(SUFFIX):
            cases = [_case_of(path)]
        elif path.is_file():
            cases = [path]
        else:
            problems.append(f"{path}: no such file or folder")
            continue
        for case in cases:
            expected = case.with_name(case.stem + SUFFIX)
            if expected.is_file():
                tests.append(Expectation(case, expected))
            elif not path.is_dir():
                problems.append(f"{case}: no expectation {expected.name} beside it")
    return tests, problems


def _case_of(expected: Path) -> Path:
    return expected.with_name(expected.name.removesuffix(SUFFIX) + ".toml")


def read_expected(path: Path) -> tuple[Any, str | None]:
    """The expectation document, or an error naming the line and column."""
    try:
        return json.loads(path.read_text(encoding="utf-8")), None
    except OSError as error:
        return None, f"{path}: cannot read: {error.strerror}"
    except UnicodeDecodeError:
        return None, f"{path}: not UTF-8 text"
    except json.JSONDecodeError as error:
        return None, f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}"


def judge(test: Expectation, expected: Any, actual: dict[str, Any]) -> Outcome:
    """Match one consultation's JSON against its expectation."""
    problems = tuple(mismatches(expected, actual))
    fired = tuple(actual.get("rules", {}))
    return Outcome(test.case, "failed" if problems else "passed", problems, fired)


def coverage(outcomes: Sequence[Outcome], rule_ids: Sequence[str]) -> tuple[int, list[str]]:
    """How many of `rule_ids` fired in some test, and the ones that never did."""
    fired = {r for o in outcomes for r in o.rules_fired}
    never = [r for r in rule_ids if r not in fired]
    return len(rule_ids) - len(never), never
