"""Strata and usefulness: cycles rejected, rules that can never fire reported."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from cexpert.language import limits
from cexpert.language.check.names import with_changes
from cexpert.language.knowledge import (
    Atom,
    Cond,
    KbRule,
    NoneOf,
)
from cexpert.language.schema import DERIVED_KINDS, STATES


class StrataChecks:
    """Checks across rules: stratification and whether each rule can ever fire."""

    def stratify(self, rules: list[KbRule], producers: Producers) -> list[KbRule]:
        """Give each rule a stratum; report positive cycles and cycles through `not`."""
        edges: dict[str, list[tuple[str, bool]]] = {r.id: [] for r in rules}
        for rule in rules:
            out = edges[rule.id]
            for predicate, negated in _tested(rule.condition):
                out += [(producer, negated) for producer in producers.of(predicate)]
        by_id = {r.id: r for r in rules}
        if self._chain_too_long(rules, edges):
            return rules  # stratifying would recurse as deep as the chain
        stratum: dict[str, int] = {}
        state: dict[str, int] = {}
        reported: set[frozenset[str]] = set()

        def visit(rule_id: str, path: list[tuple[str, bool]]) -> int:
            if state.get(rule_id) == 2:
                return stratum[rule_id]
            if state.get(rule_id) == 1:
                at = next(i for i, (r, _) in enumerate(path) if r == rule_id)
                cycle = path[at:]
                key = frozenset(r for r, _ in cycle)
                if key not in reported:
                    reported.add(key)
                    self._report_cycle(cycle, by_id)
                return 0
            state[rule_id] = 1
            level = 0
            for dep, negated in edges[rule_id]:
                below = visit(dep, [*path, (rule_id, negated)])
                level = max(level, below + (1 if negated else 0))
            state[rule_id] = 2
            stratum[rule_id] = level
            return level

        for rule in rules:
            visit(rule.id, [])
        return [r if r.stratum == stratum.get(r.id, 0) else  # most rules stay at 0
                with_changes(r, stratum=stratum.get(r.id, 0)) for r in rules]

    def _chain_too_long(self, rules: list[KbRule],
                        edges: dict[str, list[tuple[str, bool]]]) -> bool:
        """A chain of more than MAX_CHAIN rules, each testing what the one before it
        concludes, is an error: explanations follow the chain to its inputs."""
        depth = chain_depths(rules, edges)
        deepest = max(rules, key=lambda r: depth[r.id], default=None)
        if deepest is None or depth[deepest.id] <= limits.MAX_CHAIN:
            return False
        self.error("E209", f"rule '{deepest.id}' ends a chain of {depth[deepest.id]:,} "
                   "rules, each testing what the one before it concludes; the limit is "
                   f"{limits.MAX_CHAIN} (an explanation follows the chain to its inputs)",
                   deepest.span,
                   help="conclude what the later rules need from the findings directly")
        return True

    def _report_cycle(self, cycle: list[tuple[str, bool]], by_id: dict[str, KbRule]) -> None:
        names = [r for r, _ in cycle]
        first = by_id[names[0]]
        chain = " → ".join([*names, names[0]])
        if any(negated for _, negated in cycle):
            self.error(
                "E302", "these rules depend on each other through 'not', so their result "
                "would depend on firing order", first.span, notes=(f"cycle: {chain}",),
                help="break the cycle: a rule must not (indirectly) negate its own conclusion",
            )
        else:
            self.error(
                "E301", "these rules would re-fire forever: each one's conclusion feeds the "
                "next", first.span, notes=(f"cycle: {chain}",),
                help="remove one link of the cycle",
            )

    # --- rules that can never fire, conclusions nothing uses ------------------------------
    def check_usefulness(self, rules: list[KbRule], entries, producers: Producers) -> None:
        for rule in rules:
            for predicate, negated in _tested(rule.condition):
                kind, ident = predicate
                if negated or kind not in DERIVED_KINDS:
                    continue
                if not producers.of(predicate):
                    what = f"{kind} {ident}" if ident else kind
                    self.error(
                        "E303", f"rule '{rule.id}' can never fire: no rule concludes "
                        f"'{what}'", rule.span,
                    )
        tested = {p for r in rules for p, _ in _tested(r.condition)}
        treated = _treated_muscles(entries)
        for rule in rules:
            for c in rule.conclusions:
                if c.kind not in STATES:
                    continue
                muscle = c.data["muscle"]
                if (c.kind, muscle) in tested or (c.kind, None) in tested:
                    continue
                if muscle not in treated.get(c.kind, set()):
                    self.warn(
                        "W304", f"nothing uses '{c.kind} {muscle}': no exercise of a phase "
                        f"that treats {c.kind} muscles targets it, and no rule tests it",
                        c.span, help=f"declare an exercise that targets {muscle}",
                    )


def _tested(cond: Cond, negated: bool = False) -> list[tuple[tuple[str, str | None], bool]]:
    if isinstance(cond, Atom):
        return [((cond.kind, cond.id), negated)]
    if isinstance(cond, NoneOf):
        return _tested(cond.operand, True)
    return [t for o in cond.operands for t in _tested(o, negated)]


def _produced(rule: KbRule) -> list[tuple[str, str | None]]:
    out = []
    for c in rule.conclusions:
        if c.kind in STATES:
            out.append((c.kind, c.data["muscle"]))
            out.append(("evidence", c.data["muscle"]))  # counted once every muscle is known
        elif c.kind == "dysfunction":
            out.append(("dysfunction", c.data["dysfunction"]))
        elif c.kind == "refer":
            out.append(("referral", None))
        elif c.kind == "fms_target":  # the priority is computed from every target
            out.append(("fms_priority", None))
    return out


class Producers:
    """Which rules (by id) can produce a tested predicate; an id of None means any id.

    Built once per check for `stratify` and `check_usefulness`: a stratum changes
    nothing a rule produces."""

    def __init__(self, rules: Sequence[KbRule]):
        self.exact: dict[tuple[str, str | None], list[str]] = defaultdict(list)
        self.by_kind: dict[str, list[str]] = defaultdict(list)
        self.wildcard: dict[str, list[str]] = defaultdict(list)
        for rule in rules:
            for predicate in dict.fromkeys(_produced(rule)):
                kind, ident = predicate
                self.by_kind[kind].append(rule.id)
                if ident is None:
                    self.wildcard[kind].append(rule.id)
                else:
                    self.exact[predicate].append(rule.id)

    def of(self, predicate: tuple[str, str | None]) -> list[str]:
        kind, ident = predicate
        if ident is None:
            return list(dict.fromkeys(self.by_kind.get(kind, ())))
        # a rule is in `exact` once per predicate, but may be in `wildcard` too
        return list(dict.fromkeys([*self.exact.get(predicate, ()),
                                   *self.wildcard.get(kind, ())]))


def _treated_muscles(entries) -> dict[str, set[str]]:
    treated: dict[str, set[str]] = defaultdict(set)
    for exercise in entries["exercise"].values():
        phase = entries["phase"].get(exercise.one("phase") or "")
        if phase is None:
            continue
        state = phase.one("treats")
        treated[state].update(exercise.many("targets"))
        treated[state].update(exercise.many("covers"))
    return treated


def chain_depths(rules: Sequence[KbRule], edges: dict[str, list[tuple[str, bool]]]
                 ) -> dict[str, int]:
    """For each rule, the number of rules in the longest chain ending at it (1: it
    rests on input only). Iterative, so any depth is measured; an edge back into a
    cycle counts as nothing (cycles are reported by `stratify`)."""
    depth: dict[str, int] = {}
    on_path: set[str] = set()
    for rule in rules:
        if rule.id in depth:
            continue
        stack = [(rule.id, iter(edges[rule.id]))]
        on_path.add(rule.id)
        while stack:
            current, pending = stack[-1]
            for dependency, _ in pending:
                if dependency not in depth and dependency not in on_path:
                    on_path.add(dependency)
                    stack.append((dependency, iter(edges[dependency])))
                    break
            else:
                stack.pop()
                on_path.discard(current)
                depth[current] = 1 + max((depth.get(d, 0) for d, _ in edges[current]),
                                         default=0)
    return depth
