"""Assemble the session: one generic selection mechanism driven by declarations.

Which phases exist, in what order, what each treats and how many exercises it
may hold; which exercise covers which muscle; which are excluded, substituted
or re-dosed: all of it comes from the rule files (phases, exercises, and the
facts the rules concluded). This module knows only the procedure
(`continuum.md` §5): visit the dysfunctions in rank order, round by round, and
take for each the first muscle of its list still uncovered in this phase.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cexpert.engine.case import BOTH, Case, body_sides, side_word
from cexpert.engine.facts import BUILTIN, Fact, FactBook
from cexpert.engine.result import (
    ConflictItem,
    Dose,
    DysfunctionItem,
    ExcludedItem,
    Instructions,
    MuscleItem,
    ProgramItem,
)
from cexpert.language.knowledge import Entry, KnowledgeBase

STATES = ("overactive", "underactive")


@dataclass(frozen=True)
class _Index:
    """What the builder looks up in a knowledge base, worked out once per knowledge base
    instead of once per consultation (it depends on nothing a case says)."""

    #: (phase, muscle) -> the exercises covering it, in `candidates` order
    covering: Mapping[tuple[str, str], tuple[Entry, ...]]
    #: exercise id -> the muscles it targets or covers
    worked: Mapping[str, frozenset[str]]
    #: exercise id -> the body regions of those muscles
    area: Mapping[str, frozenset[str | None]]
    assumed: frozenset[str]
    #: exercise id -> the equipment it needs beyond `none` and the assumed equipment
    needs: Mapping[str, tuple[str, ...]]
    #: exercise id -> its targets then what it covers, in the order declared
    works: Mapping[str, tuple[str, ...]]
    #: exercise id -> its tags
    tags: Mapping[str, frozenset[str]]
    #: (phase, checkpoint) -> the exercises of the phase integrating it, by preference
    integrating: Mapping[tuple[str, str], tuple[Entry, ...]]
    #: filled as asked: exercise id -> its instructions; (phase, exercise) -> its dose
    instructions: dict[str, Instructions | None] = field(default_factory=dict)
    doses: dict[tuple[str, str], dict[str, object]] = field(default_factory=dict)

    def instructions_of(self, exercise: Entry) -> Instructions | None:
        if exercise.id not in self.instructions:
            self.instructions[exercise.id] = _instructions(exercise)
        return self.instructions[exercise.id]

    def declared_dose(self, exercise: Entry, phase: Entry) -> dict[str, object]:
        """The dose the phase and then the exercise declare (to copy, not to change)."""
        key = (phase.id, exercise.id)
        if key not in self.doses:
            values: dict[str, object] = {}
            for source in (phase, exercise):
                for name in ("sets", "reps", "hold", "tempo"):
                    if source.one(name) is not None:
                        values[name] = source.one(name)
            self.doses[key] = values
        return self.doses[key]

    @classmethod
    def of(cls, kb: KnowledgeBase) -> _Index:
        covering: dict[tuple[str, str], list[tuple[int, Entry]]] = defaultdict(list)
        worked: dict[str, frozenset[str]] = {}
        area: dict[str, frozenset[str | None]] = {}
        works: dict[str, tuple[str, ...]] = {}
        for exercise in kb.of("exercise").values():
            targets = works[exercise.id] = _works(exercise)
            for target in dict.fromkeys(targets):
                covering[(exercise.one("phase"), target)].append(
                    (targets.index(target), exercise))
            worked[exercise.id] = frozenset(targets)
            area[exercise.id] = _area(kb, worked[exercise.id])
        ordered = {key: tuple(e for _, _, e in sorted(
            ((position, kb.preference(e.id), e) for position, e in found),
            key=lambda x: (x[0], x[1]))) for key, found in covering.items()}
        assumed = frozenset(kb.setting("assumed_equipment"))
        by_preference = tuple(sorted(kb.of("exercise").values(),
                                     key=lambda e: kb.preference(e.id)))
        integrating: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        for exercise in by_preference:
            for checkpoint in dict.fromkeys(exercise.many("integrates")):
                integrating[(exercise.one("phase"), checkpoint)].append(exercise)
        exercises = kb.of("exercise").values()
        return cls(
            ordered, worked, area, assumed,
            needs={e.id: _needs(e, assumed) for e in exercises}, works=works,
            tags={e.id: frozenset(e.many("tags")) for e in exercises},
            integrating={key: tuple(found) for key, found in integrating.items()})


#: id(kb) -> (a weak reference to it, its index): dropped with the knowledge base
_INDEXES: dict[int, tuple[weakref.ref, _Index]] = {}


def _index_of(kb: KnowledgeBase) -> _Index:
    held = _INDEXES.get(id(kb))
    if held is not None and held[0]() is kb:
        return held[1]
    index = _Index.of(kb)
    key = id(kb)
    _INDEXES[key] = (weakref.ref(kb, lambda _ref: _INDEXES.pop(key, None)), index)
    return index


def _area(kb: KnowledgeBase, worked: frozenset[str] | set[str]) -> frozenset[str | None]:
    return frozenset(kb.get("muscle", m).one("region") for m in worked if kb.get("muscle", m))


@dataclass
class _Choice:
    """Why an exercise may or may not be used, with the facts that decided it."""

    exercise: str | None
    premises: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str, str, str]] = field(default_factory=list)
    # (exercise, category, reason, fact id)


class _Session:
    def __init__(self, kb: KnowledgeBase, book: FactBook, case: Case,
                 muscles: Sequence[MuscleItem], conflicts: Sequence[ConflictItem],
                 dysfunctions: Sequence[DysfunctionItem]):
        self.kb = kb
        self.book = book
        self.case = case
        self.muscle_fact = {(m.id, m.state): m.fact for m in muscles}
        self.conflicted: dict[str, set[str]] = defaultdict(set)
        for conflict in conflicts:
            self.conflicted[conflict.id] |= body_sides(conflict.side)
        self.conflicts = conflicts
        self.exclusions = book.of_kind("exclusion")
        self._excluding = [_Exclusion.of(f) for f in self.exclusions]
        self.substitutes: dict[str, list[Fact]] = defaultdict(list)
        for fact in book.of_kind("substitute"):
            if fact.get("with") and all(f.get("with") != fact.get("with")
                                        for f in self.substitutes[fact.get("exercise")]):
                self.substitutes[fact.get("exercise")].append(fact)
        self.doses = book.of_kind("dose_change")
        self.excluded: list[ExcludedItem] = []
        self.index = _index_of(kb)
        #: (exercise, phase) -> why it may not be used; the same all through one build
        self._blocks: dict[tuple[str, str], tuple[str, str, str] | None] = {}
        self._allowed: dict[tuple[str, str], _Choice | None] = {}
        self.sources = self._source_order(dysfunctions)
        self.lists = self._muscle_lists()
        #: state -> source fact -> the muscles its list names
        self.listed = {state: {source: frozenset(m for m, _ in entries)
                               for source, entries in lists.items()}
                       for state, lists in self.lists.items()}
        #: state -> muscle -> the sides the lists name it on (any list)
        self.sides: dict[str, dict[str, set[str]]] = {}
        for state, lists in self.lists.items():
            sides = self.sides[state] = defaultdict(set)
            for entries in lists.values():
                for muscle, side in entries:
                    sides[muscle].add(side)
        #: source fact -> the finding (or FMS test) it names
        self.names = {source: book[source].get("finding") or book[source].get("test")
                      for source in self.sources}

    # --- ordering -----------------------------------------------------------------
    def _source_order(self, dysfunctions: Sequence[DysfunctionItem]) -> list[str]:
        """Fact ids of the findings behind the muscles, in dysfunction rank order."""
        ranked = [self.book[self.book[d.fact].premises[0]] for d in dysfunctions]
        order = [f.id for f in ranked if f.kind == "finding"]
        for fact in self.book.of_kind(*STATES):
            source = fact.get("source")
            if source and source not in order:
                order.append(source)
        return order

    def _muscle_lists(self) -> dict[str, dict[str, list[tuple[str, str]]]]:
        """state -> source fact -> [(muscle, side)] in the order the rule lists them.

        A side in conflict is left out (S3); the muscle's other side stays."""
        lists: dict[str, dict[str, list]] = {s: defaultdict(list) for s in STATES}
        listed: set[tuple[str, str, str]] = set()  # (state, source, muscle) in a list
        # by position, then in the order made (of_kind's order, which the sort keeps)
        evidence = sorted(self.book.of_kind(*STATES), key=lambda f: f.data.get("position", 0))
        for fact in evidence:
            data = fact.data
            muscle = data.get("muscle")
            kept = body_sides(data.get("side")) - self.conflicted.get(muscle, set())
            if not kept or (muscle, fact.kind) not in self.muscle_fact:
                continue
            source = data.get("source")
            if (fact.kind, source, muscle) not in listed:
                listed.add((fact.kind, source, muscle))
                lists[fact.kind][source].append((muscle, side_word(kept)))
        return lists

    # --- what may be used ------------------------------------------------------------
    def choose(self, exercise: Entry, muscle: str | None, phase: str) -> _Choice:
        """The exercise itself, or the first usable replacement: rules' substitutions
        first (in rule order), then the exercise's declared `substitutes`."""
        if not self.substitutes.get(exercise.id) and self._blocked(exercise, muscle,
                                                                  phase) is None:
            return _Choice(exercise.id)  # most often: the exercise itself, as the loop says
        choice = _Choice(None)
        queue: list[Entry] = [exercise]
        tried: set[str] = set()
        while queue:
            candidate = queue.pop(0)
            if candidate.id in tried:
                continue
            tried.add(candidate.id)
            swaps = self.substitutes.get(candidate.id, [])
            if swaps:
                for swap in swaps:
                    choice.rejected.append((candidate.id, "caution", swap.get("reason"),
                                            swap.id))
                    choice.premises.append(swap.id)
                queue[:0] = [e for e in (self.kb.get("exercise", s.get("with"))
                                         for s in swaps) if e is not None]
                continue
            blocked = self._blocked(candidate, muscle, phase)
            if blocked is None:
                choice.exercise = candidate.id
                return choice
            choice.rejected.append((candidate.id, *blocked))
            queue.extend(e for e in (self.kb.get("exercise", s)
                                     for s in candidate.many("substitutes")) if e is not None)
        return choice

    def _blocked(self, exercise: Entry, muscle: str | None, phase: str
                 ) -> tuple[str, str, str] | None:
        """Why `exercise` may not be used in `phase` (the same for every muscle)."""
        key = (exercise.id, phase)
        if key not in self._blocks:
            self._blocks[key] = self._blocking(exercise, phase)
        return self._blocks[key]

    def _blocking(self, exercise: Entry, phase: str) -> tuple[str, str, str] | None:
        index = self.index
        worked = index.worked.get(exercise.id)
        if worked is None:  # not the knowledge base's own (the index has every one)
            tags, worked, area = _parts(self.kb, exercise)
        else:
            area, tags = index.area[exercise.id], index.tags[exercise.id]
        for exclusion in self._excluding:
            if exclusion.covers(exercise.id, phase, self.kb, tags, worked, area):
                return ("contraindication", exclusion.fact.get("reason"), exclusion.fact.id)
        owned = self.case.client.equipment
        needed = index.needs.get(exercise.id)
        if needed is None:
            needed = _needs(exercise, index.assumed)
        if owned is not None and any(e not in owned for e in needed):
            missing = ", ".join(self.kb.name_of("equipment", e) for e in needed
                                if e not in owned)
            return ("equipment", f"needs {missing}, which the client does not have", "")
        return None

    def candidates(self, phase: str, muscle: str) -> list[Entry]:
        """Exercises of `phase` covering `muscle`, the one listing it earliest first, then
        by the knowledge base's declared preference (never by file order)."""
        return list(self.index.covering.get((phase, muscle), ()))

    def allowed_for(self, phase: str, muscle: str) -> _Choice | None:
        """The first usable exercise for `muscle` in `phase` (asked again when a session
        cap is reached: the same answer, not worked out twice). Not to be modified."""
        key = (phase, muscle)
        if key not in self._allowed:
            self._allowed[key] = self._allowed_for(phase, muscle)
        return self._allowed[key]

    def _allowed_for(self, phase: str, muscle: str) -> _Choice | None:
        rejected: list = []
        for exercise in self.candidates(phase, muscle):
            choice = self.choose(exercise, muscle, phase)
            if choice.exercise is not None:
                choice.rejected = rejected + choice.rejected
                return choice
            rejected += choice.rejected
        if rejected:
            return _Choice(None, [], rejected)
        return None

    # --- dose ------------------------------------------------------------------------------
    def dose(self, exercise: Entry, phase: Entry) -> tuple[Dose, list[str]]:
        values = dict(self.index.declared_dose(exercise, phase))
        premises = []
        for fact in self.doses:
            target = fact.get("target")
            if (fact.get("target_kind") == "phase" and target == phase.id) or (
                    fact.get("target_kind") == "exercise" and target == exercise.id):
                values.update(fact.get("dose"))
                premises.append(fact.id)
        hold = values.get("hold")
        return Dose(
            sets=values.get("sets"), reps=values.get("reps"),
            hold_s=int(hold) if isinstance(hold, int | float) else None,
            tempo=values.get("tempo"),
        ), premises

    def record_rejections(self, choice: _Choice, muscle: str | None, phase: str) -> None:
        for exercise, category, reason, fact in choice.rejected:
            if any(e.exercise == exercise and e.phase == phase and e.category == category
                   for e in self.excluded):
                continue  # one entry per exercise: the first muscle it was wanted for
            premises = (fact,) if fact else ()
            recorded = self.book.add("excluded", {"exercise": exercise, "muscle": muscle,
                                                  "phase": phase, "category": category,
                                                  "reason": reason},
                                     origin=BUILTIN, premises=premises)
            self.excluded.append(ExcludedItem(
                exercise, muscle, phase, self.kb.name_of("exercise", exercise), BOTH,
                category, reason, recorded.id))


def exclusion_covers(fact: Fact, exercise: Entry, phase: str, kb: KnowledgeBase) -> bool:
    """Every part an exclusion names must match (phase, exercise, tag, muscle, region)."""
    return _Exclusion.of(fact).covers(exercise.id, phase, kb, *_parts(kb, exercise))


def _works(exercise: Entry) -> tuple[str, ...]:
    """The muscles an exercise targets, then those it covers, in the order declared."""
    return (*exercise.many("targets"), *exercise.many("covers"))


def _needs(exercise: Entry, assumed: frozenset[str]) -> tuple[str, ...]:
    """The equipment an exercise needs beyond `none` and the assumed equipment."""
    return tuple(e for e in exercise.many("equipment") if e != "none" and e not in assumed)


def _parts(kb: KnowledgeBase, exercise: Entry
           ) -> tuple[frozenset[str], frozenset[str], frozenset[str | None]]:
    """What an exclusion tests of an exercise: its tags, the muscles it works, and their
    body regions (the index holds these for the knowledge base's own exercises)."""
    worked = frozenset(_works(exercise))
    return frozenset(exercise.many("tags")), worked, _area(kb, worked)


@dataclass(frozen=True)
class _Exclusion:
    """An exclusion fact's parts, read once per build: every exercise a build considers
    is tested against every exclusion."""

    fact: Fact
    phases: tuple[str, ...]
    exercises: tuple[str, ...]
    tags: frozenset[str]
    muscles: frozenset[str]
    regions: tuple[str, ...]

    @classmethod
    def of(cls, fact: Fact) -> _Exclusion:
        return cls(fact, tuple(fact.get("phases") or ()), tuple(fact.get("exercises") or ()),
                   frozenset(fact.get("tags") or ()), frozenset(fact.get("muscles") or ()),
                   tuple(fact.get("regions") or ()))

    def covers(self, exercise: str, phase: str, kb: KnowledgeBase, tags: frozenset[str],
               worked: frozenset[str], area: frozenset[str | None]) -> bool:
        """Given the exercise's tags, the muscles it works and their regions: each part
        the exclusion names, in turn, until one does not match; False if it names none."""
        if self.phases and phase not in self.phases:
            return False
        if self.exercises and exercise not in self.exercises:
            return False
        if self.tags and self.tags.isdisjoint(tags):
            return False
        # any muscle it targets or covers, not only the one it is chosen for: an exercise
        # that also works an excluded muscle still works it
        if self.muscles and self.muscles.isdisjoint(worked):
            return False
        # the body region of a muscle it works lies within (or around) a region named
        if self.regions and not any(kb.regions_overlap(a, r) for a in area if a
                                    for r in self.regions):
            return False
        return bool(self.phases or self.exercises or self.tags or self.muscles
                    or self.regions)


def build_program(kb: KnowledgeBase, book: FactBook, case: Case,
                  muscles: Sequence[MuscleItem], conflicts: Sequence[ConflictItem],
                  dysfunctions: Sequence[DysfunctionItem], held: bool
                  ) -> tuple[tuple[ProgramItem, ...], tuple[ExcludedItem, ...]]:
    """The program and what was left out of it, each item a builtin fact with premises."""
    session = _Session(kb, book, case, muscles, conflicts, dysfunctions)
    _record_conflicts(session)
    _record_exclusion_rules(session, muscles)
    if held:
        return (), tuple(session.excluded)
    program: list[ProgramItem] = []
    prescribed = [f for f in book.of_kind("prescribe")]
    for phase in kb.of("phase").values():
        items = _prescribed(session, phase, prescribed)
        treats = phase.one("treats")
        if treats in STATES:
            items += _by_muscle(session, phase, treats, items)
        elif treats == "checkpoints":
            items += _by_checkpoint(session, phase, items)
        program.extend(items)
    return tuple(program), tuple(session.excluded)


def _cap(phase: Entry) -> int:
    cap = phase.one("cap")
    return int(cap) if cap is not None else 10**6


def _make_item(session: _Session, phase: Entry, exercise_id: str, targets: list[str],
               side: str | None, addresses: list[str], premises: list[str]) -> ProgramItem:
    exercise = session.kb.get("exercise", exercise_id)
    assert exercise is not None
    dose, dose_premises = session.dose(exercise, phase)
    turn = _turn(session, exercise, phase.one("treats"))
    if turn is not None:
        side = None  # a rotation is done once, in the direction it names
    data = {"phase": phase.id, "exercise": exercise_id, "targets": targets, "side": side,
            "addresses": addresses}
    if turn is not None:
        data["turn"] = turn
    fact = session.book.add(
        "prescription", data,
        origin=BUILTIN, premises=tuple(dict.fromkeys([*premises, *dose_premises])))
    return ProgramItem(phase.id, exercise_id, exercise.name, tuple(targets), side, dose,
                       tuple(addresses), fact.id, turn, session.index.instructions_of(exercise))


def _instructions(exercise: Entry) -> Instructions | None:
    """The home instructions the exercise's declaration gives, or None."""
    if exercise.one("setup") is None:
        return None
    return Instructions(*(str(exercise.one(k, "")) for k in ("setup",)),
                        tuple(str(c) for c in exercise.many("cues")),
                        *(str(exercise.one(k, "")) for k in ("feel", "mistake", "easier",
                                                             "harder", "source")))


def _turn(session: _Session, exercise: Entry, state: str | None) -> str | None:
    """Which way a rotation turns (`toward` / `away` in its declaration): toward the
    side of each flagged muscle listed after `toward`, away from the side of each
    listed after `away`; "both" (each way) when they disagree or no side is known."""
    toward, away = exercise.many("toward"), exercise.many("away")
    if not (toward or away):
        return None
    ways: set[str] = set()
    for muscle in (*toward, *away):
        if state not in STATES or (muscle, state) not in session.muscle_fact:
            continue
        for side in session.sides[state].get(muscle, ()):
            sides = body_sides(side)
            ways |= sides if muscle in toward else {_OTHER[s] for s in sides}
    return ways.pop() if len(ways) == 1 else BOTH


_OTHER = {"left": "right", "right": "left"}


def _prescribed(session: _Session, phase: Entry, prescribed: list[Fact]) -> list[ProgramItem]:
    items: list[ProgramItem] = []
    for fact in prescribed:
        exercise = session.kb.get("exercise", fact.get("exercise"))
        if exercise is None or exercise.one("phase") != phase.id:
            continue
        if len(items) >= _cap(phase) or any(i.exercise == exercise.id for i in items):
            continue
        choice = session.choose(exercise, None, phase.id)
        session.record_rejections(choice, None, phase.id)
        if choice.exercise is None:
            continue
        chosen = session.kb.get("exercise", choice.exercise)
        targets = list(chosen.many("targets"))
        side = _prescribed_side(session, chosen, phase.one("treats"), targets)
        items.append(_make_item(session, phase, chosen.id, targets,
                                side, [], [fact.id, *choice.premises]))
    return items


def _prescribed_side(session: _Session, exercise: Entry, state: str | None,
                     targets: list[str]) -> str | None:
    """S8 for a prescribed exercise: one side when every finding listing one of its
    flagged targets in the phase's set puts that target on the same single side."""
    if not exercise.flag("unilateral"):
        return None
    if state not in STATES:
        return BOTH
    flagged = [m for m in targets if (m, state) in session.muscle_fact]
    sides = {_item_side(session, exercise, state, m) for m in flagged}
    return sides.pop() if len(sides) == 1 else BOTH


def _by_muscle(session: _Session, phase: Entry, state: str, already: list[ProgramItem]
               ) -> list[ProgramItem]:
    """Round-robin over dysfunctions (S6): each takes its first uncovered muscle."""
    cap = _cap(phase)
    items: list[ProgramItem] = []
    covered: set[str] = {t for i in already for t in i.targets}
    lists = session.lists[state]
    unusable: set[str] = set()
    while len(already) + len(items) < cap:
        added = False
        for source in session.sources:
            if len(already) + len(items) >= cap:
                break
            for muscle, _side in lists.get(source, []):
                if muscle in covered or muscle in unusable:
                    continue
                choice = session.allowed_for(phase.id, muscle)
                if choice is None or choice.exercise is None:
                    if choice is not None:
                        session.record_rejections(choice, muscle, phase.id)
                    unusable.add(muscle)
                    continue
                session.record_rejections(choice, muscle, phase.id)
                exercise = session.kb.get("exercise", choice.exercise)
                targets = session.index.works[exercise.id]
                newly = [m for m in targets if m not in covered]
                covered.update(targets)
                flagged = [m for m in newly if (m, state) in session.muscle_fact]
                side = _item_side(session, exercise, state, muscle)
                addresses = _addresses(session, state, flagged or [muscle])
                premises = [session.muscle_fact[(m, state)] for m in flagged or [muscle]
                            if (m, state) in session.muscle_fact] + choice.premises
                items.append(_make_item(session, phase, exercise.id, flagged or [muscle],
                                        side, addresses, premises))
                added = True
                break
        if not added:
            break
    _record_cap(session, phase, state, covered | unusable, len(already) + len(items))
    return items


def _item_side(session: _Session, exercise: Entry, state: str, muscle: str) -> str | None:
    """S8: one side only when every finding listing the muscle is one-sided there; no
    side at all (None) for an exercise done once (not `unilateral`)."""
    if not exercise.flag("unilateral"):
        return None
    sides = session.sides[state].get(muscle, set())
    return next(iter(sides)) if len(sides) == 1 and BOTH not in sides else BOTH


def _addresses(session: _Session, state: str, muscles: list[str]) -> list[str]:
    found = []
    listed = session.listed[state]
    for source in session.sources:
        if source in listed and not listed[source].isdisjoint(muscles):
            finding = session.names[source]
            if finding and finding not in found:
                found.append(finding)
    return found


def _record_cap(session: _Session, phase: Entry, state: str, covered: set[str],
                count: int) -> None:
    if count < _cap(phase):
        return
    for source in session.sources:
        for muscle, _ in session.lists[state].get(source, []):
            if muscle in covered:
                continue
            choice = session.allowed_for(phase.id, muscle)
            if choice is None or choice.exercise is None:
                continue
            exercise = session.kb.get("exercise", choice.exercise)
            covered |= {muscle, *session.index.works[exercise.id]}
            fact = session.book.add(
                "excluded", {"exercise": exercise.id, "muscle": muscle, "phase": phase.id,
                             "category": "cap", "reason": f"session cap of {_cap(phase)} "
                             f"{phase.id} exercises reached"},
                origin=BUILTIN, premises=(session.muscle_fact[(muscle, state)],))
            session.excluded.append(ExcludedItem(
                exercise.id, muscle, phase.id, exercise.name, BOTH, "cap",
                f"session cap of {_cap(phase)} {phase.id} exercises reached", fact.id))


def _by_checkpoint(session: _Session, phase: Entry, already: list[ProgramItem]
                   ) -> list[ProgramItem]:
    """S7: one exercise per checkpoint group, in the rank order of its first finding."""
    cap = _cap(phase)
    kb = session.kb
    items: list[ProgramItem] = []
    served: set[str] = set()
    for item in already:
        exercise = kb.get("exercise", item.exercise)
        served |= {_group(kb, c) for c in exercise.many("integrates")}
    for source in session.sources:
        finding = kb.get("finding", session.book[source].get("finding") or "")
        if finding is None or finding.one("checkpoint") is None:
            continue
        checkpoint = finding.one("checkpoint")
        group = _group(kb, checkpoint)
        if group in served:
            continue
        if len(already) + len(items) >= cap:
            break
        for exercise in session.index.integrating.get((phase.id, checkpoint), ()):
            choice = session.choose(exercise, None, phase.id)
            session.record_rejections(choice, None, phase.id)
            if choice.exercise is None:
                continue
            served.add(group)
            addresses = [f.get("finding") for f in (session.book[s] for s in session.sources)
                         if f.get("finding") and kb.get("finding", f.get("finding"))
                         and _group(kb, kb.get("finding", f.get("finding")).one("checkpoint"))
                         == group]
            chosen = kb.get("exercise", choice.exercise)
            items.append(_make_item(session, phase, choice.exercise,
                                    list(chosen.many("integrates")),
                                    BOTH if chosen.flag("unilateral") else None,
                                    addresses, [source, *choice.premises]))
            break
    return items


def _group(kb: KnowledgeBase, checkpoint: str | None) -> str:
    entry = kb.get("checkpoint", checkpoint or "")
    return (entry.one("group") if entry else None) or (checkpoint or "")


def _record_conflicts(session: _Session) -> None:
    for conflict in session.conflicts:
        fact = session.book.add("excluded", {"muscle": conflict.id, "category": "conflict",
                                             "reason": "pointed both overactive and "
                                             "underactive; left out until reassessed"},
                                origin=BUILTIN, premises=conflict.facts)
        session.excluded.append(ExcludedItem(
            None, conflict.id, None, conflict.name, conflict.side, "conflict",
            "pointed both overactive and underactive; left out until reassessed", fact.id))


def _record_exclusion_rules(session: _Session, muscles: Sequence[MuscleItem]) -> None:
    """Each exclusion the rules concluded, once, so the client sees what is ruled out."""
    flagged = {m.id for m in muscles}
    shown: set[tuple] = set()
    for fact in session.exclusions:
        phases = fact.get("phases") or [None]
        reason = fact.get("reason")
        targets = [m for m in fact.get("muscles") or [] if m in flagged]
        if fact.get("muscles") and not targets:
            continue
        for phase in phases:
            for exercise in fact.get("exercises") or [None]:
                for muscle in targets or [None]:
                    key = (phase, exercise, muscle, tuple(fact.get("tags") or ()),
                           tuple(fact.get("regions") or ()), reason)
                    if key in shown:  # the same exclusion derived several ways
                        continue
                    shown.add(key)
                    name = _exclusion_name(session.kb, exercise, muscle, phase,
                                           fact.get("tags"), fact.get("regions"))
                    session.excluded.append(ExcludedItem(
                        exercise, muscle, phase, name, BOTH, "contraindication", reason,
                        fact.id))


def _exclusion_name(kb: KnowledgeBase, exercise, muscle, phase, tags, regions=None) -> str:
    if exercise:
        return kb.name_of("exercise", exercise)
    # in words: "All spinal exercises", "All floor inhibit exercises for Psoas" (a tag
    # is a plain word the rules chose, written as an adjective)
    parts = ["All"]
    if tags:
        parts.append(" or ".join(t.replace("_", " ") for t in tags))
    if phase:
        parts.append(kb.name_of("phase", phase).lower())
    parts.append("exercises")
    if muscle:
        parts.append(f"for {kb.name_of('muscle', muscle)}")
    if regions:
        parts.append("at the " + ", ".join(kb.name_of("region", r).lower() for r in regions))
    return " ".join(parts)
