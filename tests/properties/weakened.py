"""Deliberately weakened copies of a knowledge base, to prove the oracle can fail.

Each weakening is text surgery on a copy of the rule files (a statement starts at
column 1, its continuation lines are indented), chosen by what the loaded
knowledge base declares, so it keeps working as the shipped rules grow.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from cexpert.language.knowledge import KnowledgeBase
from cexpert.resources import rules_dir

Statement = list[str]


def statements(text: str) -> list[Statement]:
    """The file's lines grouped by statement (comments and blank lines on their own)."""
    out: list[Statement] = []
    for line in text.splitlines(keepends=True):
        continues = line[:1] in (" ", "\t") and line.strip() and out and not \
            out[-1][0].lstrip().startswith("#")
        if continues:
            out[-1].append(line)
        else:
            out.append([line])
    return out


def rewrite(target: Path, change: Callable[[Statement], Statement | None]) -> Path:
    """A copy of the shipped rules in `target`, each statement passed through `change`
    (None drops it)."""
    shutil.copytree(rules_dir(), target)
    for path in sorted(target.glob("*.cex")):
        kept = [change(s) for s in statements(path.read_text(encoding="utf-8"))]
        path.write_text("".join("".join(s) for s in kept if s is not None), encoding="utf-8")
    return target


def without_rules(target: Path, rule_ids: Iterable[str]) -> Path:
    """The shipped rules minus the rules named."""
    pattern = re.compile(r"rule\s+(\w+)")
    ids = set(rule_ids)

    def change(statement: Statement) -> Statement | None:
        found = pattern.match(statement[0])
        return None if found and found.group(1) in ids else statement

    return rewrite(target, change)


EQUIPMENT = re.compile(r"\bequipment\s+\w+(\s*,\s*\w+)*\s*")


def without_equipment(target: Path) -> Path:
    """The shipped rules with no exercise needing any equipment."""

    def change(statement: Statement) -> Statement:
        if not statement[0].startswith("exercise "):
            return statement
        return [EQUIPMENT.sub("", line.rstrip("\n")).rstrip() + "\n" for line in statement]

    return rewrite(target, change)


def rules_concluding(kb: KnowledgeBase, kind: str) -> list[str]:
    """The ids of the (non-table-row) rules with a conclusion of `kind`."""
    return [r.id for r in kb.rules if not r.table_row
            and any(c.kind == kind for c in r.conclusions)]
