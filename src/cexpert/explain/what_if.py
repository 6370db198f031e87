"""What a change changes: two consultations compared section by section."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cexpert.engine.result import Result


@dataclass(frozen=True)
class Change:
    section: str
    sign: str  # "+" added, "-" removed
    text: str


def diff(before: Result, after: Result) -> tuple[Change, ...]:
    """What changed between two consultations, section by section."""
    changes: list[Change] = []

    def compare(section: str, old: Sequence[str], new: Sequence[str]) -> None:
        old, new = list(dict.fromkeys(old)), list(dict.fromkeys(new))
        for item in old:
            if item not in new:
                changes.append(Change(section, "-", item))
        for item in new:
            if item not in old:
                changes.append(Change(section, "+", item))

    compare("referral", _referral_lines(before), _referral_lines(after))
    compare("dysfunctions", [d.name for d in before.dysfunctions],
            [d.name for d in after.dysfunctions])
    compare("muscles", [f"{m.name} {m.state} ({m.side}, score {m.score})"
                        for m in before.muscles],
            [f"{m.name} {m.state} ({m.side}, score {m.score})" for m in after.muscles])
    compare("conflicts", [c.name for c in before.conflicts], [c.name for c in after.conflicts])
    compare("program", [f"{p.phase}: {p.name} ({p.side})" for p in before.program],
            [f"{p.phase}: {p.name} ({p.side})" for p in after.program])
    compare("excluded", [f"{e.name}: {e.reason}" for e in before.excluded],
            [f"{e.name}: {e.reason}" for e in after.excluded])
    return tuple(changes)


def _referral_lines(result: Result) -> list[str]:
    lines = [f"refer: {r}" for r in result.referral.reasons]
    lines.append(f"program {result.program_status}")
    return lines
