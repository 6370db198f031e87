"""Facts with provenance: the currency between inference and explanation.

Every fact records where it came from: `input` (entered by the trainer),
`rule` (derived by a rule from its premises) or `builtin` (computed by code
that says so, e.g. FMS arithmetic). Following premises from any fact back to
the input rebuilds its whole chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

INPUT = "input"
RULE = "rule"
BUILTIN = "builtin"


@dataclass(frozen=True)
class Fact:
    """A fact with its provenance: its rule and premises, or the input or builtin it came from."""

    id: str
    kind: str
    data: Mapping[str, Any]
    rule: str | None
    premises: tuple[str, ...]
    origin: str

    def __init__(self, id: str, kind: str, data: Mapping[str, Any], rule: str | None,
                 premises: tuple[str, ...], origin: str) -> None:
        """The generated one, without its `object.__setattr__` per field: a consultation
        makes a hundred facts and more, and that was a twentieth of it."""
        fields = self.__dict__
        fields["id"], fields["kind"], fields["data"] = id, kind, data
        fields["rule"], fields["premises"], fields["origin"] = rule, premises, origin

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "data": dict(self.data),
            "rule": self.rule,
            "premises": list(self.premises),
            "origin": self.origin,
        }


class FactBook:
    """Numbers facts in the order they are made, so ids are deterministic."""

    def __init__(self) -> None:
        self.facts: dict[str, Fact] = {}
        #: kind -> (number, fact) in the order made: `of_kind` is asked ~30 times per
        #: consultation, and scanning every fact each time was a tenth of one
        self._by_kind: dict[str, list[tuple[int, Fact]]] = {}
        self._inputs: dict[str, frozenset[str]] = {}  # fact id -> inputs_behind it

    def add(self, kind: str, data: Mapping[str, Any], *, origin: str,
            rule: str | None = None, premises: tuple[str, ...] = ()) -> Fact:
        number = len(self.facts) + 1
        fact = Fact(f"f{number}", kind, dict(data), rule, tuple(premises), origin)
        self.facts[fact.id] = fact
        made = self._by_kind.get(kind)
        if made is None:
            self._by_kind[kind] = [(number, fact)]
        else:
            made.append((number, fact))
        return fact

    def __getitem__(self, fact_id: str) -> Fact:
        return self.facts[fact_id]

    def of_kind(self, *kinds: str) -> list[Fact]:
        """The facts of these kinds, in the order they were made."""
        if len(kinds) == 1:
            return [f for _, f in self._by_kind.get(kinds[0], ())]
        found = [entry for kind in dict.fromkeys(kinds) for entry in self._by_kind.get(kind, ())]
        found.sort(key=itemgetter(0))  # the order made
        return [f for _, f in found]

    def inputs_behind(self, fact_id: str) -> frozenset[str]:
        """The input facts at the leaves of a fact's proof tree. Kept per fact: a fact's
        premises never change, and evidence and scores ask again for the same chains.
        Worked out with a stack, not by recursion: a chain may be thousands of facts deep."""
        known = self._inputs
        stack = [fact_id]
        while stack:
            current = stack[-1]
            if current in known:
                stack.pop()
                continue
            fact = self.facts[current]
            pending = [p for p in fact.premises if p not in known]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            known[current] = frozenset((current,) if fact.origin == INPUT else ()).union(
                *(known[p] for p in fact.premises))
        return known[fact_id]
