"""Help: every key binding, global and per screen, and what the screens are for."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from cexpert.tui.keys import GLOBAL, PAGES, WIDGETS, key_words

SCREENS = (
    ("Clients", "Pick a case file from the clients folder, or start a new client."),
    ("Client", "Name, age, goals, equipment, limitations, conditions and the PAR-Q+."),
    ("Assess", "Tick findings page by page and score the FMS; conclusions update live."),
    ("Results", "Referral, ranked dysfunctions, muscles with evidence, FMS, conflicts."),
    ("Program", "The four phases with targets and dose; what was left out and why."),
    ("Why", "Enter on any conclusion: its rules, sources and what was entered."),
    ("Why not", "Which conditions failed for a muscle that was not concluded."),
    ("What if", "Preview what toggling one finding would change, then apply it."),
)

SCREEN_KEYS = (
    ("Results / Program", (("Enter / W", "Why: the reasoning chain of the highlighted item"),
                           ("N", "Why not: ask about a muscle (the highlighted one)"),
                           ("X", "What if: toggle a finding and see the difference"))),
    ("Why", (("E / C", "Expand all / collapse"), ("N", "Why not, for this muscle"),
             ("Esc", "Back"))),
    ("What if", (("Space / Enter", "Enter (or remove) the highlighted finding"),
                 ("Esc", "Back"))),
    ("Clients", (("Enter", "Open the highlighted client"),
                 ("Down", "From the filter to the list"))),
)


def help_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_row(Text("Everywhere", style="bold underline"), "")
    for key in GLOBAL:
        table.add_row(key.display, key.description)
    for key in PAGES:
        table.add_row(key.display, key.description + " (Client, Assess)")
    table.add_row("", "")
    table.add_row(Text("In lists and fields", style="bold underline"), "")
    for keys, words in WIDGETS:
        table.add_row(keys, words)
    for title, rows in SCREEN_KEYS:
        table.add_row("", "")
        table.add_row(Text(title, style="bold underline"), "")
        for keys, words in rows:
            table.add_row(keys, words)
    table.add_row("", "")
    table.add_row(Text("Screens", style="bold underline"), "")
    for title, words in SCREENS:
        table.add_row(title, words)
    return table


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "close", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="help"):
            yield Static(Text.assemble(("cexpert: keys and screens", "bold"),
                                       (f"  ({key_words('escape')} to close)", "dim")))
            with VerticalScroll(id="help-scroll"):
                yield Static(help_table())

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
