"""The shipped knowledge base has no dead vocabulary and no rule the cases never exercise.

* Every muscle, finding, exercise, condition, limitation and piece of equipment
  declared is referenced: by a rule (a condition or a conclusion) or by an
  exercise (what it targets, covers, integrates, needs or substitutes).
  "Referenced" for an exercise also means *reachable*: it targets a muscle some
  rule concludes in the state its phase treats, or integrates a checkpoint that
  some finding has, so the selection (continuum.md S6/S7) can pick it.
* Every rule fired in some case of tests/cases/ (rule coverage, computed from
  the `rules` key of each case's `cexpert infer --format json`). Rules of the
  CPT7 profile count with the cases in tests/cases_cpt7/, which run with that
  profile. The percentage is printed at the end of the pytest run; a rule that
  may stay unfired must be listed in NEVER_FIRED with a reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cexpert.language.knowledge import AllOf, AnyOf, Atom, Cond, KnowledgeBase, NoneOf
from cexpert.service import load_kb
from test_cases import CASES, CPT7_CASES, consultation

#: rule id -> why no case makes it fire. Empty: every rule fires in some case.
NEVER_FIRED: dict[str, str] = {}

STATES = ("overactive", "underactive")
_SUMMARY: list[str] = []


def _kb(paths=None, profile: str | None = None) -> KnowledgeBase:
    loaded = load_kb(paths, profile)
    assert loaded.kb is not None and loaded.ok
    return loaded.kb


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return _kb()


@pytest.fixture(scope="module")
def summary(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Lines shown in pytest's terminal summary (a plugin registered for this module)."""

    class CoverageReport:
        def pytest_sessionfinish(self, session: pytest.Session) -> None:
            output = getattr(session.config, "workeroutput", None)
            if output is not None and _SUMMARY:
                output["cexpert_kb_coverage"] = list(_SUMMARY)

        def pytest_terminal_summary(self, terminalreporter) -> None:
            if _SUMMARY:
                terminalreporter.section("knowledge-base coverage")
                for line in _SUMMARY:
                    terminalreporter.write_line(line)

    manager = request.config.pluginmanager
    if not manager.has_plugin("cexpert-kb-coverage"):
        manager.register(CoverageReport(), "cexpert-kb-coverage")
    yield _SUMMARY


# --- what the rules and exercises reference -------------------------------------------------


def _atoms(condition: Cond) -> Iterator[Atom]:
    if isinstance(condition, Atom):
        yield condition
    elif isinstance(condition, AllOf | AnyOf):
        for operand in condition.operands:
            yield from _atoms(operand)
    elif isinstance(condition, NoneOf):
        yield from _atoms(condition.operand)


def _in(kb: KnowledgeBase, assessment: str) -> set[str]:
    return {f.id for f in kb.of("finding").values() if f.one("in") == assessment}


def referenced(kb: KnowledgeBase) -> dict[str, set[str]]:
    """kind -> the ids of that kind some rule or exercise refers to."""
    refs: dict[str, set[str]] = {k: set() for k in
                                 ("muscle", "finding", "exercise", "condition", "limitation",
                                  "equipment", "dysfunction")}
    fms = _in(kb, "fms") | _in(kb, "fms_clearing")
    for rule in kb.rules:
        for atom in _atoms(rule.condition):
            if atom.kind in ("finding", "fms", "asymmetry", "fms_priority"):
                if atom.id is not None and atom.id != "total":
                    refs["finding"].add(atom.id)
                elif atom.scope is not None:  # pain any
                    refs["finding"] |= _in(kb, atom.scope)
                elif atom.kind != "finding":  # fms any ..., fms total
                    refs["finding"] |= fms
            elif atom.kind in STATES and atom.id:
                refs["muscle"].add(atom.id)
            elif atom.kind in ("condition", "cleared") and atom.id:
                refs["condition"].add(atom.id)
            elif atom.kind in ("limitation", "equipment", "dysfunction") and atom.id:
                refs[atom.kind].add(atom.id)
        for conclusion in rule.conclusions:
            data = conclusion.data
            if conclusion.kind in STATES:
                refs["muscle"].add(data["muscle"])
            elif conclusion.kind == "dysfunction":
                refs["dysfunction"].add(data["dysfunction"])
            elif conclusion.kind == "prescribe":
                refs["exercise"].add(data["exercise"])
            elif conclusion.kind == "substitute":
                refs["exercise"] |= {data["exercise"], data["with"]}
            elif conclusion.kind == "exclude":
                refs["exercise"] |= set(data.get("exercises") or ())
                refs["muscle"] |= set(data.get("muscles") or ())
            elif conclusion.kind == "fms_target" and data.get("test"):
                refs["finding"].add(data["test"])
    # the room every client is assumed to have (a wall, the floor, ...) is referenced by
    # the setting that says so, whether or not an exercise names it
    refs["equipment"] |= set(kb.setting("assumed_equipment"))
    concluded = {s: {c.data["muscle"] for r in kb.rules for c in r.conclusions if c.kind == s}
                 for s in STATES}
    checkpoints = {f.one("checkpoint") for f in kb.of("finding").values()} - {None}
    phases = kb.of("phase")
    for exercise in kb.of("exercise").values():
        muscles = {*exercise.many("targets"), *exercise.many("covers")}
        refs["muscle"] |= muscles
        refs["equipment"] |= set(exercise.many("equipment"))
        refs["exercise"] |= set(exercise.many("substitutes"))
        treats = phases[exercise.one("phase")].one("treats")
        if (treats in STATES and muscles & concluded[treats]) or (
                treats == "checkpoints" and set(exercise.many("integrates")) & checkpoints):
            refs["exercise"].add(exercise.id)
    for finding in kb.of("finding").values():  # a clearing test names the test it clears
        if finding.one("clears") and finding.id in refs["finding"]:
            refs["finding"].add(finding.one("clears"))
    return refs


@pytest.mark.parametrize(
    "kind", ["muscle", "finding", "exercise", "condition", "limitation", "equipment",
             "dysfunction"])
def test_every_declaration_is_referenced(kb: KnowledgeBase, kind: str) -> None:
    # the rules of every profile count: the CPT7 rows are rules of the knowledge base too
    refs = referenced(kb)
    for other, ids in referenced(_kb(profile="cpt7")).items():
        refs[other] |= ids
    unused = sorted(set(kb.of(kind)) - refs[kind])
    assert not unused, f"{kind}s declared but referenced by no rule or exercise: {unused}"


# --- every flagged muscle has its exercises ----------------------------------------------

#: (phase, muscle) cells exercises.md leaves empty on purpose: no rolling of the neck
#: (§4 "Neck": stretch only) or of the lumbar spine (§4 "Lumbar spine"), no rolling of
#: the trunk muscles (table rows abdominal_complex, obliques: "—"), and no stretch given
#: for vastus_lateralis (its row has rolling only).
EMPTY_BY_DESIGN = {
    ("inhibit", "sternocleidomastoid"), ("inhibit", "scalenes"),
    ("inhibit", "levator_scapulae"), ("inhibit", "upper_trapezius"),
    ("inhibit", "erector_spinae"), ("inhibit", "quadratus_lumborum"),
    ("inhibit", "abdominal_complex"), ("inhibit", "internal_oblique"),
    ("inhibit", "external_oblique"), ("lengthen", "vastus_lateralis"),
}


def _phases_treating(kb: KnowledgeBase, state: str) -> list[str]:
    return [p.id for p in kb.of("phase").values() if p.one("treats") == state]


def test_every_flagged_muscle_has_an_exercise_in_each_phase_treating_it(
        kb: KnowledgeBase) -> None:
    missing = set()
    for state in STATES:
        flagged = {c.data["muscle"] for r in kb.rules for c in r.conclusions
                   if c.kind == state}
        for phase in _phases_treating(kb, state):
            covered = {m for e in kb.of("exercise").values() if e.one("phase") == phase
                       for m in (*e.many("targets"), *e.many("covers"))}
            missing |= {(phase, m) for m in flagged - covered}
    assert missing - EMPTY_BY_DESIGN == set(), "flagged muscles with no exercise"
    assert EMPTY_BY_DESIGN - missing == set(), "EMPTY_BY_DESIGN lists a cell now filled"


# --- rule coverage ------------------------------------------------------------------------


def _fired(cases: list[Path]) -> set[str]:
    return {rule for case in cases for rule in consultation(case)["rules"]}


def test_every_rule_fires_in_some_case(kb: KnowledgeBase, summary: list[str]) -> None:
    cpt7 = _kb(profile="cpt7")
    default_rules = {r.id for r in kb.rules}
    cpt7_only = {r.id for r in cpt7.rules if r.profile == "cpt7"}
    fired = (_fired(CASES) & default_rules) | (_fired(CPT7_CASES) & cpt7_only)
    every = default_rules | cpt7_only
    never = sorted(every - fired)
    percent = 100 * len(fired) / len(every)
    summary.append(f"rule coverage: {len(fired)}/{len(every)} rules fired ({percent:.1f}%) "
                   f"in {len(CASES)} cases + {len(CPT7_CASES)} CPT7-profile cases")
    if never:
        summary.append("never fired: " + ", ".join(never))
    print(summary[-1] if never else summary[0])
    stale = sorted(set(NEVER_FIRED) - every)
    assert not stale, f"NEVER_FIRED names rules that do not exist: {stale}"
    unexplained = [r for r in never if r not in NEVER_FIRED]
    assert not unexplained, f"rules no case makes fire (add a case): {unexplained}"


def test_exercise_selection_coverage(kb: KnowledgeBase, summary: list[str]) -> None:
    """Informational: how much of the exercise library some case's program uses."""
    used = {item["exercise"] for case in [*CASES, *CPT7_CASES]
            for item in consultation(case)["program"]}
    declared = set(kb.of("exercise"))
    summary.append(f"exercise selection coverage: {len(used & declared)}/{len(declared)} "
                   f"exercises appear in some program "
                   f"({100 * len(used & declared) / len(declared):.1f}%)")
    print(summary[-1])
    assert used <= declared


def test_no_case_has_notes_contradicting_its_program() -> None:
    """The 'no corrective needs found' note appears exactly when nothing is programmed
    and nothing is held (S10)."""
    for case in CASES:
        result = consultation(case)
        nothing = any("No corrective needs found" in n for n in result["notes"])
        assert nothing == (result["program_status"] == "none_needed"), case.name
