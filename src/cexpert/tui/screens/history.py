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
        Binding("v", "new_visit", "New visit"),
        Binding("x", "close_visit", "Close visit"),
    ]

    def __init__(self, client: Any) -> None:
        super().__init__()
        self.client = client  # a ClientSummary
        self.visits: list[Any] = []
        self.loaded = False
        self.resume_offered = False  # asked once per screen
        self.generation = -1  # the app's records_generation the visits were read at

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="history-title")
        yield DataTable(id="visits", cursor_type="row", zebra_stripes=True)
        yield Static(id="visit-notes")
        yield Static(Text("Enter open · V new visit · X close draft · C compare · N note · "
                          "K clearance",
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

    def on_screen_resume(self) -> None:
        """Shown again (back from the consultation): read again if the client database
        changed meanwhile (a visit corrected from the consultation)."""
        if self.loaded and self.generation != getattr(self.app, "records_generation", 0):
            self.load()

    @work(thread=True, exclusive=True, group="history")
    def load(self) -> None:
        records = self.app.records  # type: ignore[attr-defined]
        self.generation = getattr(self.app, "records_generation", 0)
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
            table.add_row(str(v.number), v.date, _status(v),
                          _dash(s.fms_total if s else None), _dash(s.findings if s else None),
                          ("yes" if s.referral else "no") if s else "–",
                          s.program_status if s else "–", str(len(v.notes)) if v.notes else "",
                          key=str(v.number))
        row = keep if keep is not None and 0 <= keep < len(visits) else len(visits) - 1
        if visits:
            table.move_cursor(row=row)
        self._notes_of(row)
        self._offer_resume()

    def _offer_resume(self) -> None:
        """A draft left open (by a closed or killed session) is offered once."""
        drafts = [v for v in self.visits if v.status == "draft"]
        open_now = getattr(self.app, "draft", None)
        if self.resume_offered or not drafts or (
                open_now is not None and open_now.client_id == self.client.id):
            return
        self.resume_offered = True
        draft = drafts[-1]
        from cexpert.tui.screens.dialogs import ConfirmScreen

        self.app.push_screen(ConfirmScreen(
            f"Visit {draft.number} ({draft.date}) of {self.client.name or self.client.id} "
            "is a draft, not closed yet. Resume it?", (("resume", "Resume"),
                                                       ("later", "Not now"))),
            lambda answer: self._resume(draft) if answer == "resume" else None)

    def _resume(self, draft: Any) -> None:
        self.app.open_draft(self.client, draft)  # type: ignore[attr-defined]

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
            text = Text(f"Visit {visit.number}: no notes", style="dim")
        else:
            text = Text(f"Visit {visit.number} notes\n", style="bold")
            for note in visit.notes:
                text.append(f"• {note.text}")
                text.append(f"  {note.author}\n" if note.author else "\n", style="dim")
        if visit.version > 1:  # corrected: say so above its notes
            earlier = visit.version - 1
            text = Text.assemble((f"Visit {visit.number} is version {visit.version}, "
                                  f"corrected {visit.created_at[:10]}; {earlier} earlier "
                                  f"version{'s' if earlier != 1 else ''} kept\n", "italic"),
                                 text)
        notes.update(text)

    @on(DataTable.RowSelected, "#visits")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self._open(event.cursor_row)

    def action_open_visit(self) -> None:
        self._open(self.query_one("#visits", DataTable).cursor_row)

    def _open(self, row: int) -> None:
        if not 0 <= row < len(self.visits):
            return
        visit = self.visits[row]
        if visit.status == "draft":
            self._resume(visit)
        else:
            self.app.open_stored_visit(self.client, visit,  # type: ignore[attr-defined]
                                       self.visits)

    def action_new_visit(self) -> None:
        """A reassessment: a new draft visit, today, starting from the latest visit's
        entries; it opens as the consultation and saves itself as it is edited."""
        if any(v.status == "draft" for v in self.visits):
            self.notify("This client has a draft visit: open it (Enter) or close it (X) "
                        "first", severity="warning", markup=False)
            return
        self._new_visit()

    @work(thread=True, group="history-write")
    def _new_visit(self) -> None:
        from cexpert.store.records import earlier_visits, entered
        from cexpert.store.repository import today
        from cexpert.tui.records import next_visit_text

        app: Any = self.app
        latest = self.visits[-1] if self.visits else None
        text = next_visit_text(latest.case_toml if latest else "",
                               earlier_visits(self.visits, date=today()))
        try:
            case = app.service.parse_case(text, "<new visit>")
            visit = app.records.call(lambda store: store.save_draft(
                self.client.id, text, entered(case), trainer=_author()))
        except Exception as error:  # a CaseError or StoreError, worded for the user
            app.call_from_thread(self.notify, str(error), title="No new visit",
                                 severity="error", markup=False)
            return
        app.call_from_thread(self._resume, visit)

    def action_close_visit(self) -> None:
        """Close the client's draft visit (the highlighted one, if it is a draft) with its
        consultation: from then on it never changes (a correction is a new version)."""
        row = self.query_one("#visits", DataTable).cursor_row
        drafts = [v for v in self.visits if v.status == "draft"]
        if 0 <= row < len(self.visits) and self.visits[row].status == "draft":
            drafts = [self.visits[row]]
        if not drafts:
            self.notify("No draft visit to close: V starts a new visit", severity="warning")
            return
        self._close(drafts[-1])

    @work(thread=True, group="history-write")
    def _close(self, visit: Any) -> None:
        from cexpert.store.records import StoredResult

        app: Any = self.app
        open_now = app.draft if app.draft is not None and \
            app.draft.client_id == self.client.id and app.draft.number == visit.number \
            else None

        def close(store: Any) -> Any:  # on the records thread, after any pending save
            current = store.draft(self.client.id)
            if current is None or current.number != visit.number:
                raise ValueError(f"visit {visit.number} is no longer a draft")
            case = app.service.parse_case(current.case_toml, f"visit {visit.number}")
            result = app.engine.call(app.service.consult, case)
            return store.close_visit(self.client.id, visit.number, current.revision,
                                     StoredResult.of_json(result.as_json()))

        try:
            closed = app.records.call(close)
        except Exception as error:  # a StoreError or CaseError, worded for the user
            app.call_from_thread(self.notify, str(error), title="Not closed",
                                 severity="error", markup=False)
            return
        if open_now is not None:
            app.call_from_thread(self._closed_on_screen, open_now, closed)
        app.call_from_thread(self.notify, f"Visit {closed.number} ({closed.date}) closed",
                             markup=False, timeout=3)
        app.call_from_thread(self.load)

    def _closed_on_screen(self, draft: Any, closed: Any) -> None:
        """The draft on screen is now a closed visit: it stays on screen as that visit,
        so a later change is saved as its correction (Ctrl+S), and what was closed is
        not called unsaved."""
        from cexpert.engine.case import CaseError
        from cexpert.tui.records import OpenVisit
        from cexpert.tui.state import Consultation

        app: Any = self.app
        if app.draft is not draft:
            return
        app.draft = None
        state = app.consultation
        try:
            stored = Consultation.from_text(app.service.kb, closed.case_toml, None).canonical()
        except CaseError:  # cannot happen for a text this session wrote: a correction then
            stored = None
        app.stored_visit = OpenVisit(self.client, closed.number, closed.date,
                                     closed.version, stored)
        if stored == state.canonical():
            state.mark_saved()
        app.update_title()

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
    """Who writes a note or a visit: the same login name `cexpert clients` uses."""
    from cexpert.store.intake import login_name

    return login_name()


def _status(visit: Any) -> str:
    """Draft or closed, and for a corrected visit its version (v2: corrected once)."""
    return f"{visit.status} v{visit.version}" if visit.version > 1 else visit.status


def _dash(value: object) -> str:
    return "–" if value is None else str(value)
