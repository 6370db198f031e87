"""The recorded agenda in words: why this rule fires now and not another.

Reads `Result.agenda` (recorded by the engine during the run) and renders it as
CLIPS's `watch facts, activations, rules` prints a run, or as data. Each step
names the criterion that put the fired activation ahead of the next one:
stratum, salience, knowledge-base order, or the age of the facts it matched.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from cexpert.engine.agenda import Activation, AgendaStep, Recording
from cexpert.engine.result import Result
from cexpert.explain.describe import describe
from cexpert.language.knowledge import KnowledgeBase

WATCHES = ("facts", "activations", "rules")


class NotRecorded(ValueError):
    """The result was consulted without `record=True`."""


def recording(result: Result) -> Recording:
    if result.agenda is None:
        raise NotRecorded("this consultation was run without recording its agenda")
    return result.agenda


def where(kb: KnowledgeBase, rule_id: str) -> str:
    """A rule's place in the knowledge base: file name and line (no directory, so the
    output is the same on every machine)."""
    rule = kb.rule(rule_id)
    return f"{PurePath(rule.file).name}:{rule.line}" if rule else rule_id


def round_words(stratum: int) -> str:
    """A stratum in words: the rounds in which the rules run, a rule testing 'not X'
    in a later round than every rule that can conclude X."""
    if stratum == 0:
        return "round 1"
    return f"round {stratum + 1}, after the rules its 'not' tests wait for"


def ordering(activation: Activation, kb: KnowledgeBase, words: bool = False) -> str:
    """What orders an activation on the agenda, in the strategy's order (`words`: the
    stratum as a round, for the TUI's Replay)."""
    facts = ",".join(activation.facts) or "-"
    first = (f"round {activation.stratum + 1}" if words
             else f"stratum {activation.stratum}")
    return (f"{first}, salience {activation.salience}, "
            f"{where(kb, activation.rule)}, facts {facts}")


def reason(step: AgendaStep, kb: KnowledgeBase, words: bool = False) -> str:
    """Why the fired activation won, against the one next in line."""
    if step.won_by is None:
        return "the only activation on the agenda"
    chosen, other = step.agenda[0], step.agenda[1]
    if step.won_by == "stratum" and words:
        return (f"an earlier round (round {chosen.stratum + 1} before round "
                f"{other.stratum + 1}): {other.rule} tests 'not' on something earlier "
                "rules may still conclude")
    if step.won_by == "stratum":
        return (f"lower stratum ({chosen.stratum} < {other.stratum}): {other.rule} tests "
                f"'not' on something earlier rules may still conclude")
    if step.won_by == "salience":
        return f"higher salience ({chosen.salience} > {other.salience}) than {other.rule}"
    if step.won_by == "order":
        return (f"earlier in the knowledge base ({where(kb, chosen.rule)} before "
                f"{where(kb, other.rule)})")
    if step.won_by == "facts":
        return (f"same rule order; matched older facts ({','.join(chosen.facts)} before "
                f"{','.join(other.facts)})")
    return f"tied with {other.rule} (two branches of one 'or'): the engine's order among equals"


@dataclass(frozen=True)
class Moment:
    """The state of the run just before one firing: what a Replay screen shows."""

    step: AgendaStep
    memory: tuple[str, ...]  # working memory, oldest first
    newest: frozenset[str]  # entered since the previous firing


def moments(rec: Recording) -> tuple[Moment, ...]:
    out = []
    previous = 0
    for step in rec.steps:
        memory = rec.memory[: step.memory]
        out.append(Moment(step, memory, frozenset(memory[previous:])))
        previous = step.memory
    return tuple(out)


def _key(activation: Activation) -> tuple:
    return (activation.rule, activation.facts)


def watch_lines(result: Result, kb: KnowledgeBase,
                show: Collection[str] = WATCHES) -> list[str]:
    """The run as CLIPS `watch` prints it: `==> f12 ...`, `==> Activation ...`,
    `FIRE 3 rule: f1,f4` (with why it won), `<== Activation` when one is dropped."""
    rec = recording(result)
    lines: list[str] = []
    shown = 0
    pending: list[Activation] = []
    for step in rec.steps:
        if "facts" in show:
            lines += [_fact_line(result, kb, f) for f in rec.memory[shown: step.memory]]
        shown = step.memory
        if "activations" in show:
            now = {_key(a) for a in step.agenda}
            before = {_key(a) for a in pending}
            lines += [f"<== Activation {a.salience} {a.rule}: {','.join(a.facts)}"
                      for a in pending if _key(a) not in now]
            lines += [f"==> Activation {a.salience} {a.rule}: {','.join(a.facts)}"
                      f"    [{ordering(a, kb)}]"
                      for a in reversed(step.agenda) if _key(a) not in before]
        if "rules" in show:
            fired = step.fired
            lines.append(f"FIRE {step.number:>4} {fired.rule}: {','.join(fired.facts)}")
            lines.append(f"          won: {reason(step, kb)}")
        pending = list(step.agenda[1:])
        if "facts" in show:
            lines += [_fact_line(result, kb, f) for f in step.added]
            lines += [_fact_line(result, kb, f, recorded=True) for f in step.concluded
                      if f not in step.added]
        shown += len(step.added)
    if "activations" in show:  # the run ends on an empty agenda: the rest were dropped
        lines += [f"<== Activation {a.salience} {a.rule}: {','.join(a.facts)}"
                  for a in pending]
    if "facts" in show:
        lines += [_fact_line(result, kb, f) for f in rec.memory[shown:]]
    return lines


def _fact_line(result: Result, kb: KnowledgeBase, fact_id: str, recorded: bool = False
               ) -> str:
    arrow = "   " if recorded else "==>"
    note = "  (recorded, not in working memory)" if recorded else ""
    return f"{arrow} {fact_id:<5} {describe(result.facts[fact_id], kb)}{note}"


def as_json(result: Result, kb: KnowledgeBase) -> dict:
    """The recorded agenda as data: working memory, then every step's agenda."""
    rec = recording(result)

    def activation(a: Activation) -> dict:
        return {"rule": a.rule, "facts": list(a.facts), "stratum": a.stratum,
                "salience": a.salience, "order": a.order, "where": where(kb, a.rule)}

    steps = [{"number": s.number, "memory": s.memory, "fired": activation(s.fired),
              "won_by": s.won_by, "reason": reason(s, kb),
              "agenda": [activation(a) for a in s.agenda], "added": list(s.added),
              "concluded": list(s.concluded)} for s in rec.steps]
    facts = sorted(set(rec.memory) | {f for s in rec.steps for f in s.concluded},
                   key=lambda f: int(f[1:]))
    return {"memory": list(rec.memory), "steps": steps,
            "facts": {f: describe(result.facts[f], kb) for f in facts}}


def step_of_fact(rec: Recording, fact_ids: Sequence[str]) -> int | None:
    """The first step that concluded any of `fact_ids` (1-based), or None."""
    wanted = set(fact_ids)
    return next((s.number for s in rec.steps if wanted & set(s.concluded)), None)


def agenda_step_of(rec: Recording, added: Sequence[str]) -> AgendaStep | None:
    """The recorded firing that concluded the first of `added` (a trace step's facts)."""
    if not added:
        return None
    return next((s for s in rec.steps if added[0] in s.concluded), None)


def stops_at(target: str, rule: str | None, matched: Sequence[str], added: Sequence[str],
             result: Result) -> bool:
    """Does a step stop a run-to-breakpoint on `target`: a rule id it fires, a fact id
    it matches or adds, or a muscle, exercise or dysfunction id it concludes?"""
    if target == rule or target in matched or target in added:
        return True
    for fact_id in added:
        data = result.facts[fact_id].data
        if target in (data.get("muscle"), data.get("exercise"), data.get("dysfunction")):
            return True
    return False
