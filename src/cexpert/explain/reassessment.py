"""A reassessment compared with an earlier visit, from the two consultations' results.

Works on the stored `--format json` contract (a visit's result may be years old, made
by another knowledge base), so it needs no knowledge base: what changed in the FMS, the
findings entered, the muscles' states and the program, with the knowledge-base hash of
each side so a difference the rules made is told from one the client made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FmsChange:
    test: str
    side: str  # left | right | both
    before: int | None
    after: int | None


@dataclass(frozen=True)
class MuscleChange:
    muscle: str
    name: str
    before: str  # the states concluded, with sides: "overactive", "underactive (left)", "none"
    after: str


@dataclass(frozen=True)
class Comparison:
    kb_before: str
    kb_after: str
    fms: tuple[FmsChange, ...]
    fms_total: tuple[int | None, int | None]
    resolved: tuple[str, ...]    # findings "assessment: finding (side)"
    new: tuple[str, ...]
    persisting: tuple[str, ...]
    muscles: tuple[MuscleChange, ...]
    program_added: tuple[str, ...]
    program_dropped: tuple[str, ...]
    program_status: tuple[str, str]
    referral: tuple[bool, bool]

    @property
    def same_rules(self) -> bool:
        return self.kb_before == self.kb_after

    @property
    def unchanged(self) -> bool:
        return not (any(c.before != c.after for c in self.fms) or self.resolved or self.new
                    or self.muscles or self.program_added or self.program_dropped
                    or self.program_status[0] != self.program_status[1]
                    or self.referral[0] != self.referral[1])

    def as_json(self) -> dict[str, Any]:
        return {
            "knowledge_base": {"before": self.kb_before, "after": self.kb_after},
            "fms": [vars(c) for c in self.fms],
            "fms_total": {"before": self.fms_total[0], "after": self.fms_total[1]},
            "findings": {"resolved": list(self.resolved), "new": list(self.new),
                         "persisting": list(self.persisting)},
            "muscles": [vars(m) for m in self.muscles],
            "program": {"added": list(self.program_added),
                        "dropped": list(self.program_dropped),
                        "status": {"before": self.program_status[0],
                                   "after": self.program_status[1]}},
            "referral": {"before": self.referral[0], "after": self.referral[1]},
        }


def compare(before: Mapping[str, Any], after: Mapping[str, Any]) -> Comparison:
    """What changed from `before` to `after` (two results as stored)."""
    was, now = findings(before), findings(after)
    return Comparison(
        kb_before=before.get("knowledge_base", {}).get("hash", ""),
        kb_after=after.get("knowledge_base", {}).get("hash", ""),
        fms=_fms(before, after),
        fms_total=(_total(before), _total(after)),
        resolved=tuple(sorted(was - now)),
        new=tuple(sorted(now - was)),
        persisting=tuple(sorted(was & now)),
        muscles=_muscles(before, after),
        program_added=tuple(sorted(_program(after) - _program(before))),
        program_dropped=tuple(sorted(_program(before) - _program(after))),
        program_status=(str(before.get("program_status")), str(after.get("program_status"))),
        referral=(bool(before["referral"]["required"]), bool(after["referral"]["required"])),
    )


def findings(result: Mapping[str, Any]) -> set[str]:
    """The findings entered (as input facts), one word each: 'ohsa: heels_rise (left)'."""
    out = set()
    for fact in result.get("facts", {}).values():
        if fact.get("kind") != "finding":
            continue
        data = fact.get("data", {})
        side = data.get("side", "both")
        out.add(f"{data.get('assessment')}: {data.get('finding')}"
                + ("" if side == "both" else f" ({side})"))
    return out


def _total(result: Mapping[str, Any]) -> int | None:
    fms = result.get("fms") or {}
    return fms.get("total")


def _fms_scores(result: Mapping[str, Any]) -> dict[tuple[str, str], int]:
    fms = result.get("fms") or {}
    out = {(test, "both"): score for test, score in fms.get("scores", {}).items()}
    for test, sides in fms.get("sides", {}).items():
        for side, score in sides.items():
            out[(test, side)] = score
    return out


def _fms(before, after) -> tuple[FmsChange, ...]:
    a, b = _fms_scores(before), _fms_scores(after)
    return tuple(FmsChange(test, side, a.get((test, side)), b.get((test, side)))
                 for test, side in sorted(set(a) | set(b)))


def _states(result: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Each muscle concluded: (its state and sides in words, its name)."""
    sides: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for m in result.get("muscles", []):
        word = m["state"] + ("" if m["side"] == "both" else f" ({m['side']})")
        sides.setdefault(m["id"], []).append(word)
        names[m["id"]] = m["name"]
    return {k: (", ".join(sorted(v)), names[k]) for k, v in sides.items()}


def _muscles(before, after) -> tuple[MuscleChange, ...]:
    a, b = _states(before), _states(after)
    out = []
    for muscle in sorted(set(a) | set(b)):
        was, now = a.get(muscle, ("none", "")), b.get(muscle, ("none", ""))
        if was[0] != now[0]:
            out.append(MuscleChange(muscle, now[1] or was[1], was[0], now[0]))
    return tuple(out)


def _program(result: Mapping[str, Any]) -> set[str]:
    return {f"{p['phase']}: {p['exercise']}"
            + ("" if p.get("side", "both") in ("both", None) else f" ({p['side']})")
            for p in result.get("program", [])}
