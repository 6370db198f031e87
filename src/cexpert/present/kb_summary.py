"""What a knowledge base declares, with counts: `cexpert kb` (JSON and text)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from cexpert.language.knowledge import KnowledgeBase
from cexpert.present.escape import visible


def kb_summary(kb: KnowledgeBase) -> dict[str, Any]:
    findings: dict[str, list[str]] = {}
    for entry in kb.of("finding").values():
        findings.setdefault(entry.one("in"), []).append(entry.id)
    exercises: dict[str, list[str]] = {p: [] for p in kb.of("phase")}
    for entry in kb.of("exercise").values():
        exercises.setdefault(entry.one("phase"), []).append(entry.id)
    per_file = Counter(kb.portable_file(r.file) for r in kb.rules)
    return {
        "knowledge_base": {"path": kb.portable_path or kb.path, "hash": kb.hash},
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
    return visible("\n".join(lines)) + "\n"  # rule files are user text too
