"""Fixtures for the TUI tests: a fixed knowledge base, an app factory, settling helpers.

The tests use their own small knowledge base (tests/tui/kb), so snapshots and
keystroke tests do not change when the shipped rules grow.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input
from tui_support import CASE, KB, LATER, _settle, stored_client_database  # noqa: F401

from cexpert.service import Service
from cexpert.tui.app import CexpertApp, make_app


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch):
    """A blinking cursor would make screenshots flaky."""
    monkeypatch.setattr(Input.cursor_blink, "_default", False)


@pytest.fixture(scope="session")
def service() -> Service:
    return Service.open([KB])


@pytest.fixture
def clients(tmp_path: Path) -> Path:
    folder = tmp_path / "clients"
    folder.mkdir()
    (folder / "test-client.toml").write_text(CASE, encoding="utf-8")
    return folder


@pytest.fixture
def app_factory(service: Service, clients: Path) -> Callable[..., CexpertApp]:
    """app_factory(case=None, start=None) -> an app over the test KB and clients folder."""

    def build(case: str | Path | None = None, start: str | None = None) -> CexpertApp:
        return make_app(service, case_path=case, clients_dir=clients, start=start)

    return build


@pytest.fixture
def settle():
    """await settle(pilot): the newest conclusions are on screen."""
    return _settle
