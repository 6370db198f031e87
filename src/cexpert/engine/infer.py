"""Run one consultation: case → input facts → forward chaining → result.

The rules do the clinical reasoning; this module only turns the case into
facts, records each conclusion with its premises (one fact per derivation, so
several derivations of one conclusion are all kept), and does the arithmetic
that says so (`origin: builtin`): FMS scoring, evidence counts, conflicts and
the ranking order the rules' settings ask for.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from cexpert.engine.case import BOTH, SIDES, Case, body_sides, side_word
from cexpert.engine.compile import Engine, WorkingFact
from cexpert.engine.facts import BUILTIN, INPUT, RULE, Fact, FactBook
from cexpert.engine.program import build_program
from cexpert.engine.result import (
    ConflictItem,
    DysfunctionItem,
    FmsSummary,
    MuscleItem,
    Reassessment,
    Referral,
    Result,
    RuleInfo,
    SuggestedTest,
)
from cexpert.language.knowledge import KbRule, KnowledgeBase
from cexpert.language.schema import ITS_LIMB, ITS_REGION

STATES = ("overactive", "underactive")
DEFAULT_FIRING_LIMIT = 100_000
FLIP = {"left": "right", "right": "left", BOTH: BOTH}


def consult(kb: KnowledgeBase, engine: Engine, case: Case, record: bool = False) -> Result:
    """The whole consultation for one case; deterministic for a given KB and case.

    `record` keeps the agenda of every firing (`Result.agenda`), for teaching."""
    book = FactBook()
    working = _input_facts(kb, case, book, engine.counts_visits)
    working += _fms_scoring(kb, case, book, engine.fms_tests)
    chaining = _Chaining(kb, book, engine.counts_evidence)
    limit = int((kb.setting("firing_limit") or (DEFAULT_FIRING_LIMIT,))[0])
    firings = engine.run(working, chaining.conclude, limit, then=chaining.at_fixed_point,
                         record=record, recorded=chaining.last_made)
    referral = _referral(book)
    muscles, conflicts = _muscles(kb, book)
    dysfunctions = _dysfunctions(kb, book)
    fms = _fms_summary(kb, case, book)
    program, excluded = build_program(kb, book, case, muscles, conflicts, dysfunctions,
                                      held=referral.holds_program)
    reassessment = _reassessment(book)
    suggested = _suggested_tests(kb, book, held=referral.holds_program)
    status = "held" if referral.holds_program else ("active" if program else "none_needed")
    used = sorted({f.rule for f in book.facts.values() if f.rule})
    notes = tuple(dict.fromkeys(f.get("text") for f in book.of_kind("note")))
    stops = tuple(dict.fromkeys(f.get("text") for f in book.of_kind("stop")))
    return Result(
        knowledge_base={"path": kb.portable_path or kb.path, "hash": kb.hash},
        client={"name": case.client.name, "age": case.client.age, "case": case.path},
        referral=referral, program_status=status, muscles=muscles, conflicts=conflicts,
        dysfunctions=dysfunctions, fms=fms, program=program, excluded=excluded,
        reassessment=reassessment, facts=dict(book.facts),
        rules={r: _rule_info(kb, kb.rule(r)) for r in used if kb.rule(r)}, firings=firings,
        notes=notes, stop_rules=stops, agenda=engine.recording, suggested_tests=suggested,
    )


def _rule_info(kb: KnowledgeBase, rule: KbRule | None) -> RuleInfo:
    """A fired rule for the contract: its file relative to the knowledge base's root,
    so a result means the same on every machine."""
    assert rule is not None
    return RuleInfo(rule.title, rule.source, kb.portable_file(rule.file), rule.line)


# --- input --------------------------------------------------------------------------


def _input_facts(kb: KnowledgeBase, case: Case, book: FactBook, counts_visits: bool = False
                 ) -> list[WorkingFact]:
    client = case.client
    out: list[WorkingFact] = []

    def add(kind: str, data: dict, ident: str | None = None, side: str = BOTH,
            value: float | None = None, scope: str | None = None,
            region: str | None = None) -> str:
        fact = book.add(kind, data, origin=INPUT)
        out.append(WorkingFact(kind, ident, fact.id, side, value, scope, region=region))
        return fact.id

    add("client", {"name": client.name, "goals": list(client.goals)})
    if client.age is not None:
        add("age", {"age": client.age}, value=client.age)
    for condition in client.conditions:
        data = {"condition": condition.id, "status": condition.status, "region": condition.region}
        add("condition", {k: v for k, v in data.items() if v is not None}, condition.id,
            scope=condition.status, region=condition.region)  # `is STATUS`: the scope
        for measure, amount in condition.measures:  # `weeks of pregnancy >= 14`
            add("measure", {"condition": condition.id, "measure": measure, "value": amount},
                condition.id, value=amount, scope=measure)
    for limitation in client.limitations:
        add("limitation", {"limitation": limitation}, limitation)
    for item in client.equipment or ():
        add("equipment", {"equipment": item}, item)
    for question in case.screening.parq_yes:
        add("parq", {"question": question}, str(question))
    if case.screening.followup_yes:
        add("followup", {"answer": "yes"})
    for cleared in case.screening.cleared:
        add("cleared", {"condition": cleared}, cleared)
    pain = any(o.assessment == "pain" for o in case.observations)
    for obs in case.observations:
        data = {"finding": obs.finding, "assessment": obs.assessment, "side": obs.side}
        if obs.during:
            data["during"] = obs.during
        if pain and obs.assessment != "pain":
            data["provisional"] = True
        add("finding", data, obs.finding, obs.side, scope=obs.assessment)
    for clearing in case.clearing:
        if clearing.positive:
            add("finding", {"finding": clearing.test, "assessment": "fms_clearing",
                            "side": clearing.side, "painful": True},
                clearing.test, clearing.side, scope="fms_clearing")
    if case.previous or counts_visits:
        out += _across_visits(case, book, out)
    out += _clearances(case, book, out)
    # what was run and left no fact of its own (`assessed X`; a finding or a score says
    # the rest): an assessment entered empty, a clearing test recorded negative
    observed = {o.assessment for o in case.observations}
    positive = {c.test for c in case.clearing if c.positive}
    tests = [*(a for a in case.assessed if a not in observed),
             *(c.test for c in case.clearing if c.test not in positive),
             *(["fms_clearing"] if case.clearing and not positive else [])]
    for test in dict.fromkeys(tests):
        add("assessed", {"test": test}, test)
    return out


#: The conditions that compare a visit with the previous one (`resolved X` ...).
VISIT_CHANGES = ("resolved", "persists", "new")


def _across_visits(case: Case, book: FactBook, entered: list[WorkingFact]
                   ) -> list[WorkingFact]:
    """The visit count (input) and each finding compared with the previous visit
    (builtin): `resolved` (then, not now), `new` (now, not then), `persists` (then
    and now, its value the visits in a row it was found, this one included). Sides
    are not compared: a finding counts once whatever side it was entered on."""
    out: list[WorkingFact] = []
    count = book.add("visits", {"visits": case.visits, "date": case.date}, origin=INPUT)
    out.append(WorkingFact("visits", None, count.id, value=case.visits))
    if not case.previous:
        return out
    last = case.previous[-1]
    then = {f: book.add("previous_finding", {"finding": f, "date": last.date,
                                             "visit": len(case.previous)}, origin=INPUT)
            for f in last.findings}
    now: dict[str, list[WorkingFact]] = {}
    for fact in entered:
        if fact.kind == "finding" and fact.scope != "fms_clearing" and fact.id:
            now.setdefault(fact.id, []).append(fact)
    for finding, facts in now.items():
        sides = {f.side for f in facts}
        side = sides.pop() if len(sides) == 1 else BOTH
        premises = tuple(f.fid for f in facts)
        if finding in then:
            streak = 2
            for earlier in reversed(case.previous[:-1]):
                if finding not in earlier.findings:
                    break
                streak += 1
            fact = book.add("persists", {"finding": finding, "side": side, "visits": streak,
                                         "since": last.date},
                            origin=BUILTIN, premises=(*premises, then[finding].id))
            out.append(WorkingFact("persists", finding, fact.id, side, streak))
        else:
            fact = book.add("new", {"finding": finding, "side": side, "since": last.date},
                            origin=BUILTIN, premises=premises)
            out.append(WorkingFact("new", finding, fact.id, side))
    for finding, previous in then.items():
        if finding not in now:
            fact = book.add("resolved", {"finding": finding, "since": last.date},
                            origin=BUILTIN, premises=(previous.id,))
            out.append(WorkingFact("resolved", finding, fact.id))
    return out


#: The working-fact kind (and assessment) of what each kind of clearance clears.
_CLEARS = {"parq": ("parq", None), "condition": ("condition", None),
           "pain": ("finding", "pain"), "clearing_test": ("finding", "fms_clearing")}


def _clearances(case: Case, book: FactBook, entered: list[WorkingFact]) -> list[WorkingFact]:
    """Each clearance record, matched to the entered facts inside its scope.

    A record covers what it names, on its side (a record for both sides covers
    either; one side covers only that side), so pain elsewhere is not covered. Its
    `value` is its age in whole months at the consultation's date; the rules say
    who may clear what and for how long."""
    out: list[WorkingFact] = []
    for record in case.screening.clearances:
        months = _months(record.date, case.date)
        data = {"clears": record.clears, "subject": record.subject, "side": record.side,
                "by": record.by, "date": record.date.isoformat() if record.date else None,
                "months": months}
        fact = book.add("clearance", data, origin=INPUT)
        kind, scope = _CLEARS[record.clears]
        covered = [w for w in entered if w.kind == kind and w.id == record.subject
                   and (scope is None or w.scope == scope)
                   and (record.side == BOTH or w.side == record.side)]
        subject = record.subject if record.clears == "condition" else None
        for target in covered or [None]:
            out.append(WorkingFact("cleared", subject, fact.id, record.side, months,
                                   record.by, target.fid if target else None))
    return out


def _months(given, visit: str | None) -> int | None:
    """Whole months from `given` to the visit's date (12 months to the day is 12)."""
    if given is None or visit is None:
        return None
    today = datetime.date.fromisoformat(visit)
    months = (today.year - given.year) * 12 + today.month - given.month
    return months - (1 if today.day < given.day else 0)


def _fms_scoring(kb: KnowledgeBase, case: Case, book: FactBook, tests: int
                 ) -> list[WorkingFact]:
    """FMS arithmetic (builtin): clearing pain → 0, lower side counts, total, asymmetry;
    the total once all `tests` FMS tests the knowledge base declares are scored."""
    out: list[WorkingFact] = []
    painful = [f for f in book.of_kind("finding")
               if f.get("assessment") == "fms_clearing" and f.get("painful")]
    finals: list[Fact] = []
    raws = [book.add("fms_raw", {"test": score.test, "left": score.left,
                                 "right": score.right}, origin=INPUT)
            for score in case.fms]  # all that was entered first, then the arithmetic
    for score, raw in zip(case.fms, raws, strict=True):
        premises = [raw.id]
        sides = {"left": score.left, "right": score.right}
        for clearing in painful:
            entry = kb.get("finding", clearing.get("finding"))
            if entry is None or entry.one("clears") != score.test:
                continue
            premises.append(clearing.id)
            for side in ("left", "right"):
                if clearing.get("side") in (side, BOTH):
                    sides[side] = 0
        known = [v for v in sides.values() if v is not None]
        final = min(known)
        fact = book.add("fms", {"test": score.test, "score": final, **sides},
                        origin=BUILTIN, premises=tuple(premises))
        finals.append(fact)
        out.append(WorkingFact("fms", score.test, fact.id, value=final))
        sided = kb.get("finding", score.test).flag("sided")
        if sided and None not in sides.values() and sides["left"] != sides["right"]:
            asym = book.add("asymmetry", {"test": score.test}, origin=BUILTIN,
                            premises=(fact.id,))
            out.append(WorkingFact("asymmetry", score.test, asym.id))
    if finals and len(finals) == tests:
        total = sum(f.get("score") for f in finals)
        fact = book.add("fms_total", {"total": total}, origin=BUILTIN,
                        premises=tuple(f.id for f in finals))
        out.append(WorkingFact("fms_total", None, fact.id, value=total))
    return out


# --- chaining: one fact per derivation -------------------------------------------------


@dataclass
class _Chaining:
    """The state of one consultation's chaining: the facts made so far, each once."""

    kb: KnowledgeBase
    book: FactBook
    evidence_wanted: bool = True

    def __post_init__(self) -> None:
        self.seen: set[tuple] = set()
        self.made: list[str] = []

    def last_made(self) -> tuple[str, ...]:
        """Every fact the last `conclude` recorded (for an agenda recording)."""
        return tuple(self.made)

    def conclude(self, rule: KbRule, premises: tuple[str, ...], side: str
                 ) -> list[WorkingFact]:
        out: list[WorkingFact] = []
        self.made = []
        matched = frozenset(premises)
        source: str | None = None  # a muscle's: worked out for the first one
        for index, conclusion in enumerate(rule.conclusions):
            # an OR's other branch matching the same facts (in any order): once only
            key = (rule.id, index, matched)
            if key in self.seen:
                continue
            self.seen.add(key)
            data = dict(conclusion.data)
            kind = conclusion.kind
            if kind == "exclude" and data.get("regions"):
                data["regions"] = self._regions(data["regions"], premises)
            for key in ("reason", "text", "with"):
                if isinstance(data.get(key), str) and "{" in data[key]:
                    data[key] = self._render(data[key], premises)
            if kind in STATES:
                relation = data["side"]
                data["side"] = _side(relation, side, self._scores(premises)
                                     if relation in ("lower", "higher") else None)
                data["position"] = conclusion.position
                if source is None:
                    source = _source(self.book, premises)
                data["source"] = source
            if kind == "suggest":
                data["side"] = _subject_side(self.book, premises, side)
            if kind == "fms_target" and data.get("test") is None:
                data["test"] = next((self.book[p].get("test") for p in premises
                                     if self.book[p].kind in ("fms", "asymmetry")), None)
            fact = self.book.add(_fact_kind(kind), data, origin=RULE, rule=rule.id,
                                 premises=premises)
            self.made.append(fact.id)
            working = _working(kind, data, fact.id)
            if working is not None:
                out.append(working)
        return out


    def _regions(self, regions: list[str], premises: tuple[str, ...]) -> list[str]:
        """`at its region` / `at its limb`: the region the matched condition was recorded
        at, or the outermost region around it."""
        recorded = next((self.book[p].get("region") for p in premises
                         if self.book[p].kind == "condition" and self.book[p].get("region")),
                        None)
        out = []
        for region in regions:
            if region in (ITS_REGION, ITS_LIMB):
                if recorded is None:
                    continue
                region = recorded if region == ITS_REGION else \
                    self.kb.region_around(recorded)[-1]
            if region not in out:
                out.append(region)
        return out

    def _render(self, text: str, premises: tuple[str, ...]) -> str:
        """Fill a reason's placeholders from what the rule matched: {side} {region}
        {finding} {during} {question} (README, "Reasons that name what was found")."""
        found = next((self.book[p] for p in premises
                      if self.book[p].kind in ("finding", *VISIT_CHANGES)), None)
        parq = next((self.book[p] for p in premises if self.book[p].kind == "parq"), None)
        values = {"side": "", "region": "", "finding": "", "during": "an assessment",
                  "question": str(parq.get("question")) if parq else ""}
        if found is not None:
            entry = self.kb.get("finding", found.get("finding"))
            name = entry.name if entry else str(found.get("finding"))
            values["finding"] = _lower_first(name)
            values["region"] = str(entry.one("region", _lower_first(name))) if entry else name
            side = found.get("side")
            values["side"] = side if side in ("left", "right") else ""
            if found.get("during"):
                values["during"] = "the " + _lower_first(
                    self.kb.name_of("assessment", found.get("during")))
        else:  # a regional condition: {region} is where it was recorded
            placed = next((self.book[p] for p in premises if self.book[p].kind == "condition"
                           and self.book[p].get("region")), None)
            if placed is not None:
                values["region"] = self.kb.name_of("region", placed.get("region")).lower()
        rendered = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)
        return re.sub(r" {2,}", " ", rendered)

    def _scores(self, premises: tuple[str, ...]) -> dict | None:
        """Left and right scores of the FMS test a rule matched, for lower/higher side."""
        for fid in premises:
            fact = self.book[fid]
            if fact.kind in ("fms", "fms_priority") and fact.get("left") is not None:
                return {"left": fact.get("left"), "right": fact.get("right")}
        return None

    def at_fixed_point(self) -> list[WorkingFact]:
        """Builtins that need the whole fixed point: the FMS priority first (its rules
        add muscles), then each muscle's evidence once no muscle can be added."""
        return self.fms_priority() or self.evidence()

    def evidence(self) -> list[WorkingFact]:
        """Builtin: how many entered findings each muscle's state rests on (any side),
        for `evidence overactive MUSCLE <= N`. Counted once."""
        if not self.evidence_wanted or self.book.of_kind("evidence"):
            return []
        by_muscle: dict[tuple[str, str], list[Fact]] = defaultdict(list)
        for fact in self.book.of_kind(*STATES):
            by_muscle[(fact.data.get("muscle"), fact.kind)].append(fact)
        out = []
        for (muscle, state), facts in by_muscle.items():
            count = len(_evidence_inputs(self.book, facts))
            sides = _sides_of(facts)
            fact = self.book.add("evidence", {"muscle": muscle, "state": state,
                                              "count": count, "side": side_word(sides)},
                                 origin=BUILTIN, premises=tuple(f.id for f in facts))
            out.append(WorkingFact("evidence", muscle, fact.id, side_word(sides), count,
                                   state))
        return out

    def fms_priority(self) -> list[WorkingFact]:
        """Builtin at the fixed point: the first target in the `fms_order` setting."""
        if self.book.of_kind("fms_priority"):
            return []
        targets = self.book.of_kind("fms_target")
        if not targets:
            return []
        order = list(self.kb.setting("fms_order"))
        first = min(targets, key=lambda f: (order.index(f.get("test"))
                                            if f.get("test") in order else len(order),
                                            int(f.id[1:])))
        test = first.get("test")
        scores = next((f for f in self.book.of_kind("fms") if f.get("test") == test), None)
        data = {"test": test}
        if scores is not None:
            data.update(left=scores.get("left"), right=scores.get("right"))
        fact = self.book.add("fms_priority", data, origin=BUILTIN,
                             premises=tuple(f.id for f in targets if f.get("test") == test))
        return [WorkingFact("fms_priority", test, fact.id)]


def _subject_side(book: FactBook, premises: tuple[str, ...], side: str) -> str:
    """The side a suggested test is run on: the matched finding's, else the side of
    the muscle (evidence) or FMS test it rests on; both when none says."""
    if side != BOTH:
        return side
    for fid in premises:
        fact = book[fid]
        if fact.kind in ("evidence", *STATES) and fact.get("side") in SIDES:
            return fact.get("side")
    return BOTH


def _lower_first(name: str) -> str:
    """'Single-leg squat' → 'single-leg squat'; an acronym ('FMS ...') stays."""
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def _source(book: FactBook, premises: tuple[str, ...]) -> str | None:
    """The finding (or FMS test) a muscle conclusion rests on, whatever the premise order:
    it orders the round-robin and names what a program item addresses."""
    for fid in premises:
        if book[fid].get("finding") or book[fid].get("test"):
            return fid
    return premises[0] if premises else None


def _fact_kind(kind: str) -> str:
    return {"refer": "referral", "exclude": "exclusion", "dose": "dose_change"}.get(kind, kind)


def _working(kind: str, data: dict, fid: str) -> WorkingFact | None:
    if kind in STATES:
        return WorkingFact(kind, data["muscle"], fid, data["side"])
    if kind == "dysfunction":
        return WorkingFact("dysfunction", data["dysfunction"], fid)
    if kind == "refer":
        return WorkingFact("referral", data.get("urgency"), fid)
    return None


def _side(relation: str, subject: str, scores: dict | None = None) -> str:
    if relation == "same":
        return subject
    if relation == "opposite":
        return FLIP[subject]
    if relation in ("lower", "higher"):
        if not scores or scores["left"] == scores["right"]:
            return BOTH
        lower = "left" if scores["left"] < scores["right"] else "right"
        return lower if relation == "lower" else FLIP[lower]
    return relation  # both, left, right


# --- summaries ----------------------------------------------------------------------


def _referral(book: FactBook) -> Referral:
    referrals = book.of_kind("referral")
    holds = book.of_kind("hold")
    if not referrals and not holds:
        return Referral()
    urgency = "urgent" if any(f.get("urgency") == "urgent" for f in referrals) else (
        "routine" if referrals else None)
    reasons = list(dict.fromkeys(f.get("reason") for f in [*referrals, *holds]))
    return Referral(bool(referrals), urgency, bool(holds), tuple(reasons),
                    tuple(f.id for f in [*referrals, *holds]))


def _evidence_inputs(book: FactBook, facts: Sequence[Fact]) -> set[str]:
    """The entered findings and FMS scores behind these facts."""
    known = book.facts
    inputs: set[str] = set()
    for fact in facts:
        inputs.update(i for i in book.inputs_behind(fact.id)
                      if known[i].kind in ("finding", "fms_raw"))
    return inputs


def _sides_of(facts: Sequence[Fact]) -> set[str]:
    """The body sides these facts name, together."""
    sides: set[str] = set()
    for fact in facts:
        sides |= body_sides(fact.data.get("side"))
    return sides


def _muscles(kb: KnowledgeBase, book: FactBook
             ) -> tuple[tuple[MuscleItem, ...], tuple[ConflictItem, ...]]:
    """One item per muscle and state, scored by the distinct findings behind it.

    A conflict is decided side by side (continuum.md S3): only the sides pointed both
    ways leave both sets; the muscle's other sides keep their state."""
    evidence: dict[str, dict[str, list[Fact]]] = {}
    for fact in book.of_kind(*STATES):
        evidence.setdefault(fact.data.get("muscle"), {}).setdefault(fact.kind, []).append(fact)
    muscles: list[tuple[tuple, MuscleItem]] = []
    conflicts: list[ConflictItem] = []
    for muscle, by_state in evidence.items():
        sides = {state: _sides_of(facts) for state, facts in by_state.items()}
        shared = set.intersection(*sides.values()) if len(sides) == 2 else set()
        name = kb.name_of("muscle", muscle)
        if shared:
            clashing = [f for state in STATES for f in by_state.get(state, [])
                        if body_sides(f.data.get("side")) & shared]
            book.add("conflict", {"muscle": muscle, "side": side_word(shared)},
                     origin=BUILTIN, premises=tuple(f.id for f in clashing))
            conflicts.append(ConflictItem(muscle, name, side_word(shared),
                                          tuple(f.id for f in clashing)))
        for state, facts in by_state.items():
            kept = sides[state] - shared
            if shared:  # else every fact's sides are kept
                facts = [f for f in facts if body_sides(f.data.get("side")) & kept]
            if not facts:
                continue
            score = len(_evidence_inputs(book, facts))
            side = side_word(kept)
            fact = book.add("muscle", {"muscle": muscle, "state": state, "side": side,
                                       "score": score}, origin=BUILTIN,
                            premises=tuple(f.id for f in facts))
            order = (STATES.index(state), -score, int(facts[0].id[1:]))
            muscles.append((order, MuscleItem(muscle, name, state, side, score, fact.id)))
    return tuple(m for _, m in sorted(muscles, key=lambda x: x[0])), tuple(conflicts)


def rank_key(kb: KnowledgeBase, finding_id: str) -> tuple[int, int, int]:
    """The settings' order: checkpoint, then assessment, then declaration order."""
    entry = kb.get("finding", finding_id)
    checkpoints = list(kb.setting("checkpoint_order"))
    assessments = list(kb.setting("assessment_order"))
    if entry is None:
        return (len(checkpoints), len(assessments), 0)
    checkpoint = entry.one("checkpoint")
    assessment = entry.one("in")
    return (
        checkpoints.index(checkpoint) if checkpoint in checkpoints else len(checkpoints),
        assessments.index(assessment) if assessment in assessments else len(assessments),
        entry.order,
    )


def _dysfunctions(kb: KnowledgeBase, book: FactBook) -> tuple[DysfunctionItem, ...]:
    """Entered findings with a checkpoint, and recognised patterns, in the settings' order."""
    candidates: list[tuple[tuple, str, str, int, Fact]] = []
    seen: set[str] = set()
    sources: Counter[str] | None = None  # the muscle facts naming each finding their source
    for fact in book.of_kind("finding"):
        entry = kb.get("finding", fact.get("finding"))
        if entry is None or entry.one("checkpoint") is None:
            continue
        if sources is None:
            sources = Counter(f.data.get("source") for f in book.of_kind(*STATES))
        score = sources[fact.id]
        candidates.append(((*rank_key(kb, entry.id), 1), entry.id, entry.name, score, fact))
    for fact in book.of_kind("dysfunction"):
        ident = fact.get("dysfunction")
        if ident in seen:
            continue
        seen.add(ident)
        signs = [book[i] for i in book.inputs_behind(fact.id) if book[i].kind == "finding"]
        keys = [rank_key(kb, s.get("finding")) for s in signs] or [(99, 99, 0)]
        candidates.append(((*min(keys), 0), ident, kb.name_of("dysfunction", ident),
                           len(signs), fact))
    items = []
    for rank, (key, ident, name, score, fact) in enumerate(sorted(candidates,
                                                                 key=lambda c: c[0]), 1):
        ranked = book.add("rank", {"dysfunction": ident, "rank": rank,
                                   "key": {"checkpoint": key[0], "assessment": key[1],
                                           "order": key[2]}},
                          origin=BUILTIN, premises=(fact.id,))
        items.append(DysfunctionItem(ident, name, rank, score, ranked.id))
    return tuple(items)


def _fms_summary(kb: KnowledgeBase, case: Case, book: FactBook) -> FmsSummary | None:
    finals = book.of_kind("fms")
    if not finals:
        return None
    scores = {f.get("test"): f.get("score") for f in finals}
    sides = {f.get("test"): {"left": f.get("left"), "right": f.get("right")}
             for f in finals if kb.get("finding", f.get("test")).flag("sided")}
    totals = book.of_kind("fms_total")
    asymmetries = tuple(f.get("test") for f in book.of_kind("asymmetry"))
    order = list(kb.setting("fms_order"))
    targets = list(dict.fromkeys(f.get("test") for f in book.of_kind("fms_target")))
    targets.sort(key=lambda t: order.index(t) if t in order else len(order))
    flags = [f.get("text") for f in book.of_kind("note")
             if any(book[p].kind in ("fms", "fms_total", "asymmetry", "fms_priority")
                    for p in f.premises)]
    if not totals:
        flags.append("partial screen: total not computed")
    if any(f.kind == "finding" and f.get("assessment") == "fms_clearing"
           for f in book.facts.values()):
        flags.append("positive clearing test")
    # one corrective priority at a time (fms.md §5 P5): the first target; the others
    # are next, after a rescreen, never co-priorities
    return FmsSummary(scores, sides, totals[0].get("total") if totals else None,
                      asymmetries, tuple(targets[:1]), tuple(flags), tuple(targets[1:]))


def _suggested_tests(kb: KnowledgeBase, book: FactBook, held: bool
                     ) -> tuple[SuggestedTest, ...]:
    """The next tests the rules suggest, through the filters exercises pass: none while
    the program is held; none that repeats the movement pain was felt in; none an
    exclusion's tags rule out (`exclude tagged supine` removes a test done lying on the
    back as it removes an exercise). One per test and side, in the rules' order."""
    if held:
        return ()
    painful = {f.get("during") for f in book.of_kind("finding")
               if f.get("assessment") == "pain" and f.get("during")}
    excluded_tags = [set(f.get("tags") or ()) for f in book.of_kind("exclusion")
                     if f.get("tags") and not (f.get("phases") or f.get("exercises")
                                               or f.get("muscles"))]
    out: dict[tuple[str, str], SuggestedTest] = {}
    for fact in book.of_kind("suggest"):
        test = fact.get("test")
        entry = kb.get("assessment", test) or kb.get("finding", test)
        assessment = entry.one("in") if entry is not None and entry.kind == "finding" else test
        if test in painful or assessment in painful:
            continue
        tags = set(entry.many("tags")) if entry is not None else set()
        if any(tags & excluded for excluded in excluded_tags):
            continue
        key = (test, fact.get("side") or BOTH)
        if key not in out:
            name = entry.name if entry is not None else test
            out[key] = SuggestedTest(test, name, key[1], fact.get("with"),
                                     fact.get("reason"), fact.id)
    return tuple(out.values())


def _reassessment(book: FactBook) -> Reassessment | None:
    facts = book.of_kind("reassess")
    if not facts:
        return None
    first = min(facts, key=lambda f: (f.get("weeks"), int(f.id[1:])))
    return Reassessment(first.get("weeks"), first.id)
