"""The consultation app: modes for the main screens, one state, the engine off the UI thread.

`make_app` is the one factory the CLI, the tests and the benchmark use. The
app owns the `Consultation` being edited and the newest `Result`; screens
watch both. Every edit re-consults after a short pause (debounced), in a
thread worker; each request takes a `Service.ticket()` so only the newest
request's result is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual._time import get_time
from textual.app import App
from textual.binding import BindingType
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import WorkerFailed

from cexpert.engine.case import CaseError
from cexpert.engine.result import Result
from cexpert.resources import examples_dir
from cexpert.service import Service
from cexpert.store.casefile import ChangedOnDisk, Saved, SaveError, SymlinkRefused
from cexpert.tui.commands import ConsultationCommands
from cexpert.tui.engine import EngineThread
from cexpert.tui.keys import ESSENTIAL, FOCUS, GLOBAL
from cexpert.tui.messages import ConsultationChanged, WhyNotRequested, WhyRequested
from cexpert.tui.records import Conflict, OpenDraft, OpenVisit, RecordsThread
from cexpert.tui.recovery import CRASH_EXIT, Crash, record
from cexpert.tui.screens.assess import AssessScreen
from cexpert.tui.state import Consultation, slug
from cexpert.tui.stylesheet import ParsedOnceStylesheet

if TYPE_CHECKING:
    from cexpert.explain.lessons import Lesson
# Every screen but Assess (the first one on a case) is imported when first opened: the
# first interactive screen does not wait for them (Program alone pulled in the why tree,
# the chains and the document model).

DEBOUNCE_S = 0.15
RULES_POLL_S = 1.0  # how often the rule files are looked at (a stat of each, no read)
MAX_LATER_ERRORS = 20  # errors tolerated from the failed screen once the error screen is up
CRASH_ACTIONS = frozenset({"quit", "focus_next", "focus_previous"})
DEMO_READ_ONLY = "This is the classroom demo: lessons are read-only and nothing is saved"


def course() -> tuple[Lesson, ...]:
    """The shipped course (examples/teaching), or none if it is not installed."""
    from cexpert.explain.lessons import lessons

    try:
        return lessons(examples_dir() / "teaching")
    except (FileNotFoundError, ValueError):
        return ()
DEFAULT_CLIENTS = Path("clients")


def _clients_screen() -> Screen:
    from cexpert.tui.screens.clients import ClientsScreen

    return ClientsScreen()


def _client_screen() -> Screen:
    from cexpert.tui.screens.client import ClientScreen

    return ClientScreen()


def _results_screen() -> Screen:
    from cexpert.tui.screens.results import ResultsScreen

    return ResultsScreen()


def _program_screen() -> Screen:
    from cexpert.tui.screens.program import ProgramScreen

    return ProgramScreen()


def _confirm(*args, **kwargs) -> Screen:
    from cexpert.tui.screens.dialogs import ConfirmScreen

    return ConfirmScreen(*args, **kwargs)


def _message(*args, **kwargs) -> Screen:
    from cexpert.tui.screens.dialogs import MessageScreen

    return MessageScreen(*args, **kwargs)


class CexpertApp(App[int]):
    TITLE = "cexpert"
    CSS_PATH = "global.tcss"
    MODES: ClassVar[dict[str, Callable[[], Screen]]] = {  # type: ignore[assignment]
        "clients": _clients_screen,
        "client": _client_screen,
        "assess": AssessScreen,
        "results": _results_screen,
        "program": _program_screen,
    }
    COMMANDS = App.COMMANDS | {ConsultationCommands}
    BINDINGS: ClassVar[list[BindingType]] = [k.binding() for k in (*GLOBAL, *FOCUS)]
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (110, "-wide")]

    consultation: var[Consultation] = var(None, always_update=True, init=False)  # type: ignore[arg-type]
    result: var[Result | None] = var(None, init=False)

    def __init__(self, service: Service, consultation: Consultation | None = None,
                 clients_dir: Path = DEFAULT_CLIENTS, start: str | None = None,
                 case_path: Path | None = None, demo: bool = False, db: str | None = None):
        super().__init__()
        self.stylesheet = ParsedOnceStylesheet(variables=self.get_css_variables())
        #: the client database's thread (None: this session uses case files only)
        self.records = RecordsThread(db) if db and not demo else None
        self.demo = demo  # read-only teaching: nothing is ever saved
        #: where the offer to import the clients folder is remembered; None: never offer
        #: (tests and the classroom; `cexpert` itself sets it through make_app)
        self.import_marker: Path | None = None
        #: the stored client's draft visit this consultation edits (autosaved), if any
        self.draft: OpenDraft | None = None
        #: the draft whose save was refused (changed elsewhere), with what the database
        #: holds: autosave waits for the trainer's choice (Ctrl+S asks again)
        self._conflict: tuple[OpenDraft, Conflict] | None = None
        #: the stored client's closed visit on screen, if any: Save offers a correction
        self.stored_visit: OpenVisit | None = None
        #: moves on at each change of the client database made outside a History screen
        #: (a correction): a History showing again reloads its visits
        self.records_generation = 0
        self.screen_log = None  # a ScreenLog (tui.classroom) when a test asks for one
        self.service = service
        self.clients_dir = Path(clients_dir)
        self.engine = EngineThread(service)
        self._case_path = case_path
        self._start = start or ("assess" if consultation is not None or case_path else
                                "clients")
        self.set_reactive(CexpertApp.consultation, consultation or Consultation(service.kb))
        self._debounce: Timer | None = None
        self.consult_error: str | None = None
        self.consults = 0  # results delivered, for tests and the benchmark
        self._result_source: tuple[str, str] | None = None  # the case text behind `result`
        self.crash: Crash | None = None
        self.recovery_dir: Path | None = None  # None: the user's state folder
        self._later_errors = 0
        self.rules_poll_s = RULES_POLL_S
        self._rules_stamp: tuple | None = None  # the rule files as last loaded
        self.rules_problem: str | None = None  # the diagnostics shown, while rules are broken
        self.rules_reloads = 0  # knowledge bases swapped in, for tests

    # --- a bug anywhere: keep the consultation, offer to save it, exit non-zero -----------
    def _handle_exception(self, error: Exception) -> None:
        """Every unexpected exception (a handler, a worker, a render) arrives here.

        Textual would print a traceback and exit, losing the consultation. Instead the
        consultation is copied to a recovery file at once, and the error screen offers to
        save it to its own file; the process then exits with CRASH_EXIT."""
        if self.crash is not None:
            from cexpert.tui.screens.crash import CrashScreen

            self._later_errors += 1
            if self._later_errors <= MAX_LATER_ERRORS and isinstance(self.screen, CrashScreen):
                return  # the failed screen's leftovers; the error screen is up
            super()._handle_exception(error)  # the error screen itself fails: Textual's exit
            self._return_code = CRASH_EXIT
            return
        from cexpert.tui.screens.crash import CrashScreen

        cause = error.error if isinstance(error, WorkerFailed) else error
        self.crash = record(cause, self.consultation, self.recovery_dir)
        self._return_code = CRASH_EXIT
        try:
            self.push_screen(CrashScreen(self.crash))
        except Exception:
            super()._handle_exception(error)
            self._return_code = CRASH_EXIT

    async def _dispatch_message(self, message: Message) -> None:
        """Keep the app's message loop alive after a bug in one of its handlers (Textual
        ends a loop whose handler raised, and with the app's loop the whole session)."""
        try:
            await super()._dispatch_message(message)
        except Exception as error:
            self._handle_exception(error)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """After a bug only the error screen's choices (and moving between them) are live."""
        if self.crash is not None and action not in CRASH_ACTIONS:
            return False
        if action == "go" and parameters == (self.current_mode,) and len(
                self.screen_stack) <= 1 and f"app.go('{self.current_mode}')" not in ESSENTIAL:
            return False  # the key of the screen on display: not in the footer (room at 80)
        return super().check_action(action, parameters)

    # --- start and stop -------------------------------------------------------------------
    def on_mount(self) -> None:
        self.engine.warm()
        if self.screen_log is not None:
            self.screen_log.start()
        if self.demo:
            self.call_later(self.action_lessons)
        if self._case_path is None:
            self.switch_mode(self._start)
            self.consult_now()
        elif not self._load(self._case_path, start=self._start):
            self.consult_now()  # the case file cannot be used: the empty consultation
        self.update_title()
        if not self.demo and self.rules_poll_s:
            self.set_interval(self.rules_poll_s, self._poll_rules)

    def on_unmount(self) -> None:
        self.engine.close()
        if self.records is not None:
            self.records.close()

    # --- consulting, debounced and off the UI thread --------------------------------------
    def on_consultation_changed(self, message: ConsultationChanged) -> None:
        message.stop()
        self.update_title()
        self.schedule_consult(message.edited)

    def schedule_consult(self, edited: float | None = None) -> None:
        """Consult DEBOUNCE_S after the last edit (made at `edited`, Textual's clock)."""
        if self._debounce is not None:
            self._debounce.stop()
        delay = DEBOUNCE_S if edited is None else DEBOUNCE_S - (get_time() - edited)
        delay = max(delay, 0.001)  # already due (a busy screen): at once (a timer needs > 0)
        self._debounce = self.set_timer(delay, self.consult_now)

    def consult_now(self) -> None:
        self._debounce = None
        state = self.consultation
        text = state.to_toml()
        ticket = self.service.ticket()
        self._consult(text, str(state.path or "<new client>"), ticket, not state.errors)

    @work(exclusive=True, group="consult", exit_on_error=False)
    async def _consult(self, text: str, path: str, ticket: int, complete: bool = True
                       ) -> None:
        """The case parsed and consulted on the engine thread, awaited here: one hand-off
        each way (a thread worker waiting for the engine thread made two more)."""
        try:
            result = await self.engine.run(self._consult_case, text, path, ticket, complete)
        except CaseError as error:
            self._failed(ticket, "; ".join(error.problems))
            return
        except Exception as error:  # a runaway knowledge base: report, never crash
            self._failed(ticket, str(error))
            return
        if result is not None:
            self._deliver(ticket, result, (text, path))

    def _consult_case(self, text: str, path: str, ticket: int, complete: bool
                      ) -> Result | None:
        """On the engine thread: the newest request's result (None if a newer one came)."""
        case = self.service.parse_case(text, path)
        if complete:  # an entry not valid yet keeps the draft's last valid value
            self._autosave(case, text, ticket)
        return self.service.consult_if_newest(case, ticket)

    def _autosave(self, case, text: str, ticket: int) -> None:
        """A valid case edited in a draft visit goes to the database (on the records
        thread; the consultation does not wait). While an entry is not valid nothing is
        saved: a kill loses at most the field being typed."""
        draft, records = self.draft, self.records
        if draft is None or records is None:
            return
        from cexpert.store.records import entered
        from cexpert.tui.records import save_open_draft

        done = records.submit(lambda store: save_open_draft(store, draft, text,
                                                            entered(case), ticket))
        done.add_done_callback(lambda future: self._autosaved(draft, future))

    def _autosaved(self, draft: OpenDraft, future) -> None:
        error = future.exception()
        try:
            if isinstance(error, Conflict):
                self.call_from_thread(self._draft_conflict, draft, error)
            elif error is not None:
                self.call_from_thread(self._autosave_failed, draft, str(error))
        except RuntimeError:  # the app has stopped meanwhile: the save itself is done
            pass

    def _autosave_failed(self, draft: OpenDraft, message: str) -> None:
        if self.draft is draft:
            self.draft = None  # stop: never overwrite what another editor saved
            self.update_title()
        self.notify(f"{message}. Your entries stay on screen: Ctrl+S saves them as a case "
                    "file, or reopen the visit from History", title="Draft not saved",
                    severity="error", markup=False, timeout=10)

    # --- a draft saved elsewhere meanwhile: reload theirs, or keep mine -------------------
    @property
    def draft_stopped(self) -> bool:
        """Whether the open draft's autosave is stopped, waiting for the trainer's choice."""
        return self._conflict is not None and self._conflict[0] is self.draft

    def _draft_conflict(self, draft: OpenDraft, conflict: Conflict) -> None:
        if self.draft is not draft:
            return  # another consultation is open by now
        self._conflict = (draft, conflict)
        self.update_title()
        self._ask_draft_conflict()

    def _ask_draft_conflict(self) -> None:
        """Never lose the entries on screen unless the trainer chooses to."""
        assert self._conflict is not None
        draft, conflict = self._conflict
        theirs = conflict.theirs
        by = f"; the draft was started by {theirs.trainer}" if theirs.trainer else ""
        if conflict.closed:
            question = (f"This draft, {draft.label}, was closed elsewhere (another TUI or "
                        f"the CLI closed it, version {theirs.version}{by}): it never "
                        "changes now, and your last changes are not in it.")
            answers = (("reload", "Reload theirs: the closed visit (your changes here "
                                  "are lost)"),
                       ("keep", f"Keep mine as a correction (version {theirs.version + 1}, "
                                "theirs kept)"),
                       ("cancel", "Cancel (stop autosaving; your entries stay here)"))
        else:
            question = (f"This draft, {draft.label}, was changed elsewhere: the database "
                        f"holds revision {theirs.revision}, saved by another TUI or the "
                        f"CLI{by}. Yours was made from revision {draft.revision}.")
            answers = (("reload", "Reload theirs (your changes here are lost)"),
                       ("keep", f"Keep mine as a new revision ({theirs.revision + 1}, "
                                "replacing theirs)"),
                       ("cancel", "Cancel (stop autosaving; your entries stay here)"))

        def answered(answer: str | None) -> None:
            if not self.draft_stopped or self._conflict[1] is not conflict:  # type: ignore[index]
                return
            if answer == "reload":
                self._reload_theirs(draft, conflict)
            elif answer == "keep":
                self._keep_mine(draft, conflict)
            else:
                self._autosave_stopped(draft)

        self.push_screen(_confirm(question, answers, stacked=True, focus="cancel"),
                         answered)

    def _reload_theirs(self, draft: OpenDraft, conflict: Conflict) -> None:
        theirs, start = conflict.theirs, self.current_mode or "assess"
        self._conflict = None
        if conflict.closed:
            self._open_stored(draft.client, theirs, conflict.history, start=start)
        else:
            self._open_draft(draft.client, theirs, start=start)

    def _keep_mine(self, draft: OpenDraft, conflict: Conflict) -> None:
        state = self.consultation
        if state.errors:
            self.notify("Fix first: " + "; ".join(state.error_messages()) + ". Then Ctrl+S "
                        "to choose again", title="Autosave stopped", severity="error",
                        markup=False)
            return
        theirs = conflict.theirs
        self._conflict = None
        if conflict.closed:  # a closed visit never changes: mine is its correction
            self.draft = None
            self.stored_visit = OpenVisit(draft.client, theirs.number, theirs.date,
                                          theirs.version, None)
            self.update_title()
            self._correct(self.stored_visit, state.to_toml(), theirs.version)
            return
        self.update_title()
        self._keep_draft(draft, theirs.revision, state.to_toml(), self.service.ticket())

    @work(thread=True, group="records-write", exit_on_error=False)
    def _keep_draft(self, draft: OpenDraft, theirs: int, text: str, ticket: int) -> None:
        from cexpert.store.records import entered
        from cexpert.tui.records import keep_draft

        try:
            case = self.service.parse_case(text, "<draft>")
            saved = self.records.call(  # type: ignore[union-attr]
                lambda store: keep_draft(store, draft, theirs, text, entered(case), ticket))
        except Conflict as conflict:  # changed once more meanwhile: ask again
            self.call_from_thread(self._draft_conflict, draft, conflict)
            return
        except Exception as error:  # a StoreError or CaseError, worded for the user
            self.call_from_thread(self._autosave_failed, draft, str(error))
            return
        self.call_from_thread(self.notify, f"Yours is saved: revision {saved} of "
                              f"{draft.label}, over theirs; saved as you go again",
                              title="Draft saved", markup=False, timeout=5)

    def _autosave_stopped(self, draft: OpenDraft) -> None:
        self.update_title()
        self.notify(f"Autosave of {draft.label} is stopped: nothing here is saved until you "
                    "choose. Ctrl+S asks again (reload theirs, or keep yours)",
                    title="Draft not saved", severity="warning", markup=False, timeout=10)

    # --- a closed visit of a stored client: a correction is its next version ------------
    def _save_stored(self, visit: OpenVisit) -> None:
        state = self.consultation
        if state.canonical() == visit.content:
            question = (f"{_capital(visit.label)} is closed and unchanged since you "
                        "opened it: there is nothing to correct. Save it as a case file?")
            answers = (("case_file", "Save as case file…"), ("cancel", "Cancel"))
        else:
            question = (f"{_capital(visit.label)} is closed: a closed visit never "
                        "changes. Save your changes as its correction, or as a case file?")
            answers = (("correct", f"Save as a correction (version {visit.version + 1}, "
                                   "the old version kept)"),
                       ("case_file", "Save as case file…"), ("cancel", "Cancel"))

        def answered(answer: str | None) -> None:
            if answer == "correct" and self.stored_visit is visit:
                self._correct(visit, self.consultation.to_toml(), visit.version)
            elif answer == "case_file":
                self._ask_save_as()

        self.push_screen(_confirm(question, answers, stacked=True), answered)

    @work(thread=True, group="records-write", exit_on_error=False)
    def _correct(self, visit: OpenVisit, text: str, expected: int) -> None:
        """Consult the corrected case and store it as the visit's next version, naming
        the version it was made from (a correction saved elsewhere meanwhile: Conflict)."""
        from cexpert.store.records import StoredResult, entered
        from cexpert.tui.records import correct_open_visit

        try:
            case = self.service.parse_case(text, f"visit {visit.number}")
            result = StoredResult.of_json(self.engine.call(self.service.consult, case)
                                          .as_json())
            corrected = self.records.call(  # type: ignore[union-attr]
                lambda store: correct_open_visit(store, visit, expected, text,
                                                 entered(case), result))
        except Conflict as conflict:
            self.call_from_thread(self._correction_conflict, visit, conflict)
            return
        except Exception as error:  # a StoreError or CaseError, worded for the user
            self.call_from_thread(self.notify, str(error), title="Not corrected",
                                  severity="error", markup=False)
            return
        self.call_from_thread(self._corrected, visit, text, corrected)

    def _corrected(self, visit: OpenVisit, text: str, corrected) -> None:
        self.records_generation += 1
        version = corrected.version
        if self.stored_visit is visit:
            visit.version = version
            state = self.consultation
            if state.to_toml() == text:  # not edited again meanwhile
                visit.content = state.canonical()
                state.mark_saved()
        self.update_title()
        kept = f"version {version - 1}" if version == 2 else f"versions 1 to {version - 1}"
        self.notify(f"Visit {corrected.number} corrected (version {version}); {kept} kept",
                    title="Saved in the client database", markup=False, timeout=5)

    def _correction_conflict(self, visit: OpenVisit, conflict: Conflict) -> None:
        """Another correction was saved first: never overwrite it, never drop mine."""
        theirs = conflict.theirs
        by = f" by {theirs.trainer}" if theirs.trainer else ""
        when = (f", {theirs.created_at[:16].replace('T', ' ')} UTC" if theirs.created_at
                else "")

        def answered(answer: str | None) -> None:
            if self.stored_visit is not visit:
                return
            if answer == "reload":
                self._open_stored(visit.client, theirs, conflict.history,
                                  start=self.current_mode or "assess")
            elif answer == "keep":
                self._correct(visit, self.consultation.to_toml(), theirs.version)
            else:
                self.notify(f"Not saved: {visit.label} stays at version {theirs.version}; "
                            "your entries stay on screen (Ctrl+S to choose again)",
                            title="Not corrected", severity="warning", markup=False,
                            timeout=8)

        self.push_screen(_confirm(
            f"{_capital(visit.label)} was corrected elsewhere since you opened it: the "
            f"database holds version {theirs.version}{by}{when}; yours was made from version "
            f"{visit.version}.",
            (("reload", f"Reload theirs (version {theirs.version}; your changes here are "
                        "lost)"),
             ("keep", f"Keep mine as a new version ({theirs.version + 1}; theirs kept)"),
             ("cancel", "Cancel (nothing saved; your entries stay here)")), stacked=True,
            focus="cancel"), answered)

    def _deliver(self, ticket: int, result: Result, source: tuple[str, str] | None = None
                 ) -> None:
        if self.service.is_newest(ticket):
            self.consult_error = None
            self.consults += 1
            self._result_source = source
            self.result = result

    def result_of(self, text: str, path: str) -> Result | None:
        """The result on screen if it is the consultation of exactly this case file text
        (What if reuses it instead of consulting the unchanged case again)."""
        if self.result is not None and self._result_source == (text, path):
            return self.result
        return None

    def _failed(self, ticket: int, message: str) -> None:
        if self.service.is_newest(ticket) and message != self.consult_error:
            self.consult_error = message
            self.notify(message, title="Cannot consult", severity="error", markup=False)

    # --- the rule files, watched: an author's save re-checks and re-consults --------------
    @work(thread=True, exclusive=True, group="rules", exit_on_error=False)
    def _poll_rules(self) -> None:
        """Off the UI thread: when a rule file was saved, added or removed, load the
        knowledge base again; errors go to a panel (the session keeps the old rules), a
        good knowledge base is swapped in and the open client consulted on it."""
        from cexpert.language import diagnostics as diag  # only when rules change

        service = self.service
        stamp = service.rules_stamp()
        if self._rules_stamp is None:
            self._rules_stamp = stamp
            return
        if stamp == self._rules_stamp:
            return
        self._rules_stamp = stamp
        try:
            new, loaded = service.reload()
        except Exception as error:  # an unreadable folder: say so, keep working
            self.call_from_thread(self._rules_broken, f"The rules could not be read: {error}")
            return
        if new is None:
            errors = [d for d in loaded.diagnostics if d.is_error]
            self.call_from_thread(self._rules_broken, diag.render_text(errors, loaded.sources))
            return
        state = self.consultation
        try:
            after = new.consult(new.parse_case(state.to_toml(), str(state.path or "<case>")))
        except CaseError as error:
            self.call_from_thread(
                self._rules_broken, "The new rules check, but the open client cannot be "
                "consulted on them (the session keeps the previous rules):\n"
                + "\n".join(error.problems))
            return
        self.call_from_thread(self._rules_reloaded, new, after)

    def _rules_broken(self, text: str) -> None:
        if text == self.rules_problem:
            return
        self.rules_problem = text
        self.push_screen(_message(
            "The rule files have errors: the session keeps the rules it had", text))

    def _rules_reloaded(self, new: Service, after: Result) -> None:
        from cexpert.explain.what_if import diff

        before = self.result
        old_engine = self.engine
        self.service = new
        self.engine = EngineThread(new)
        self.engine.warm()
        old_engine.close()
        self.consultation.kb = new.kb
        self.rules_problem = None
        self.rules_reloads += 1
        self.result = after
        changes = diff(before, after) if before is not None else ()
        rules = f"{len(new.kb.rules)} rules"
        if not changes:
            self.notify(f"Rules reloaded ({rules}): nothing changed for "
                        f"{self.consultation.title}", title="Rules", markup=False)
            return
        lines = [f"{c.sign} {c.section}: {c.text}" + (f" (was {c.was})" if c.was else "")
                 for c in changes]
        self.push_screen(_message(
            f"Rules reloaded ({rules}): {len(changes)} change"
            f"{'s' if len(changes) != 1 else ''} for {self.consultation.title}",
            "\n".join(lines)))

    # --- the consultation ------------------------------------------------------------------
    def update_title(self) -> None:
        state = self.consultation
        if self.draft is not None:
            self.sub_title = (f"{state.title} · draft visit {self.draft.number} "
                              f"({self.draft.date}) · " + (
                                  "autosave stopped: Ctrl+S to choose"
                                  if self.draft_stopped else "saved as you go"))
            return
        if self.stored_visit is not None:
            v = self.stored_visit
            where = f" · {state.path}" if state.path else ""
            self.sub_title = (f"{state.title}{' ●' if state.dirty else ''} · closed visit "
                              f"{v.number} ({v.date}), version {v.version}{where}")
            return
        where = str(state.path) if state.path else "not saved yet"
        self.sub_title = f"{state.title}{' ●' if state.dirty else ''} · {where}"

    def watch_consultation(self) -> None:
        self.update_title()

    def _unless_unsaved(self, then: Callable[[], object], doing: str) -> None:
        state = self.consultation
        if not state.dirty or self.demo or (self.draft is not None
                                            and not self.draft_stopped):  # it saves itself
            then()
            return

        def answered(answer: str | None) -> None:
            if (answer == "save" and self.action_save()) or answer == "discard":
                then()

        self.push_screen(_confirm(f"{state.title} has unsaved changes. Save them before "
                                       f"{doing}?", (("save", "Save"),
                                                     ("discard", "Don't save"),
                                                     ("cancel", "Cancel"))), answered)

    def open_case(self, path: Path) -> None:
        self._unless_unsaved(lambda: self._load(path), "opening another client")

    def _load(self, path: Path, start: str = "assess") -> bool:
        """Open a case file (consulted at once); False if it cannot be used (said why)."""
        try:
            state = (Consultation.from_file(self.service.kb, path) if Path(path).exists()
                     else Consultation(self.service.kb, Path(path)))
        except CaseError as error:
            self.switch_mode("clients")
            self.push_screen(_message(f"{path} cannot be used",
                                           "\n".join(error.problems)))
            return False
        self._forget_records()
        self.consultation = state
        self.result = None
        self.consult_now()
        self.switch_mode(start)
        return True

    def open_stored_visit(self, client, visit, history) -> None:
        """A stored visit's case as the consultation, compared (as when it was stored)
        with the client's closed visits before it; Save writes it as a case file."""
        self._unless_unsaved(lambda: self._open_stored(client, visit, history),
                             "opening another visit")

    def _forget_records(self) -> None:
        """Another consultation opens: no draft or stored visit is on screen any more."""
        self.draft, self._conflict, self.stored_visit = None, None, None

    def _open_stored(self, client, visit, history, start: str = "assess") -> None:
        from cexpert.store.records import earlier_visits

        text = with_previous(visit.case_toml, earlier_visits(history, before=visit))
        try:
            state = Consultation.from_text(self.service.kb, text, None)
        except CaseError as error:
            self.push_screen(_message(f"visit {visit.number} of {client.name} cannot be "
                                           "used with these rules", "\n".join(error.problems)))
            return
        self._forget_records()
        self.stored_visit = OpenVisit(client, visit.number, visit.date, visit.version,
                                      state.canonical())
        self.consultation = state
        self.result = None
        self.consult_now()
        self.switch_mode(start)
        self.notify(f"Visit {visit.number} ({visit.date}) of {client.name or client.id}, "
                    f"version {visit.version}: closed, it never changes; Save offers a "
                    "correction (a new version) or a case file", markup=False, timeout=4)

    def open_draft(self, client, visit) -> None:
        """A draft visit as the consultation: every valid change is saved into it."""
        self._unless_unsaved(lambda: self._open_draft(client, visit), "opening the draft")

    def _open_draft(self, client, visit, start: str = "assess") -> None:
        from cexpert.tui.records import open_draft_of

        try:
            state = Consultation.from_text(self.service.kb, visit.case_toml, None)
        except CaseError as error:
            self.push_screen(_message(f"visit {visit.number} of {client.name} cannot be "
                                           "used with these rules", "\n".join(error.problems)))
            return
        draft = open_draft_of(client, visit)
        draft.saved = state.to_toml()  # as the consultation writes it: no save until a change
        self._forget_records()
        self.draft = draft
        self.consultation = state
        self.result = None
        self.consult_now()
        self.switch_mode(start)
        self.notify(f"Draft {draft.label}: saved in the client database as you go",
                    markup=False, timeout=4)

    def action_new_client(self) -> None:
        self._unless_unsaved(lambda: self.run_worker(self._new(), group="navigate"),
                             "starting a new client")

    async def _new(self) -> None:
        """A new client starts on Assess, first page, first list (name and details: F3)."""
        self._forget_records()
        self.consultation = Consultation(self.service.kb)
        self.result = None
        self.consult_now()
        await self.switch_mode("assess")
        screen = self.screen
        if isinstance(screen, AssessScreen) and screen.page_ids:
            await screen.show_page(screen.page_ids[0])

    def action_save(self) -> bool:
        state = self.consultation
        if state.errors:
            self.notify("Fix first: " + "; ".join(state.error_messages()),
                        title="Not saved", severity="error", markup=False)
            return False
        if self.draft_stopped:
            self._ask_draft_conflict()
            return False
        if self.stored_visit is not None:
            self._save_stored(self.stored_visit)
            return False
        if self.draft is not None:
            self.consult_now()  # saves the draft on the way (or says why it could not)
            self.notify(f"Draft {self.draft.label} is saved in the client database as you "
                        "go; close the visit from History (X) when it is done",
                        markup=False, timeout=4)
            return True
        path = state.path or state.default_path(self.clients_dir)
        return self._save_to(path)

    def _save_to(self, path: Path, follow_link: bool = False) -> bool:
        if self.demo:
            self.notify(DEMO_READ_ONLY, title="Not saved", severity="error", markup=False)
            return False
        state = self.consultation
        try:
            saved = state.save(path, follow_link=follow_link)
        except ChangedOnDisk as error:
            self._changed_on_disk(error)
            return False
        except SymlinkRefused as error:
            self._through_link(error)
            return False
        except (SaveError, ValueError) as error:
            self.notify(str(error), title="Not saved", severity="error", markup=False)
            return False
        self._saved(saved, linked=follow_link)
        return True

    def _saved(self, saved: Saved, linked: bool = False) -> None:
        self.update_title()
        where = f"{saved.path} (the file the link points to)" if linked else str(saved.path)
        self.notify(f"Saved {where}", markup=False, timeout=3)
        if saved.warning:
            self.notify(saved.warning, title="Saved, but", severity="warning", markup=False)

    def _changed_on_disk(self, error: ChangedOnDisk) -> None:
        """Someone else saved this file since it was opened: never overwrite their edit."""
        def answered(answer: str | None) -> None:
            if answer == "reload":
                self._load(error.path, start=self.current_mode or "assess")
            elif answer == "save_as":
                self._ask_save_as(fresh=True)

        self.push_screen(_confirm(
            f"{error.path} was changed on disk since you opened it (another session or "
            "program saved it). Saving now would overwrite that change.\n\nReload it "
            "(your unsaved changes here are lost), or save yours under another name?",
            (("save_as", "Save as…"), ("reload", "Reload"), ("cancel", "Cancel"))),
            answered)

    def _through_link(self, error: SymlinkRefused) -> None:
        def answered(answer: str | None) -> None:
            if answer == "follow":
                self._save_to(error.path, follow_link=True)
            elif answer == "save_as":
                self._ask_save_as(fresh=True)

        self.push_screen(_confirm(
            f"{error.path} is a link to {error.target}. Saving would replace that file. "
            f"Save to {error.target}, or under another name?",
            (("follow", "Save to the link's file"), ("save_as", "Save as…"),
             ("cancel", "Cancel"))), answered)

    def write_case(self, path: Path) -> str | None:
        """Save as `path` (a file not there yet, or the one open); what went wrong, or None."""
        if self.demo:
            return DEMO_READ_ONLY
        state = self.consultation
        if path.exists() and not (state.path and path.resolve() == state.path.resolve()):
            return f"{path} already exists: choose another name"
        try:
            saved = state.save(path)
        except (SaveError, ValueError) as error:
            return str(error)
        self._saved(saved)
        return None

    def action_save_as(self) -> None:
        self._ask_save_as()

    def _ask_save_as(self, fresh: bool = False) -> None:
        state = self.consultation
        if state.errors:
            self.action_save()
            return
        folder = state.path.parent if state.path else self.clients_dir
        default = state.default_path(folder, fresh=True) if fresh else (
            state.path or state.default_path(self.clients_dir))
        from cexpert.tui.screens.dialogs import PathScreen

        self.push_screen(PathScreen("Save the case file as", default, self.write_case))

    async def action_quit(self) -> None:
        if self.crash is not None:
            self.exit(CRASH_EXIT, return_code=CRASH_EXIT)
            return
        self._unless_unsaved(lambda: self.exit(0), "quitting")

    # --- screens -------------------------------------------------------------------------------
    async def action_go(self, mode: str) -> None:
        if self.current_mode == mode and len(self.screen_stack) > 1:
            while len(self.screen_stack) > 1:
                await self.pop_screen()
            return
        await self.switch_mode(mode)

    def action_help(self) -> None:
        from cexpert.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def action_what_if(self) -> None:
        from cexpert.tui.screens.what_if import WhatIfScreen

        if not isinstance(self.screen, WhatIfScreen):
            self.push_screen(WhatIfScreen())

    def action_replay(self) -> None:
        from cexpert.tui.screens.replay import ReplayScreen

        if not isinstance(self.screen, ReplayScreen):
            self.push_screen(ReplayScreen(self._recorded() or self.result, self.service))

    def action_lessons(self) -> None:
        from cexpert.tui.screens.lessons import LessonsScreen

        if not isinstance(self.screen, LessonsScreen):
            self.push_screen(LessonsScreen(course()))

    def open_lesson(self, lesson: Lesson) -> None:
        """Open a lesson's case like a client's (its file is never written: Save asks where)."""
        self._unless_unsaved(lambda: self._load(lesson.case), "opening a lesson")

    def _recorded(self) -> Result | None:
        """The consultation again with its agenda recorded, for Replay (None if it fails)."""
        if self.result is None:
            return None
        state = self.consultation
        try:
            case = self.service.parse_case(state.to_toml(), str(state.path or "<new client>"))
            return self.engine.call(lambda: self.service.consult(case, record=True))
        except Exception:  # shown without the agenda rather than not at all
            return None

    def action_why_not(self, muscle: str = "", state: str = "") -> None:
        if self.result is None:
            self.notify("No conclusions yet", severity="warning")
            return
        from cexpert.tui.screens.why_not import WhyNotScreen

        self.push_screen(WhyNotScreen(muscle, state))

    def on_why_not_requested(self, message: WhyNotRequested) -> None:
        self.action_why_not(message.muscle, message.state)

    def on_why_requested(self, message: WhyRequested) -> None:
        result = self.result
        row = message.row
        if result is None or not row.fact or row.fact not in result.facts:
            return
        from cexpert.tui.screens.why import WhyScreen

        self.push_screen(WhyScreen(row, self.service.why(result, row.fact)))

    # --- export --------------------------------------------------------------------------------
    def action_export(self) -> None:
        if self.demo:
            self.notify(DEMO_READ_ONLY, severity="warning", markup=False)
            return
        if self.result is None:
            self.notify("No conclusions yet", severity="warning")
            return
        state = self.consultation
        folder = state.path.parent if state.path else self.clients_dir
        default = folder / f"{slug(state.name)}-program"

        def done(written: list[Path] | None) -> None:
            if written:
                self.notify("Exported " + ", ".join(str(p) for p in written), markup=False,
                            timeout=5)

        from cexpert.tui.screens.export import ExportScreen

        self.push_screen(ExportScreen(default), done)

    def export_to(self, base: Path, formats: Sequence[str]) -> list[Path]:
        if self.demo:
            raise ValueError(DEMO_READ_ONLY)
        if self.result is None:
            raise ValueError("no conclusions yet")
        from cexpert.present.export import export

        return export(self.result, self.service.kb, base, formats)


def _capital(text: str) -> str:
    """A sentence's first letter upper case (a label such as "visit 2 (…) of Kim")."""
    return text[:1].upper() + text[1:]


def with_previous(case_toml: str, previous) -> str:
    """A case file's text with `[[previous]]` tables for its earlier visits (unless it
    has its own), so the consultation compares it as the store did."""
    if not previous:
        return case_toml
    import tomlkit

    from cexpert.tui.records import previous_tables

    doc = tomlkit.parse(case_toml)
    if "previous" in doc:
        return case_toml
    doc["previous"] = previous_tables(previous)
    return tomlkit.dumps(doc)


def make_app(service: Service, case_path: str | Path | None = None,
             clients_dir: str | Path = DEFAULT_CLIENTS, start: str | None = None,
             demo: bool = False, projector: bool = False, db: str | None = None,
             import_marker: Path | None = None) -> CexpertApp:
    """The app for a knowledge base, opening `case_path` (made on first save if new).

    `demo` is the classroom of `cexpert serve --demo`: it opens on the Lessons, lists the
    teaching cases instead of a client folder and never writes a file. With
    `import_marker`, the picker offers once to import the folder's case files into the
    client database (the marker remembers that it asked)."""
    if demo:
        clients_dir, start = examples_dir() / "teaching", start or "clients"
    app = CexpertApp(service, clients_dir=Path(clients_dir), start=start,
                     case_path=Path(case_path) if case_path is not None else None, demo=demo,
                     db=db)
    app.import_marker = None if demo else import_marker
    if projector:
        from cexpert.tui.classroom import PROJECTOR

        app.register_theme(PROJECTOR)
        app.theme = PROJECTOR.name
    return app
