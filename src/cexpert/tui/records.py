"""The client database for the TUI, on a thread of its own.

Importing SQLAlchemy and Alembic costs about 0.3 s and opening the database may
migrate it, so nothing of the store is imported on the UI thread: the first call
opens the store on this thread, and every screen asks through `call` from a
worker, the way the engine thread serves consultations.

Starting the TUI never creates a database: it uses `--db`, `$CEXPERT_DB`, or the
default file in the user data folder when that file exists (`cexpert clients
import` makes it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def database_for_tui(given: str | None = None) -> str | None:
    """The database the TUI should read, or None (no store in this session)."""
    if given:
        return given
    if os.environ.get("CEXPERT_DB"):
        return os.environ["CEXPERT_DB"]
    default = default_database()
    return default if Path(default).is_file() else None


class RecordsThread:
    """One long-lived thread that owns the store (a SQLAlchemy engine is not moved
    between threads here: every query runs on this one)."""

    def __init__(self, url: str):
        self.url = url
        self._store: Any = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cexpert-records")

    def _open(self):
        if self._store is None:
            from cexpert.store.database import open_store

            self._store = open_store(self.url)
        return self._store

    def submit(self, fn: Callable[[Any], T]) -> Future[T]:
        """Run `fn(store)` on the records thread."""
        return self._pool.submit(lambda: fn(self._open()))

    def call(self, fn: Callable[[Any], T]) -> T:
        """Run `fn(store)` on the records thread and wait for it (call from a worker)."""
        return self.submit(fn).result()

    def close(self) -> None:
        def shut() -> None:
            if self._store is not None:
                self._store.close()
        self._pool.submit(shut)
        self._pool.shutdown(wait=False, cancel_futures=False)


# --- the first start's offer to import the clients folder ------------------------------------
def import_marker() -> Path:
    """Where the TUI remembers the folders it has offered to import (asked once each)."""
    import platformdirs

    return platformdirs.user_state_path("cexpert", appauthor=False) / "import-offered.json"


def offered(folder: Path, marker: Path) -> bool:
    return str(folder.resolve()) in _offered(marker)


def remember_offered(folder: Path, marker: Path) -> None:
    """Record the offer (whatever the answer); a marker that cannot be written only means
    the question comes again next time."""
    import json

    from cexpert.language.writing import write_text_atomically

    folders = sorted({*_offered(marker), str(folder.resolve())})
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(marker, json.dumps({"offered": folders}, indent=1) + "\n")
    except OSError:
        pass


def _offered(marker: Path) -> list[str]:
    import json

    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return []
    found = data.get("offered") if isinstance(data, dict) else None
    return [f for f in found if isinstance(f, str)] if isinstance(found, list) else []


def default_database() -> str:
    """The user data folder's database (store.database.default_path, without importing
    SQLAlchemy on the UI thread): the TUI reads it when it exists, an import makes it."""
    import platformdirs

    return str(platformdirs.user_data_path("cexpert", appauthor=False) / "clients.db")


@dataclass(frozen=True)
class FolderImported:
    """What importing a folder's case files did: one line per file, good or not."""

    imported: tuple[str, ...]  # "clients/kim.toml: visit 1 (2026-12-02) of c-… Kim: new client"
    failed: tuple[str, ...]  # "clients/bad.toml: why"


def import_case_files(store: Any, engine: Any, paths: list[Path]) -> FolderImported:
    """Each case file as a visit (run on the records thread; consults on the engine's)."""
    from cexpert.engine.case import CaseError
    from cexpert.store.intake import import_case_file
    from cexpert.store.records import StoreError

    service = _ConsultOnEngineThread(engine)
    imported, failed = [], []
    for path in paths:
        try:
            done = import_case_file(store, service, path)
        except CaseError as error:
            more = len(error.problems) - 1
            failed.append(f"{path.name}: {error.problems[0] if error.problems else error}"
                          + (f" (and {more} more)" if more > 0 else ""))
        except StoreError as error:
            failed.append(f"{path.name}: {error}")
        else:
            imported.append(f"{path.name}: {done.summary}")
    return FolderImported(tuple(imported), tuple(failed))


class _ConsultOnEngineThread:
    """The service as the intake sees it, with each consultation on the engine thread
    (the compiled engine is not shared between threads)."""

    def __init__(self, engine: Any):
        self._engine = engine

    def parse_case(self, text: str, path: str):
        return self._engine.service.parse_case(text, path)

    def consult(self, case):
        return self._engine.call(self._engine.service.consult, case)


# --- a stored client's open visit, autosaved as a draft --------------------------------------
@dataclass(frozen=True)
class ClientRef:
    """A stored client as the TUI names it (what a ClientSummary offers: id, name)."""

    id: str
    name: str


@dataclass
class OpenDraft:
    """The draft visit the consultation on screen edits. Mutable TUI state, changed only
    on the records thread: the revision the next save names, and what was last saved."""

    client_id: str
    client_name: str
    number: int
    date: str
    revision: int
    saved: str  # the case text last saved
    ticket: int = 0  # the newest consultation request saved (older ones never overwrite)
    stopped: bool = False  # a save was refused (changed elsewhere): none until told

    @property
    def label(self) -> str:
        return f"visit {self.number} ({self.date}) of {self.client_name or self.client_id}"

    @property
    def client(self) -> ClientRef:
        return ClientRef(self.client_id, self.client_name)


@dataclass
class OpenVisit:
    """A closed visit of a stored client open on screen (reopened from History): it never
    changes, so Save offers a correction, a new version naming the one it was made from.
    Changed only on the UI thread."""

    client: Any  # a ClientSummary or ClientRef: .id and .name
    number: int
    date: str
    version: int
    content: Any  # the consultation's canonical content as stored (changed: differs)

    @property
    def label(self) -> str:
        return f"visit {self.number} ({self.date}) of {self.client.name or self.client.id}"


class Conflict(Exception):
    """A save refused because the record was changed elsewhere (another TUI, the CLI):
    `theirs` is the visit the database holds now, `closed` whether it is closed (a draft
    closed elsewhere, or a correction of a closed visit), `history` the client's visits
    then (to reopen a closed one compared with the visits before it)."""

    def __init__(self, message: str, theirs: Any, closed: bool, history: Any = ()):
        super().__init__(message)
        self.theirs, self.closed, self.history = theirs, closed, tuple(history)


def open_draft_of(client: Any, visit: Any) -> OpenDraft:
    return OpenDraft(client.id, client.name, visit.number, visit.date, visit.revision,
                     visit.case_toml)


def save_open_draft(store: Any, draft: OpenDraft, text: str, entered_json: str,
                    ticket: int) -> bool:
    """Save the consultation's text into its draft visit (on the records thread); False
    when there was nothing newer to save. A newer revision saved elsewhere, or the draft
    closed elsewhere, raises Conflict and stops the draft's saves: it is never
    overwritten behind another editor's back (`keep_draft` saves over it when told)."""
    from cexpert.store.records import ClosedVisit, StaleRecord

    if draft.stopped or ticket < draft.ticket or text == draft.saved:
        return False
    try:
        visit = store.save_draft(draft.client_id, text, entered_json, number=draft.number,
                                 expected_revision=draft.revision)
    except (StaleRecord, ClosedVisit) as error:
        draft.stopped = True
        theirs = store.visit(draft.client_id, draft.number)
        raise Conflict(str(error), theirs, theirs.closed,
                       store.history(draft.client_id) if theirs.closed else ()) from error
    draft.revision, draft.saved, draft.ticket = visit.revision, text, ticket
    return True


def keep_draft(store: Any, draft: OpenDraft, theirs: int, text: str, entered_json: str,
               ticket: int) -> int:
    """The trainer chose to keep the text on screen over the draft saved elsewhere (at
    revision `theirs`): saved as the next revision on top of it (a draft keeps no earlier
    revisions), autosave on again; the revision saved. Refused again (Conflict) if the
    draft changed once more meanwhile."""
    draft.stopped, draft.revision, draft.saved = False, theirs, ""
    save_open_draft(store, draft, text, entered_json, max(ticket, draft.ticket))
    return draft.revision


def correct_open_visit(store: Any, visit: OpenVisit, expected_version: int, text: str,
                       entered_json: str, result: Any) -> Any:
    """A correction of the closed visit on screen (on the records thread): its next
    version, the old ones kept. A version saved elsewhere since `expected_version`
    raises Conflict, with the visit as it stands now."""
    from cexpert.store.intake import login_name
    from cexpert.store.records import StaleRecord

    try:
        return store.correct_visit(visit.client.id, visit.number, expected_version, text,
                                   entered_json, result, trainer=login_name())
    except StaleRecord as error:
        history = store.history(visit.client.id)
        theirs = next(v for v in history if v.number == visit.number)
        raise Conflict(str(error), theirs, True, history) from error


def next_visit_text(case_toml: str, previous: Any) -> str:
    """A reassessment's starting case: the latest visit's entries carried forward, its
    date removed (the new visit is dated today) and its earlier visits re-listed."""
    import tomlkit

    doc = tomlkit.parse(case_toml)
    for key in ("date", "previous"):
        if key in doc:
            del doc[key]
    if previous:
        doc["previous"] = previous_tables(previous)
    return tomlkit.dumps(doc)


def previous_tables(previous: Any):
    """The `[[previous]]` tables of a case file for its client's earlier visits."""
    import tomlkit

    tables = tomlkit.aot()
    for earlier in previous:
        table = tomlkit.table()
        if earlier.date:
            table["date"] = earlier.date
        table["findings"] = list(earlier.findings)
        tables.append(table)
    return tables
