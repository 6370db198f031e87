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
from cexpert.language.reading import EXPECTATION_FILE_LIMIT, ReadProblem, read_text

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


#: Deeper than any consultation's JSON (a few levels); the matcher recurses per level.
MAX_DEPTH = 100


def read_expected(path: Path) -> tuple[Any, str | None]:
    """The expectation document, or an error naming the line and column, or what in
    it is of the wrong type: never an exception from the matcher later."""
    try:
        document = json.loads(read_text(path, EXPECTATION_FILE_LIMIT, "expectation file"))
    except ReadProblem as problem:
        return None, f"{path}: {problem.message}"
    except json.JSONDecodeError as error:
        return None, f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}"
    except RecursionError:
        return None, f"{path}: nests more than {MAX_DEPTH} levels deep"
    problem = shape_problem(document)
    return (None, f"{path}: {problem}") if problem else (document, None)


def shape_problem(document: Any) -> str | None:
    """The first part of an expectation the matcher cannot use, in words, or None.

    Walked with a stack, not recursion, so a document 100,000 levels deep is
    reported rather than crashing the walk."""
    if not isinstance(document, dict):
        return f"an expectation is a JSON object, got {_kind(document)}"
    stack: list[tuple[Any, str, int]] = [(document, "$", 1)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"{where}: nests more than {MAX_DEPTH} levels deep"
        if isinstance(value, dict):
            for operator in ("$contains", "$absent", "$ordered"):
                if operator in value and not isinstance(value[operator], list):
                    return f"{where}.{operator}: must be a list, got {_kind(value[operator])}"
            if "$len" in value and (type(value["$len"]) is not int or value["$len"] < 0):
                return f"{where}.$len: must be a whole number of items, got " \
                       f"{_kind(value['$len'])}"
            if "$substr" in value and not isinstance(value["$substr"], str):
                return f"{where}.$substr: must be a string, got {_kind(value['$substr'])}"
            stack.extend((v, f"{where}.{k}", depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value))
    return None


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true or false",
             int: "a number", float: "a number", type(None): "null"}
    shown = json.dumps(value)[:40] if not isinstance(value, dict | list) else ""
    return names.get(type(value), type(value).__name__) + (f" ({shown})" if shown else "")


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
