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

from cexpert.authoring.expect import Expectation, Outcome, coverage, find, judge, read_expected
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
    if not tests and not problems:
        sys.stderr.write("error: no tests found: a test is NAME.toml with "
                         "NAME.expected.json beside it\n")
        return 2
    outcomes = [run_one(service, test) for test in tests]
    outcomes += [Outcome(Path(p.split(":")[0]), "error", (p,)) for p in problems]
    fired, never = coverage(outcomes, [r.id for r in service.kb.rules])
    if args.format == "json":
        print(json.dumps(_as_json(outcomes, fired, never, len(service.kb.rules)), indent=2))
    else:
        print("\n".join(_text(outcomes, fired, never, len(service.kb.rules), args.verbose)))
    return 0 if all(o.status == "passed" for o in outcomes) else FAILED


def run_one(service: Service, test: Expectation) -> Outcome:
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
        lines.append(f"{'FAIL' if outcome.status == 'failed' else 'ERROR'}  "
                     f"{_name(outcome.case)}")
        lines += [f"      {p}" for p in outcome.problems]
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in ("passed", "failed",
                                                                      "error")}
    lines.append(f"{len(outcomes)} tests: {counts['passed']} passed, {counts['failed']} "
                 f"failed, {counts['error']} errors")
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
        "failed": sum(1 for o in outcomes if o.status != "passed"),
        "coverage": {"rules": rules, "fired": fired, "never_fired": never},
    }
