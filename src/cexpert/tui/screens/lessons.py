"""Lessons: the course in examples/teaching, and the predict-first exercise.

The list shows each lesson's title and idea; below, the paragraph for the teacher and the
two questions. Enter opens the lesson's case like any client (then Replay, Why, the graph
apply to it); P starts *predict first*: the student ticks the muscles they expect to be
overactive and underactive from the findings alone, then R reveals which they got right,
which they missed and which the rules did not conclude, each with its reasoning chain.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from cexpert.engine.case import Case, CaseError
from cexpert.engine.result import Result
from cexpert.explain.lessons import Guess, Lesson, score
from cexpert.explain.why import render_tree
from cexpert.service import Service
from cexpert.tui.widgets.findings import ChoiceList

STATES = ("overactive", "underactive")
MARKS = {"right": "✓ right", "missed": "✗ missed", "not concluded": "– not concluded"}


def lesson_label(lesson: Lesson) -> str:
    return f"{lesson.number:>2}. {lesson.title}"


def lesson_detail(lesson: Lesson) -> Text:
    text = Text()
    text.append(f"{lesson.title}\n", style="bold")
    text.append("Idea: ", style="bold")
    text.append(lesson.idea + "\n\n")
    text.append("For the teacher. ", style="bold")
    text.append(lesson.teacher + "\n\n")
    text.append("Questions\n", style="bold")
    for n, question in enumerate(lesson.questions, 1):
        text.append(f" {n}. {question}\n")
    text.append(f"\nCase: {lesson.case.name}   Enter: open it   P: predict first\n",
                style="dim")
    return text


class LessonsScreen(Screen):
    """The course: pick a lesson, open it or predict first."""

    CSS_PATH = "lessons.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("enter", "open", "Open the case", show=False),
        Binding("p", "predict", "Predict first"),
    ]

    def __init__(self, course: tuple[Lesson, ...]):
        super().__init__()
        self.course = course

    def compose(self) -> ComposeResult:
        yield Header()
        options = OptionList(*(Option(Content(lesson_label(s))) for s in self.course),
                             id="lessons-list")
        options.border_title = "Lessons (Enter opens the case, P predicts first)"
        yield options
        with VerticalScroll(id="lessons-detail-box"):
            yield Static(Text("No lessons found.") if not self.course else Text(),
                         id="lessons-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        options = self.query_one("#lessons-list", OptionList)
        if self.course:
            options.highlighted = 0
        options.focus()

    @property
    def lesson(self) -> Lesson | None:
        index = self.query_one("#lessons-list", OptionList).highlighted
        return self.course[index] if index is not None and self.course else None

    @on(OptionList.OptionHighlighted, "#lessons-list")
    def _show(self, event: OptionList.OptionHighlighted) -> None:
        detail = lesson_detail(self.course[event.option_index])
        self.query_one("#lessons-detail", Static).update(detail)

    @on(OptionList.OptionSelected, "#lessons-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        if self.lesson is not None:
            self.app.open_lesson(self.lesson)  # type: ignore[attr-defined]

    def action_predict(self) -> None:
        if self.lesson is None:
            return
        service: Service = self.app.service  # type: ignore[attr-defined]
        try:
            case = service.read_case(self.lesson.case)
        except CaseError as error:  # a course written for another knowledge base
            self.notify("; ".join(error.problems), title="This lesson cannot be used here",
                        severity="error", markup=False)
            return
        self.app.push_screen(PredictScreen(self.lesson, case, service))


class PredictScreen(Screen):
    """Predict first: tick the muscles you expect, then reveal the rules' answer."""

    CSS_PATH = "lessons.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("r", "reveal", "Reveal"),
    ]

    def __init__(self, lesson: Lesson, case: Case, service: Service):
        super().__init__()
        self.lesson = lesson
        self.service = service
        self.case = case
        self.guesses: tuple[Guess, ...] = ()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._question(), id="predict-question")
        muscles = sorted(self.service.kb.of("muscle").values(), key=lambda m: m.name)
        with Horizontal(id="predict-lists"):
            for state in STATES:
                yield ChoiceList(((m.id, m.name) for m in muscles), state.capitalize(),
                                 id=f"predict-{state}")
        with VerticalScroll(id="predict-answer-box"):
            yield Static(Text("Tick what you expect, then press R to reveal."),
                         id="predict-answer")
        yield Footer(compact=True)

    def _question(self) -> Text:
        text = Text()
        text.append(f"Lesson {self.lesson.number}: {self.lesson.title}. ", style="bold")
        text.append("Entered: ")
        entered = [f"{self.service.kb.name_of('finding', o.finding)}"
                   + ("" if o.side == "both" else f" ({o.side})")
                   for o in self.case.observations]
        entered += [f"FMS {self.service.kb.name_of('finding', s.test)} "
                    f"{s.left}/{s.right}" for s in self.case.fms]
        entered += [f"condition {self.service.kb.name_of('condition', c.id)}"
                    for c in self.case.client.conditions]
        text.append("; ".join(entered) or "nothing")
        text.append(". Which muscles will the rules conclude?")
        return text

    def on_mount(self) -> None:
        self.query_one("#predict-overactive", SelectionList).focus()

    def ticked(self) -> set[tuple[str, str]]:
        return {(muscle, state) for state in STATES
                for muscle in self.query_one(f"#predict-{state}", SelectionList).selected}

    def action_reveal(self) -> None:
        result: Result = self.app.engine.call(  # type: ignore[attr-defined]
            lambda: self.service.consult(self.case))
        self.guesses = score(result, self.service.kb, self.ticked())
        self.query_one("#predict-answer", Static).update(answer_text(self.guesses))

    @property
    def right(self) -> int:
        return sum(g.verdict == "right" for g in self.guesses)


def answer_text(guesses: tuple[Guess, ...]) -> Text:
    """The reveal: a tally, then each muscle with its verdict and its reasoning chain."""
    concluded = sum(g.concluded for g in guesses)
    right = sum(g.verdict == "right" for g in guesses)
    wrong = sum(g.verdict == "not concluded" for g in guesses)
    text = Text()
    text.append(f"{right} of {concluded} right", style="bold")
    text.append(f", {wrong} ticked that the rules did not conclude\n\n")
    for guess in guesses:
        text.append(f"{MARKS[guess.verdict]:<16}", style="bold")
        text.append(f"{guess.name} ({guess.state})\n")
        if guess.chain is not None:
            for line in render_tree(guess.chain, "    ", compact=True)[1:]:
                text.append(line + "\n", style="dim")
    return text
