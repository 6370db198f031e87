"""The engine's own thread: the TUI's guarded boundary to `cexpert.service`.

Experta engines are per thread (`Service.engine` is thread-local, compiled on
first use), and Textual runs each thread worker in a new thread, so the workers
hand their calls to this one long-lived thread: the knowledge base is compiled
once per session, off the UI thread, while the app starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from cexpert.service import Service

T = TypeVar("T")


class EngineThread:
    def __init__(self, service: Service):
        self.service = service
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cexpert-engine")

    def warm(self) -> Future:
        """Compile the knowledge base now, in the background."""
        return self._pool.submit(lambda: self.service.engine)

    async def run(self, fn: Callable[..., T], *args) -> T:
        """Run `fn(*args)` on the engine thread, awaited on the UI's loop. A caller
        cancelled meanwhile (a newer request) does not stop it: it may autosave."""
        done = asyncio.wrap_future(self._pool.submit(fn, *args))
        done.add_done_callback(_retrieved)
        return await asyncio.shield(done)

    def call(self, fn: Callable[..., T], *args) -> T:
        """Run `fn(*args)` on the engine thread and wait for it (call from a worker)."""
        return self._pool.submit(fn, *args).result()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _retrieved(done: asyncio.Future) -> None:
    """Mark a shielded call's error as seen: its caller may have been cancelled, and
    asyncio would log the unretrieved error over the screen."""
    if not done.cancelled():
        done.exception()
