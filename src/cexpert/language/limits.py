"""The sizes a rule must stay within, so that what `check` accepts the engine can run.

Each limit is where something downstream stops working, checked here so that it is
a diagnostic with the limit in words instead of a crash or a hang later:

* nesting: `resolve_condition`, the compiler and the explanations recurse once per
  level of `and`/`or`/`not`/parentheses;
* alternatives: the compiler spreads `or` out (disjunctive normal form), one engine
  rule per alternative, so `(a or b) and (a or b) ...` doubles with every `and`;
* conditions held together: Experta's matcher recurses once per pattern of a rule
  and joins every pattern with every other, so one alternative's patterns are few;
* chains of rules: an explanation follows each conclusion back to the input, a
  level per rule (checked across rules, in `check/strata.py`).

The shipped rules stay far inside (at most 10 alternatives, 5 conditions, 3 levels).
"""

from __future__ import annotations

from dataclasses import dataclass

from cexpert.language.knowledge import AllOf, AnyOf, Atom, Cond, NoneOf

#: Every number a rule file writes (ages, scores, doses, weeks, salience) lies within
#: plus or minus this: beyond it a float is inexact or infinite, and JSON has no inf.
MAX_NUMBER = 1_000_000
MAX_NESTING = 32
MAX_ALTERNATIVES = 256
MAX_TOGETHER = 32
#: Rules in one chain (each testing what the one before concludes): `why` follows a
#: chain to its inputs, one level at a time.
MAX_CHAIN = 100


@dataclass(frozen=True)
class Shape:
    """How big a condition is for the engine."""

    nesting: int  # levels of and/or/not
    alternatives: int  # branches of its disjunctive normal form
    together: int  # engine patterns in its largest branch


def shape(condition: Cond) -> Shape:
    """The condition's shape; recursion is bounded by the parser's own nesting limit."""
    if isinstance(condition, Atom):
        return Shape(0, 1, 1)
    if isinstance(condition, NoneOf):
        inner = shape(condition.operand)
        # one NOT per inner alternative, each with the inner patterns under it
        return Shape(inner.nesting + 1, max(1, inner.alternatives),
                     inner.alternatives * inner.together)
    parts = [shape(o) for o in condition.operands]
    nesting = 1 + max((p.nesting for p in parts), default=0)
    if isinstance(condition, AnyOf):
        return Shape(nesting, sum(p.alternatives for p in parts),
                     max((p.together for p in parts), default=0))
    assert isinstance(condition, AllOf)
    alternatives = 1
    for p in parts:
        alternatives *= p.alternatives
    return Shape(nesting, alternatives, sum(p.together for p in parts))


def problems(condition: Cond) -> list[str]:
    """Each limit the condition exceeds, in words; empty when the engine can run it."""
    found = shape(condition)
    out = []
    if found.nesting > MAX_NESTING:
        out.append(f"its conditions nest {found.nesting} levels deep; the limit is "
                   f"{MAX_NESTING} levels of 'and', 'or', 'not' and parentheses")
    if found.alternatives > MAX_ALTERNATIVES:
        out.append(f"its 'or's give {_count(found.alternatives)} alternatives once spread "
                   f"out; the limit is {MAX_ALTERNATIVES} (each becomes its own engine rule)")
    if found.together > MAX_TOGETHER:
        out.append(f"it tests {_count(found.together)} conditions that must hold together; "
                   f"the limit is {MAX_TOGETHER} in one alternative")
    return out


def _count(number: int) -> str:
    """A count in words a reader can take in: 1,099,511,627,776 or 'more than 10^30'."""
    return f"{number:,}" if number < 10**30 else "more than 10^30"
