"""`cexpert check --strict`: warnings about rules that are valid but probably wrong.

A lint pass over the checked knowledge base and its syntax trees, like
`opa check --strict` or ruff: each finding is a `Diagnostic` with a stable
code (W4xx), so `--select`/`--ignore` and an inline `# cexpert: ignore[W401]`
comment can choose which to see. None of these change what the engine does;
they point at what an author most likely did not mean.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cexpert.language import syntax_tree as st
from cexpert.language.diagnostics import WARNING, Diagnostic
from cexpert.language.knowledge import (
    AllOf,
    AnyOf,
    Atom,
    Cond,
    Entry,
    KbRule,
    KnowledgeBase,
    NoneOf,
)

STATES = ("overactive", "underactive")


@dataclass(frozen=True)
class Lint:
    code: str
    title: str


#: Every strict warning, by code: stable, documented in docs/rule-language.md.
LINTS = {
    lint.code: lint for lint in (
        Lint("W401", "an exercise no rule or selection can reach"),
        Lint("W402", "a muscle that can be flagged, but a phase treating its state has no "
                     "exercise for it"),
        Lint("W403", "two table rows for the same finding"),
        Lint("W404", "one rule makes a muscle both overactive and underactive"),
        Lint("W405", "an assessment whose findings flag muscles, missing from "
                     "'setting assessment_order'"),
        Lint("W406", "an 'or' whose branches are identical"),
        Lint("W407", "a rule whose conditions include another's, with the opposite conclusion"),
        Lint("W408", "an exercise without home instructions"),
    )
}


def lint(kb: KnowledgeBase, files: Sequence[st.RuleFile]) -> list[Diagnostic]:
    """Every strict warning for a checked knowledge base, in file order."""
    spans = IdSpans(files)
    found: list[Diagnostic] = []
    found += _unreachable_exercises(kb, spans)
    found += _phase_gaps(kb, spans)
    found += _duplicate_rows(kb)
    found += _both_states(kb)
    found += _unordered_assessments(kb, spans)
    found += _identical_branches(kb)
    found += _opposite_supersets(kb)
    found += _no_instructions(kb, spans)
    return found


def _warn(code: str, message: str, span: st.Span | None, **extra) -> Diagnostic:
    return Diagnostic(code, message, span, WARNING, **extra)


# --- W401 ------------------------------------------------------------------------------------
def concluded_muscles(kb: KnowledgeBase, every_profile: bool = False
                      ) -> dict[str, set[str]]:
    """state -> muscles some rule can conclude in that state (with `every_profile`, also
    the rules of the table profiles not loaded, which `--profile` can choose)."""
    out: dict[str, set[str]] = defaultdict(set)
    for rule in (*kb.rules, *kb.unloaded_rules) if every_profile else kb.rules:
        for c in rule.conclusions:
            if c.kind in STATES:
                out[c.kind].add(c.data["muscle"])
    return out


def reachable_exercises(kb: KnowledgeBase) -> set[str]:
    """Exercises some consultation could put in a program: chosen for a flagged muscle
    or checkpoint, prescribed by a rule, or a substitute of one of those, under any
    table profile the knowledge base offers."""
    flagged = concluded_muscles(kb, every_profile=True)
    checkpoints = {f.one("checkpoint") for f in kb.of("finding").values()} - {None}
    reached: set[str] = set()
    for exercise in kb.of("exercise").values():
        phase = kb.get("phase", exercise.one("phase") or "")
        treats = phase.one("treats") if phase else None
        muscles = {*exercise.many("targets"), *exercise.many("covers")}
        if treats in STATES and muscles & flagged.get(treats, set()):
            reached.add(exercise.id)
        if treats == "checkpoints" and set(exercise.many("integrates")) & checkpoints:
            reached.add(exercise.id)
    swaps: dict[str, set[str]] = defaultdict(set)
    for exercise in kb.of("exercise").values():
        swaps[exercise.id].update(exercise.many("substitutes"))
    for rule in (*kb.rules, *kb.unloaded_rules):
        for c in rule.conclusions:
            if c.kind == "prescribe":
                reached.add(c.data["exercise"])
            elif c.kind == "substitute" and c.data.get("exercise"):
                swaps[c.data["exercise"]].add(c.data["with"])
    queue = list(reached)
    while queue:
        for other in swaps.get(queue.pop(), ()):
            if other not in reached:
                reached.add(other)
                queue.append(other)
    return reached


def _unreachable_exercises(kb: KnowledgeBase, id_span: IdSpans) -> Iterable[Diagnostic]:
    reached = reachable_exercises(kb)
    for exercise in kb.of("exercise").values():
        if exercise.id in reached:
            continue
        yield _warn(
            "W401", f"exercise '{exercise.id}' can never be in a program: no rule can flag "
            "a muscle it targets in the state its phase treats, prescribe it or substitute it",
            id_span(exercise),
            help="target a muscle the rules flag, prescribe it from a rule, or remove it",
        )


# --- W402 ------------------------------------------------------------------------------------
def always_excluded_phases(kb: KnowledgeBase) -> dict[str, set[str]]:
    """phase -> muscles a standing caution (`when always then exclude phase P for M`)
    leaves without that phase in every consultation: a gap the author stated."""
    out: dict[str, set[str]] = defaultdict(set)
    for rule in kb.rules:
        if not (isinstance(rule.condition, Atom) and rule.condition.kind == "client"):
            continue
        for c in rule.conclusions:
            if c.kind == "exclude" and not c.data.get("exercises") and not c.data.get("tags"):
                for phase in c.data.get("phases") or ():
                    out[phase].update(c.data.get("muscles") or ())
    return out


def _phase_gaps(kb: KnowledgeBase, id_span: IdSpans) -> Iterable[Diagnostic]:
    flagged = concluded_muscles(kb)
    served: dict[str, set[str]] = defaultdict(set)  # phase -> muscles with an exercise
    for exercise in kb.of("exercise").values():
        served[exercise.one("phase")].update(
            {*exercise.many("targets"), *exercise.many("covers")})
    for phase, muscles in always_excluded_phases(kb).items():
        served[phase].update(muscles)  # excluded on purpose: not a gap
    for phase in kb.of("phase").values():
        state = phase.one("treats")
        if state not in STATES:
            continue
        for muscle in sorted(flagged.get(state, set()) - served[phase.id]):
            entry = kb.get("muscle", muscle)
            yield _warn(
                "W402", f"'{muscle}' can be flagged {state}, but the {phase.id} phase has "
                "no exercise for it", id_span(entry) if entry else None,
                help=f"declare an exercise with 'phase {phase.id} targets {muscle}'",
            )


# --- W403 ------------------------------------------------------------------------------------
def _duplicate_rows(kb: KnowledgeBase) -> Iterable[Diagnostic]:
    rows: dict[str, list[KbRule]] = defaultdict(list)
    for rule in kb.rules:
        if rule.table_row:
            rows[rule.condition.id].append(rule)  # type: ignore[union-attr]
    for finding, same in rows.items():
        for later in same[1:]:
            first = same[0]
            yield _warn(
                "W403", f"a second row for the finding '{finding}': its muscles add to the "
                f"first row's", later.span, notes=(f"first row at {first.span}",),
                help="merge the two rows into one",
            )


# --- W404 ------------------------------------------------------------------------------------
def _sides_meet(a: str, b: str) -> bool:
    """Two side words name a common side of the body (`both` meets every side)."""
    return a == b or "both" in (a, b)


def _both_states(kb: KnowledgeBase) -> Iterable[Diagnostic]:
    for rule in kb.rules:
        over = [c for c in rule.conclusions if c.kind == "overactive"]
        for under in (c for c in rule.conclusions if c.kind == "underactive"):
            muscle = under.data["muscle"]
            if any(o.data["muscle"] == muscle and _sides_meet(o.data["side"], under.data["side"])
                   for o in over):
                yield _warn(
                    "W404", f"rule '{rule.id}' makes '{muscle}' both overactive and "
                    "underactive on the same side, which is always a conflict", under.span,
                    help="keep the state the source gives, or give each its side",
                )


# --- W405 ------------------------------------------------------------------------------------
def _atoms(cond: Cond) -> Iterable[Atom]:
    if isinstance(cond, Atom):
        yield cond
    elif isinstance(cond, NoneOf):
        yield from _atoms(cond.operand)
    else:
        for operand in cond.operands:
            yield from _atoms(operand)


def ranked_assessments(kb: KnowledgeBase) -> set[str]:
    """Assessments with a finding that some rule (of any profile) turns into a muscle
    state: the ones whose dysfunctions `assessment_order` ranks. Pain reports and FMS
    clearing tests lead to referrals, not dysfunctions, so their place means nothing."""
    findings = kb.of("finding")
    out: set[str] = set()
    for rule in (*kb.rules, *kb.unloaded_rules):
        if not any(c.kind in STATES for c in rule.conclusions):
            continue
        for atom in _atoms(rule.condition):
            finding = findings.get(atom.id or "") if atom.kind == "finding" else None
            if finding is not None and finding.one("in"):
                out.add(finding.one("in"))
    return out


def _unordered_assessments(kb: KnowledgeBase, id_span: IdSpans) -> Iterable[Diagnostic]:
    order = kb.setting("assessment_order")
    if not order:
        return
    ranked = ranked_assessments(kb)
    for assessment in kb.of("assessment").values():
        if assessment.id not in order and assessment.id in ranked:
            yield _warn(
                "W405", f"assessment '{assessment.id}' is missing from 'setting "
                "assessment_order', so its dysfunctions rank after every listed one",
                id_span(assessment), help=f"add {assessment.id} to 'setting assessment_order'",
            )


# --- W406 ------------------------------------------------------------------------------------
def shape(cond: Cond) -> tuple:
    """A condition without its spans, to compare two of them."""
    if isinstance(cond, Atom):
        return ("atom", cond.kind, cond.id, cond.operator, cond.value, cond.scope)
    if isinstance(cond, NoneOf):
        return ("not", shape(cond.operand))
    kind = "all" if isinstance(cond, AllOf) else "any"
    return (kind, tuple(shape(o) for o in cond.operands))


def _any_nodes(cond: Cond) -> Iterable[AnyOf]:
    if isinstance(cond, AnyOf):
        yield cond
    if isinstance(cond, NoneOf):
        yield from _any_nodes(cond.operand)
    elif isinstance(cond, AllOf | AnyOf):
        for operand in cond.operands:
            yield from _any_nodes(operand)


def _span_of(cond: Cond) -> st.Span | None:
    if isinstance(cond, Atom):
        return cond.span
    if isinstance(cond, NoneOf):
        return _span_of(cond.operand)
    return _span_of(cond.operands[0]) if cond.operands else None


def _identical_branches(kb: KnowledgeBase) -> Iterable[Diagnostic]:
    for rule in kb.rules:
        for node in _any_nodes(rule.condition):
            seen: set[tuple] = set()
            for operand in node.operands:
                key = shape(operand)
                if key in seen:
                    yield _warn(
                        "W406", f"rule '{rule.id}' has an 'or' with two identical branches",
                        _span_of(operand), help="remove the repeated branch, or fix the one "
                        "that was meant to differ",
                    )
                seen.add(key)


# --- W407 ------------------------------------------------------------------------------------
def _conjuncts(cond: Cond) -> frozenset[tuple]:
    if isinstance(cond, AllOf):
        return frozenset(k for o in cond.operands for k in _conjuncts(o))
    return frozenset({shape(cond)})


def _opposite_supersets(kb: KnowledgeBase) -> Iterable[Diagnostic]:
    concluded = []
    for rule in kb.rules:
        states = {(c.data["muscle"], c.kind) for c in rule.conclusions if c.kind in STATES}
        if states:
            concluded.append((rule, _conjuncts(rule.condition), states))
    for rule, conditions, states in concluded:
        for other, other_conditions, other_states in concluded:
            if other is rule or not other_conditions <= conditions:
                continue
            if other_conditions == conditions and other.order > rule.order:
                continue  # the same conditions: report once, at the later rule
            opposite = sorted(m for m, s in states
                              if (m, "overactive" if s == "underactive" else "underactive")
                              in other_states)
            if opposite:
                yield _warn(
                    "W407", f"rule '{rule.id}' fires whenever '{other.id}' does and gives "
                    f"the opposite state for {', '.join(opposite)}", rule.span,
                    notes=(f"'{other.id}' is at {other.span}",),
                    help="the two rules always conflict; narrow one of them",
                )


class IdSpans:
    """Where each declared id is written, from the syntax trees (the entry keeps only
    the whole declaration's span)."""

    def __init__(self, files: Sequence[st.RuleFile]):
        self.spans = {(s.kind, s.id): s.id_span for f in files for s in f.statements
                      if isinstance(s, st.Declaration)}

    def __call__(self, entry: Entry) -> st.Span:
        return self.spans.get((entry.kind, entry.id), entry.span)


# --- selection and suppression -----------------------------------------------------------------
SUPPRESS = re.compile(r"#\s*cexpert:\s*ignore(?:\[([A-Z0-9,\s]+)\])?")


def suppressed(d: Diagnostic, sources: dict[str, str]) -> bool:
    """A warning silenced by `# cexpert: ignore[CODE]` on its line or on a comment line
    just above it (a bare `# cexpert: ignore` silences every warning there)."""
    if d.is_error or d.span is None or d.span.file not in sources:
        return False
    lines = sources[d.span.file].split("\n")
    candidates = [d.span.line]
    if d.span.line >= 2 and lines[d.span.line - 2].lstrip().startswith("#"):
        candidates.append(d.span.line - 1)
    for number in candidates:
        if not 1 <= number <= len(lines):
            continue
        for match in SUPPRESS.finditer(lines[number - 1]):
            codes = match.group(1)
            if codes is None or d.code in {c.strip() for c in codes.split(",")}:
                return True
    return False


def chosen(diagnostics: Iterable[Diagnostic], select: Sequence[str] = (),
           ignore: Sequence[str] = ()) -> list[Diagnostic]:
    """Warnings filtered by code prefix (`W4` selects all strict warnings); errors stay."""
    def matches(code: str, prefixes: Sequence[str]) -> bool:
        return any(code.startswith(p) for p in prefixes)

    out = []
    for d in diagnostics:
        if not d.is_error and ((select and not matches(d.code, select))
                               or matches(d.code, ignore)):
            continue
        out.append(d)
    return out


# --- W408 ------------------------------------------------------------------------------------
def _no_instructions(kb: KnowledgeBase, spans: IdSpans) -> list[Diagnostic]:
    """An exercise a client may be given with nothing to follow at home."""
    from cexpert.language.schema import INSTRUCTIONS

    return [_warn("W408", f"exercise '{e.id}' has no home instructions", spans(e),
                  help="add " + ", ".join(INSTRUCTIONS) + " and their source")
            for e in kb.of("exercise").values()
            if not any(k in e.attributes for k in INSTRUCTIONS)]
