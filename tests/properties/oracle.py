"""The safety invariants the rules promise, checked on a consultation's Result.

The oracle reads only what the engine hands out (the Result, its facts) and a
*reference* knowledge base: the one the rules were written in. It never asks the
engine's internals what they meant. Run on the same knowledge base the engine
used, a violation is an engine bug (or a rules gap); run on an engine given
deliberately weakened rules (a contraindication dropped, an equipment
requirement dropped), the reference rules still say what should have happened,
so the oracle must report violations (tests/properties/test_oracle.py).

Invariants:
  excluded   no program exercise matches an exclusion the rules concluded, or
             one a reference rule concludes on what was entered, for any muscle
             it targets or covers (not only the one it was chosen for);
  equipment  every program exercise's equipment (minus what the rules assume
             every home has) is among the client's, when the client listed any;
  referral   pain, an FMS 0 or a positive clearing test entered, and no recorded
             clearance covering it: a referral;
  held       a hold concluded (or a reference hold rule's condition met): the
             program is held and empty; a held program rests on a hold.
The next tests to run pass the same filters (issue 11):
  suggest_held      no suggested test while the program is held;
  suggest_painful   none of the assessment pain was felt during (`during`);
  suggest_excluded  none whose tags an exclusion of tags alone names (concluded, or
                    a reference rule's on what was entered), as for exercises;
  suggest_supine    none done lying on the back in pregnancy (from week 14, or when
                    the weeks are not given: the rules' own threshold) or for a
                    client who cannot lie supine; after a hip replacement without
                    the surgeon's limits on record, none that bends the hip past 90
                    degrees or crosses the midline, whatever the rules say;
  suggest_support   where balance is a concern (65 or older, poor balance,
                    osteoporosis, pregnancy), a single-leg test only with a support
                    (its `with`).
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from cexpert.engine.case import Case
from cexpert.engine.facts import Fact
from cexpert.engine.result import Result
from cexpert.language.knowledge import AllOf, AnyOf, Atom, Cond, KbRule, KnowledgeBase, NoneOf

PAIN = "pain"  # the assessment pain is entered under (the case-file format's word)
NO_EQUIPMENT = "none"
COMPARE = {"<": operator.lt, "<=": operator.le, "==": operator.eq, "!=": operator.ne,
           ">": operator.gt, ">=": operator.ge}


@dataclass(frozen=True)
class Violation:
    invariant: str  # excluded | equipment | referral | held
    text: str


def violations(case: Case, result: Result, kb: KnowledgeBase) -> list[Violation]:
    """Every invariant `result` breaks, judged against the reference `kb`."""
    return [*_excluded(result, kb), *_equipment(case, result, kb),
            *_referral(case, result), *_held(result, kb), *_suggestions(case, result, kb)]


# --- exclusions ---------------------------------------------------------------------------


def exclusions(result: Result, kb: KnowledgeBase) -> list[tuple[str, Mapping]]:
    """(where from, exclusion data): each one the engine concluded, and each one a
    reference rule concludes on the facts of this consultation."""
    found = [(f"fact {f.id} (rule {f.rule})", f.data) for f in result.facts.values()
             if f.kind == "exclusion"]
    for rule in _firing(result, kb):
        found += [(f"rule {rule.id}", _placed(c.data, rule, result, kb))
                  for c in rule.conclusions if c.kind == "exclude"]
    return found


def _placed(data: Mapping, rule: KbRule, result: Result, kb: KnowledgeBase) -> Mapping:
    """A reference exclusion `at its region` / `at its limb`, made concrete: the regions
    recorded with the conditions the rule tests with 'at' (or their outermost region)."""
    if not data.get("regions") or not {"@region", "@limb"} & set(data["regions"]):
        return data
    tested = {a.id for a in _positive(rule.condition)
              if a.kind == "condition" and a.regions is not None}
    recorded = [f.data["region"] for f in result.facts.values()
                if f.kind == "condition" and f.data.get("condition") in tested
                and f.data.get("region")]
    regions = []
    for region in data["regions"]:
        if region == "@region":
            regions += recorded
        elif region == "@limb":
            regions += [kb.region_around(r)[-1] for r in recorded]
        else:
            regions.append(region)
    return {**data, "regions": regions}


def _positive(cond: Cond) -> list[Atom]:
    if isinstance(cond, Atom):
        return [cond]
    if isinstance(cond, NoneOf):
        return []
    return [a for o in cond.operands for a in _positive(o)]


def _excluded(result: Result, kb: KnowledgeBase) -> Iterator[Violation]:
    rules = exclusions(result, kb)
    for item in result.program:
        exercise = kb.get("exercise", item.exercise)
        if exercise is None:
            yield Violation("excluded", f"{item.exercise} is not an exercise of the rules")
            continue
        muscles = {*exercise.many("targets"), *exercise.many("covers")}
        areas = {kb.get("muscle", m).one("region") for m in muscles if kb.get("muscle", m)}
        for where, data in rules:
            if _matches(data, exercise.id, exercise.one("phase"),
                        set(exercise.many("tags")), muscles, areas, kb):
                yield Violation("excluded", f"{item.exercise} ({item.phase}) is excluded by "
                                f"{where}: {data.get('reason')}")


def _matches(data: Mapping, exercise: str, phase: str, tags: set[str],
             muscles: set[str], areas: set[str] = frozenset(),
             kb: KnowledgeBase | None = None) -> bool:
    """An exclusion applies when every part it names matches (phase, exercise, tag,
    muscle: any the exercise targets or covers; region: where one of them lies is
    within, or around, a region named)."""
    def overlap(regions) -> bool:
        return any(a in kb.region_around(r) or r in kb.region_around(a)
                   for a in areas if a for r in regions) if kb else True

    parts = [(data.get("phases"), lambda v: phase in v),
             (data.get("exercises"), lambda v: exercise in v),
             (data.get("tags"), lambda v: bool(tags & set(v))),
             (data.get("muscles"), lambda v: bool(muscles & set(v))),
             (data.get("regions"), overlap)]
    named = [(values, test) for values, test in parts if values]
    return bool(named) and all(test(values) for values, test in named)


# --- equipment --------------------------------------------------------------------------------


def assumed_equipment(kb: KnowledgeBase) -> set[str]:
    """What the rules assume every client has, even with `["none"]`: the equipment
    they declare in `group environment` or list in `setting assumed_equipment`
    (the shipped rules list the room itself: wall, floor, door frame, chair)."""
    grouped = {e.id for e in kb.of("equipment").values()
               if "environment" in e.many("group")}
    return grouped | set(kb.setting("assumed_equipment")) | {NO_EQUIPMENT}


def _equipment(case: Case, result: Result, kb: KnowledgeBase) -> Iterator[Violation]:
    owned = case.client.equipment
    if owned is None:
        return
    have = set(owned) | assumed_equipment(kb)
    for item in result.program:
        exercise = kb.get("exercise", item.exercise)
        missing = [e for e in (exercise.many("equipment") if exercise else ())
                   if e not in have]
        if missing:
            yield Violation("equipment", f"{item.exercise} needs {', '.join(missing)}; "
                            f"the client has {', '.join(owned) or 'nothing'}")


# --- referral and hold -----------------------------------------------------------------------


def needs_referral(case: Case) -> list[str]:
    """What was entered that must be referred: pain, an FMS 0, a positive clearing
    test, unless a clearance record names it on its side ([[screening.clearances]];
    who may clear it is the rules' business, so any clinician's record excuses it here)."""
    reasons = [f"pain {o.finding}" for o in case.observations if o.assessment == PAIN
               and not _cleared(case, "pain", o.finding, o.side)]
    reasons += [f"FMS {s.test} scored 0" for s in case.fms if 0 in (s.left, s.right)
                and not _cleared_clearing_zero(case)]
    reasons += [f"clearing test {c.test} positive ({c.side})" for c in case.clearing
                if c.positive and not _cleared(case, "clearing_test", c.test, c.side)]
    return reasons


def _cleared(case: Case, clears: str, subject: str, side: str) -> bool:
    return any(r.clears == clears and r.subject == subject and r.side in ("both", side)
               for r in case.screening.clearances)


def _cleared_clearing_zero(case: Case) -> bool:
    """An FMS 0 that a painful clearing test made is referred with the clearing test,
    so a clearance of that clearing test covers it too."""
    return any(c.positive and _cleared(case, "clearing_test", c.test, c.side)
               for c in case.clearing)


def _referral(case: Case, result: Result) -> Iterator[Violation]:
    reasons = needs_referral(case)
    if reasons and not result.referral.required:
        yield Violation("referral", f"no referral after {'; '.join(reasons)}")


def _held(result: Result, kb: KnowledgeBase) -> Iterator[Violation]:
    holds = [f"fact {f.id} (rule {f.rule})" for f in result.facts.values()
             if f.kind == "hold"]
    holds += [f"rule {r.id}" for r in _firing(result, kb)
              if any(c.kind == "hold" for c in r.conclusions)]
    if holds and (result.program_status != "held" or result.program):
        yield Violation("held", f"program {result.program_status} with "
                        f"{len(result.program)} exercises although {holds[0]} holds it")
    if result.program_status == "held" and not holds:
        yield Violation("held", "program held with no hold concluded")
    if result.program_status == "held" and not result.referral.holds_program:
        yield Violation("held", "program held but the referral does not say so")


# --- the next tests to run ---------------------------------------------------------------------

SUPINE = "supine"  # the position tag of exercises and tests done lying on the back
SINGLE_LEG = "single_leg"  # the tag of a test done standing on one leg
#: Who may not lie on the back for a test (issue 11): the case's own words, looked up in
#: the reference knowledge base (an id it does not declare never occurs).
NO_SUPINE_LIMITATIONS = ("cannot_lie_supine",)
SUPINE_FROM_WEEK = 14  # pregnancy: prolonged lying on the back from week 14 (safety rules)
HIP_PRECAUTION_TAGS = ("hip_flexion_past_90", "hip_adduction_past_midline")
BALANCE_CONDITIONS = ("osteoporosis", "pregnancy")
BALANCE_LIMITATIONS = ("poor_balance", "fall_risk")


def _test_entry(kb: KnowledgeBase, test: str):
    return kb.get("assessment", test) or kb.get("finding", test)


def _suggestions(case: Case, result: Result, kb: KnowledgeBase) -> Iterator[Violation]:
    tests = result.suggested_tests
    if not tests:
        return
    if result.program_status == "held" or result.referral.holds_program:
        yield Violation("suggest_held", f"{tests[0].test} suggested while the program is held")
    painful = {o.during for o in case.observations if o.assessment == PAIN and o.during}
    tag_only = [(where, data) for where, data in exclusions(result, kb)
                if data.get("tags") and not (data.get("phases") or data.get("exercises")
                                             or data.get("muscles"))]
    conditions = {c.id for c in case.client.conditions}
    # past the first trimester: by the weeks given and by the status (either exempts)
    pregnant = any(c.id == "pregnancy" and c.status != "first_trimester"
                   and dict(c.measures).get("weeks", SUPINE_FROM_WEEK) >= SUPINE_FROM_WEEK
                   for c in case.client.conditions)
    # a plain `cleared = [...]` entry counts for any clinician (README), as a record does
    cleared = ({r.subject for r in case.screening.clearances if r.clears == "condition"}
               | set(case.screening.cleared))
    hip = any(c.id == "joint_replacement" and c.region in (None, "hip")
              and c.id not in cleared for c in case.client.conditions)
    no_supine = pregnant or bool(set(case.client.limitations) & set(NO_SUPINE_LIMITATIONS))
    balance = ((case.client.age or 0) >= 65 or bool(conditions & set(BALANCE_CONDITIONS))
               or bool(set(case.client.limitations) & set(BALANCE_LIMITATIONS)))
    for test in tests:
        entry = _test_entry(kb, test.test)
        if entry is None:
            yield Violation("suggest_excluded", f"{test.test} is not a test of the rules")
            continue
        assessment = entry.one("in") if entry.kind == "finding" else entry.id
        if painful & {test.test, assessment}:
            yield Violation("suggest_painful", f"{test.test} repeats the movement pain was "
                            f"felt during")
        tags = set(entry.many("tags"))
        for where, data in tag_only:
            if tags & set(data["tags"]):
                yield Violation("suggest_excluded", f"{test.test} is excluded by {where}: "
                                f"{data.get('reason')}")
        if no_supine and SUPINE in tags:
            yield Violation("suggest_supine", f"{test.test} is done lying on the back")
        if hip and tags & set(HIP_PRECAUTION_TAGS):
            yield Violation("suggest_supine", f"{test.test} moves a replaced hip past its "
                            "precautions")
        if balance and SINGLE_LEG in tags and not test.how:
            yield Violation("suggest_support", f"{test.test} stands on one leg with no "
                            "support although balance is a concern")


# --- reference rules evaluated on the consultation's facts ----------------------------------


def _firing(result: Result, kb: KnowledgeBase) -> list[KbRule]:
    """The reference rules that conclude a hold or an exclusion and whose condition
    the facts of this consultation meet (rules the oracle cannot evaluate, e.g. on
    a builtin it does not model, are left to the facts the engine concluded)."""
    out = []
    for rule in kb.rules:
        if not any(c.kind in ("hold", "exclude") for c in rule.conclusions):
            continue
        if holds(rule.condition, result) is True:
            out.append(rule)
    return out


def holds(cond: Cond, result: Result) -> bool | None:
    """Whether a rule condition holds on a Result's facts; None when it tests
    something the oracle does not read. Sides are not compared (any side counts)."""
    if isinstance(cond, Atom):
        return _atom(cond, result.facts)
    if isinstance(cond, NoneOf):
        inner = holds(cond.operand, result)
        return None if inner is None else not inner
    values = [holds(o, result) for o in cond.operands]
    if isinstance(cond, AllOf):
        if False in values:
            return False
        return None if None in values else True
    assert isinstance(cond, AnyOf)
    if True in values:
        return True
    return None if None in values else False


KEYS = {"finding": "finding", "condition": "condition", "cleared": "condition",
        "equipment": "equipment", "limitation": "limitation", "dysfunction": "dysfunction",
        "overactive": "muscle", "underactive": "muscle", "asymmetry": "test"}
PRESENCE = ("client", "followup", "referral")


def _atom(atom: Atom, facts: Mapping[str, Fact]) -> bool | None:
    kind = atom.kind
    if kind == "cleared" and (atom.correlated or atom.by or atom.operator):
        return None  # a clearance record's scope, clinician and age: the engine's to match
    if kind == "cleared" and any(f.kind == "clearance" and f.data.get("clears") == "condition"
                                 and f.data.get("subject") == atom.id
                                 for f in facts.values()):
        return True  # a clearance record for the condition, by whoever gave it
    if kind in PRESENCE:
        return any(f.kind == kind for f in facts.values())
    if kind in KEYS:
        return any(f.kind == kind and (atom.id is None or f.data.get(KEYS[kind]) == atom.id)
                   and _scoped(atom, f) and _placed_at(atom, f) for f in facts.values())
    if kind == "measure":
        return any(f.kind == "measure" and f.data.get("condition") == atom.id
                   and f.data.get("measure") == atom.scope
                   and COMPARE[atom.operator](f.data["value"], atom.value)
                   for f in facts.values())
    if kind == "parq":
        return any(f.kind == "parq" and (atom.id in (None, "yes")
                                         or str(f.data.get("question")) == str(atom.id))
                   for f in facts.values())
    if kind == "age":
        return any(f.kind == "age" and COMPARE[atom.operator](f.data["age"], atom.value)
                   for f in facts.values())
    if kind == "fms" and atom.operator:
        if atom.id == "total":
            return any(f.kind == "fms_total" and COMPARE[atom.operator](
                f.data["total"], atom.value) for f in facts.values())
        return any(f.kind == "fms" and (atom.id is None or f.data.get("test") == atom.id)
                   and COMPARE[atom.operator](f.data["score"], atom.value)
                   for f in facts.values())
    return None


def _placed_at(atom: Atom, fact: Fact) -> bool:
    """`condition X at R`: recorded at one of the regions the atom lists (`at any`: at
    some region); the checker listed every region within or around R."""
    if getattr(atom, "regions", None) is None:
        return True
    region = fact.data.get("region")
    return region is not None and ("*" in atom.regions or region in atom.regions)


def _scoped(atom: Atom, fact: Fact) -> bool:
    if atom.scope is None:
        return True
    key = "status" if atom.kind == "condition" else "assessment"
    return fact.data.get(key) == atom.scope
