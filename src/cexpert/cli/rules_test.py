"""`cexpert test`: run a knowledge base's tests (case files with expectations).

For a rule author who changes a rule: which consultations still come out as
the domain tables say, which do not and where (a JSON path, what was expected,
what came out), and which rules no test makes fire.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cexpert.authoring.coverage import Coverage, table
from cexpert.authoring.expect import (
    Expectation,
    Outcome,
    coverage,
    find,
    judge,
    read_expected,
)
from cexpert.cli.consult import open_service
from cexpert.engine.case import CaseError
from cexpert.engine.compile import FiringLimitExceeded
from cexpert.service import Service

FAILED = 1  # a failing test is a knowledge base that does not do what it should


def cmd_test(args: argparse.Namespace) -> int:
    service = open_service(args.rules, args.profile)
    if isinstance(service, int):
        return service
    tests, problems = find(args.paths)
    if getattr(args, "k", None):
        tests = [t for t in tests if args.k.lower() in str(t.case).lower()]
    if not tests and not problems:
        sys.stderr.write("error: no tests found: a test is NAME.toml with "
                         "NAME.expected.json beside it\n")
        return 2
    covered = Coverage(service.kb)
    outcomes = [run_one(service, test, covered) for test in tests]
    if getattr(args, "bless", False):
        outcomes = [_bless(service, test, outcome) for test, outcome in
                    zip(tests, outcomes, strict=True)]
    outcomes += [Outcome(Path(p.split(":")[0]), "error", (p,)) for p in problems]
    fired, never = coverage(outcomes, [r.id for r in service.kb.rules])
    if args.format == "json":
        report = _as_json(outcomes, fired, never, len(service.kb.rules))
        report["coverage"].update(_coverage_json(covered))
        print(json.dumps(report, indent=2))
    elif args.format == "junit":
        print(junit(outcomes))
    else:
        print("\n".join(_text(outcomes, fired, never, len(service.kb.rules), args.verbose)))
        print("\n".join(_coverage_text(covered, args.verbose)))
    return 0 if all(o.status in ("passed", "blessed") for o in outcomes) else FAILED


def run_one(service: Service, test: Expectation, covered: Coverage | None = None) -> Outcome:
    """One test: its expectation read, its case consulted, the two matched."""
    expected, error = read_expected(test.expected)
    if error is not None:
        return Outcome(test.case, "error", (error,))
    try:
        result = service.consult(service.read_case(test.case))
    except CaseError as problem:
        return Outcome(test.case, "error", tuple(str(problem).splitlines()))
    except FiringLimitExceeded as problem:
        return Outcome(test.case, "error", (str(problem),))
    if covered is not None:
        covered.record(result)
    return judge(test, expected, result.as_json())


def _name(path: Path) -> str:
    """The path as the author would type it: relative below the working folder."""
    resolved = path.resolve()
    cwd = Path.cwd()
    return str(resolved.relative_to(cwd)) if resolved.is_relative_to(cwd) else str(resolved)


def _text(outcomes: list[Outcome], fired: int, never: list[str], rules: int,
          verbose: bool) -> list[str]:
    lines = []
    for outcome in outcomes:
        if outcome.status == "passed":
            if verbose:
                lines.append(f"PASS  {_name(outcome.case)}")
            continue
        if outcome.status == "blessed":
            lines.append(f"BLESSED  {_name(outcome.case)}")
            continue
        lines.append(f"{'FAIL' if outcome.status == 'failed' else 'ERROR'}  "
                     f"{_name(outcome.case)}")
        lines += [f"      {p}" for p in outcome.problems]
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in ("passed", "failed",
                                                                      "error", "blessed")}
    blessed = f", {counts['blessed']} blessed" if counts["blessed"] else ""
    lines.append(f"{len(outcomes)} tests: {counts['passed']} passed, {counts['failed']} "
                 f"failed, {counts['error']} errors{blessed}")
    percent = 100 * fired / rules if rules else 100.0
    lines.append(f"rule coverage: {fired}/{rules} rules fired in some test ({percent:.0f}%)")
    if never:
        shown = never if verbose else never[:10]
        more = f" and {len(never) - len(shown)} more (-v lists them)" if len(shown) < len(
            never) else ""
        lines.append("never fired: " + ", ".join(shown) + more)
    return lines


def _as_json(outcomes: list[Outcome], fired: int, never: list[str], rules: int) -> dict:
    return {
        "tests": [{"case": _name(o.case), "status": o.status, "problems": list(o.problems)}
                  for o in outcomes],
        "passed": sum(1 for o in outcomes if o.status == "passed"),
        "failed": sum(1 for o in outcomes if o.status in ("failed", "error")),
        "blessed": sum(1 for o in outcomes if o.status == "blessed"),
        "coverage": {"rules": rules, "fired": fired, "never_fired": never},
    }


def _coverage_text(covered: Coverage, verbose: bool) -> list[str]:
    totals = covered.totals()
    lines = []
    for kind, (done, total) in totals.items():
        if kind == "rules":
            continue  # said above, with the rules that never fired
        percent = 100 * done / total if total else 100.0
        lines.append(f"{kind[:-1] if kind != 'branches' else 'branch'} coverage: {done}/{total} "
                     f"{kind} ({percent:.0f}%)")
    untaken = covered.untaken()
    if untaken:
        shown = untaken if verbose else untaken[:10]
        lines.append("branches never taken: " + ", ".join(
            f"{b.rule} ({b.span.line}:{b.span.column})" for b in shown)
            + (f" and {len(untaken) - len(shown)} more (-v lists them)"
               if len(shown) < len(untaken) else ""))
    unused = covered.unused()
    if unused:
        shown = unused if verbose else unused[:10]
        lines.append("exercises in no program: " + ", ".join(shown)
                     + (f" and {len(unused) - len(shown)} more (-v lists them)"
                        if len(shown) < len(unused) else ""))
    return [*lines, "", *table(covered)]


def _coverage_json(covered: Coverage) -> dict:
    totals = covered.totals()
    return {
        "branches": {"total": totals["branches"][1], "taken": totals["branches"][0],
                     "never_taken": [{"rule": b.rule, "line": b.span.line,
                                      "column": b.span.column} for b in covered.untaken()]},
        "exercises": {"total": totals["exercises"][1], "used": totals["exercises"][0],
                      "unused": covered.unused()},
        "files": [{"file": _name(Path(f.file)), "rules": f.rules, "rules_missed": f.rules_missed,
                   "branches": f.branches, "branches_missed": f.branches_missed,
                   "percent": round(f.percent, 1), "missing_lines": list(f.missing_lines)}
                  for f in covered.files()],
    }


def junit(outcomes: list[Outcome]) -> str:
    """The outcomes as JUnit XML, which CI systems show test by test."""
    from xml.etree import ElementTree as ET

    failures = sum(1 for o in outcomes if o.status == "failed")
    errors = sum(1 for o in outcomes if o.status == "error")
    suite = ET.Element("testsuite", name="cexpert", tests=str(len(outcomes)),
                       failures=str(failures), errors=str(errors))
    for outcome in outcomes:
        case = ET.SubElement(suite, "testcase", classname="cexpert.rules",
                             name=_name(outcome.case))
        if outcome.status != "passed":
            tag = "failure" if outcome.status == "failed" else "error"
            problem = ET.SubElement(case, tag, message=outcome.problems[0] if outcome.problems
                                    else outcome.status)
            problem.text = "\n".join(outcome.problems)
    ET.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding="unicode")


def _bless(service: Service, test: Expectation, outcome: Outcome) -> Outcome:
    """A failing test's expectation rewritten from today's output (its stated keys only),
    printed as a diff; the test then counts as blessed, not passed."""
    from cexpert.authoring.bless import as_text, bless, diff
    from cexpert.language.writing import write_text_atomically

    if outcome.status != "failed":
        return outcome
    expected, _ = read_expected(test.expected)
    actual = service.consult(service.read_case(test.case)).as_json()
    before = test.expected.read_text(encoding="utf-8")
    after = as_text(bless(expected, actual))
    if after == before:
        return outcome
    sys.stdout.write(diff(_name(test.expected), before, after))
    write_text_atomically(test.expected, after)
    left = judge(test, json.loads(after), actual)
    return Outcome(test.case, "blessed" if left.status == "passed" else "failed",
                   left.problems, outcome.rules_fired)
