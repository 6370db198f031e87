"""Case files: a client's intake and assessment results, in TOML.

The vocabulary a case may use is whatever the knowledge base declares
(assessments, findings, conditions, limitations, equipment), so an author
extends it without touching Python. Every problem names the field, the bad
value and the closest valid one; all problems are reported together.
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cexpert.language.diagnostics import suggest
from cexpert.language.knowledge import KnowledgeBase
from cexpert.language.reading import CASE_FILE_LIMIT, ReadProblem, read_text
from cexpert.language.span import name_key

BOTH = "both"
SIDES = ("left", "right")
KNOWN_SECTIONS = ("client", "screening", "assessment", "fms")
KNOWN_TOP_KEYS = ("date",)  # the visit's date (a client database dates a visit by it)
#: `[[previous]]`: the client's earlier visits, oldest first, for the cross-visit rules
KNOWN_ARRAYS = ("previous",)
#: What a clearance record may clear: one of these keys names its subject.
CLEARANCE_SUBJECTS = ("parq", "condition", "pain", "clearing_test")


def body_sides(side: str) -> set[str]:
    """The body sides a side word covers: `both` is left and right."""
    return {"left", "right"} if side == BOTH else {side}


def side_word(sides: set[str]) -> str:
    """The side word for a non-empty set of body sides."""
    return BOTH if sides >= {"left", "right"} else next(iter(sorted(sides)))


class CaseError(Exception):
    """A case file that cannot be used, with every problem found."""

    def __init__(self, path: str, problems: list[str]):
        super().__init__("\n".join(f"{path}: {p}" for p in problems))
        self.path = path
        self.problems = tuple(problems)


@dataclass(frozen=True)
class ClientCondition:
    """A declared condition the client has: its status, body region and measures."""

    id: str
    status: str | None = None
    region: str | None = None  # a declared body region
    #: the condition's declared measures given (`weeks = 20` for pregnancy)
    measures: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Client:
    """Who the consultation is for: age, goals, conditions, equipment, limitations."""

    name: str = ""
    age: int | None = None
    goals: tuple[str, ...] = ()
    conditions: tuple[ClientCondition, ...] = ()
    equipment: tuple[str, ...] | None = None  # None: unrestricted
    limitations: tuple[str, ...] = ()
    id: str | None = None  # the client's id in a client database, once exported from one


@dataclass(frozen=True)
class Clearance:
    """A recorded clearance with its scope: what it clears (a PAR-Q+ answer, a condition,
    pain in a region and side, a painful clearing test), by whom and when. Who may
    clear what, and for how long, is the rules' business."""

    clears: str  # one of CLEARANCE_SUBJECTS
    subject: str  # the question number, condition id, pain region or clearing test id
    side: str = BOTH
    by: str | None = None  # a declared clinician; None for the older plain `cleared` list
    date: datetime.date | None = None


@dataclass(frozen=True)
class Screening:
    """The PAR-Q+ screening: the questions answered yes, the follow-up, the clearances."""

    parq_yes: tuple[int, ...] = ()
    followup_yes: bool = False
    cleared: tuple[str, ...] = ()
    clearances: tuple[Clearance, ...] = ()


@dataclass(frozen=True)
class Observation:
    """One finding entered in one assessment, on one side (or both)."""

    assessment: str
    finding: str
    side: str = BOTH
    during: str | None = None  # pain: the assessment it was felt in


@dataclass(frozen=True)
class FmsScore:
    """One FMS test's score, per side (both sides equal when scored once)."""

    test: str
    left: int | None
    right: int | None  # equal to left for a test scored once


@dataclass(frozen=True)
class Clearing:
    """One clearing test on one side, and whether it was positive (painful)."""

    test: str  # the clearing test's finding id
    side: str
    positive: bool


@dataclass(frozen=True)
class EarlierVisit:
    """An earlier visit of the same client: its date and the findings entered then
    (ids, any assessment but the FMS). The rules compare the latest with this visit."""

    date: str | None = None
    findings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    """One visit's case file, validated: everything a consultation starts from."""

    path: str
    client: Client = field(default_factory=Client)
    screening: Screening = field(default_factory=Screening)
    observations: tuple[Observation, ...] = ()
    fms: tuple[FmsScore, ...] = ()
    clearing: tuple[Clearing, ...] = ()
    date: str | None = None  # ISO date of the visit (YYYY-MM-DD) when the file says
    #: earlier visits, oldest first: a `[[previous]]` section, or the client database
    previous: tuple[EarlierVisit, ...] = ()
    #: the assessments entered, even with nothing found (`thomas_test = []`)
    assessed: tuple[str, ...] = ()

    @property
    def visits(self) -> int:
        """The number of this visit: 1 at the first."""
        return len(self.previous) + 1


def load_case(path: str | Path, kb: KnowledgeBase) -> Case:
    """Read and validate a case file; raise CaseError listing every problem."""
    try:
        text = read_text(path, CASE_FILE_LIMIT, "case file")
    except ReadProblem as problem:
        raise CaseError(str(path), [problem.message]) from None
    return parse_case(text, str(path), kb)


def parse_case(text: str, path: str, kb: KnowledgeBase) -> Case:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CaseError(path, [f"not valid TOML: {error}"]) from None
    except RecursionError:
        raise CaseError(path, ["not valid TOML: its arrays or tables nest too deeply"]
                        ) from None
    reader = _Reader(kb)
    case = reader.read(data, path)
    if reader.problems:
        raise CaseError(path, reader.problems)
    return case


class _Reader:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def read(self, data: Mapping[str, Any], path: str) -> Case:
        for key in data:
            if key not in (*KNOWN_SECTIONS, *KNOWN_TOP_KEYS, *KNOWN_ARRAYS):
                self.problem(key, f"unknown section{_hint(key, KNOWN_SECTIONS)}")
        date = self.date(data.get("date"))
        client = self.client(self.table(data, "client"))
        screening = self.screening(self.table(data, "screening"),
                                   datetime.date.fromisoformat(date) if date else None)
        assessment_table = self.table(data, "assessment")
        observations = self.assessments(assessment_table)
        assessed = tuple(k for k in assessment_table if k in self.kb.of("assessment")
                         and k not in ("fms", "fms_clearing"))
        fms_table = dict(self.table(data, "fms"))
        clearing = self.clearing(fms_table.pop("clearing", {}))
        fms = self.fms(fms_table)
        observations = list(dict.fromkeys(observations))  # one finding entered twice: once
        previous = self.previous(data.get("previous", []), date)
        return Case(path, client, screening, tuple(observations), tuple(fms), tuple(clearing),
                    date, previous, assessed)

    def previous(self, items: Any, date: str | None) -> tuple[EarlierVisit, ...]:
        """`[[previous]]` tables, oldest first: `date` and the `findings` entered then."""
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            self.problem("previous", "must be a list of tables ([[previous]]), oldest first")
            return ()
        out: list[EarlierVisit] = []
        for i, item in enumerate(items):
            where = f"previous[{i}]"
            for key in item:
                if key not in ("date", "findings"):
                    self.problem(f"{where}.{key}",
                                 f"unknown field{_hint(key, ('date', 'findings'))}")
            when = self.date(item.get("date")) if "date" in item else None
            if when and out and out[-1].date and when < out[-1].date:
                self.problem(f"{where}.date", f"{when} is before the visit above it "
                             f"({out[-1].date}): list earlier visits oldest first")
            if when and date and when >= date:
                self.problem(f"{where}.date", f"{when} is not before this visit ({date})")
            findings = []
            for j, name in enumerate(self.strings(item, "findings", f"{where}.findings")):
                ident = self.resolve(name, "finding", f"{where}.findings[{j}]")
                entry = self.kb.get("finding", ident) if ident else None
                if entry is not None and entry.one("in") in ("fms", "fms_clearing"):
                    self.problem(f"{where}.findings[{j}]", f"'{name}' is an FMS test; list "
                                 "the findings entered in assessments")
                elif ident and ident not in findings:
                    findings.append(ident)
            out.append(EarlierVisit(when, tuple(findings)))
        return tuple(out)

    def date(self, value: Any) -> str | None:
        """The visit date: a TOML date (`date = 2026-03-01`) or the same as a string."""
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        self.problem("date", f"must be a date such as 2026-03-01, got {value!r}")
        return None

    def calendar_date(self, value: Any, where: str) -> datetime.date | None:
        """A clearance's date: a TOML date (2026-12-01) or the same as a string."""
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(where, f"must be a date such as 2026-12-01, got {value!r}")
        return None

    def table(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, Mapping):
            self.problem(key, "must be a table")
            return {}
        return value

    # --- client and screening ------------------------------------------------------
    def client(self, data: Mapping[str, Any]) -> Client:
        known = ("id", "name", "age", "goals", "conditions", "equipment", "limitations",
                 "notes")
        for key in data:
            if key not in known:
                self.problem(f"client.{key}", f"unknown field{_hint(key, known)}")
        name = data.get("name", "")
        if not isinstance(name, str):
            self.problem("client.name", "must be a string")
            name = str(name)
        age = data.get("age")
        if age is not None and (not isinstance(age, int) or isinstance(age, bool)
                                or not 0 < age < 130):
            self.problem("client.age", f"must be a whole number of years, got {age!r}")
            age = None
        goals = tuple(str(g) for g in self.strings(data, "goals", "client.goals"))
        conditions = tuple(self.conditions(data.get("conditions", [])))
        equipment = None
        if "equipment" in data:
            equipment = tuple(self.ids(data, "equipment", "client.equipment", "equipment",
                                       extra=("none",)))
        limitations = tuple(self.ids(data, "limitations", "client.limitations", "limitation"))
        ident = data.get("id")
        if ident is not None and (not isinstance(ident, str) or not ident.strip()):
            self.problem("client.id", f"must be a client id (a string), got {ident!r}")
            ident = None
        return Client(name, age, goals, conditions, equipment, limitations, ident)

    def conditions(self, items: Any) -> list[ClientCondition]:
        if not isinstance(items, list):
            self.problem("client.conditions", "must be a list")
            return []
        out = []
        given: dict[str, str] = {}  # condition id -> where it was first given
        for i, item in enumerate(items):
            where = f"client.conditions[{i}]"
            if isinstance(item, str):
                item = {"id": item}
            if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
                self.problem(where, "must be an id or a table with an 'id'")
                continue
            ident = self.resolve(item["id"], "condition", where)
            region = item.get("region")
            if region is not None:
                region = self.resolve(str(region), "region", f"{where}.region")
            entry = self.kb.get("condition", ident) if ident else None
            declared = [name_key(str(m)) for m in entry.many("measures")] if entry else []
            fields = ("id", "status", "region", *declared)
            measures = []
            for key in item:
                if key not in fields:
                    self.problem(f"{where}.{key}", f"unknown field{_hint(key, fields)}")
                elif key in declared:
                    value = item[key]
                    if isinstance(value, bool) or not isinstance(value, int | float) \
                            or not 0 <= value <= 1000:
                        self.problem(f"{where}.{key}",
                                     f"must be a number from 0 to 1000, got {value!r}")
                    else:
                        measures.append((key, value))
            if ident and ident in given:
                self.problem(where, f"{_shown(item)} is the condition already given at "
                             f"{given[ident]}; give each condition once")
            elif ident:
                given[ident] = f"{where} ({_shown(item)})"
                status = self.status(ident, item.get("status"), f"{where}.status")
                out.append(ClientCondition(ident, status, region, tuple(measures)))
        return out

    def status(self, condition: str, value: Any, where: str) -> str | None:
        """A condition's status, one of those it declares (`statuses`) when it declares any:
        the rules test `condition X is STATUS`, so a status they cannot read is refused."""
        if value is None:
            return None
        entry = self.kb.get("condition", condition)
        statuses = [name_key(str(v)) for v in entry.many("statuses")] if entry else []
        status = name_key(str(value))
        if statuses and status not in statuses:
            self.problem(where, f"'{value}' is not a status of {condition}: "
                         f"use {', '.join(statuses)}{_hint(status, statuses)}")
            return None
        return status

    def screening(self, data: Mapping[str, Any], date: datetime.date | None = None
                  ) -> Screening:
        known = ("parq_yes", "followup_yes", "cleared", "clearances")
        for key in data:
            if key not in known:
                self.problem(f"screening.{key}", f"unknown field{_hint(key, known)}")
        parq = data.get("parq_yes", [])
        if not isinstance(parq, list) or not all(
                isinstance(q, int) and not isinstance(q, bool) and 1 <= q <= 7 for q in parq):
            self.problem("screening.parq_yes", "must list PAR-Q+ question numbers 1-7")
            parq = []
        followup = data.get("followup_yes", False)
        if not isinstance(followup, bool):
            self.problem("screening.followup_yes", "must be true or false")
            followup = False
        cleared = tuple(self.ids(data, "cleared", "screening.cleared", "condition"))
        clearances = tuple(self.clearances(data.get("clearances", []), date))
        return Screening(tuple(parq), followup, cleared, clearances)

    def clearances(self, items: Any, date: datetime.date | None) -> list[Clearance]:
        """[[screening.clearances]]: each names one subject, its clinician and its date."""
        if not isinstance(items, list):
            self.problem("screening.clearances", "must be a list of tables "
                         "([[screening.clearances]])")
            return []
        known = (*CLEARANCE_SUBJECTS, "side", "by", "date")
        out = []
        for i, item in enumerate(items):
            where = f"screening.clearances[{i}]"
            if not isinstance(item, Mapping):
                self.problem(where, "must be a table with what it clears, 'by' and 'date'")
                continue
            for key in item:
                if key not in known:
                    self.problem(f"{where}.{key}", f"unknown field{_hint(key, known)}")
            subjects = [k for k in CLEARANCE_SUBJECTS if k in item]
            if len(subjects) != 1:
                self.problem(where, "must name exactly one thing it clears: "
                             f"{', '.join(CLEARANCE_SUBJECTS)}")
                continue
            clears = subjects[0]
            subject = self.clearance_subject(clears, item[clears], f"{where}.{clears}")
            side = item.get("side", BOTH)
            if side not in (*SIDES, BOTH) or (side != BOTH and clears in ("parq", "condition")):
                self.problem(f"{where}.side", "a side is 'left', 'right' or 'both' "
                             "(pain and clearing tests only)")
                side = BOTH
            by = None
            if not isinstance(item.get("by"), str):
                self.problem(f"{where}.by", "who gave it: a clinician id, e.g. 'physician'")
            else:
                by = self.resolve(item["by"], "clinician", f"{where}.by")
            when = None
            if "date" not in item:
                self.problem(f"{where}.date", "when it was given: a date such as 2026-12-01")
            else:
                when = self.calendar_date(item["date"], f"{where}.date")
            if when is not None and date is None:
                self.problem("date", "a case with clearances needs the consultation's date "
                             "(date = 2026-12-01 at the top of the file) to tell their age")
            elif when is not None and date is not None and when > date:
                self.problem(f"{where}.date", f"{when} is after the consultation ({date})")
            if subject is not None and by is not None and when is not None:
                out.append(Clearance(clears, subject, side, by, when))
        return out

    def clearance_subject(self, clears: str, value: Any, where: str) -> str | None:
        if clears == "parq":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 7:
                self.problem(where, "a PAR-Q+ question number 1-7")
                return None
            return str(value)
        if not isinstance(value, str):
            self.problem(where, "must be an id")
            return None
        if clears == "condition":
            return self.resolve(value, "condition", where)
        scope = "pain" if clears == "pain" else "fms_clearing"
        return self.resolve(value, "finding", where, scope=scope)

    # --- assessments -------------------------------------------------------------------
    def assessments(self, data: Mapping[str, Any]) -> list[Observation]:
        assessments = self.kb.of("assessment")
        out: list[Observation] = []
        for key, value in data.items():
            where = f"assessment.{key}"
            if key not in assessments or key in ("fms", "fms_clearing"):
                options = [a for a in assessments if a not in ("fms", "fms_clearing")]
                self.problem(where, f"unknown assessment{_hint(key, options)}")
                continue
            if isinstance(value, Mapping):
                for side, items in value.items():
                    if side not in SIDES:
                        self.problem(f"{where}.{side}", "sides are 'left' and 'right'")
                        continue
                    out.extend(self.observed(key, items, side, f"{where}.{side}"))
            else:
                out.extend(self.observed(key, value, BOTH, where))
        return out

    def observed(self, assessment: str, items: Any, side: str, where: str
                 ) -> list[Observation]:
        if not isinstance(items, list):
            self.problem(where, "must be a list of finding ids")
            return []
        out = []
        for i, item in enumerate(items):
            during = None
            if isinstance(item, Mapping) and assessment == "pain":
                item, during = self.pain_entry(item, f"{where}[{i}]")
                if item is None:
                    continue
            if not isinstance(item, str):
                self.problem(f"{where}[{i}]", "must be a finding id"
                             + (" or { id = ..., during = ASSESSMENT }"
                                if assessment == "pain" else ""))
                continue
            ident = self.resolve(item, "finding", f"{where}[{i}]", scope=assessment)
            if ident:
                declared = self.kb.get("finding", ident)
                fixed = declared.one("side") if declared else None
                out.append(Observation(assessment, ident, fixed or side, during))
        return out

    def pain_entry(self, item: Mapping[str, Any], where: str
                   ) -> tuple[str | None, str | None]:
        """`{ id = "knee", during = "single_leg_squat" }`: where, and in which assessment."""
        for key in item:
            if key not in ("id", "during"):
                self.problem(f"{where}.{key}", f"unknown field{_hint(key, ('id', 'during'))}")
        if not isinstance(item.get("id"), str):
            self.problem(f"{where}.id", "the pain region's id")
            return None, None
        during = item.get("during")
        if during is not None:
            options = [a for a in self.kb.of("assessment") if a != "pain"]
            key = name_key(str(during))
            if key not in options:
                self.problem(f"{where}.during", f"unknown assessment '{during}'"
                             f"{_hint(key, options)}")
                during = None
            else:
                during = key
        return item["id"], during

    def fms(self, data: Mapping[str, Any]) -> list[FmsScore]:
        out = []
        given: dict[str, str] = {}
        for key, value in data.items():
            where = f"fms.{_key(key)}"
            test = self.resolve(key, "finding", where, scope="fms")
            if not test or self.given_twice(test, where, given, "test"):
                continue
            sided = self.kb.get("finding", test).flag("sided")
            if isinstance(value, Mapping):
                if not sided:
                    self.problem(where, "this test is scored once, not per side")
                    continue
                left = self.score(value.get("left"), f"{where}.left")
                right = self.score(value.get("right"), f"{where}.right")
                for extra in set(value) - set(SIDES):
                    self.problem(f"{where}.{extra}", "sides are 'left' and 'right'")
            else:
                left = right = self.score(value, where)
            if left is not None or right is not None:
                out.append(FmsScore(test, left, right))
        return out

    def score(self, value: Any, where: str) -> int | None:
        top = self.kb.get("assessment", "fms")
        highest = int(top.one("scored", 3)) if top else 3
        if value is None:
            self.problem(where, "missing score")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= highest:
            self.problem(where, f"scores are whole numbers 0-{highest}, got {value!r}")
            return None
        return value

    def clearing(self, data: Any) -> list[Clearing]:
        if not isinstance(data, Mapping):
            self.problem("fms.clearing", "must be a table")
            return []
        out = []
        given: dict[str, str] = {}
        for key, value in data.items():
            where = f"fms.clearing.{_key(key)}"
            test = self.resolve(key, "finding", where, scope="fms_clearing")
            if not test or self.given_twice(test, where, given, "clearing test"):
                continue
            if isinstance(value, Mapping) and not self._sided(test):
                self.problem(where, "this test is done once, not per side: "
                             "use true (painful) or false")
            elif isinstance(value, Mapping):
                for side, positive in value.items():
                    if side not in SIDES or not isinstance(positive, bool):
                        self.problem(f"{where}.{side}", "use left/right = true or false")
                        continue
                    out.append(Clearing(test, side, positive))
            elif isinstance(value, bool):
                out.append(Clearing(test, BOTH, value))
            else:
                self.problem(where, "must be true (painful) or false")
        return out

    def given_twice(self, ident: str, where: str, given: dict[str, str], what: str) -> bool:
        """A second spelling of an entry already given (`"deep squat"` and `deep_squat`)
        is an error naming both, never a silent choice between their values."""
        if ident in given:
            self.problem(where, f"the same {what} as {given[ident]}; give it once")
            return True
        given[ident] = where
        return False

    def _sided(self, test: str) -> bool:
        """A test done per side: declared so, or all of its assessment is."""
        entry = self.kb.get("finding", test)
        assessment = self.kb.get("assessment", entry.one("in")) if entry else None
        return bool(entry and entry.flag("sided")) or bool(assessment and
                                                            assessment.flag("sided"))

    # --- names -----------------------------------------------------------------------------
    def strings(self, data: Mapping[str, Any], key: str, where: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(where, "must be a list of strings")
            return []
        return value

    def ids(self, data, key, where, kind, extra: tuple[str, ...] = ()) -> list[str]:
        out = []
        for i, item in enumerate(self.strings(data, key, where)):
            if name_key(item) in extra:
                out.append(name_key(item))
                continue
            ident = self.resolve(item, kind, f"{where}[{i}]")
            if ident:
                out.append(ident)
        return out

    def resolve(self, text: str, kind: str, where: str, scope: str | None = None
                ) -> str | None:
        """An id of `kind` (within assessment `scope`) by id, alias or name."""
        entries = self.kb.of(kind)
        if scope is not None:
            entries = {k: e for k, e in entries.items() if e.one("in") == scope}
        key = name_key(text)
        if key in entries:
            return key
        matches = [e.id for e in entries.values()
                   if key in {name_key(a) for a in e.aliases} | {name_key(e.name)}]
        if len(matches) == 1:
            return matches[0]
        what = f"{kind} in {scope}" if scope else kind
        if len(matches) > 1:
            self.problem(where, f"'{text}' could be {', '.join(matches)}; use the id")
        else:
            self.problem(where, f"unknown {what} '{text}'{_hint(key, entries)}")
        return None


def _key(key: str) -> str:
    """A TOML key as the case file would write it: bare when it can be, else quoted."""
    if key and all(c.isascii() and (c.isalnum() or c in "_-") for c in key):
        return key
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _shown(item: Any) -> str:
    """A condition entry as written: its id, with its status when it has one."""
    if isinstance(item, Mapping):
        status = f" (status {item['status']!r})" if item.get("status") is not None else ""
        return f"'{item.get('id')}'{status}"
    return f"'{item}'"


def _hint(word: str, options) -> str:
    found = suggest(word, list(options))
    return f"; did you mean '{found[0]}'?" if found else ""
