"""Why a conclusion does not hold: CLIPS-`matches` style, for each rule that could
conclude it, which of its conditions hold and which fail."""

from __future__ import annotations

from dataclasses import dataclass, field

from cexpert.engine.facts import Fact
from cexpert.engine.result import Result
from cexpert.language.knowledge import AllOf, AnyOf, Atom, Cond, KbRule, KnowledgeBase, NoneOf


@dataclass(frozen=True)
class ConditionCheck:
    text: str
    holds: bool


@dataclass(frozen=True)
class RuleCheck:
    rule: str
    title: str
    source: str
    checks: tuple[ConditionCheck, ...]

    @property
    def fires(self) -> bool:
        return all(c.holds for c in self.checks)


@dataclass(frozen=True)
class WhyNot:
    question: str
    answer: str
    rules: tuple[RuleCheck, ...] = field(default_factory=tuple)
    ask_instead: str | None = None  # the muscle group to ask about, when no rule names it


def why_not(result: Result, kb: KnowledgeBase, state: str, muscle: str) -> WhyNot:
    """Why is `muscle` not `state`? Each rule that could say so, and what it lacks."""
    name = kb.name_of("muscle", muscle)
    question = f"Why is {name} not {state}?"
    if any(m.id == muscle and m.state == state for m in result.muscles):
        return WhyNot(question, f"{name} is {state}: see its reasoning chain.")
    if any(c.id == muscle for c in result.conflicts):
        return WhyNot(question, f"{name} is concluded both overactive and underactive, "
                      "so it is reported as a conflict instead.")
    candidates = [r for r in kb.rules if any(
        c.kind == state and c.data.get("muscle") == muscle for c in r.conclusions)]
    if not candidates:
        answer = f"No rule in the knowledge base concludes that {name} is {state}."
        group = _group(kb, muscle)
        if group is None:
            return WhyNot(question, answer)
        return WhyNot(question, f"{answer} {name} is part of the "
                      f"{_in_sentence(kb.name_of('muscle', group))}: ask about that.",
                      ask_instead=group)
    checks = tuple(_check_rule(rule, result, kb) for rule in candidates)
    return WhyNot(question, f"{len(candidates)} rule(s) could conclude it; none had all "
                  "its conditions met.", checks)


def condition_holds(cond: Cond, result: Result, kb: KnowledgeBase) -> bool:
    """Whether a condition holds in the consultation's final working memory."""
    return all(c.holds for c in _checks(cond, result, kb))


def _group(kb: KnowledgeBase, muscle: str) -> str | None:
    """The muscle group the knowledge base puts `muscle` in (its `group`), if declared."""
    entry = kb.get("muscle", muscle)
    group = entry.one("group") if entry is not None else None
    return group if group and group != muscle and kb.get("muscle", group) else None


def _in_sentence(name: str) -> str:
    """'Hip flexor complex' -> 'hip flexor complex'; 'TFL' stays 'TFL'."""
    return name if name[:2].isupper() else name[:1].lower() + name[1:]


def _check_rule(rule: KbRule, result: Result, kb: KnowledgeBase) -> RuleCheck:
    return RuleCheck(rule.id, rule.title, rule.source,
                     tuple(_checks(rule.condition, result, kb)))


def _checks(cond: Cond, result: Result, kb: KnowledgeBase) -> list[ConditionCheck]:
    if isinstance(cond, Atom):
        return [ConditionCheck(_atom_words(cond, kb), _holds(cond, result))]
    if isinstance(cond, NoneOf):
        inner = _checks(cond.operand, result, kb)
        return [ConditionCheck("not (" + " and ".join(c.text for c in inner) + ")",
                               not all(c.holds for c in inner))]
    if isinstance(cond, AnyOf):
        parts = [_checks(o, result, kb) for o in cond.operands]
        holds = any(all(c.holds for c in p) for p in parts)
        text = " or ".join("(" + " and ".join(c.text for c in p) + ")" for p in parts)
        return [ConditionCheck(text, holds)]
    assert isinstance(cond, AllOf)
    return [c for o in cond.operands for c in _checks(o, result, kb)]


def _atom_words(atom: Atom, kb: KnowledgeBase) -> str:
    if atom.kind == "finding":
        return f"{kb.name_of('finding', atom.id) if atom.id else 'any pain'} was entered"
    if atom.kind in ("resolved", "new", "persists"):
        name = kb.name_of("finding", atom.id) if atom.id else "a finding"
        longer = f" for {atom.value:g} visits" if atom.operator else ""
        return {"resolved": f"{name} resolved since the previous visit",
                "new": f"{name} new since the previous visit",
                "persists": f"{name} persisting{longer}"}[atom.kind]
    if atom.kind == "visits" and atom.operator:
        return f"visits {atom.operator} {atom.value:g}"
    if atom.kind in ("age", "fms") and atom.operator:
        subject = "age" if atom.kind == "age" else f"FMS {atom.id or 'any test'}"
        return f"{subject} {atom.operator} {atom.value:g}"
    if atom.kind == "measure":
        return (f"{atom.scope} of {kb.name_of('condition', atom.id or '')} "
                f"{atom.operator} {atom.value:g}")
    if atom.kind == "condition" and atom.regions is not None:
        where = "a recorded region" if "*" in atom.regions else ", ".join(
            kb.name_of("region", r).lower() for r in atom.regions)
        return f"condition {kb.name_of('condition', atom.id or '')} at {where}"
    if atom.kind == "condition" and atom.scope:
        return f"condition {kb.name_of('condition', atom.id or '')} is {atom.scope}"
    return f"{atom.kind} {atom.id or 'any'}"


def _holds(atom: Atom, result: Result) -> bool:
    return any(_matches(atom, fact) for fact in result.facts.values())


def _matches(atom: Atom, fact: Fact) -> bool:
    kind = {"fms": "fms_total" if atom.id == "total" else "fms"}.get(atom.kind, atom.kind)
    if fact.kind != kind:
        return False
    key = {"finding": "finding", "condition": "condition", "dysfunction": "dysfunction",
           "overactive": "muscle", "underactive": "muscle", "cleared": "condition",
           "equipment": "equipment", "limitation": "limitation", "fms": "test",
           "asymmetry": "test", "parq": "question", "measure": "condition",
           "resolved": "finding", "persists": "finding", "new": "finding",
           "referral": "urgency"}.get(atom.kind)
    if atom.id is not None and atom.id != "total" and key and str(fact.get(key)) != atom.id:
        return False
    scoped = {"condition": fact.get("status"), "measure": fact.get("measure")}.get(
        atom.kind, fact.get("assessment"))
    if atom.scope is not None and scoped != atom.scope:
        return False
    if atom.regions is not None and (fact.get("region") is None or (
            "*" not in atom.regions and fact.get("region") not in atom.regions)):
        return False
    if atom.operator:
        value = fact.get({"age": "age", "fms": "score", "visits": "visits",
                          "persists": "visits"}.get(atom.kind, "value"))
        if atom.id == "total":
            value = fact.get("total")
        from cexpert.engine.compile import COMPARE

        return value is not None and COMPARE[atom.operator](value, atom.value)
    return True
