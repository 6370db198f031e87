"""The engine's thread as the app awaits it, and the debounce counted from the edit."""

from __future__ import annotations

import asyncio
import threading

import pytest
from textual._time import get_time

from cexpert.tui.app import DEBOUNCE_S
from cexpert.tui.engine import EngineThread
from cexpert.tui.messages import ConsultationChanged

pytestmark = pytest.mark.asyncio


async def test_a_call_runs_on_the_engine_thread_and_its_result_is_awaited(service):
    engine = EngineThread(service)
    try:
        name = await engine.run(lambda: threading.current_thread().name)
        assert name.startswith("cexpert-engine")
        with pytest.raises(ValueError):
            await engine.run(int, "not a number")
    finally:
        engine.close()


async def test_a_cancelled_caller_does_not_stop_the_call(service):
    """A newer consultation cancels the worker awaiting the older one; the older call
    still runs to its end (it may save a draft)."""
    engine = EngineThread(service)
    started, finished = threading.Event(), threading.Event()

    def slow() -> None:
        started.set()
        threading.Event().wait(0.05)
        finished.set()

    try:
        waiting = asyncio.create_task(engine.run(slow))
        await asyncio.to_thread(started.wait, 5)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert await asyncio.to_thread(finished.wait, 5)
        assert await engine.run(lambda: 42) == 42
    finally:
        engine.close()


async def test_an_edit_message_says_when_the_edit_was_made():
    assert ConsultationChanged().edited == pytest.approx(get_time(), abs=1.0)
    assert ConsultationChanged(edited=12.5).edited == 12.5


async def test_the_debounce_counts_from_the_edit(app_factory, clients, settle):
    """An edit made DEBOUNCE_S ago (its message delayed) is consulted at once."""
    app = app_factory(clients / "test-client.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = app.consults
        app.schedule_consult(edited=get_time() - DEBOUNCE_S)
        await pilot.pause(0.05)  # well under the debounce
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.consults == before + 1
