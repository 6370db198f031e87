"""The course: short teaching cases, each adding one idea, and the predict-first score.

A lesson is three files side by side in `examples/teaching/`: `NN_slug.toml` (the case),
`NN_slug.md` (title, the idea, a paragraph for the teacher, two questions for students)
and `NN_slug.expected.json` (what the case must show for its idea to hold, checked by
`cexpert test examples/teaching` like any rule author's test). The Markdown is read for
its parts by their fixed headings; anything else in it is kept for the teacher.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cexpert.engine.result import Result
from cexpert.explain.why import WhyNode, why
from cexpert.language.knowledge import KnowledgeBase


class LessonError(ValueError):
    """A lesson's Markdown lacks one of its parts."""


@dataclass(frozen=True)
class Lesson:
    number: int
    slug: str
    title: str
    idea: str
    teacher: str
    questions: tuple[str, ...]
    case: Path


def lessons(folder: Path) -> tuple[Lesson, ...]:
    """Every lesson in `folder`, in number order (a case without its notes is skipped)."""
    found = []
    for case in sorted(folder.glob("[0-9][0-9]_*.toml")):
        notes = case.with_suffix(".md")
        if notes.is_file():
            found.append(read_lesson(case, notes.read_text(encoding="utf-8")))
    return tuple(found)


_IDEA = re.compile(r"^\*\*Idea:\*\*\s*(.+?)\n\s*\n", re.S | re.M)
_TEACHER = re.compile(r"^\*\*For the teacher\.\*\*\s*(.+?)\n\s*\n", re.S | re.M)


def read_lesson(case: Path, text: str) -> Lesson:
    """A lesson from its case path and its Markdown notes."""
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")),
                 None)
    idea, teacher = _IDEA.search(text + "\n\n"), _TEACHER.search(text + "\n\n")
    _, _, after = text.partition("\n## Questions")
    questions = tuple(line[2:].strip() for line in after.splitlines() if line.startswith("- "))
    missing = [name for name, part in (("a '# title'", title), ("'**Idea:**'", idea),
                                       ("'**For the teacher.**'", teacher),
                                       ("'## Questions' with '- ' items", questions))
               if not part]
    if missing:
        raise LessonError(f"{case.with_suffix('.md')}: missing {', '.join(missing)}")
    assert idea is not None and teacher is not None and title is not None
    number = int(case.stem.split("_", 1)[0])
    return Lesson(number, case.stem, title, _flat(idea.group(1)), _flat(teacher.group(1)),
                  questions, case)


def _flat(text: str) -> str:
    return " ".join(text.split())


# --- predict first ---------------------------------------------------------------------


@dataclass(frozen=True)
class Guess:
    """One muscle and state: ticked by the student or concluded by the rules, or both."""

    muscle: str
    name: str
    state: str
    ticked: bool
    concluded: bool
    chain: WhyNode | None  # the reasoning behind a concluded muscle

    @property
    def verdict(self) -> str:
        if self.ticked and self.concluded:
            return "right"
        return "missed" if self.concluded else "not concluded"


def score(result: Result, kb: KnowledgeBase, ticked: Iterable[tuple[str, str]]
          ) -> tuple[Guess, ...]:
    """The student's (muscle, state) ticks against the rules' conclusions: right ones
    first, then the ones missed, then the ones ticked that the rules did not conclude."""
    chosen = set(ticked)
    concluded = {(m.id, m.state): m for m in result.muscles}
    guesses = [Guess(m, kb.name_of("muscle", m), state, (m, state) in chosen,
                     (m, state) in concluded,
                     why(result, kb, concluded[(m, state)].fact)
                     if (m, state) in concluded else None)
               for m, state in dict.fromkeys([*concluded, *sorted(chosen)])]
    order = {"right": 0, "missed": 1, "not concluded": 2}
    return tuple(sorted(guesses, key=lambda g: order[g.verdict]))
