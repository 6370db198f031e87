"""The result of a consultation: plain frozen data, every item pointing at its fact.

This is what `explain`, the reports, the CLI and the TUI read. `as_json`
gives the stable `--format json` contract (schema_version 2: paths relative to the
knowledge base's root).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from cexpert.engine.facts import Fact

if TYPE_CHECKING:  # a recording is made only when asked for: its module loads then
    from cexpert.engine.agenda import Recording

#: 2: rules[].file and knowledge_base.path carry no machine paths.
#: 3: `suggested_tests` (the next tests to run); `fms.priority` holds the one priority
#:    pattern, `fms.next` the other targets in hierarchy order.
SCHEMA_VERSION = 3


@dataclass(frozen=True)
class Referral:
    """Whether the client must see a clinician first, how urgently and why."""

    required: bool = False
    urgency: str | None = None
    holds_program: bool = False
    reasons: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class MuscleItem:
    """A muscle concluded over- or underactive on a side, with its evidence score."""

    id: str
    name: str
    state: str
    side: str
    score: int
    fact: str


@dataclass(frozen=True)
class ConflictItem:
    """A muscle pointed both overactive and underactive on the same side(s)."""

    id: str
    name: str
    side: str
    facts: tuple[str, ...]


@dataclass(frozen=True)
class DysfunctionItem:
    """A movement dysfunction, ranked by its evidence score."""

    id: str
    name: str
    rank: int
    score: int
    fact: str


@dataclass(frozen=True)
class FmsSummary:
    """The FMS scores, per test and side: total, asymmetries, priority, flags."""

    scores: Mapping[str, int]
    sides: Mapping[str, Mapping[str, int]]
    total: int | None
    asymmetries: tuple[str, ...]
    priority: tuple[str, ...]  # the one corrective priority (empty when none)
    flags: tuple[str, ...]
    next: tuple[str, ...] = ()  # the other targets, in hierarchy order, after a rescreen


@dataclass(frozen=True)
class Dose:
    """How much of an exercise: sets, reps or a hold, and tempo (None: not given)."""

    sets: int | None = None
    reps: str | int | None = None
    hold_s: int | None = None
    tempo: str | None = None


@dataclass(frozen=True)
class Instructions:
    """An exercise's home instructions, as its declaration gives them."""

    setup: str
    cues: tuple[str, ...]
    feel: str
    mistake: str
    easier: str
    harder: str
    source: str


@dataclass(frozen=True)
class ProgramItem:
    """One exercise of the program, in its phase: what it targets, side and dose."""

    phase: str
    exercise: str
    name: str
    targets: tuple[str, ...]
    side: str | None  # None: done once, no side (not `unilateral`, or a rotation)
    dose: Dose
    addresses: tuple[str, ...]
    fact: str
    turn: str | None = None  # a rotation stretch: "left", "right" or "both" (each way)
    instructions: Instructions | None = None  # None: the rules give none


@dataclass(frozen=True)
class ExcludedItem:
    """An exercise (or a muscle's exercises) left out of the program, and why."""

    exercise: str | None
    muscle: str | None
    phase: str | None
    name: str
    side: str
    category: str  # contraindication | equipment | cap | conflict | caution
    reason: str
    fact: str


@dataclass(frozen=True)
class SuggestedTest:
    """The next test to run: which, on which side, how (`with`) and why."""

    test: str
    name: str
    side: str
    how: str | None
    reason: str
    fact: str


@dataclass(frozen=True)
class Reassessment:
    """When to assess the client again, in weeks."""

    weeks: float
    fact: str


@dataclass(frozen=True)
class RuleInfo:
    """Where a rule that fired is written, for explanations and the JSON."""

    title: str
    source: str
    file: str
    line: int


@dataclass(frozen=True)
class Result:
    """Everything one consultation concluded, each item pointing at its fact."""

    knowledge_base: Mapping[str, str]
    client: Mapping[str, Any]
    referral: Referral
    program_status: str  # active | held | none_needed
    muscles: tuple[MuscleItem, ...]
    conflicts: tuple[ConflictItem, ...]
    dysfunctions: tuple[DysfunctionItem, ...]
    fms: FmsSummary | None
    program: tuple[ProgramItem, ...]
    excluded: tuple[ExcludedItem, ...]
    reassessment: Reassessment | None
    facts: Mapping[str, Fact]
    rules: Mapping[str, RuleInfo]
    firings: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)
    stop_rules: tuple[str, ...] = field(default_factory=tuple)  # when a client stops
    agenda: Recording | None = None  # only when asked for (trace, Replay); not in the JSON
    suggested_tests: tuple[SuggestedTest, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The `--format json` contract; keys and shapes are stable across versions."""
        return {
            "schema_version": SCHEMA_VERSION,
            "knowledge_base": dict(self.knowledge_base),
            "client": dict(self.client),
            "referral": _plain(self.referral),
            "program_status": self.program_status,
            "muscles": [_plain(m) for m in self.muscles],
            "conflicts": [_plain(c) for c in self.conflicts],
            "dysfunctions": [_plain(d) for d in self.dysfunctions],
            "fms": _plain(self.fms) if self.fms else None,
            "program": [_program_item(p) for p in self.program],
            "excluded": [_plain(e) for e in self.excluded],
            "reassessment": _plain(self.reassessment) if self.reassessment else None,
            "suggested_tests": [_suggested(t) for t in self.suggested_tests],
            "notes": list(self.notes),
            "stop_rules": list(self.stop_rules),
            "facts": {k: f.as_json() for k, f in self.facts.items()},
            "rules": {k: _plain(r) for k, r in self.rules.items()},
        }


def _plain(value) -> Any:
    data = asdict(value)
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in data.items()}


def _suggested(test: SuggestedTest) -> dict[str, Any]:
    return {"test": test.test, "name": test.name, "side": test.side, "with": test.how,
            "reason": test.reason, "fact": test.fact}


def _program_item(item: ProgramItem) -> dict[str, Any]:
    data = _plain(item)
    data["dose"] = asdict(item.dose)
    if item.instructions is not None:
        data["instructions"] = _plain(item.instructions)
    return data
