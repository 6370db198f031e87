"""Explanations: why a conclusion holds, why another does not, what a change changes.

`why` rebuilds a fact's proof tree from provenance alone (a data tree first,
as memray does, so the CLI, reports and TUI render the same thing). `why_not`
reads the rules, CLIPS-`matches` style: for each rule that could conclude the
thing asked about, which of its conditions hold and which fail. `diff`
compares two results for what-if.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cexpert.facts import Fact
from cexpert.knowledge import AllOf, AnyOf, Atom, Cond, KbRule, KnowledgeBase, NoneOf
from cexpert.result import Result

SIDE_WORDS = {"both": "both sides", "left": "left side", "right": "right side"}


@dataclass(frozen=True)
class WhyNode:
    fact: str
    text: str  # the fact in plain words
    rule: str | None = None
    rule_title: str | None = None
    rule_text: str | None = None
    source: str | None = None
    origin: str = "input"
    children: tuple[WhyNode, ...] = ()
    repeated: bool = False  # shown in full elsewhere in this tree


def describe(fact: Fact, kb: KnowledgeBase) -> str:
    """One fact in a trainer's words."""
    d, kind = fact.data, fact.kind
    muscle = kb.name_of("muscle", d.get("muscle", "")) if "muscle" in d else ""
    side = SIDE_WORDS.get(d.get("side", "both"), d.get("side", ""))
    if kind == "finding":
        entry = kb.get("finding", d.get("finding", ""))
        name = entry.name if entry else d.get("finding")
        where = kb.name_of("assessment", d.get("assessment", ""))
        extra = " (provisional: pain was reported)" if d.get("provisional") else ""
        painful = " was painful" if d.get("painful") else ""
        return f"Entered: {name}{painful} in {where}, {side}{extra}"
    if kind in ("overactive", "underactive"):
        return f"{muscle} is probably {kind} ({side})"
    if kind == "muscle":
        n = d.get("score")
        return (f"{muscle}: {d.get('state')}, {side}, supported by {n} finding"
                f"{'s' if n != 1 else ''}")
    if kind == "conflict":
        return f"{muscle} is pointed both overactive and underactive ({side})"
    if kind == "dysfunction":
        return f"Pattern recognised: {kb.name_of('dysfunction', d.get('dysfunction', ''))}"
    if kind == "rank":
        ident = d.get("dysfunction", "")
        name = (kb.name_of("finding", ident) if kb.get("finding", ident)
                else kb.name_of("dysfunction", ident))
        key = d.get("key", {})
        checkpoints = kb.setting("checkpoint_order")
        where = checkpoints[key["checkpoint"]] if key.get("checkpoint", 99) < len(
            checkpoints) else "no checkpoint"
        return f"Ranked #{d.get('rank')}: {name} (checkpoint {where}, then assessment order)"
    if kind == "referral":
        return f"Refer ({d.get('urgency')}): {d.get('reason')}"
    if kind == "hold":
        return f"Program held: {d.get('reason')}"
    if kind == "exclusion":
        return f"Excluded: {_exclusion_words(d, kb)} because {d.get('reason')}"
    if kind == "excluded":
        what = kb.name_of("exercise", d["exercise"]) if d.get("exercise") else muscle or \
            kb.name_of("muscle", d.get("muscle", "") or "")
        return f"Left out: {what} ({d.get('category')}): {d.get('reason')}"
    if kind == "substitute":
        return (f"Use {kb.name_of('exercise', d.get('with', ''))} instead of "
                f"{kb.name_of('exercise', d.get('exercise', ''))}: {d.get('reason')}")
    if kind == "prescription":
        targets = ", ".join(kb.name_of("muscle", t) if kb.get("muscle", t) else
                            kb.name_of("checkpoint", t) for t in d.get("targets", []))
        return (f"Program ({d.get('phase')}): {kb.name_of('exercise', d.get('exercise', ''))}"
                f" for {targets}")
    if kind == "prescribe":
        return f"Prescribed: {kb.name_of('exercise', d.get('exercise', ''))}"
    if kind == "dose_change":
        changes = ", ".join(f"{k} {v}" for k, v in d.get("dose", {}).items())
        return f"Dose for {d.get('target')}: {changes}"
    if kind == "reassess":
        return f"Reassess in {d.get('weeks')} weeks"
    if kind == "fms":
        return f"FMS {kb.name_of('finding', d.get('test', ''))}: final score {d.get('score')}"
    if kind == "fms_raw":
        return (f"Entered: FMS {kb.name_of('finding', d.get('test', ''))} scored "
                f"{_sides(d)}")
    if kind == "fms_total":
        return f"FMS total {d.get('total')} of 21"
    if kind == "asymmetry":
        return f"FMS {kb.name_of('finding', d.get('test', ''))} is asymmetric"
    if kind == "fms_target":
        return f"FMS corrective target: {kb.name_of('finding', d.get('test', '') or '')}"
    if kind == "age":
        return f"Entered: age {d.get('age')}"
    if kind == "condition":
        status = f" ({d['status']})" if d.get("status") else ""
        return f"Entered: condition {kb.name_of('condition', d.get('condition', ''))}{status}"
    if kind == "cleared":
        return f"Entered: clearance on record for {d.get('condition')}"
    if kind == "parq":
        return f"Entered: PAR-Q+ question {d.get('question')} answered yes"
    if kind == "followup":
        return "Entered: a PAR-Q+ follow-up answer was yes"
    if kind == "limitation":
        return f"Entered: {kb.name_of('limitation', d.get('limitation', ''))}"
    if kind == "equipment":
        return f"Entered: has {kb.name_of('equipment', d.get('equipment', ''))}"
    if kind == "note":
        return f"Note: {d.get('text')}"
    if kind == "client":
        return f"Client {d.get('name')}"
    return f"{kind}: {dict(d)}"


def _sides(d: Mapping) -> str:
    if d.get("left") == d.get("right"):
        return str(d.get("left"))
    return f"left {d.get('left')}, right {d.get('right')}"


def _exclusion_words(d: Mapping, kb: KnowledgeBase) -> str:
    parts = []
    if d.get("exercises"):
        parts.append(", ".join(kb.name_of("exercise", e) for e in d["exercises"]))
    if d.get("phases"):
        parts.append("phase " + ", ".join(d["phases"]))
    if d.get("tags"):
        parts.append("exercises tagged " + ", ".join(d["tags"]))
    if d.get("muscles"):
        parts.append("for " + ", ".join(kb.name_of("muscle", m) for m in d["muscles"]))
    return " ".join(parts) or "nothing"


def why(result: Result, kb: KnowledgeBase, fact_id: str) -> WhyNode:
    """The proof tree of a fact, down to what the trainer entered."""
    seen: set[str] = set()

    def build(current: str) -> WhyNode:
        fact = result.facts[current]
        rule = kb.rule(fact.rule) if fact.rule else None
        repeated = current in seen and bool(fact.premises)
        seen.add(current)
        children = () if repeated else tuple(build(p) for p in fact.premises
                                             if result.facts[p].kind != "client")
        return WhyNode(
            fact=current, text=describe(fact, kb), rule=fact.rule,
            rule_title=rule.title if rule else None, rule_text=rule.text if rule else None,
            source=rule.source if rule else None, origin=fact.origin, children=children,
            repeated=repeated,
        )

    return build(fact_id)


def render_tree(node: WhyNode, indent: str = "", compact: bool = False) -> list[str]:
    """Lines of a proof tree: each fact, then the rule that made it, then its premises.

    `compact` folds the bookkeeping steps (aggregates, rankings) into their
    premises, leaving the chain a trainer reads: conclusion, rule, what was entered.
    """
    folded = compact and node.origin == "builtin" and node.children
    if folded:
        return [line for child in node.children for line in render_tree(child, indent, True)]
    lines = [f"{indent}{node.text}" + (" (see above)" if node.repeated else "")]
    child_indent = indent + "    "
    if node.rule:
        lines.append(f"{indent}  ← rule {node.rule}: {_rule_words(node)}"
                     + (f" [{node.source}]" if node.source else ""))
    elif node.origin == "builtin" and node.children:
        lines.append(f"{indent}  ← computed from:")
    for child in node.children:
        lines.extend(render_tree(child, child_indent, compact))
    return lines


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


def untitled(title: str | None, text: str | None) -> bool:
    """A rule with no title of its own: a table row's title is its text cut short."""
    title = (title or "").strip()
    return not title or (text or "").startswith(title)


def rule_text_lines(text: str) -> list[str]:
    """A rule as written, its continuation lines indented two more than its first."""
    first, *rest = text.split("\n")
    return [first.strip(), *(f"  {line.strip()}" for line in rest)]


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


def _rule_words(node: WhyNode) -> str:
    """A rule's title; for a table row (its title is its text cut short) the whole row
    on one line, so no name is cut in half."""
    if untitled(node.rule_title, node.rule_text):
        return " ".join((node.rule_text or "").split())
    return node.rule_title or ""


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


# --- why not ---------------------------------------------------------------------------------


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
        return WhyNot(question, f"No rule in the knowledge base concludes that {name} is "
                      f"{state}.")
    checks = tuple(_check_rule(rule, result, kb) for rule in candidates)
    return WhyNot(question, f"{len(candidates)} rule(s) could conclude it; none had all "
                  "its conditions met.", checks)


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
    if atom.kind in ("age", "fms") and atom.operator:
        subject = "age" if atom.kind == "age" else f"FMS {atom.id or 'any test'}"
        return f"{subject} {atom.operator} {atom.value:g}"
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
           "asymmetry": "test", "parq": "question"}.get(atom.kind)
    if atom.id is not None and atom.id != "total" and key and str(fact.get(key)) != atom.id:
        return False
    scoped = fact.get("status") if atom.kind == "condition" else fact.get("assessment")
    if atom.scope is not None and scoped != atom.scope:
        return False
    if atom.operator:
        value = fact.get({"age": "age", "fms": "score"}.get(atom.kind, "total"))
        if atom.id == "total":
            value = fact.get("total")
        from cexpert.compile import COMPARE

        return value is not None and COMPARE[atom.operator](value, atom.value)
    return True


# --- what if -------------------------------------------------------------------------------


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
