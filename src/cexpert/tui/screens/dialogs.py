"""Small modal dialogs: a question, a message, a file name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from cexpert.tui.widgets.field import FieldInput


class ConfirmScreen(ModalScreen[str]):
    """Ask a question with a few answers; dismiss with the chosen answer's key. With
    `stacked`, the answers are one under another, full width (labels that explain what
    each does), in a wider dialog. The arrows move between them. The first answer is focused,
    or `focus` (the safe one, when the others change or lose something)."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer('cancel')", "Cancel"),
        Binding("down,right", "app.focus_next", show=False),
        Binding("up,left", "app.focus_previous", show=False),
    ]

    def __init__(self, question: str, answers: tuple[tuple[str, str], ...],
                 stacked: bool = False, focus: str | None = None):
        super().__init__()
        self.question = question
        self.answers = answers  # (key, label)
        self.stacked = stacked
        self.focus_key = focus or answers[0][0]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide" if self.stacked else "dialog"):
            yield Static(Text(self.question), classes="dialog-text")
            buttons = Vertical if self.stacked else Horizontal
            with buttons(classes="dialog-buttons stacked" if self.stacked
                         else "dialog-buttons"):
                for key, label in self.answers:
                    yield Button(label, id=f"answer-{key}", compact=self.stacked,
                                 variant="primary" if key == self.focus_key else "default")

    def on_mount(self) -> None:
        self.query_one(f"#answer-{self.focus_key}", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "answer-cancel").removeprefix("answer-"))

    def action_answer(self, key: str) -> None:
        self.dismiss(key)


class MessageScreen(ModalScreen[None]):
    """A message to read (e.g. a case file's problems), closed with Enter or Esc."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "close", "Close")]

    def __init__(self, title: str, body: str):
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(Text(self.title_text, style="bold"))
            with VerticalScroll(classes="dialog-scroll"):
                yield Static(Text(self.body), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)


class PathScreen(ModalScreen[Path | None]):
    """Ask for a file name (save as); stay open with the reason if it cannot be written."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, default: Path,
                 write: Callable[[Path], str | None] | None = None):
        super().__init__()
        self.title_text = title
        self.default = default
        self.write = write  # returns what went wrong, or None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(Text(self.title_text, style="bold"))
            yield FieldInput(str(self.default), id="path")
            yield Label("", id="path-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.query_one("#path-error", Label).update("Enter a file name")
            return
        path = Path(text).expanduser()
        if path.suffix != ".toml":
            path = path.with_name(path.name + ".toml")
        problem = self.write(path) if self.write is not None else None
        if problem is not None:
            self.query_one("#path-error", Label).update(Text(problem))
            return
        self.dismiss(path)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class TextScreen(ModalScreen["tuple[str, ...] | None"]):
    """Ask for a few lines of text (a note; a clearance's what, by whom, date, scope);
    dismiss with the values, or None. `check` returns what is wrong, or None."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, fields: tuple[tuple[str, str], ...],
                 check: Callable[[tuple[str, ...]], str | None] | None = None):
        super().__init__()
        self.title_text = title
        self.fields = fields  # (placeholder, default)
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(Text(self.title_text, style="bold"))
            for n, (placeholder, default) in enumerate(self.fields):
                yield FieldInput(default, placeholder=placeholder, id=f"text-{n}")
            yield Label("", id="text-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        values = tuple(self.query_one(f"#text-{n}", Input).value.strip()
                       for n in range(len(self.fields)))
        problem = self.check(values) if self.check is not None else None
        if problem is None and not all(values):
            problem = "Fill in every field"
        if problem is not None:
            self.query_one("#text-error", Label).update(Text(problem))
            return
        self.dismiss(values)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
