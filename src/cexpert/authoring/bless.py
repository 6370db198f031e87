"""`cexpert test --bless`: update an expectation to today's output, for the keys the
test already states and nothing more, so a blessed test still says only what it is
about. Used only on failing tests, and always shown as a diff.

An object keeps its keys, each blessed; a list of the same length is blessed item by
item, a list of another length becomes today's list cut to the keys its items stated;
`$len` takes today's length; a value that no longer matches takes today's value.
`$contains`, `$absent`, `$ordered` and `$substr` state a property, not a value: they are
kept, and a failure of theirs is left for the author (the diff shows it unchanged).
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from cexpert.authoring.expect import mismatches

KEPT = ("$contains", "$absent", "$ordered", "$substr")


def bless(expected: Any, actual: Any) -> Any:
    """`expected` with each stated value replaced by today's, where it differs."""
    if not mismatches(expected, actual):
        return expected
    if isinstance(expected, dict):
        if any(k in expected for k in KEPT):
            out = dict(expected)
            if "$len" in out and isinstance(actual, list):
                out["$len"] = len(actual)
            return out
        if "$len" in expected:
            return {"$len": len(actual)} if isinstance(actual, list) else actual
        if not isinstance(actual, dict):
            return actual
        return {k: bless(v, actual[k]) if k in actual else v for k, v in expected.items()}
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) == len(actual):
            return [bless(e, a) for e, a in zip(expected, actual, strict=True)]
        keys = {k for e in expected if isinstance(e, dict) for k in e}
        if keys:
            return [{k: v for k, v in a.items() if k in keys} if isinstance(a, dict) else a
                    for a in actual]
        return actual
    return actual


def as_text(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def diff(path: str, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                        path, f"{path} (blessed)"))
