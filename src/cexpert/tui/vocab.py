"""What the entry screens offer, read from the knowledge base (no Textual here).

Every page, group and choice comes from `kb.of(...)`: an author who declares a
new assessment, finding, condition or piece of equipment sees it in the TUI
without touching Python. The only names used here are the case format's own
section names (see `cexpert.engine.case`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cexpert.engine.case import BOTH, SIDES
from cexpert.language.knowledge import Entry, KnowledgeBase
from cexpert.language.span import name_key
from cexpert.present.words import short_label

# The case format's sections for the movement screen (cexpert.engine.case reads them so).
FMS = "fms"
FMS_CLEARING = "fms_clearing"
SCORED_ELSEWHERE = (FMS, FMS_CLEARING)

SIDE_TITLES = {"left": "Left", "right": "Right", BOTH: "Both sides"}

# The seven general questions of the PAR-Q+ 2020, in substance (form text, not
# knowledge: the answers go to the rules as `parq yes` / `parq N`).
PARQ_QUESTIONS = (
    "A doctor has said they have a heart condition or high blood pressure",
    "Chest pain at rest, in daily activities or during physical activity",
    "Lost balance from dizziness, or lost consciousness, in the last 12 months",
    "Diagnosed with another chronic medical condition",
    "Takes prescribed medication for a chronic medical condition",
    "A bone, joint or soft-tissue problem that more activity could worsen",
    "A doctor has said they should only do medically supervised activity",
)


@dataclass(frozen=True)
class Group:
    """A list of findings entered together: one view, one side, or the whole page."""

    key: str  # unique within the page, used for widget ids
    title: str
    assessment: str
    side: str
    findings: tuple[Entry, ...]


@dataclass(frozen=True)
class Page:
    """One assessment's entry page."""

    assessment: str
    label: str  # short, for a tab
    title: str
    note: str
    groups: tuple[Group, ...]


def findings_of(kb: KnowledgeBase, assessment: str) -> list[Entry]:
    return [f for f in kb.of("finding").values() if f.one("in") == assessment]


def entry_pages(kb: KnowledgeBase) -> list[Page]:
    """One page per assessment with findings to tick, in declaration order; assessments
    declared with the same `group` (the muscle length tests) share one page, each
    with its own lists, so the page keys 1-9 still reach every page."""
    pages: list[Page] = []
    shared: dict[str, int] = {}  # group -> index of its page
    for assessment in kb.of("assessment").values():
        if assessment.id in SCORED_ELSEWHERE:
            continue
        findings = findings_of(kb, assessment.id)
        if not findings:
            continue
        group = str(assessment.one("group", "") or "")
        groups = tuple(_groups(assessment, findings))
        if group and group in shared:
            page = pages[shared[group]]
            pages[shared[group]] = Page(page.assessment, page.label, page.title, page.note,
                                        page.groups + _titled(assessment, groups))
            continue
        if group:
            shared[group] = len(pages)
            pages.append(Page(assessment.id, group_title(group), group_title(group), "",
                              _titled(assessment, groups)))
            continue
        pages.append(Page(assessment.id, short_label(assessment), assessment.name,
                          str(assessment.one("note", "") or ""), groups))
    return pages


def _titled(assessment: Entry, groups: tuple[Group, ...]) -> tuple[Group, ...]:
    """An assessment's lists on a shared page: keys unique on the page, titles naming
    the assessment (and its note, which says how it is done)."""
    name = short_label(assessment)
    return tuple(Group(f"{assessment.id}-{g.key}",
                       name if len(groups) == 1 else f"{name}: {g.title.lower()}",
                       g.assessment, g.side, g.findings) for g in groups)


def _groups(assessment: Entry, findings: list[Entry]) -> list[Group]:
    views = [str(v) for v in assessment.many("views")]
    if views:
        groups = []
        for view in views:
            chosen = tuple(f for f in findings if f.one("view") == view)
            if chosen:
                groups.append(Group(view, f"{view.capitalize()} view", assessment.id, BOTH,
                                    chosen))
        rest = tuple(f for f in findings if f.one("view") not in views)
        if rest:
            groups.append(Group("other", "Other observations", assessment.id, BOTH, rest))
        return groups
    if assessment.flag("sided"):
        return [Group(side, f"{SIDE_TITLES[side]} side", assessment.id, side, tuple(findings))
                for side in SIDES]
    return [Group("all", assessment.name, assessment.id, BOTH, tuple(findings))]


def fms_tests(kb: KnowledgeBase) -> list[Entry]:
    return findings_of(kb, FMS)


def clearing_tests(kb: KnowledgeBase) -> list[Entry]:
    return findings_of(kb, FMS_CLEARING)


def clearing_sides(kb: KnowledgeBase, test: Entry) -> tuple[str, ...]:
    """Left and right for a clearing test done per side (shoulder, ankle), else one box."""
    assessment = kb.get("assessment", FMS_CLEARING)
    sided = test.flag("sided") or (assessment is not None and assessment.flag("sided"))
    return SIDES if sided else (BOTH,)


def fms_highest(kb: KnowledgeBase) -> int:
    entry = kb.get("assessment", FMS)
    return int(entry.one("scored", 3)) if entry else 3


def fms_page_label(kb: KnowledgeBase) -> str | None:
    entry = kb.get("assessment", FMS)
    return short_label(entry) if entry is not None and fms_tests(kb) else None


def grouped(kb: KnowledgeBase, kind: str) -> list[tuple[str, list[Entry]]]:
    """Entries of a kind by their `group` attribute; ungrouped first, in declared order."""
    groups: dict[str, list[Entry]] = {}
    for entry in kb.of(kind).values():
        groups.setdefault(str(entry.one("group", "") or ""), []).append(entry)
    return sorted(groups.items(), key=lambda item: item[0] != "")


def condition_statuses(kb: KnowledgeBase, condition: str) -> tuple[str, ...]:
    """The statuses a condition declares (`statuses controlled, uncontrolled`), as the
    case file spells them; () when it declares none."""
    entry = kb.get("condition", condition)
    return tuple(name_key(str(s)) for s in entry.many("statuses")) if entry else ()


def status_label(status: str) -> str:
    """A status id as words: 'not_controlled' -> 'not controlled'."""
    return status.replace("_", " ")


def group_title(group: str) -> str:
    return group.replace("_", " ").capitalize() if group else ""


def observed_side(kb: KnowledgeBase, finding: str, side: str) -> str:
    """The side a finding is recorded on: its declared fixed side, else the one chosen."""
    entry = kb.get("finding", finding)
    fixed = entry.one("side") if entry is not None else None
    return str(fixed) if fixed else side
