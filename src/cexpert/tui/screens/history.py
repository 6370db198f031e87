"""A stored client's visits, from the client database: date, FMS total, findings,
referral and program, with each visit's notes; Enter opens a visit's case."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from cexpert.tui.widgets.footer import KeysFooter

COLUMNS = ("Visit", "Date", "Status", "FMS total", "Findings", "Referral", "Program", "Notes")


class HistoryScreen(Screen):
    """Opened from the client picker for a client of the database."""

    CSS_PATH = "history.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("enter", "open_visit", "Open visit"),
        Binding("c", "compare", "Compare"),
        Binding("n", "note", "Note"),
        Binding("k", "clearance", "Clearance"),
    ]

    def __init__(self, client: Any) -> None:
        super().__init__()
        self.client = client  # a ClientSummary
        self.visits: list[Any] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="history-title")
        yield DataTable(id="visits", cursor_type="row", zebra_stripes=True)
        yield Static(id="visit-notes")
        yield Static(Text("Enter: open the visit · C: compare with the first · N: note · "
                          "K: clearance",
                          style="dim"), id="history-hint")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        c = self.client
        age = f", {c.age}" if c.age is not None else ""
        self.query_one("#history-title", Static).update(Text.assemble(
            (c.name or "(no name)", "bold"), age, ("  " + c.id, "dim"),
            ("  loading the visits…", "dim italic")))
        table = self.query_one("#visits", DataTable)
        table.add_columns(*COLUMNS)
        table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="history")
    def load(self) -> None:
        records = self.app.records  # type: ignore[attr-defined]
        try:
            visits = records.call(lambda store: store.history(self.client.id))
        except Exception as error:  # a StoreError: worded for the user
            self.app.call_from_thread(self._failed, str(error))
            return
        self.app.call_from_thread(self._show, visits)

    def _failed(self, message: str) -> None:
        self.query_one("#history-title", Static).update(
            Text(f"The client database could not be read: {message}", style="red"))

    def _show(self, visits: list[Any]) -> None:
        table = self.query_one("#visits", DataTable)
        keep = table.cursor_row if self.loaded else None  # a reload stays on its visit
        self.visits, self.loaded = visits, True
        c = self.client
        count = len(visits)
        self.query_one("#history-title", Static).update(Text.assemble(
            (c.name or "(no name)", "bold"), f", {c.age}" if c.age is not None else "",
            ("  " + c.id, "dim"), (f"  {count} visit{'s' if count != 1 else ''}", "dim")))
        table.clear()
        for v in visits:
            s = v.summary
            table.add_row(str(v.number), v.date, v.status,
                          _dash(s.fms_total if s else None), _dash(s.findings if s else None),
                          ("yes" if s.referral else "no") if s else "–",
                          s.program_status if s else "–", str(len(v.notes)) if v.notes else "",
                          key=str(v.number))
        row = keep if keep is not None and 0 <= keep < len(visits) else len(visits) - 1
        if visits:
            table.move_cursor(row=row)
        self._notes_of(row)

    @on(DataTable.RowHighlighted, "#visits")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._notes_of(event.cursor_row)

    def _notes_of(self, row: int) -> None:
        notes = self.query_one("#visit-notes", Static)
        if not 0 <= row < len(self.visits):
            notes.update(Text("No visits yet." if self.loaded else "", style="dim"))
            return
        visit = self.visits[row]
        if not visit.notes:
            notes.update(Text(f"Visit {visit.number}: no notes", style="dim"))
            return
        text = Text(f"Visit {visit.number} notes\n", style="bold")
        for note in visit.notes:
            text.append(f"• {note.text}")
            text.append(f"  {note.author}\n" if note.author else "\n", style="dim")
        notes.update(text)

    @on(DataTable.RowSelected, "#visits")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.cursor_row)

    def action_open_visit(self) -> None:
        self._open(self.query_one("#visits", DataTable).cursor_row)

    def _open(self, row: int) -> None:
        if 0 <= row < len(self.visits):
            self.app.open_stored_visit(self.client, self.visits[row],  # type: ignore[attr-defined]
                                       self.visits)

    def action_compare(self) -> None:
        """The highlighted visit against the first consulted one (the latest, when the
        first is highlighted): needs two consulted visits."""
        consulted = [v for v in self.visits if v.summary is not None]
        if len(consulted) < 2:
            self.notify("Compare needs two consulted visits", severity="warning")
            return
        row = self.query_one("#visits", DataTable).cursor_row
        chosen = self.visits[row] if 0 <= row < len(self.visits) else consulted[-1]
        if chosen.summary is None or chosen is consulted[0]:
            chosen = consulted[-1]
        from cexpert.tui.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(self.client, self.visits, consulted[0], chosen))

    def action_note(self) -> None:
        """A note on the highlighted visit (closed visits take notes too)."""
        row = self.query_one("#visits", DataTable).cursor_row
        if not 0 <= row < len(self.visits):
            return
        visit = self.visits[row]
        from cexpert.tui.screens.dialogs import TextScreen

        def added(values: tuple[str, ...] | None) -> None:
            if values:
                self._write(lambda store: store.add_note(self.client.id, visit.number,
                                                         values[0], _author()),
                            f"Note added to visit {visit.number}")

        self.app.push_screen(TextScreen(f"A note on visit {visit.number} ({visit.date})",
                                        (("the note", ""),)), added)

    def action_clearance(self) -> None:
        """Record a clearance: what, by whom, when (not in the future), its scope."""
        import datetime

        from cexpert.tui.screens.dialogs import TextScreen

        today = datetime.date.today().isoformat()

        def check(values: tuple[str, ...]) -> str | None:
            try:
                given = datetime.date.fromisoformat(values[2]).isoformat()
            except ValueError:
                return "The date is a date such as 2026-12-01"
            return "The date is in the future" if given > today else None

        def added(values: tuple[str, ...] | None) -> None:
            if values:
                what, by, date, scope = values
                self._write(lambda store: store.add_clearance(self.client.id, what, by,
                                                              date, scope),
                            f"Clearance recorded: {what} by {by}")

        self.app.push_screen(TextScreen(
            f"A clearance for {self.client.name or self.client.id}",
            (("what is cleared (e.g. pregnancy, PAR-Q+ 4)", ""), ("by whom", ""),
             ("when (YYYY-MM-DD)", today), ("scope", "all exercise")), check), added)

    @work(thread=True, group="history-write")
    def _write(self, change, done: str) -> None:
        records = self.app.records  # type: ignore[attr-defined]
        try:
            records.call(change)
        except Exception as error:  # a StoreError: worded for the user
            self.app.call_from_thread(self.notify, str(error), title="Not saved",
                                      severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, done, markup=False, timeout=3)
        self.app.call_from_thread(self.load)

    def action_back(self) -> None:
        self.dismiss()


def _author() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _dash(value: object) -> str:
    return "–" if value is None else str(value)
