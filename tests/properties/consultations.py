"""Hypothesis strategies for valid consultations, from the knowledge base's own vocabulary.

Nothing here lists a finding, condition or piece of equipment: `Vocabulary.of(kb)`
reads them from the loaded knowledge base (assessments and their findings, which
assessments are sided, conditions and the statuses they declare, equipment,
limitations, the FMS tests and clearing tests and how they are scored), so a
knowledge base that grows is generated over as it grows.

A consultation is drawn as a case *document* (the TOML tables of README "Case
files") and written with `to_toml`; the tests parse that text through the same
path as `cexpert infer` (`Service.parse_case`). Each section of the document is
its own strategy in `SECTIONS`: a new section of the case format (a clearance
record, a visit) is one more function and one more entry there.

Anything that stops the program (pain, a 0, a positive clearing test, a red-flag
condition, a PAR-Q+ yes with a follow-up yes) is drawn rarely, so most generated
consultations reach the program builder, where the crashes and the safety
invariants are.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import tomlkit
from hypothesis import strategies as st

from cexpert.language.knowledge import Entry, KnowledgeBase
from cexpert.language.syntax_tree import name_key

# Words of the case-file format itself (README "Case files", engine/case.py), not of
# the knowledge base: the sections FMS scores and clearing tests are entered under,
# the assessment pain is entered under, and the PAR-Q+ question numbers.
FMS = "fms"
CLEARING = "fms_clearing"
PAIN = "pain"
PARQ_QUESTIONS = tuple(range(1, 8))
SIDES = ("left", "right")
NOT_ENTERED_AS_FINDINGS = (FMS, CLEARING)


@dataclass(frozen=True)
class Word:
    """A declared id and every spelling the case reader resolves to it alone
    (the id, the display name, the aliases that no other entry shares)."""

    id: str
    spellings: tuple[str, ...]
    sided: bool = False
    statuses: tuple[str, ...] = ()
    regional: bool = False  # a condition declared `regional`: a case records where it is
    measures: tuple[str, ...] = ()  # a condition's declared measures (`weeks`)


@dataclass(frozen=True)
class Assessment:
    id: str
    sided: bool
    findings: tuple[Word, ...]


@dataclass(frozen=True)
class Vocabulary:
    """What a case file may say, read from one knowledge base."""

    assessments: tuple[Assessment, ...]  # entered under [assessment], pain included
    conditions: tuple[Word, ...]
    equipment: tuple[Word, ...]
    limitations: tuple[Word, ...]
    fms_tests: tuple[Word, ...]
    clearing_tests: tuple[Word, ...]
    top_score: int
    pain_findings: tuple[Word, ...]
    regions: tuple[Word, ...] = ()  # the body regions the rules declare
    clinicians: tuple[Word, ...] = ()

    @classmethod
    def of(cls, kb: KnowledgeBase) -> Vocabulary:
        def in_scope(scope: str) -> dict[str, Entry]:
            return {k: e for k, e in kb.of("finding").items() if e.one("in") == scope}

        assessments = []
        for ident, entry in kb.of("assessment").items():
            if ident in NOT_ENTERED_AS_FINDINGS or not in_scope(ident):
                continue
            assessments.append(Assessment(ident, entry.flag("sided"),
                                          _words(in_scope(ident))))
        clearing = kb.get("assessment", CLEARING)
        fms = kb.get("assessment", FMS)
        return cls(
            assessments=tuple(assessments),
            conditions=_words(kb.of("condition")),
            equipment=_words(kb.of("equipment")),
            limitations=_words(kb.of("limitation")),
            fms_tests=_words(in_scope(FMS)),
            clearing_tests=_words(in_scope(CLEARING),
                                  sided_too=bool(clearing and clearing.flag("sided"))),
            top_score=int(fms.one("scored", 3)) if fms else 3,
            pain_findings=_words(in_scope(PAIN)),
            regions=_words(kb.of("region")),
            clinicians=_words(kb.of("clinician")),
        )

    def assessment(self, ident: str) -> Assessment | None:
        return next((a for a in self.assessments if a.id == ident), None)


def _words(entries: Mapping[str, Entry], sided_too: bool = False) -> tuple[Word, ...]:
    return tuple(Word(e.id, _spellings(e, entries), sided_too or e.flag("sided"),
                      tuple(name_key(str(s)) for s in e.many("statuses")),
                      e.flag("regional"), tuple(name_key(str(m)) for m in e.many("measures")))
                 for e in entries.values())


def _spellings(entry: Entry, entries: Mapping[str, Entry]) -> tuple[str, ...]:
    """The id, then each name or alias the case reader resolves to this entry only."""
    out = [entry.id]
    for spelling in (entry.name, *entry.aliases):
        key = name_key(spelling)
        if key in entries and key != entry.id:
            continue  # an exact id of another entry wins
        owners = [e.id for e in entries.values()
                  if key in {name_key(a) for a in e.aliases} | {name_key(e.name)}]
        if owners == [entry.id] and spelling not in out:
            out.append(spelling)
    return tuple(out)


# --- small helpers ------------------------------------------------------------------


def rarely(strategy: st.SearchStrategy, otherwise: Any, one_in: int = 8
           ) -> st.SearchStrategy:
    """`strategy` about once in `one_in` draws, else `otherwise` (which it shrinks to)."""
    return st.integers(0, one_in - 1).flatmap(
        lambda n: strategy if n == one_in - 1 else st.just(otherwise))


def spelled(words: Sequence[Word], max_size: int, min_size: int = 0
            ) -> st.SearchStrategy[list[str]]:
    """Distinct entries (never one entry under two spellings), each in one of its
    spellings; the id first, so failures shrink to ids."""
    if not words:
        return st.just([])
    return st.lists(st.sampled_from(words), min_size=min_size, max_size=max_size,
                    unique_by=lambda w: w.id).flatmap(
        lambda chosen: st.tuples(*(st.sampled_from(w.spellings) for w in chosen))
        .map(list))


def free_text(max_size: int = 24) -> st.SearchStrategy[str]:
    """What a trainer types: any printable text, accents and symbols included."""
    return st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=max_size)


# --- the sections of a case file ---------------------------------------------------------


@st.composite
def client_table(draw, vocab: Vocabulary) -> dict[str, Any]:
    table: dict[str, Any] = {"name": draw(free_text())}
    age = draw(st.none() | st.integers(1, 129))
    if age is not None:
        table["age"] = age
    goals = draw(st.lists(free_text(16), max_size=2))
    if goals:
        table["goals"] = goals
    conditions = draw(rarely(st.lists(st.sampled_from(vocab.conditions), min_size=1,
                                      max_size=3, unique_by=lambda w: w.id), [], one_in=3))
    if conditions:
        table["conditions"] = [draw(_condition(w, vocab)) for w in conditions]
    equipment = draw(_equipment(vocab))
    if equipment is not None:
        table["equipment"] = equipment
    limitations = draw(rarely(spelled(vocab.limitations, 2, 1), [], one_in=4))
    if limitations:
        table["limitations"] = limitations
    return table


@st.composite
def _condition(draw, word: Word, vocab: Vocabulary) -> str | dict[str, Any]:
    """A condition as a case file gives it: its name, or a table with its id and
    optionally one of the statuses it declares, a body region (often for a condition
    declared `regional`, rarely for another: the rules must not read it there) in any of
    its spellings, and a value for each measure it declares (weeks of pregnancy)."""
    spelling = draw(st.sampled_from(word.spellings))
    status = draw(st.none() | st.sampled_from(word.statuses)) if word.statuses else None
    region = None
    if vocab.regions:
        regions = st.sampled_from(vocab.regions).flatmap(lambda w: st.sampled_from(w.spellings))
        region = draw(st.none() | regions if word.regional else rarely(regions, None))
    measures = {m: draw(st.integers(0, 42)) for m in word.measures if draw(st.booleans())}
    if status is None and region is None and not measures and draw(st.booleans()):
        return spelling
    table: dict[str, Any] = {"id": spelling}
    if status is not None:
        table["status"] = status
    if region is not None:
        table["region"] = region
    table.update(measures)
    return table


def _equipment(vocab: Vocabulary) -> st.SearchStrategy[list[str] | None]:
    """Absent (unrestricted), `["none"]` (bodyweight only), nothing, or a small set."""
    return st.one_of(st.none(), st.just(["none"]), st.just([]),
                     spelled(vocab.equipment, 3, 1))


@st.composite
def screening_table(draw, vocab: Vocabulary, conditions: Sequence[str]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    parq = draw(rarely(st.lists(st.sampled_from(PARQ_QUESTIONS), min_size=1, max_size=3,
                                unique=True), [], one_in=4))
    table["parq_yes"] = sorted(parq)
    if draw(rarely(st.just(True), False, one_in=4)):
        table["followup_yes"] = True
    ids = {w.id: w for w in vocab.conditions}
    mine = [ids[c] for c in conditions if c in ids]
    cleared = [w for w in mine if draw(st.booleans())]
    cleared += draw(rarely(st.lists(st.sampled_from(vocab.conditions), max_size=2), []))
    cleared = list({w.id: w for w in cleared}.values())
    if cleared:
        table["cleared"] = [draw(st.sampled_from(w.spellings)) for w in cleared]
    return table


@st.composite
def assessment_table(draw, vocab: Vocabulary) -> dict[str, Any]:
    """Findings per assessment; a sided assessment per side (or both, as a plain list).
    Pain is rare: it holds the whole program."""
    table: dict[str, Any] = {}
    for assessment in vocab.assessments:
        one_in = 10 if assessment.id == PAIN else 2
        if not draw(rarely(st.just(True), False, one_in=one_in)):
            continue
        words = assessment.findings
        if assessment.id == PAIN:
            table[PAIN] = draw(_pain_entries(vocab))
            continue
        if assessment.sided and draw(st.integers(0, 3)) > 0:
            sides = {side: draw(spelled(words, 2)) for side in SIDES
                     if draw(st.booleans())}
            if sides:
                table[assessment.id] = sides
        else:
            table[assessment.id] = draw(spelled(words, 3, 1))
    return table


@st.composite
def _pain_entries(draw, vocab: Vocabulary) -> list[Any]:
    """Pain regions, each by name or as `{ id, during }` naming the assessment it was
    felt in (the next-test filter keeps that movement out of the suggestions)."""
    during = [a.id for a in vocab.assessments if a.id != PAIN]
    out: list[Any] = []
    for spelling in draw(spelled(vocab.pain_findings, 2, 1)):
        if during and draw(st.booleans()):
            out.append({"id": spelling, "during": draw(st.sampled_from(during))})
        else:
            out.append(spelling)
    return out


@st.composite
def _pain_clearances(draw, vocab: Vocabulary, pain: Sequence[Any]) -> list[dict[str, Any]]:
    """Sometimes a clinician's clearance of each pain entered (both sides), dated before
    the visit, so a cleared consultation reaches the program and the suggestions."""
    if not pain or not vocab.clinicians or not draw(st.booleans()):
        return []
    out = []
    for entry in pain:
        spelling = entry["id"] if isinstance(entry, Mapping) else entry
        region = next(w.id for w in vocab.pain_findings if spelling in w.spellings)
        out.append({"pain": region, "by": draw(st.sampled_from(vocab.clinicians)).id,
                    "date": VISIT_DATE})
    return out


#: The visit date of a generated case with clearance records (they need one).
VISIT_DATE = "2026-11-01"


@st.composite
def fms_table(draw, vocab: Vocabulary) -> dict[str, Any]:
    """FMS scores 0 to the top score (0, which refers, rarely), per side for a sided
    test; clearing tests true (painful: rare) or false, per side for a sided one."""
    if not vocab.fms_tests or not draw(st.booleans()):
        return {}
    score = rarely(st.just(0), None, one_in=12).flatmap(
        lambda zero: st.just(zero) if zero is not None else st.integers(1, vocab.top_score))
    table: dict[str, Any] = {}
    for test in draw(st.lists(st.sampled_from(vocab.fms_tests), min_size=1,
                              unique_by=lambda w: w.id)):
        key = draw(st.sampled_from(test.spellings))
        if test.sided and draw(st.integers(0, 3)) > 0:
            table[key] = {"left": draw(score), "right": draw(score)}
        else:
            table[key] = draw(score)
    positive = rarely(st.just(True), False, one_in=10)
    clearing: dict[str, Any] = {}
    for test in draw(st.lists(st.sampled_from(vocab.clearing_tests), max_size=3,
                              unique_by=lambda w: w.id)) if vocab.clearing_tests else []:
        key = draw(st.sampled_from(test.spellings))
        if test.sided and draw(st.booleans()):
            sides = {side: draw(positive) for side in SIDES if draw(st.booleans())}
            clearing[key] = sides or {"left": draw(positive)}
        else:
            clearing[key] = draw(positive)
    if clearing:
        table["clearing"] = clearing
    return table


@st.composite
def previous_visits(draw, vocab: Vocabulary, now: Mapping[str, Any]) -> list[dict[str, Any]]:
    """`[[previous]]`: up to 4 earlier visits, oldest first, each with findings drawn
    from this visit's (so findings persist and resolve) and from the whole vocabulary
    (so others are new or resolved), dated in order or not dated at all."""
    entered = [_finding_id(vocab, assessment, spelling["id"] if isinstance(spelling, Mapping)
                           else spelling)  # a pain entry may be `{ id, during }`
               for assessment, value in now.items()
               for items in (value.values() if isinstance(value, Mapping) else [value])
               for spelling in items]  # ids: a display name may be another assessment's too
    words = [Word(w.id, (w.id,)) for a in vocab.assessments for w in a.findings]
    count = draw(st.integers(1, 4))
    dated = draw(st.booleans())
    start = datetime.date(2025, 1, 6)
    visits = []
    for i in range(count):
        findings = draw(st.lists(st.sampled_from(entered), max_size=3)) if entered else []
        findings += draw(spelled(words, 2))
        visit: dict[str, Any] = {"findings": findings}
        if dated:
            visit["date"] = start + datetime.timedelta(weeks=4 * i)
        visits.append(visit)
    return visits


@st.composite
def case_documents(draw, vocab: Vocabulary) -> dict[str, Any]:
    """One valid consultation as the tables of a case file, empty tables left out; about
    one in three carries earlier visits (`[[previous]]`, for the cross-visit rules)."""
    client = draw(client_table(vocab))
    conditions = [_condition_id(c, vocab) for c in client.get("conditions", [])]
    screening = draw(screening_table(vocab, conditions))
    assessment = draw(assessment_table(vocab))
    clearances = draw(_pain_clearances(vocab, assessment.get(PAIN, [])))
    if clearances:
        screening["clearances"] = clearances
    document = {
        "date": VISIT_DATE if clearances else None,
        "client": client,
        "screening": screening,
        "assessment": assessment,
        "fms": draw(fms_table(vocab)),
    }
    document["previous"] = draw(rarely(previous_visits(vocab, document["assessment"]), [],
                                       one_in=3))
    return {k: v for k, v in document.items() if v}


def _finding_id(vocab: Vocabulary, assessment: str, spelling: str) -> str:
    found = vocab.assessment(assessment)
    assert found is not None
    return next(w.id for w in found.findings if spelling in w.spellings)


def _condition_id(item: str | Mapping[str, Any], vocab: Vocabulary) -> str:
    spelling = item if isinstance(item, str) else item["id"]
    return next(w.id for w in vocab.conditions if spelling in w.spellings)


def to_toml(document: Mapping[str, Any], comment: str | None = None) -> str:
    """The case file text for a document (what a trainer's file would hold)."""
    doc = tomlkit.document()
    if comment:
        for line in comment.splitlines():
            doc.add(tomlkit.comment(line))
    for key, value in document.items():
        doc[key] = value
    return tomlkit.dumps(doc)
