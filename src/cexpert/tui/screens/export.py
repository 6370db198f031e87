"""Export the program and its reasoning: Markdown notes and an HTML handout."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from cexpert.present.export import FORMATS
from cexpert.tui.state import file_problem
from cexpert.tui.widgets.field import FieldInput
from cexpert.tui.widgets.tick import TickBox


class ExportScreen(ModalScreen[list[Path] | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default: Path):
        super().__init__()
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(Text("Export the program and its reasoning", style="bold"))
            yield Static(Content("File name without extension; one file per format."),
                         classes="dialog-text")
            yield FieldInput(str(self.default), id="export-base")
            with Horizontal(classes="dialog-row"):
                yield TickBox("Markdown (.md)", True, id="fmt-markdown", compact=True)
                yield TickBox("HTML handout (.html)", True, id="fmt-html", compact=True)
            yield Label("", id="export-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#export-base", Input).focus()

    @on(Input.Submitted, "#export-base")
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        formats = [f for f in FORMATS if self.query_one(f"#fmt-{f}", Checkbox).value]
        text = self.query_one("#export-base", Input).value.strip()
        error = self.query_one("#export-error", Label)
        if not formats:
            error.update("Choose at least one format")
            return
        if not text:
            error.update("Enter a file name")
            return
        try:
            written = self.app.export_to(Path(text).expanduser(), formats)  # type: ignore[attr-defined]
        except OSError as problem:
            error.update(Text(f"Not exported: {file_problem(problem, Path(text))}"))
            return
        except ValueError as problem:
            error.update(Text(f"Not exported: {problem}"))
            return
        self.dismiss(written)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
