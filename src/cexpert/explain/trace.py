"""The chaining replayed: one step per firing, in the order the engine ran it."""

from __future__ import annotations

from dataclasses import dataclass

from cexpert.engine.facts import Fact
from cexpert.engine.result import Result
from cexpert.explain.describe import describe
from cexpert.explain.why import rule_text_lines, untitled
from cexpert.language.knowledge import KnowledgeBase


@dataclass(frozen=True)
class Step:
    """One step of the chaining: the facts entered, one rule firing, or one builtin
    computation, with the facts it matched and the facts it added."""

    number: int
    origin: str  # input | rule | builtin
    rule: str | None
    rule_title: str | None
    rule_text: str | None
    source: str | None
    stratum: int | None
    matched: tuple[str, ...]  # the facts the rule matched (its premises)
    added: tuple[str, ...]

    def as_json(self) -> dict:
        return {"number": self.number, "origin": self.origin, "rule": self.rule,
                "rule_title": self.rule_title, "rule_text": self.rule_text,
                "source": self.source, "stratum": self.stratum,
                "matched": list(self.matched), "added": list(self.added)}


BUILTIN_STEPS = {
    "fms": "FMS scoring", "fms_total": "FMS scoring", "asymmetry": "FMS scoring",
    "muscle": "Evidence counted per muscle", "conflict": "Evidence counted per muscle",
    "rank": "Dysfunctions ranked", "prescription": "Program assembled",
    "excluded": "Program assembled",
    "resolved": "Compared with the previous visit", "persists": "Compared with the previous visit",
    "new": "Compared with the previous visit",
}


def steps(result: Result, kb: KnowledgeBase) -> tuple[Step, ...]:
    """The consultation replayed as the engine ran it, one step per firing.

    Facts are numbered as they are made, so consecutive facts from the same rule
    and the same matched facts are one firing; the builtin steps that follow the
    rules (scoring, ranking, the program) are grouped by what they compute."""
    groups: list[tuple[tuple, list[Fact]]] = []
    for fact in result.facts.values():
        if fact.origin == "input":
            key: tuple = ("input",)
        elif fact.rule:
            key = ("rule", fact.rule, fact.premises)
        else:
            key = ("builtin", BUILTIN_STEPS.get(fact.kind, fact.kind))
        if groups and groups[-1][0] == key:
            groups[-1][1].append(fact)
        else:
            groups.append((key, [fact]))
    out = []
    for number, (key, facts) in enumerate(groups, 1):
        rule = kb.rule(key[1]) if key[0] == "rule" else None
        title = rule.title if rule else (key[1] if key[0] == "builtin" else None)
        out.append(Step(
            number, key[0], rule.id if rule else None, title,
            rule.text if rule else None, rule.source if rule else None,
            rule.stratum if rule else None,
            key[2] if key[0] == "rule" else (),
            tuple(f.id for f in facts)))
    return tuple(out)


def render_steps(result: Result, kb: KnowledgeBase) -> list[str]:
    """Lines of the replay: each step, what it matched, what it added."""
    lines: list[str] = []
    for step in steps(result, kb):
        if step.origin == "input":
            head = "entered by the trainer"
        elif step.origin == "rule":
            head = f"rule {step.rule}" + (
                "" if untitled(step.rule_title, step.rule_text) else f": {step.rule_title}"
            ) + (f" [{step.source}]" if step.source else "")
        else:
            head = f"builtin: {step.rule_title}"
        lines.append(f"Step {step.number}  {head}")
        if step.rule_text:
            lines += [f"    {line}" for line in rule_text_lines(step.rule_text)]
        for label, ids in (("matched", step.matched), ("added", step.added)):
            for n, fact in enumerate(ids):
                lines.append(f"    {label if n == 0 else '':<8} {fact:>5}  "
                             f"{describe(result.facts[fact], kb)}")
    return lines


def trace_lines(result: Result, kb: KnowledgeBase) -> list[str]:
    """The consultation fact by fact, in the order the facts were made (`trace --facts`)."""
    lines = []
    for fact in result.facts.values():
        if fact.origin == "input":
            how = "entered"
        elif fact.rule:
            how = f"rule {fact.rule}"
        else:
            how = "builtin"
        premises = f"  ⇐ {', '.join(fact.premises)}" if fact.premises else ""
        lines.append(f"{fact.id:>5}  {how:<40} {describe(fact, kb)}{premises}")
    return lines
