"""Reports of a consultation (text, Markdown) and summaries of a knowledge base.

Both formats show the same content as the JSON contract, with each
recommendation's reasoning chain indented beneath it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from cexpert.explain import render_tree, why
from cexpert.knowledge import KnowledgeBase
from cexpert.result import Dose, Result

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


def _sections(result: Result, kb: KnowledgeBase, chains: bool = True
              ) -> list[tuple[str, list[str]]]:
    """(title, lines) pairs shared by the text and Markdown renderers."""
    out: list[tuple[str, list[str]]] = []
    ref = result.referral
    if ref.required or ref.holds_program:
        lines = [f"REFERRAL ({ref.urgency or 'routine'}): refer to a licensed health "
                 "professional before corrective work." if ref.required else
                 "PROGRAM HELD"]
        lines += [f"- {r}" for r in ref.reasons]
        if ref.holds_program:
            lines.append("The corrective program is held until clearance is recorded.")
        for fact in ref.facts:
            lines += _chain(result, kb, fact, "    ")
        out.append(("Referral", lines))
    out.append(("Status", [f"Program: {result.program_status}"]))
    lines = []
    for d in result.dysfunctions:
        lines.append(f"{d.rank}. {d.name} (score {d.score})")
        if chains:
            lines += _chain(result, kb, d.fact, "     ")
    out.append(("Dysfunctions, ranked", lines or ["None found."]))
    lines = []
    for state in ("overactive", "underactive"):
        items = [m for m in result.muscles if m.state == state]
        lines.append(f"{state.capitalize()}:" if items else f"{state.capitalize()}: none")
        for m in items:
            lines.append(f"  - {m.name} ({m.side}), evidence {m.score}")
    for c in result.conflicts:
        lines.append(f"Conflict: {c.name} ({c.side}) is pointed both ways; left out.")
    out.append(("Probable muscle imbalances", lines))
    if result.fms is not None:
        f = result.fms
        lines = [", ".join(f"{kb.name_of('finding', t)} {s}" for t, s in f.scores.items()),
                 f"Total: {f.total if f.total is not None else 'not computed (partial)'}",
                 "Asymmetries: " + (", ".join(f.asymmetries) or "none"),
                 "Corrective priority: " + (", ".join(f.priority) or "none")]
        lines += [f"Note: {flag}" for flag in f.flags]
        out.append(("Functional Movement Screen", lines))
    lines = []
    for phase in kb.of("phase").values():
        items = [p for p in result.program if p.phase == phase.id]
        if not items:
            continue
        lines.append(f"{phase.name}:")
        for n, item in enumerate(items, 1):
            lines.append(f"  {n}. {item.name} [{item.side}] - {dose_words(item.dose)}")
            if chains:
                lines += _chain(result, kb, item.fact, "       ")
    if not lines:
        lines = ["Held: see the referral above." if result.program_status == "held" else
                 "No corrective needs found: continue the general program and reassess."]
    out.append(("Program", lines))
    lines = [f"- {e.name}" + (f" ({kb.name_of('phase', e.phase)})" if e.phase and e.exercise
                              else "")
             + f" [{e.category}]: {e.reason}" for e in result.excluded]
    out.append(("Excluded", lines or ["Nothing."]))
    if result.reassessment:
        out.append(("Reassess", [f"In {result.reassessment.weeks:g} weeks."]))
    if result.notes:
        out.append(("Notes", [f"- {n}" for n in result.notes]))
    return out


def render_text(result: Result, kb: KnowledgeBase) -> str:
    client = result.client
    kb_label = f"{result.knowledge_base['path']} ({result.knowledge_base['hash'][:19]})"
    head = [f"Consultation: {client.get('name') or 'unnamed client'}"
            + (f", {client['age']}" if client.get("age") else ""),
            f"Knowledge base: {kb_label}"]
    lines = head
    for title, body in _sections(result, kb):
        lines += ["", title.upper(), *body]
    return "\n".join(lines) + "\n"


def render_markdown(result: Result, kb: KnowledgeBase) -> str:
    client = result.client
    lines = [f"# Consultation: {_md(client.get('name') or 'unnamed client')}", "",
             f"Knowledge base `{result.knowledge_base['path']}` "
             f"(`{result.knowledge_base['hash'][:19]}`)"]
    for title, body in _sections(result, kb):
        lines += ["", f"## {title}", ""]
        lines += [_md_line(line) for line in body]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text


def _md_line(line: str) -> str:
    stripped = line.lstrip(" ")
    depth = (len(line) - len(stripped)) // 2
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
