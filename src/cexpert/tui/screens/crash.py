"""The error screen: a bug happened; the consultation is kept and can be saved before quitting.

A full screen, not a dialog, so the screen that failed (maybe while drawing) is
not drawn again beneath it. Whatever the trainer picks, the process exits with
CRASH_EXIT, so scripts and the shell see that something went wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Label, Static

from cexpert.store.casefile import SaveError
from cexpert.tui.recovery import CRASH_EXIT, Crash

if TYPE_CHECKING:
    from cexpert.tui.app import CexpertApp


class CrashScreen(Screen[None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "quit", "Quit", show=False)]

    def __init__(self, crash: Crash):
        super().__init__()
        self.crash = crash

    @property
    def capp(self) -> CexpertApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        state = self.capp.consultation
        target = state.path or state.default_path(self.capp.clients_dir)
        self.target = target
        lines = [f"cexpert hit a bug and has to close: {self.crash.summary}",
                 "",
                 f"Your consultation ({state.title}) is kept: nothing you entered is lost."]
        if self.crash.copy is not None:
            lines.append(f"A copy is saved at {self.crash.copy}")
        if self.crash.problem:
            lines.append(f"Careful: {self.crash.problem}.")
        if self.crash.log is not None:
            lines += ["", f"The details for a bug report are in {self.crash.log}"]
        with Vertical(classes="dialog wide", id="crash"):
            yield Label(Text("Something went wrong", style="bold"))
            yield Static(Text("\n".join(lines)), classes="dialog-text", id="crash-text")
            yield Label("", id="crash-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"Save to {target.name} and quit", id="save", variant="primary")
                yield Button("Quit", id="quit")

    def on_mount(self) -> None:
        self.query_one("#save", Button).focus()

    @on(Button.Pressed, "#save")
    def save(self) -> None:
        state = self.capp.consultation
        try:
            if state.errors:
                raise ValueError("Some entries are not valid yet ("
                                 + "; ".join(state.error_messages()) + ")")
            saved = state.save(self.target)
        except (SaveError, ValueError) as error:
            where = f" Your consultation is in {self.crash.copy}." if self.crash.copy else ""
            self.query_one("#crash-error", Label).update(Text(f"{error}.{where}"))
            return
        self.capp.exit(CRASH_EXIT, return_code=CRASH_EXIT,
                       message=f"Saved {saved.path} after a bug")

    @on(Button.Pressed, "#quit")
    def action_quit(self) -> None:
        self.capp.exit(CRASH_EXIT, return_code=CRASH_EXIT)
