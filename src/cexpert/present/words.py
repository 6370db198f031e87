"""A result's parts in a trainer's words: one phrasing for every screen and document.

The TUI's rows and the consultation document both say a dose, a side, where a
dysfunction was seen or what an exercise is for through these functions, so
the screen and the printed page never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable

from cexpert.engine.result import (
    Dose,
    DysfunctionItem,
    ExcludedItem,
    MuscleItem,
    ProgramItem,
    Result,
)
from cexpert.explain.describe import SIDE_WORDS
from cexpert.language.knowledge import Entry, KnowledgeBase


def side_words(side: str | None) -> str:
    """'both sides', 'left side', 'right side' (an unknown side as it was given)."""
    return SIDE_WORDS.get(side or "both", side or "")


def item_side_words(item: ProgramItem) -> str:
    """Where and which way an exercise is done: 'both sides', 'left side', 'turning to
    the right', 'turning each way'; '' for an exercise done once (no side at all)."""
    if item.turn is not None:
        return "turning each way" if item.turn == "both" else f"turning to the {item.turn}"
    return "" if item.side is None else side_words(item.side)


def item_title(item: ProgramItem) -> str:
    """An exercise's name with its side or direction: 'Floor cobra', 'Calf stretch, each
    side', 'Seated trunk rotation stretch, turning to the right'."""
    where = item_side_words(item)
    return f"{item.name}, {where}" if where else item.name


def instruction_steps(item: ProgramItem) -> tuple[tuple[str, str], ...]:
    """An exercise's home instructions as labelled lines, in the order a client reads
    them: setup, cues, what to feel, what to avoid, easier, harder."""
    how = item.instructions
    if how is None:
        return ()
    return (("Setup", how.setup), ("Cues", "; ".join(how.cues)), ("Feel", how.feel),
            ("Avoid", how.mistake), ("Easier", how.easier), ("Harder", how.harder))


def dose_words(dose: Dose) -> str:
    parts = []
    if dose.sets is not None:
        parts.append(f"{dose.sets} set{'s' if dose.sets != 1 else ''}")
    if dose.reps is not None:
        parts.append(f"{dose.reps} reps")
    if dose.hold_s is not None:
        parts.append(f"hold {dose.hold_s} s")
    if dose.tempo:
        parts.append(f"tempo {dose.tempo}")
    return ", ".join(parts) or "as tolerated"


def program_status_words(status: str | None) -> str:
    """The program's state in words: active, held, none needed."""
    return {"none_needed": "none needed"}.get(status or "", (status or "").replace("_", " "))


def status_words(result: Result) -> str:
    status = ("No corrective program needed" if result.program_status == "none_needed"
              else f"Program {program_status_words(result.program_status)}")
    if result.reassessment:
        status += f"; reassess in {result.reassessment.weeks:g} weeks"
    return status + "."


def referral_text(result: Result) -> str | None:
    """The referral on one line (the TUI's banner), or None when there is none."""
    ref = result.referral
    if not (ref.required or ref.holds_program):
        return None
    head = (f"REFER ({ref.urgency or 'routine'}) to a licensed health professional"
            if ref.required else "PROGRAM HELD")
    if ref.holds_program and ref.required:
        head += " · program held"
    reasons = " · ".join(ref.reasons)
    return f"{head}: {reasons}" if reasons else head


def dysfunction_detail(result: Result, kb: KnowledgeBase, d: DysfunctionItem,
                       short: bool = False) -> str:
    """Where a dysfunction was seen (a finding) or how many signs make it (a pattern); its
    rank is the knowledge base's priority order, not a score. `short` names the
    assessment as its page tab does (for the narrow live panel)."""
    fact = result.facts.get(d.fact)
    ranked = result.facts.get(fact.premises[0]) if fact is not None and fact.premises else None
    if ranked is not None and ranked.kind == "finding":
        assessment = kb.get("assessment", ranked.get("assessment", ""))
        where = (short_label(assessment) if short else assessment.name) if assessment else ""
        return f"{where}, {side_words(ranked.get('side'))}"
    return f"pattern of {d.score} sign{'s' if d.score != 1 else ''} entered"


def muscle_text(m: MuscleItem) -> str:
    side = "" if m.side == "both" else f" ({m.side})"
    return f"{m.name}{side}"


def evidence_words(n: int) -> str:
    """A muscle's evidence count, named the same on every screen and in every document."""
    return f"evidence {n}"


def target_names(kb: KnowledgeBase, targets: Iterable[str]) -> str:
    return ", ".join(kb.name_of("muscle", t) if kb.get("muscle", t)
                     else kb.name_of("checkpoint", t) for t in targets)


def excluded_title(kb: KnowledgeBase, e: ExcludedItem) -> str:
    """What was left out, with its phase when it is one exercise."""
    phase = f" ({kb.name_of('phase', e.phase)})" if e.phase and e.exercise else ""
    return f"{e.name}{phase}"


def excluded_text(kb: KnowledgeBase, e: ExcludedItem) -> str:
    return f"{excluded_title(kb, e)}: {e.reason}"


def purpose(result: Result, kb: KnowledgeBase, item: ProgramItem, treats: str | None) -> str:
    """What one exercise is for, in a line: its targets and the findings behind them."""
    kind = "muscle" if treats in ("overactive", "underactive") else "checkpoint"
    targets = ", ".join(kb.name_of(kind, t) for t in item.targets)
    parts = [f"for {targets}" + (f" ({treats})" if kind == "muscle" else "")] if targets else []
    if item.addresses:
        return "; ".join([*parts, "addresses " + ", ".join(
            kb.name_of("finding", f).lower() for f in item.addresses)])
    rules = [kb.rules_by_id[p.rule] for p in (result.facts[i] for i in
                                              result.facts[item.fact].premises)
             if p.rule in kb.rules_by_id]
    if rules:
        parts.append("prescribed by rule " + ", ".join(
            dict.fromkeys(r.title or r.id for r in rules)))
    return "; ".join(parts)


def short_label(entry: Entry) -> str:
    """The shortest of an entry's name, aliases and its id read as a word or acronym."""
    words = entry.id.split("_")
    if len(words) == 1 and len(entry.id) <= 4:
        first = entry.name.split()[0].lower() if entry.name.split() else ""
        derived = entry.id.capitalize() if first.startswith(entry.id) else entry.id.upper()
    else:
        derived = " ".join(words).capitalize()
    candidates = [entry.name, *entry.aliases, derived]
    return min(candidates, key=lambda c: (len(c), candidates.index(c)))


def suggestion_title(test) -> str:
    """'Single-leg squat (left), with one hand on a wall': a suggested test in a line."""
    side = "" if test.side == "both" else f" ({test.side})"
    how = f", with {test.how}" if test.how else ""
    return f"{test.name}{side}{how}"
