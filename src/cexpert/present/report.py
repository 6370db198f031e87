"""Reports of a consultation (text, Markdown) and summaries of a knowledge base.

Both formats show the same content as the JSON contract: by default as a
trainer's handout (each recommendation with one line saying what it is for),
with `chains` each recommendation's whole reasoning chain indented beneath it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from cexpert.engine.result import Dose, ProgramItem, Result
from cexpert.explain.describe import SIDE_WORDS
from cexpert.explain.why import render_tree, why
from cexpert.language.knowledge import KnowledgeBase

PHASE_TITLES = {"inhibit": "Inhibit", "lengthen": "Lengthen", "activate": "Activate",
                "integrate": "Integrate"}


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


def _chain(result: Result, kb: KnowledgeBase, fact: str, indent: str) -> list[str]:
    tree = why(result, kb, fact)
    if tree.origin == "builtin":  # the item itself is already on its line
        return [line for child in tree.children
                for line in render_tree(child, indent, compact=True)]
    return render_tree(tree, indent, compact=True)


def _sections(result: Result, kb: KnowledgeBase, chains: bool = False
              ) -> list[tuple[str, list[str]]]:
    """(title, lines) pairs shared by the text and Markdown renderers.

    Without `chains`, each recommendation says in one line what it is for (a trainer's
    handout); with `chains`, its whole reasoning chain is indented beneath it."""
    out: list[tuple[str, list[str]]] = []
    ref = result.referral
    if ref.required or ref.holds_program:
        lines = [f"REFERRAL ({ref.urgency or 'routine'}): refer to a licensed health "
                 "professional before corrective work." if ref.required else
                 "PROGRAM HELD"]
        lines += [f"- {r}" for r in ref.reasons]
        if ref.holds_program:
            lines.append("The corrective program is held until clearance is recorded.")
        if chains:
            for fact in ref.facts:
                lines += _chain(result, kb, fact, "    ")
        out.append(("Referral", lines))
    out.append(("Status", [_status(result)]))
    out.append(("Dysfunctions, in priority order", _dysfunction_lines(result, kb, chains)))
    out.append(("Probable muscle imbalances", _muscle_lines(result)))
    if result.fms is not None:
        f = result.fms
        lines = [", ".join(f"{kb.name_of('finding', t)} {s}" for t, s in f.scores.items()),
                 f"Total: {f.total if f.total is not None else 'not computed (partial)'}",
                 "Asymmetries: " + (", ".join(kb.name_of("finding", t)
                                              for t in f.asymmetries) or "none"),
                 "Corrective priority: " + (", ".join(kb.name_of("finding", t)
                                                      for t in f.priority) or "none")]
        lines += [f"Note: {flag}" for flag in f.flags]
        out.append(("Functional Movement Screen", lines))
    out.append(("Program", _program_lines(result, kb, chains)))
    lines = [f"- {e.name}" + (f" ({kb.name_of('phase', e.phase)})" if e.phase and e.exercise
                              else "")
             + f" [{e.category}]: {e.reason}" for e in result.excluded]
    out.append(("Excluded", lines or ["Nothing."]))
    shown = set(result.fms.flags) if result.fms is not None else set()
    notes = [n for n in result.notes if n not in shown]  # FMS notes stand with the FMS
    if notes:
        out.append(("Notes", [f"- {n}" for n in notes]))
    return out


def _status(result: Result) -> str:
    status = {"active": "Program active", "held": "Program held"}.get(
        result.program_status, f"Program {result.program_status}")
    if result.reassessment:
        status += f"; reassess in {result.reassessment.weeks:g} weeks"
    return status + "."


def _dysfunction_lines(result: Result, kb: KnowledgeBase, chains: bool) -> list[str]:
    lines = []
    for d in result.dysfunctions:
        ranked = result.facts[result.facts[d.fact].premises[0]]
        if ranked.kind == "finding":
            where = kb.name_of("assessment", ranked.get("assessment", ""))
            side = SIDE_WORDS.get(ranked.get("side"), ranked.get("side"))
            lines.append(f"{d.rank}. {d.name} ({where}, {side})")
        else:
            lines.append(f"{d.rank}. {d.name} (pattern of {d.score} sign"
                         f"{'s' if d.score != 1 else ''} entered)")
        if chains:
            lines += _chain(result, kb, d.fact, "     ")
    if not lines and result.fms is not None and result.fms.priority:
        return ["None from posture or movement assessments; the FMS corrective priority "
                "is below."]
    return lines or ["None found."]


def _muscle_lines(result: Result) -> list[str]:
    lines = []
    width = max((len(m.name) for m in result.muscles), default=0)
    for state, plain in (("overactive", "tight"), ("underactive", "weak")):
        items = [m for m in result.muscles if m.state == state]
        lines.append(f"{state.capitalize()} ({plain}):" if items
                     else f"{state.capitalize()}: none")
        for m in items:
            sides = SIDE_WORDS.get(m.side, m.side)
            lines.append(f"  - {m.name.ljust(width)}  {sides.ljust(10)}  "
                         f"{m.score} finding{'s' if m.score != 1 else ''}")
    for c in result.conflicts:
        lines.append(f"Conflict: {c.name} ({SIDE_WORDS.get(c.side, c.side)}) is pointed "
                     "both ways; left out until reassessed.")
    return lines


def _program_lines(result: Result, kb: KnowledgeBase, chains: bool) -> list[str]:
    lines = []
    for phase in kb.of("phase").values():
        items = [p for p in result.program if p.phase == phase.id]
        if not items:
            continue
        lines.append(f"{phase.name}:")
        for n, item in enumerate(items, 1):
            side = SIDE_WORDS.get(item.side, item.side)
            lines.append(f"  {n}. {item.name}, {side}: {dose_words(item.dose)}")
            if chains:
                lines += _chain(result, kb, item.fact, "       ")
            elif purpose := _purpose(result, kb, item, phase.one("treats")):
                lines.append("       " + purpose)
    if not lines:
        lines = ["Held: see the referral above." if result.program_status == "held" else
                 "No corrective needs found: continue the general program and reassess."]
    return lines


def _purpose(result: Result, kb: KnowledgeBase, item: ProgramItem,
             treats: str | None) -> str:
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


def render_text(result: Result, kb: KnowledgeBase, chains: bool = False) -> str:
    client = result.client
    kb_label = f"{result.knowledge_base['path']} ({result.knowledge_base['hash'][:19]})"
    head = [f"Consultation: {client.get('name') or 'unnamed client'}"
            + (f", {client['age']}" if client.get("age") else ""),
            f"Knowledge base: {kb_label}"]
    lines = head
    for title, body in _sections(result, kb, chains):
        lines += ["", title.upper(), *body]
    return "\n".join(lines) + "\n"


def render_markdown(result: Result, kb: KnowledgeBase, chains: bool = False) -> str:
    client = result.client
    lines = [f"# Consultation: {_md(client.get('name') or 'unnamed client')}", "",
             f"Knowledge base `{result.knowledge_base['path']}` "
             f"(`{result.knowledge_base['hash'][:19]}`)"]
    for title, body in _sections(result, kb, chains):
        lines += ["", f"## {title}", ""]
        lines += [_md_line(line) for line in body]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text


def _md_line(line: str) -> str:
    """A report line as a Markdown list item: numbered lines stay an ordered list."""
    stripped = line.lstrip(" ")
    depth = (len(line) - len(stripped)) // 2
    number, dot, rest = stripped.partition(". ")
    if dot and number.isdigit():
        return "  " * depth + f"{number}. " + _md(rest)
    if stripped.startswith("- "):
        stripped = stripped[2:]
    return "  " * depth + "- " + _md(stripped)


# --- the knowledge base ----------------------------------------------------------------


def kb_summary(kb: KnowledgeBase) -> dict[str, Any]:
    findings: dict[str, list[str]] = {}
    for entry in kb.of("finding").values():
        findings.setdefault(entry.one("in"), []).append(entry.id)
    exercises: dict[str, list[str]] = {p: [] for p in kb.of("phase")}
    for entry in kb.of("exercise").values():
        exercises.setdefault(entry.one("phase"), []).append(entry.id)
    per_file = Counter(r.file for r in kb.rules)
    return {
        "knowledge_base": {"path": kb.path, "hash": kb.hash},
        "counts": {
            "rules": len(kb.rules), "muscles": len(kb.of("muscle")),
            "findings": len(kb.of("finding")), "conditions": len(kb.of("condition")),
            "equipment": len(kb.of("equipment")), "exercises": len(kb.of("exercise")),
            "dysfunctions": len(kb.of("dysfunction")), "assessments": len(kb.of("assessment")),
        },
        "muscles": list(kb.of("muscle")),
        "findings": findings,
        "conditions": list(kb.of("condition")),
        "limitations": list(kb.of("limitation")),
        "equipment": list(kb.of("equipment")),
        "exercises": exercises,
        "rules_per_file": dict(sorted(per_file.items())),
        "settings": {k: list(v) for k, v in kb.settings.items()},
    }


def render_kb_text(summary: dict[str, Any]) -> str:
    c = summary["counts"]
    lines = [f"Knowledge base {summary['knowledge_base']['path']} "
             f"({summary['knowledge_base']['hash'][:19]})",
             ", ".join(f"{v} {k}" for k, v in c.items()), "", "Findings per assessment:"]
    lines += [f"  {a}: {len(ids)} ({', '.join(ids)})" for a, ids in summary["findings"].items()]
    lines += ["", "Exercises per phase:"]
    lines += [f"  {p}: {len(ids)}" for p, ids in summary["exercises"].items()]
    lines += ["", f"Conditions: {', '.join(summary['conditions'])}",
              f"Limitations: {', '.join(summary['limitations'])}",
              f"Equipment: {', '.join(summary['equipment'])}", "", "Rules per file:"]
    lines += [f"  {f}: {n}" for f, n in summary["rules_per_file"].items()]
    return "\n".join(lines) + "\n"
