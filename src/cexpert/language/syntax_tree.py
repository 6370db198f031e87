"""The syntax tree of a rule file: plain frozen dataclasses, each with a span.

The parser builds these and nothing else; the checker reads them and never
changes them. Names are kept exactly as written (`Name.text`) so diagnostics
can quote the author; resolution to declared ids happens in `check`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from cexpert.language.span import Span as Span
from cexpert.language.span import name_key as name_key
from cexpert.language.span import source_lines as source_lines


@dataclass(frozen=True)
class Name:
    """A reference as written: one or more words, or a quoted string."""

    text: str
    span: Span
    quoted: bool = False

    @property
    def key(self) -> str:
        """Case-insensitive, space and underscore equivalent lookup key."""
        return name_key(self.text)


@dataclass(frozen=True)
class Number:
    value: float
    span: Span

    @property
    def as_int(self) -> int | None:
        return int(self.value) if float(self.value).is_integer() else None


@dataclass(frozen=True)
class Text:
    """A string literal with its escapes decoded."""

    value: str
    span: Span


Value = Name | Number | Text


@dataclass(frozen=True)
class Attribute:
    key: str
    values: tuple[Value, ...]
    span: Span


@dataclass(frozen=True)
class Declaration:
    """`muscle gluteus_medius "Gluteus medius" region hip aka "glute medius"`."""

    kind: str
    id: str
    id_span: Span
    title: Text | None
    attributes: tuple[Attribute, ...]
    span: Span


@dataclass(frozen=True)
class Extension:
    """`extend exercise smr_adductors tags kneeling`: more aliases, tags or substitutes
    for a declaration written elsewhere, so another file stays untouched."""

    kind: str
    id: str
    id_span: Span
    attributes: tuple[Attribute, ...]
    span: Span


@dataclass(frozen=True)
class Setting:
    key: str
    key_span: Span
    values: tuple[Value, ...]
    span: Span


@dataclass(frozen=True)
class Include:
    path: Text
    span: Span


@dataclass(frozen=True)
class Section:
    title: Text
    source: Text | None
    span: Span


@dataclass(frozen=True)
class FileSource:
    source: Text
    span: Span


# --- conditions ---------------------------------------------------------------


@dataclass(frozen=True)
class FactTest:
    """`knee valgus`, `condition osteoporosis`, `condition diabetes is advanced`."""

    kind: str | None
    name: Name
    span: Span
    status: Name | None = None  # `is STATUS`: conditions only
    regions: tuple[Name, ...] | None = None  # `at REGION, ...` (or `at any`): conditions only


@dataclass(frozen=True)
class Comparison:
    """`age >= 65`, `fms deep_squat <= 1`, `fms any = 0`, `fms total <= 14`."""

    quantity: str  # "age", "fms", "measure", "visits" or "evidence"
    subject: Name | None  # the FMS test (or any / total), the measured condition, the
    # muscle; None for age
    operator: str
    value: Number
    span: Span
    measure: Name | None = None  # `weeks of pregnancy`: the measure's word
    state: str | None = None  # evidence: overactive | underactive


@dataclass(frozen=True)
class Asymmetry:
    subject: Name
    span: Span


@dataclass(frozen=True)
class ReferralTest:
    """`referral`: any referral concluded; `referral urgent`: one of that urgency."""

    span: Span
    urgency: Name | None = None


@dataclass(frozen=True)
class AlwaysTest:
    """`always`: true in every consultation (for standing cautions)."""

    span: Span


@dataclass(frozen=True)
class FmsPriorityTest:
    """`fms priority hurdle step`: the test is the FMS corrective priority."""

    test: Name
    span: Span


@dataclass(frozen=True)
class ParqTest:
    """`parq yes` (any question) or `parq 4`."""

    question: Name | Number
    span: Span


@dataclass(frozen=True)
class ClearanceTest:
    """`cleared pregnancy by obstetric provider`, `cleared by physician within 12 months`.

    Without a subject it clears the fact tested just before it in its `and`."""

    subject: Name | None
    by: tuple[Name, ...]
    within: Number | None  # months
    span: Span


@dataclass(frozen=True)
class VisitChange:
    """`resolved X`, `new X`, `persists X [for N visits]`: a finding compared with the
    previous visit (`any` for every finding)."""

    change: str  # resolved | persists | new
    finding: Name
    visits: Number | None  # `for N visits`: persists only
    span: Span


@dataclass(frozen=True)
class Not:
    operand: Condition
    span: Span


@dataclass(frozen=True)
class All:
    operands: tuple[Condition, ...]
    span: Span


@dataclass(frozen=True)
class Any:
    operands: tuple[Condition, ...]
    span: Span


Condition = (
    FactTest | Comparison | Asymmetry | ReferralTest | AlwaysTest | FmsPriorityTest | ParqTest
    | ClearanceTest | VisitChange | Not | All | Any
)


# --- conclusions --------------------------------------------------------------


@dataclass(frozen=True)
class MuscleState:
    """One muscle of `overactive adductors, tfl`: state and side made explicit."""

    state: str  # overactive | underactive
    muscle: Name
    side: Name | None  # "same side", "opposite side", "stance leg", "left", ...
    span: Span


@dataclass(frozen=True)
class Dysfunction:
    name: Name
    span: Span


@dataclass(frozen=True)
class Prescribe:
    exercise: Name
    span: Span


@dataclass(frozen=True)
class Refer:
    urgency: Name | None
    reason: Text
    span: Span


@dataclass(frozen=True)
class HoldProgram:
    reason: Text
    span: Span


@dataclass(frozen=True)
class Exclusion:
    by: str  # phase | exercise | tagged | for | at
    names: tuple[Name, ...]
    span: Span


@dataclass(frozen=True)
class Exclude:
    parts: tuple[Exclusion, ...]
    reason: Text
    span: Span


@dataclass(frozen=True)
class Substitute:
    original: Name
    replacement: Name
    reason: Text
    span: Span


@dataclass(frozen=True)
class DoseItem:
    variable: str  # sets | reps | hold | tempo
    value: Number | Text
    span: Span


@dataclass(frozen=True)
class SetDose:
    items: tuple[DoseItem, ...]
    target: Name  # a phase or an exercise
    span: Span


@dataclass(frozen=True)
class Reassess:
    amount: Number
    unit: Name
    span: Span


@dataclass(frozen=True)
class FmsTarget:
    test: Name
    span: Span


@dataclass(frozen=True)
class Note:
    """`note "..."`: information for the trainer, shown with the results."""

    text: Text
    span: Span


@dataclass(frozen=True)
class SuggestTest:
    """`suggest test single leg squat with "..." because "..."`: the next test to run."""

    test: Name
    how: Text | None  # `with "..."`: how to run it (a support, a modification)
    reason: Text
    span: Span


@dataclass(frozen=True)
class Stop:
    """`stop "..."`: when a client stops an exercise (pain, dizziness, ...), printed in
    the client's handout."""

    text: Text
    span: Span


Conclusion = (
    Note
    | SuggestTest
    | Stop
    | MuscleState
    | Dysfunction
    | Prescribe
    | Refer
    | HoldProgram
    | Exclude
    | Substitute
    | SetDose
    | Reassess
    | FmsTarget
)


@dataclass(frozen=True)
class Rule:
    """A rule; `generated` is true for a bare arrow row, whose id is derived."""

    id: str
    id_span: Span
    title: Text | None
    condition: Condition
    conclusions: tuple[Conclusion, ...]
    source: Text | None
    salience: Number | None
    profile: str | None
    arrow: bool
    generated: bool
    span: Span


Statement = Declaration | Extension | Setting | Include | Section | FileSource | Rule


@dataclass(frozen=True)
class RuleFile:
    """One parsed `.cex` file. `source` is the whole text, kept for diagnostics."""

    path: str
    source: str
    statements: tuple[Statement, ...] = field(default_factory=tuple)

    @cached_property
    def lines(self) -> tuple[str, ...]:
        """The source's lines as the parser counts them, split once per file: a
        rule's text is sliced from here, so checking stays linear in file size."""
        return tuple(source_lines(self.source))
