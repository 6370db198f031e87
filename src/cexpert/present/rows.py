"""A consultation's result as rows and chains to display (no Textual here).

The live panel, the results and program screens and the exports all read a
`Result` through these functions, so they say the same things in the same
words (`words.py`, which the documents use too). Each row that stands for a
conclusion carries its fact id: selecting it asks `Service.why` for its chain.
"""

from __future__ import annotations

from dataclasses import dataclass

from cexpert.engine.result import Result
from cexpert.explain.describe import describe
from cexpert.language.knowledge import KnowledgeBase
from cexpert.present.words import (
    dose_words,
    dysfunction_detail,
    evidence_words,
    excluded_text,
    item_side_words,
    muscle_text,
    suggestion_title,
    target_names,
)


@dataclass(frozen=True)
class Row:
    kind: str  # header | item | note | alert
    text: str
    fact: str | None = None
    detail: str = ""  # a second column: score, dose
    what: str = ""  # muscle | dysfunction | exercise | excluded | referral | fms | conflict
    key: str = ""  # the muscle/exercise id, for why-not and what-if


def _entered_behind(result: Result, kb: KnowledgeBase, fact_id: str) -> str:
    """What the trainer entered that a conclusion rests on, briefly (e.g. 'Knee pain')."""
    inputs = [result.facts[p] for p in result.facts[fact_id].premises
              if result.facts[p].origin == "input" and result.facts[p].kind != "client"]
    return ", ".join(describe(f, kb).removeprefix("Entered: ").split(" in ")[0]
                     for f in inputs)


def result_rows(result: Result, kb: KnowledgeBase) -> list[Row]:
    rows: list[Row] = []
    ref = result.referral
    if ref.required or ref.holds_program:
        rows.append(Row("header", "Referral"))
        for fact in ref.facts:  # one row per referral: each has its own chain
            rows.append(Row("alert", result.facts[fact].get("reason") or "", fact,
                            _entered_behind(result, kb, fact), "referral"))
    rows.append(Row("header", "Dysfunctions, in priority order"))
    rows += [Row("item", f"{d.rank}. {d.name}", d.fact, dysfunction_detail(result, kb, d, True),
                 "dysfunction", d.id)
             for d in result.dysfunctions] or [Row("note", "None found")]
    for state in ("overactive", "underactive"):
        rows.append(Row("header", f"{state.capitalize()} muscles"))
        items = [m for m in result.muscles if m.state == state]
        rows += [Row("item", muscle_text(m), m.fact, evidence_words(m.score), "muscle", m.id)
                 for m in items] or [Row("note", "None")]
    if result.conflicts:
        rows.append(Row("header", "Conflicts"))
        rows += [Row("item", f"{c.name} ({c.side}): pointed both ways",
                     c.facts[0] if c.facts else None, "left out", "conflict", c.id)
                 for c in result.conflicts]
    rows += fms_rows(result, kb)
    rows += suggestion_rows(result)
    flagged = set(result.fms.flags) if result.fms is not None else set()
    notes = [n for n in result.notes if n not in flagged]  # an FMS flag: shown above
    if notes:
        rows.append(Row("header", "Notes"))
        rows += [Row("note", n) for n in notes]
    return rows


def fms_rows(result: Result, kb: KnowledgeBase) -> list[Row]:
    f = result.fms
    if f is None:
        return []
    fms_facts = {fact.get("test"): fact.id for fact in result.facts.values()
                 if fact.kind == "fms"}
    total_fact = next((fact.id for fact in result.facts.values()
                       if fact.kind == "fms_total"), None)
    rows = [Row("header", "Functional Movement Screen")]
    total = f"{f.total} of 21" if f.total is not None else "not computed (partial screen)"
    rows.append(Row("item", f"Total {total}", total_fact, "", "fms"))
    for test, score in f.scores.items():
        sides = f.sides.get(test, {})
        detail = (f"L {sides.get('left')} R {sides.get('right')}"
                  if sides and sides.get("left") != sides.get("right") else "")
        rows.append(Row("item", f"{kb.name_of('finding', test)}: {score}",
                        fms_facts.get(test), detail, "fms", test))
    names = [kb.name_of("finding", t) for t in f.asymmetries]
    rows.append(Row("note", "Asymmetries: " + (", ".join(names) or "none")))
    priority = [kb.name_of("finding", t) for t in f.priority]
    rows.append(Row("note", "Priority: " + (", ".join(priority) or "none")))
    if f.next:
        rows.append(Row("note", "Next, after a rescreen: "
                        + ", ".join(kb.name_of("finding", t) for t in f.next)))
    rows += [Row("alert", flag) for flag in f.flags]
    return rows


def suggestion_rows(result: Result) -> list[Row]:
    """The next tests to run, each with its reason; selecting one shows its chain."""
    if not result.suggested_tests:
        return []
    rows = [Row("header", "Next test to run")]
    for test in result.suggested_tests:
        rows.append(Row("item", suggestion_title(test), test.fact, "", "suggestion", test.test))
        rows.append(Row("note", f"   {test.reason}"))
    return rows


def program_rows(result: Result, kb: KnowledgeBase) -> list[Row]:
    rows: list[Row] = []
    if result.program_status == "held":
        rows.append(Row("alert", "The corrective program is held until clearance is "
                        "recorded: see the referral."))
    for phase in kb.of("phase").values():
        items = [p for p in result.program if p.phase == phase.id]
        rows.append(Row("header", phase.name))
        if not items:
            rows.append(Row("note", "Nothing in this phase"))
        for n, item in enumerate(items, 1):
            where = item_side_words(item)
            side = "" if item.side == "both" or not where else \
                f" ({item.side if item.turn is None else where})"
            rows.append(Row("item", f"{n}. {item.name}{side}", item.fact,
                            dose_words(item.dose), "exercise", item.exercise))
            targets = target_names(kb, item.targets)
            if targets:
                rows.append(Row("note", f"   for {targets}"))
            if item.instructions is not None:  # the whole set is under Enter (Why)
                rows.append(Row("note", f"   how: {item.instructions.setup}"))
    if result.program_status == "active" and result.stop_rules:
        rows.append(Row("header", "When to stop"))
        rows += [Row("note", text) for text in result.stop_rules]
    rows.append(Row("header", "Left out"))
    rows += [Row("item", excluded_text(kb, e), e.fact, e.category, "excluded",
                  e.exercise or e.muscle or "")
             for e in result.excluded] or [Row("note", "Nothing")]
    if result.reassessment:
        rows.append(Row("header", "Reassess"))
        rows.append(Row("item", f"In {result.reassessment.weeks:g} weeks",
                        result.reassessment.fact, "", "reassess"))
    if result.program_status == "none_needed":
        rows.insert(0, Row("note", "No corrective needs found: continue the general program "
                           "and reassess."))
    return rows
