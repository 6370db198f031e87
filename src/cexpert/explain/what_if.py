"""What a change changes: two consultations compared section by section."""

from __future__ import annotations

from dataclasses import dataclass

from cexpert.engine.result import Result


@dataclass(frozen=True)
class Change:
    section: str
    sign: str  # "+" added, "-" removed, "~" changed (the same item, now `text`, was `was`)
    text: str
    was: str = ""


def diff(before: Result, after: Result) -> tuple[Change, ...]:
    """What changed between two consultations, section by section.

    An item present in both with another value (a muscle's evidence, an exercise left
    out for another reason, the program's status) is one "~" change, not a removal and
    an addition."""
    changes: list[Change] = []

    def compare(section: str, old: dict[object, Item], new: dict[object, Item]) -> None:
        for key, item in old.items():
            if key not in new:
                changes.append(Change(section, "-", _text(item)))
            elif new[key] != item:
                label, detail = new[key]
                changes.append(Change(section, "~", f"{label}: {item[1]} → {detail}"
                                      if label == item[0] else _text(new[key]),
                                      was=_text(item)))
        for key, item in new.items():
            if key not in old:
                changes.append(Change(section, "+", _text(item)))

    compare("referral", _referral_lines(before), _referral_lines(after))
    compare("dysfunctions", _by_text(d.name for d in before.dysfunctions),
            _by_text(d.name for d in after.dysfunctions))
    compare("muscles", _muscles(before), _muscles(after))
    compare("conflicts", _by_text(c.name for c in before.conflicts),
            _by_text(c.name for c in after.conflicts))
    compare("program", _by_text(_program_text(p) for p in before.program),
            _by_text(_program_text(p) for p in after.program))
    compare("excluded", _by_text(f"{e.name}: {e.reason}" for e in before.excluded),
            _by_text(f"{e.name}: {e.reason}" for e in after.excluded))
    return tuple(changes)


Item = tuple[str, str]  # (what it is, its value: "" when it has none)


def _text(item: Item) -> str:
    return f"{item[0]}, {item[1]}" if item[1] else item[0]


def _by_text(texts) -> dict[object, Item]:
    return {text: (text, "") for text in texts}


def _muscles(result: Result) -> dict[object, Item]:
    return {(m.id, m.state, m.side): (f"{m.name} {m.state} ({m.side})",
                                      f"evidence {m.score}") for m in result.muscles}


def _referral_lines(result: Result) -> dict[object, Item]:
    lines: dict[object, Item] = {("refer", r): (f"refer: {r}", "")
                                 for r in result.referral.reasons}
    lines["program"] = ("program", result.program_status.replace("_", " "))
    return lines


def _program_text(p) -> str:
    """One program item as a what-if compares it: phase, name, side or direction."""
    where = f"turning {p.turn}" if p.turn else p.side
    return f"{p.phase}: {p.name}" + (f" ({where})" if where else "")
