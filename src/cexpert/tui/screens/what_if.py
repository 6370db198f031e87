"""What if: toggle one finding and see what would change, before entering it."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from cexpert.engine.case import BOTH
from cexpert.explain.what_if import Change
from cexpert.tui.messages import ConsultationChanged
from cexpert.tui.vocab import SIDE_TITLES, entry_pages
from cexpert.tui.widgets.footer import KeysFooter

SECTION_TITLES = {"referral": "Referral", "dysfunctions": "Dysfunctions",
                  "muscles": "Muscles", "conflicts": "Conflicts", "program": "Program",
                  "excluded": "Left out"}


def diff_text(finding: str, on_now: bool, changes: tuple[Change, ...]) -> Text:
    verb = "Removing" if on_now else "Adding"
    text = Text.assemble((f"{verb} ", "bold"), (finding, "bold italic"), ("\n", ""))
    if not changes:
        text.append("\nNothing would change.", style="dim")
        return text
    section = None
    for change in changes:
        if change.section != section:
            section = change.section
            text.append(f"\n{SECTION_TITLES.get(section, section).upper()}\n", style="bold")
        if change.sign == "~":
            text.append(" ~ ", style="bold yellow")
            text.append(f"{change.text}\n", style="yellow")
            continue
        style = "green" if change.sign == "+" else "red"
        text.append(f" {change.sign} ", style=f"bold {style}")
        text.append(change.text + "\n", style=style)
    return text


class WhatIfScreen(Screen):
    CSS_PATH = "what_if.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("space", "apply", "Apply the change", show=True),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Highlight a finding to see what entering (or removing) it would "
                          "change. Space or Enter: make the change.", style="dim"),
                     id="what-if-intro")
        with Horizontal(id="what-if-body"):
            toggles = OptionList(id="toggles", markup=False)
            toggles.border_title = "Findings"
            yield toggles
            with VerticalScroll(id="diff-box") as box:
                box.border_title = "What would change"
                yield Static(id="diff")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.choices: list[tuple[str, str, str, str] | None] = []
        self.fill()
        self.query_one("#toggles", OptionList).focus()

    def fill(self) -> None:
        app = self.app
        state = app.consultation  # type: ignore[attr-defined]
        options: list[Option] = []
        self.choices = []
        for page in entry_pages(app.service.kb):  # type: ignore[attr-defined]
            options.append(Option(Text(page.title.upper(), style="bold"), disabled=True))
            self.choices.append(None)
            for group in page.groups:
                for finding in group.findings:
                    entered = state.is_observed(group.assessment, finding.id, group.side)
                    side = "" if group.side == BOTH else f" ({SIDE_TITLES[group.side].lower()})"
                    label = Text.assemble(("☑ " if entered else "☐ ",
                                           "green" if entered else "dim"),
                                          finding.name + side)
                    options.append(Option(label))
                    self.choices.append((group.assessment, finding.id, group.side,
                                         finding.name + side))
        toggles = self.query_one("#toggles", OptionList)
        keep = toggles.highlighted
        toggles.set_options(options)
        toggles.highlighted = keep if keep is not None else next(
            (i for i, c in enumerate(self.choices) if c), None)

    @on(OptionList.OptionHighlighted, "#toggles")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        choice = self.choices[event.option_index]
        if choice is None:
            return
        self.query_one("#diff", Static).update(Text("Working it out…", style="dim italic"))
        self.compare(choice)

    @work(thread=True, exclusive=True, group="what-if", exit_on_error=False)
    def compare(self, choice: tuple[str, str, str, str]) -> None:
        app = self.app
        assessment, finding, side, label = choice
        state = app.consultation  # type: ignore[attr-defined]
        on_now = state.is_observed(assessment, finding, side)
        try:
            text, path = app.call_from_thread(
                lambda: (state.to_toml(), str(state.path or "<new client>")))
            case = app.service.parse_case(text, path)  # type: ignore[attr-defined]
            # the result on screen is this case's: consult only the toggled one
            shown = app.call_from_thread(app.result_of, text, path)  # type: ignore[attr-defined]
            from cexpert.tui.vocab import observed_side

            side = observed_side(state.kb, finding, side)
            _, _, changes = app.engine.call(  # type: ignore[attr-defined]
                app.service.what_if, case, assessment, finding, side,  # type: ignore[attr-defined]
                shown)
        except Exception as error:  # a case that cannot be used: say so, never crash
            text = Text(f"Cannot compare: {error}", style="red")
        else:
            text = diff_text(label, on_now, changes)
        app.call_from_thread(self._show, choice, text)

    def _show(self, choice, text: Text) -> None:
        toggles = self.query_one("#toggles", OptionList)
        if toggles.highlighted is not None and self.choices[toggles.highlighted] == choice:
            self.query_one("#diff", Static).update(text)

    @on(OptionList.OptionSelected, "#toggles")
    def _selected(self) -> None:
        self.action_apply()

    def action_apply(self) -> None:
        toggles = self.query_one("#toggles", OptionList)
        if toggles.highlighted is None:
            return
        choice = self.choices[toggles.highlighted]
        if choice is None:
            return
        assessment, finding, side, label = choice
        on = self.app.consultation.toggle(assessment, finding, side)  # type: ignore[attr-defined]
        self.app.post_message(ConsultationChanged())
        self.notify(f"{'Entered' if on else 'Removed'}: {label}", timeout=2, markup=False)
        self.fill()
        self.compare(choice)
