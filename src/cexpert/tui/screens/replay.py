"""Replay: the forward chaining of this consultation, one firing at a time.

For a class: the steps in the order the engine took them (what the trainer
entered, each rule firing with the facts it matched and the facts it added,
then the builtin scoring, ranking and program), as `cexpert trace` prints them.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from cexpert.engine.result import Result
from cexpert.explain.trace import Step
from cexpert.explain.why import rule_text_lines, untitled
from cexpert.service import Service


def step_label(step: Step) -> str:
    """A step in the list: its number and what made it."""
    if step.origin == "input":
        what = "entered by the trainer"
    elif step.origin == "rule":
        what = f"rule {step.rule}"
    else:
        what = f"builtin: {step.rule_title}"
    return f"{step.number:>3}  {what}"


def step_detail(step: Step, total: int, result: Result, service: Service) -> Text:
    """The whole of a step in plain words; rule text is shown as written, never as markup."""
    text = Text()
    text.append(f"Step {step.number} of {total}  ", style="bold")
    if step.origin == "rule":
        text.append(f"rule {step.rule}", style="bold")
        if not untitled(step.rule_title, step.rule_text):
            text.append(f": {step.rule_title}")
        if step.stratum is not None:
            text.append(f"  (stratum {step.stratum})", style="dim")
        text.append("\n")
        if step.source:
            text.append("Source: ", style="dim")
            text.append(step.source + "\n")
        if step.rule_text:  # indented as `cexpert trace` prints it
            text.append("\n")
            for line in rule_text_lines(step.rule_text):
                text.append(f"  {line}\n", style="italic")
    elif step.origin == "input":
        text.append("entered by the trainer\n", style="bold")
    else:
        text.append(f"builtin: {step.rule_title}\n", style="bold")
    for label, facts in (("Matched", step.matched), ("Added", step.added)):
        if not facts:
            continue
        text.append(f"\n{label}:\n", style="bold")
        for fact in facts:
            text.append(f"  {fact:>5}  ", style="dim")
            text.append(service.describe(result, fact) + "\n")
    return text


class ReplayScreen(Screen):
    """Step through the chaining: the list of steps above, the chosen step below."""

    CSS_PATH = "replay.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("right,n", "step(1)", "Next step"),
        Binding("left,p", "step(-1)", "Previous step"),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]

    def __init__(self, result: Result | None, service: Service):
        super().__init__()
        self.result = result
        self.service = service
        self.steps: tuple[Step, ...] = service.steps(result) if result is not None else ()

    def compose(self) -> ComposeResult:
        yield Header()
        steps = OptionList(*(Option(Content(step_label(s))) for s in self.steps),
                           id="replay-steps")
        steps.border_title = "The chaining, step by step (← → or n p)"
        yield steps
        with VerticalScroll(id="replay-detail-box"):
            yield Static(self._empty(), id="replay-detail")
        yield Footer(compact=True)

    def _empty(self) -> Text:
        if self.steps:
            return Text()
        return Text("Nothing to replay yet: enter a client or some findings first, "
                    "and the conclusions they lead to can be stepped through here.")

    def on_mount(self) -> None:
        steps = self.query_one("#replay-steps", OptionList)
        if self.steps:
            steps.highlighted = 0
        steps.focus()

    @on(OptionList.OptionHighlighted, "#replay-steps")
    def _show(self, event: OptionList.OptionHighlighted) -> None:
        assert self.result is not None
        step = self.steps[event.option_index]
        detail = step_detail(step, len(self.steps), self.result, self.service)
        self.query_one("#replay-detail", Static).update(detail)
        self.query_one("#replay-detail-box", VerticalScroll).scroll_home(animate=False)

    @property
    def position(self) -> int | None:
        """The index of the step on show (None when there is nothing to replay)."""
        return self.query_one("#replay-steps", OptionList).highlighted

    def _go(self, index: int) -> None:
        if self.steps:
            self.query_one("#replay-steps", OptionList).highlighted = max(
                0, min(index, len(self.steps) - 1))

    def action_step(self, delta: int) -> None:
        self._go((self.position or 0) + delta)

    def action_first(self) -> None:
        self._go(0)

    def action_last(self) -> None:
        self._go(len(self.steps) - 1)
