"""What a knowledge base's tests exercise: rules fired, `or` branches taken, exercises
chosen, and per file the lines no test reaches, as coverage.py reports a program.

A branch (one operand of an `or`) is taken when its rule fired in a test and the
branch held in that consultation's working memory. A branch under a `not` can never
hold where its rule fires (the `not` forbids it), so it is taken when it held in a test
where its rule did not fire: a test saw that guard at work. An exercise is covered when
some test's program contains it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from cexpert.engine.result import Result
from cexpert.explain.why_not import condition_holds
from cexpert.language.knowledge import (
    AllOf,
    AnyOf,
    Cond,
    KbRule,
    KnowledgeBase,
    NoneOf,
    atoms_of,
)
from cexpert.language.syntax_tree import Span


@dataclass(frozen=True)
class Branch:
    rule: str
    index: int  # the branch's place among every `or` operand of its rule
    condition: Cond = field(compare=False, hash=False)
    span: Span = field(compare=False, hash=False)
    negated: bool = field(default=False, compare=False, hash=False)  # under an odd number of `not`s


def branches_of(rule: KbRule) -> list[Branch]:
    """Every operand of every `or` in the rule's condition, in reading order."""
    found: list[Branch] = []

    def walk(cond: Cond, negated: bool) -> None:
        if isinstance(cond, AnyOf):
            for operand in cond.operands:
                found.append(Branch(rule.id, len(found), operand, _span(operand), negated))
        if isinstance(cond, NoneOf):
            walk(cond.operand, not negated)
        elif isinstance(cond, AllOf | AnyOf):
            for operand in cond.operands:
                walk(operand, negated)

    walk(rule.condition, False)
    return found


def _span(cond: Cond) -> Span:
    atoms = atoms_of(cond)
    first, last = atoms[0].span, atoms[-1].span
    return Span(first.file, first.line, first.column, last.end_line, last.end_column)


@dataclass
class Coverage:
    """Coverage of one knowledge base, recorded test by test."""

    kb: KnowledgeBase
    fired: set[str] = field(default_factory=set)
    taken: set[Branch] = field(default_factory=set)
    used: set[str] = field(default_factory=set)

    @property
    def branches(self) -> list[Branch]:
        return [b for r in self.kb.rules for b in branches_of(r)]

    def record(self, result: Result) -> None:
        fired = set(result.rules)
        self.fired |= fired
        for rule in self.kb.rules:
            for branch in branches_of(rule):
                # a plain branch counts where its rule fired, a negated one where it did not
                if (branch not in self.taken and (rule.id in fired) != branch.negated
                        and condition_holds(branch.condition, result, self.kb)):
                    self.taken.add(branch)
        self.used |= {item.exercise for item in result.program}

    # --- summaries ---------------------------------------------------------------------------
    def totals(self) -> dict[str, tuple[int, int]]:
        """kind -> (covered, total) for rules, branches and exercises."""
        exercises = list(self.kb.of("exercise"))
        return {
            "rules": (sum(1 for r in self.kb.rules if r.id in self.fired), len(self.kb.rules)),
            "branches": (len(self.taken), len(self.branches)),
            "exercises": (sum(1 for e in exercises if e in self.used), len(exercises)),
        }

    def never_fired(self) -> list[str]:
        return [r.id for r in self.kb.rules if r.id not in self.fired]

    def untaken(self) -> list[Branch]:
        return [b for b in self.branches if b not in self.taken]

    def unused(self) -> list[str]:
        return [e for e in self.kb.of("exercise") if e not in self.used]

    def files(self) -> list[FileCoverage]:
        """Per file: rules and branches, covered and not, and the lines no test reaches."""
        rules: dict[str, list[KbRule]] = defaultdict(list)
        for rule in self.kb.rules:
            rules[rule.file].append(rule)
        out = []
        for file, in_file in rules.items():
            missing: set[int] = set()
            for rule in in_file:
                if rule.id not in self.fired:
                    missing |= set(range(rule.span.line, rule.span.end_line + 1))
            branches = [b for r in in_file for b in branches_of(r)]
            untaken = [b for b in branches if b not in self.taken]
            for branch in untaken:
                if branch.rule in self.fired or branch.negated:
                    missing |= set(range(branch.span.line, branch.span.end_line + 1))
            out.append(FileCoverage(
                file, len(in_file), sum(1 for r in in_file if r.id not in self.fired),
                len(branches), len(untaken), tuple(sorted(missing))))
        return out


@dataclass(frozen=True)
class FileCoverage:
    file: str
    rules: int
    rules_missed: int
    branches: int
    branches_missed: int
    missing_lines: tuple[int, ...]

    @property
    def percent(self) -> float:
        total = self.rules + self.branches
        covered = total - self.rules_missed - self.branches_missed
        return 100.0 * covered / total if total else 100.0

    def ranges(self) -> str:
        """Missing lines as coverage.py writes them: 12-14, 20."""
        spans: list[list[int]] = []
        for line in self.missing_lines:
            if spans and line == spans[-1][1] + 1:
                spans[-1][1] = line
            else:
                spans.append([line, line])
        return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans)


def table(coverage: Coverage, relative_to: Path | None = None) -> list[str]:
    """The per-file table, coverage.py style."""
    rows = [("File", "Rules", "Miss", "Branch", "BrMiss", "Cover", "Missing")]
    for f in coverage.files():
        name = _shown(f.file, relative_to)
        rows.append((name, str(f.rules), str(f.rules_missed), str(f.branches),
                     str(f.branches_missed), f"{f.percent:.0f}%", f.ranges()))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    return ["  ".join([r[0].ljust(widths[0]), *(r[i].rjust(widths[i]) for i in range(1, 6)),
                       r[6]]).rstrip() for r in rows]


def _shown(file: str, base: Path | None) -> str:
    path = Path(file).resolve()
    base = (base or Path.cwd()).resolve()
    return str(path.relative_to(base)) if path.is_relative_to(base) else file
