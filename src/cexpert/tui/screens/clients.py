"""Pick a client (a case file in the clients folder, or a client of the database) or
start a new one. The database's clients are listed by a worker: the screen shows the
case files at once and adds them when they arrive."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from cexpert.tui.screens.base import BaseScreen, Command
from cexpert.tui.screens.dialogs import ConfirmScreen
from cexpert.tui.state import CaseFileInfo, describe_case_file
from cexpert.tui.widgets.field import FieldInput

NEW = "new"


class ClientsScreen(BaseScreen):
    CSS_PATH = "clients.tcss"
    SHOWS_RESULT = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "focus_list", "List", show=False),
        Binding("f10", "rescan", "Rescan", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.files: list[CaseFileInfo] = []
        self.stored: list | None = None  # the database's clients; None: not (yet) read
        self.stored_problem: str | None = None

    def body(self) -> ComposeResult:
        yield Static(id="clients-intro")
        yield FieldInput(placeholder="Type to filter clients, Enter to open", id="filter")
        yield OptionList(id="clients", markup=False)
        yield Static(Text("Enter: open · Ctrl+N: new client · F1: help · Ctrl+Q: quit",
                          style="dim"), id="clients-hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.scan()
        self.query_one("#filter", Input).focus()
        self.call_after_refresh(self.load_stored)  # after the first frame: never before it
        self.call_after_refresh(self.offer_import)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        super().on_screen_resume(event)
        self.scan()
        self.load_stored()

    def load_stored(self) -> None:
        if self.capp.records is not None:
            self._read_stored()

    @work(thread=True, exclusive=True, group="records")
    def _read_stored(self) -> None:
        try:
            stored = self.capp.records.call(lambda store: store.clients())
        except Exception as error:  # a StoreError, worded for the user
            self.app.call_from_thread(self._stored_read, None, str(error))
            return
        self.app.call_from_thread(self._stored_read, stored, None)

    def _stored_read(self, stored: list | None, problem: str | None) -> None:
        self.stored, self.stored_problem = stored, problem
        self.scan()

    # --- the first start: the clients folder into the database, offered once -----------
    def offer_import(self) -> None:
        """Ask once per folder whether its case files go into the client database."""
        from cexpert.tui.records import offered, remember_offered

        marker = self.capp.import_marker
        paths = [info.path for info in self.files if info.readable]
        if marker is None or not paths or offered(self.folder, marker):
            return
        remember_offered(self.folder, marker)  # asked once, whatever the answer
        records = self.capp.records
        where = (f"the client database ({records.url})" if records is not None else
                 "a new client database in your data folder")
        n = len(paths)
        question = (f"{n} case file{'s' if n != 1 else ''} in {self.folder}. Import "
                    f"{'them' if n != 1 else 'it'} into {where}? Each becomes a visit of its "
                    "client (matched by id, else by name and age); the files stay where "
                    "they are.\n\nAsked once. Later: cexpert clients import "
                    f"{self.folder}")
        self.app.push_screen(ConfirmScreen(question, (("import", "Import"),
                                                      ("later", "Not now"))),
                             lambda answer: self._import(paths) if answer == "import" else None)

    @work(thread=True, group="import")  # not "records": a resumed picker's read would cancel it
    def _import(self, paths: list[Path]) -> None:
        from cexpert.tui.records import (
            RecordsThread,
            default_database,
            import_case_files,
        )

        app = self.capp
        if app.records is None:
            app.records = RecordsThread(default_database())
        engine = app.engine
        try:
            outcome = app.records.call(lambda store: import_case_files(store, engine, paths))
        except Exception as error:  # a StoreError, worded for the user
            self.app.call_from_thread(self._imported, None, str(error))
            return
        self.app.call_from_thread(self._imported, outcome, None)

    def _imported(self, outcome, problem: str | None) -> None:
        from cexpert.tui.screens.dialogs import MessageScreen

        if outcome is None:
            self.app.push_screen(MessageScreen("The case files were not imported", problem))
            return
        lines = [*outcome.imported, *(f"not imported: {line}" for line in outcome.failed)]
        n = len(outcome.imported)
        self.app.push_screen(MessageScreen(
            f"{n} case file{'s' if n != 1 else ''} imported"
            + (f", {len(outcome.failed)} not" if outcome.failed else ""), "\n".join(lines)))
        self.load_stored()

    @property
    def folder(self) -> Path:
        return self.capp.clients_dir

    def scan(self) -> None:
        folder = self.folder
        self.files = [describe_case_file(p) for p in sorted(folder.glob("*.toml"))] \
            if folder.is_dir() else []
        count = len(self.files)
        intro = Text.assemble(("Clients", "bold"), f" in {folder}  ",
                              (f"{count} case file{'s' if count != 1 else ''}"
                               if folder.is_dir() else "(no such folder yet: it is made on "
                               "the first save)", "dim"))
        if self.capp.records is not None:
            if self.stored_problem is not None:
                intro.append(f"\nThe client database could not be read: "
                             f"{self.stored_problem}", style="red")
            elif self.stored is None:
                intro.append("\nReading the client database…", style="dim italic")
            else:
                n = len(self.stored)
                intro.append(f"\n{n} client{'s' if n != 1 else ''} in the database",
                             style="dim")
        self.query_one("#clients-intro", Static).update(intro)
        self.show_files()

    def show_files(self) -> None:
        words = self.query_one("#filter", Input).value.lower().split()
        options = [Option(Text.assemble(("+ ", "bold green"), ("New client", "bold")), id=NEW)]
        for n, info in enumerate(self.files):
            haystack = f"{info.name} {info.path.name} {info.detail}".lower()
            if all(w in haystack for w in words):
                label = Text.assemble((info.name, "bold" if info.readable else "red"),
                                      ("  " + info.path.name, "dim"))
                if info.detail:
                    label.append("\n  " + info.detail, style="italic" if info.readable
                                 else "red")
                options.append(Option(label, id=f"file{n}"))
        for n, client in enumerate(self.stored or []):
            visits = f"{client.visits} visit{'s' if client.visits != 1 else ''}" + (
                f", last {client.last_visit}" if client.last_visit else "")
            haystack = f"{client.name} {client.id} {visits} database".lower()
            if all(w in haystack for w in words):
                label = Text.assemble((client.name or "(no name)", "bold"),
                                      (f"  {client.id} (database)", "dim"))
                label.append(f"\n  {visits}" + (f" · age {client.age}"
                                                if client.age is not None else ""),
                             style="italic")
                options.append(Option(label, id=f"db{n}"))
        clients = self.query_one("#clients", OptionList)
        clients.set_options(options)
        clients.highlighted = 1 if len(options) > 1 and words else 0

    @on(Input.Changed, "#filter")
    def _filter(self) -> None:
        self.show_files()

    @on(Input.Submitted, "#filter")
    def _submit(self) -> None:
        clients = self.query_one("#clients", OptionList)
        if clients.highlighted is not None:
            self._open(clients.get_option_at_index(clients.highlighted).id)

    @on(OptionList.OptionSelected, "#clients")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._open(event.option.id)

    def _open(self, option_id: str | None) -> None:
        if option_id == NEW:
            self.capp.action_new_client()
        elif option_id and option_id.startswith("file"):
            self.capp.open_case(self.files[int(option_id[4:])].path)
        elif option_id and option_id.startswith("db") and self.stored is not None:
            from cexpert.tui.screens.history import HistoryScreen

            self.app.push_screen(HistoryScreen(self.stored[int(option_id[2:])]))

    def action_focus_list(self) -> None:
        self.query_one("#clients", OptionList).focus()

    def action_rescan(self) -> None:
        self.scan()

    def palette_commands(self) -> list[Command]:
        return [(f"Open client: {info.name}", str(info.path),
                 lambda p=info.path: self.capp.open_case(p)) for info in self.files] + [
            (f"History of client: {c.name}", c.id,
             lambda n=n: self._open(f"db{n}")) for n, c in enumerate(self.stored or [])]
