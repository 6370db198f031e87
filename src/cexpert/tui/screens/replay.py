"""Replay: the forward chaining of this consultation, one firing at a time.

For a class: the steps in the order the engine took them (what the trainer
entered, each rule firing with the facts it matched and the facts it added,
then the builtin scoring, ranking and program), as `cexpert trace` prints them.
With the agenda the engine recorded during the run: at each firing, the working
memory (the newest facts marked), the activations pending in firing order with
what orders them, and why the one that fired won. `/` jumps to a rule, a fact or
a conclusion and keeps it as a breakpoint; `b` sets one on the step's rule; `c`
runs on to the next breakpoint.
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
from textual.widgets import Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from cexpert.engine.result import Result
from cexpert.explain.agenda import (
    agenda_step_of,
    moments,
    ordering,
    reason,
    round_words,
    stops_at,
)
from cexpert.explain.trace import Step
from cexpert.explain.why import rule_text_lines, untitled
from cexpert.service import Service
from cexpert.tui.widgets.footer import KeysFooter


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
            text.append(f"  ({round_words(step.stratum)})", style="dim")
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
    if step.origin == "rule" and result.agenda is not None:
        _agenda_detail(text, step, result, service)
    return text


def _agenda_detail(text: Text, step: Step, result: Result, service: Service) -> None:
    """The agenda at this firing and the working memory it saw (recorded by the engine)."""
    assert result.agenda is not None
    fired = agenda_step_of(result.agenda, step.added)
    if fired is None:
        return
    moment = moments(result.agenda)[fired.number - 1]
    kb = service.kb
    text.append(f"\nWhy now: firing {fired.number}, it ", style="bold")
    text.append(f"won on {reason(fired, kb, words=True)}\n")
    text.append(f"\nAgenda ({len(fired.agenda)} pending, next to fire first):\n", style="bold")
    for n, activation in enumerate(fired.agenda, 1):
        mark = "▶" if n == 1 else " "
        text.append(f" {mark}{n:>3}. {activation.rule}", style="bold" if n == 1 else "")
        text.append(f"  [{ordering(activation, kb, words=True)}]\n", style="dim")
    text.append(f"\nWorking memory ({len(moment.memory)} facts, * newest):\n", style="bold")
    for fact in moment.memory:
        newest = fact in moment.newest
        text.append(f" {'*' if newest else ' '}{fact:>5}  ", style="bold" if newest else "dim")
        text.append(service.describe(result, fact) + "\n", style="bold" if newest else "")


class ReplayScreen(Screen):
    """Step through the chaining: the list of steps above, the chosen step below."""

    CSS_PATH = "replay.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("right,n", "step(1)", "Next step"),
        Binding("left,p", "step(-1)", "Previous step"),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("slash", "goto", "Go to"),
        Binding("b", "break_here", "Break on rule", show=False),
        Binding("c", "continue", "Run to break", show=False),
    ]

    def __init__(self, result: Result | None, service: Service):
        super().__init__()
        self.result = result
        self.service = service
        self.steps: tuple[Step, ...] = service.steps(result) if result is not None else ()
        self.breakpoints: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        steps = OptionList(*(Option(Content(step_label(s))) for s in self.steps),
                           id="replay-steps")
        steps.border_title = "The chaining, step by step (← → or n p)"
        yield steps
        with VerticalScroll(id="replay-detail-box"):
            yield Static(self._empty(), id="replay-detail")
        yield Input(placeholder="/ go to a rule, fact (f12) or conclusion · b break on rule "
                    "· c run to break", id="replay-goto", compact=True)
        yield KeysFooter(compact=True)

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

    # --- breakpoints and jumps ---------------------------------------------------------
    def _stops(self, index: int) -> bool:
        step = self.steps[index]
        assert self.result is not None
        return any(stops_at(t, step.rule, step.matched, step.added, self.result)
                   for t in self.breakpoints)

    def action_goto(self) -> None:
        self.query_one("#replay-goto", Input).focus()

    @on(Input.Submitted, "#replay-goto")
    def _goto(self, event: Input.Submitted) -> None:
        target = event.value.strip()
        steps = self.query_one("#replay-steps", OptionList)
        steps.focus()
        if not target or not self.steps:
            return
        found = next((i for i, s in enumerate(self.steps) if self.result is not None
                      and stops_at(target, s.rule, s.matched, s.added, self.result)), None)
        if found is None:
            self.notify(f"'{target}' never fires or appears in this consultation",
                        severity="warning", markup=False)
            return
        if target not in self.breakpoints:
            self.breakpoints.append(target)
        event.input.value = ""
        self._go(found)
        self.notify(f"breakpoints: {', '.join(self.breakpoints)}", markup=False)

    def on_key(self, event) -> None:
        goto = self.query_one("#replay-goto", Input)
        if event.key == "escape" and goto.has_focus:
            event.stop()
            self.query_one("#replay-steps", OptionList).focus()

    def action_break_here(self) -> None:
        if self.position is None:
            return
        rule = self.steps[self.position].rule
        if rule is None:
            self.notify("This step is not a rule firing", severity="warning")
            return
        if rule in self.breakpoints:
            self.breakpoints.remove(rule)
        else:
            self.breakpoints.append(rule)
        self.notify(f"breakpoints: {', '.join(self.breakpoints) or 'none'}", markup=False)

    def action_continue(self) -> None:
        start = (self.position or 0) + 1
        found = next((i for i in range(start, len(self.steps)) if self._stops(i)), None)
        if found is None:
            self.notify("No breakpoint ahead" if self.breakpoints else
                        "No breakpoints: b sets one on this rule, / on anything",
                        severity="warning")
            return
        self._go(found)
