"""The checked knowledge base: declarations and rules with every name resolved.

This is what `check` produces and `compile`, `infer` and `program` consume.
All clinical content lives in these values, read from rule files; the code
that consumes them only knows the shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cexpert.language.span import Span


@dataclass(frozen=True)
class Entry:
    """A declared vocabulary item: a muscle, finding, exercise, condition..."""

    kind: str
    id: str
    name: str
    aliases: tuple[str, ...]
    attributes: Mapping[str, tuple]  # attribute -> resolved values (ids, numbers, text)
    span: Span
    order: int  # declaration order within its kind, for stable ranking

    def one(self, key: str, default=None):
        values = self.attributes.get(key, ())
        return values[0] if values else default

    def many(self, key: str) -> tuple:
        return tuple(self.attributes.get(key, ()))

    def flag(self, key: str) -> bool:
        return key in self.attributes


# --- resolved conditions ---------------------------------------------------------


@dataclass(frozen=True)
class Atom:
    """One test on working memory.

    kind: finding | condition | dysfunction | overactive | underactive | cleared
          | equipment | followup | limitation | referral | parq | age | fms | asymmetry
    id: the declared id tested, or None for "any"
    operator/value: for comparisons (age, fms)
    """

    kind: str
    id: str | None
    span: Span
    operator: str | None = None
    value: float | None = None
    scope: str | None = None  # an assessment, for `pain any`
    by: tuple[str, ...] = ()  # `cleared ... by`: the clinicians whose clearance counts
    correlated: bool = False  # `cleared` without a subject: clears the fact tested before it
    #: `condition X at R`: the regions a recorded region must be one of (R, the regions
    #: within R and those around it); ("*",) for `at any`; None: any region or none
    regions: tuple[str, ...] | None = None


@dataclass(frozen=True)
class AllOf:
    """Conjunction: true when every operand holds."""

    operands: tuple[Cond, ...]


@dataclass(frozen=True)
class AnyOf:
    """Disjunction: true when any operand holds."""

    operands: tuple[Cond, ...]


@dataclass(frozen=True)
class NoneOf:
    """Negation: true when no fact matches the operand."""

    operand: Cond


Cond = Atom | AllOf | AnyOf | NoneOf


# --- resolved conclusions ---------------------------------------------------------


@dataclass(frozen=True)
class Conclude:
    """One conclusion of a rule.

    kind: overactive | underactive | dysfunction | refer | hold | exclude
          | prescribe | substitute | dose | reassess | fms_target | note | stop
    data: the conclusion's fields, JSON-friendly (ids, numbers, text)
    position: index within the rule's list for its kind, which orders selection
    """

    kind: str
    data: Mapping[str, object]
    span: Span
    position: int = 0


@dataclass(frozen=True)
class KbRule:
    """A checked rule: its condition, what it concludes and where it is written."""

    id: str
    title: str
    source: str
    file: str
    line: int
    text: str  # the rule as written, for explanations
    condition: Cond
    conclusions: tuple[Conclude, ...]
    salience: int
    order: int  # position in the knowledge base (file order, then line)
    stratum: int
    table_row: bool  # one finding implies muscles: compiled as a fact, not a rule
    profile: str | None  # the table profile the rule belongs to; None = every profile
    span: Span


@dataclass(frozen=True)
class KnowledgeBase:
    """A checked knowledge base: entries by kind and id, rules, settings."""

    path: str
    hash: str
    entries: Mapping[str, Mapping[str, Entry]]  # kind -> id -> entry, in declaration order
    rules: tuple[KbRule, ...]
    settings: Mapping[str, tuple]
    files: tuple[str, ...] = field(default_factory=tuple)
    rules_by_id: Mapping[str, KbRule] = field(default_factory=dict)
    #: `path` and each file without machine paths, relative to the knowledge base's
    #: root, for what leaves the machine (the JSON contract, stored results)
    portable_path: str = ""
    file_labels: Mapping[str, str] = field(default_factory=dict)
    #: the rules of the table profiles not loaded (`setting profile` lists them after the
    #: first, `--profile` chooses one): never run, read only by `check --strict`, so an
    #: exercise only another profile reaches is not reported unreachable
    unloaded_rules: tuple[KbRule, ...] = ()

    def portable_file(self, file: str) -> str:
        """A rule file's path relative to its knowledge base's root."""
        return self.file_labels.get(file, file)

    def of(self, kind: str) -> Mapping[str, Entry]:
        return self.entries.get(kind, {})

    def get(self, kind: str, id: str) -> Entry | None:
        return self.entries.get(kind, {}).get(id)

    def name_of(self, kind: str, id: str) -> str:
        entry = self.get(kind, id)
        return entry.name if entry else id.replace("_", " ")

    def setting(self, key: str, default: tuple = ()) -> tuple:
        return tuple(self.settings.get(key, default))

    def region_around(self, region: str) -> tuple[str, ...]:
        """The region and every region it lies within, innermost first."""
        out = [region]
        while (entry := self.get("region", out[-1])) is not None:
            outer = entry.one("within")
            if outer is None or outer in out:
                break
            out.append(outer)
        return tuple(out)

    def regions_overlap(self, a: str, b: str) -> bool:
        """One region lies within (or is) the other: a condition of the leg is at the
        calf, and one of the calf is in the leg."""
        return a in self.region_around(b) or b in self.region_around(a)

    def rule(self, rule_id: str) -> KbRule | None:
        return self.rules_by_id.get(rule_id)

    def preference(self, exercise_id: str) -> tuple[int, str]:
        """How an exercise ranks among equally good ones: by its place in `setting
        exercise_preference` (unlisted ones after every listed one), then by id; never
        by the file it is declared in, so adding a file cannot reorder the others."""
        listed = self.setting("exercise_preference")
        place = listed.index(exercise_id) if exercise_id in listed else len(listed)
        return (place, exercise_id)


def atoms_of(cond: Cond) -> list[Atom]:
    """Every atom of a condition, negated ones included, in written order."""
    if isinstance(cond, Atom):
        return [cond]
    if isinstance(cond, NoneOf):
        return atoms_of(cond.operand)
    return [a for o in cond.operands for a in atoms_of(o)]
