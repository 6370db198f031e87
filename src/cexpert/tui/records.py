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
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def database_for_tui(given: str | None = None) -> str | None:
    """The database the TUI should read, or None (no store in this session)."""
    if given:
        return given
    if os.environ.get("CEXPERT_DB"):
        return os.environ["CEXPERT_DB"]
    import platformdirs

    default = platformdirs.user_data_path("cexpert", appauthor=False) / "clients.db"
    return str(default) if Path(default).is_file() else None


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
