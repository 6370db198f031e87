"""Snapshots of each main screen at 80x24 and 120x40 (update: --snapshot-update).

The app runs in a temporary folder with a relative clients folder, over the
fixed test knowledge base, so the pictures do not depend on where the tests
run or on the shipped rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_support import CASE, _settle, stored_client_database

from cexpert.tui.app import make_app
from cexpert.tui.messages import WhyNotRequested

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def snap_app(service, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("clients").mkdir()
    Path("clients/test-client.toml").write_text(CASE, encoding="utf-8")

    def build(start: str | None = None, case: bool = True):
        return make_app(service, case_path=Path("clients/test-client.toml") if case else None,
                        clients_dir=Path("clients"), start=start)

    return build


async def _go(pilot, *keys: str) -> None:
    await _settle(pilot)
    if keys:
        await pilot.press(*keys)
        await _settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_clients(snap_compare, snap_app, size):
    assert snap_compare(snap_app(case=False), terminal_size=size, run_before=_go)


def test_clients_with_the_database(snap_compare, service, snap_app, tmp_path):
    """The database's clients listed after the case files (read by a worker)."""
    database = stored_client_database(tmp_path / "data" / "clients.db", service)
    app = make_app(service, clients_dir=Path("clients"), db=database)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_go)


@pytest.mark.parametrize("size", SIZES)
def test_history(snap_compare, service, snap_app, tmp_path, size):
    """A stored client's visits, the latest highlighted with its note."""
    database = stored_client_database(tmp_path / "data" / "clients.db", service)
    app = make_app(service, clients_dir=Path("clients"), db=database)
    assert snap_compare(app, terminal_size=size,
                        run_before=lambda pilot: _go(pilot, *"database", "enter"))


@pytest.mark.parametrize("size", SIZES)
def test_compare(snap_compare, service, snap_app, tmp_path, size):
    """The first and the latest visit compared, over the chart (no complete FMS: a gap)."""
    database = stored_client_database(tmp_path / "data" / "clients.db", service)
    app = make_app(service, clients_dir=Path("clients"), db=database)
    assert snap_compare(app, terminal_size=size,
                        run_before=lambda pilot: _go(pilot, *"database", "enter", "c"))


@pytest.mark.parametrize("size", SIZES)
def test_client(snap_compare, snap_app, size):
    assert snap_compare(snap_app(start="client"), terminal_size=size, run_before=_go)


@pytest.mark.parametrize("size", SIZES)
def test_client_parq(snap_compare, snap_app, size):
    async def run(pilot):
        await _go(pilot)
        pilot.app.screen.show_page("parq")
        await _settle(pilot)

    assert snap_compare(snap_app(start="client"), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_client_health(snap_compare, snap_app, size):
    """High blood pressure ticked and its status chosen: the status row and the referral."""
    async def run(pilot):
        await _go(pilot)
        screen = pilot.app.screen
        screen.show_page("health")
        await _settle(pilot)
        screen.set_focus(screen.query_one("#conditions-0"))
        await _go(pilot, "down", "space", "tab", "right", "right", "space")

    assert snap_compare(snap_app(start="client"), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_assess_ohsa(snap_compare, snap_app, size):
    async def run(pilot):
        await _go(pilot, "2")

    assert snap_compare(snap_app(), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_assess_fms(snap_compare, snap_app, size):
    async def run(pilot):
        await _go(pilot, "5", "tab", "5")  # hurdle step left: 5, shown as an error

    assert snap_compare(snap_app(), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_results_with_referral(snap_compare, snap_app, size):
    async def run(pilot):
        await _go(pilot, "4", "space", "f5")  # low back pain: refer and hold

    assert snap_compare(snap_app(), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_program(snap_compare, snap_app, size):
    assert snap_compare(snap_app(start="program"), terminal_size=size, run_before=_go)


@pytest.mark.parametrize("size", SIZES)
def test_why(snap_compare, snap_app, size):
    async def run(pilot):
        await _go(pilot)
        rows = pilot.app.screen.query_one("#rows")
        rows.highlighted = next(n for n, r in enumerate(rows.rows) if r.what == "muscle")
        await _go(pilot, "enter")

    assert snap_compare(snap_app(start="results"), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_why_exercise(snap_compare, snap_app, size):
    """Issue 11: an exercise's Why gives the client's instructions above its reasoning."""
    async def run(pilot):
        await _go(pilot)
        rows = pilot.app.screen.query_one("#rows")
        rows.highlighted = next(n for n, r in enumerate(rows.rows) if r.key == "smr_adductors")
        await _go(pilot, "enter")

    assert snap_compare(snap_app(start="program"), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_why_not(snap_compare, snap_app, size):
    async def run(pilot):
        await _go(pilot)
        pilot.app.post_message(WhyNotRequested("pectoralis_minor", "overactive"))
        await _settle(pilot)

    assert snap_compare(snap_app(start="results"), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_what_if(snap_compare, snap_app, size):
    async def run(pilot):
        await _go(pilot, "f7", "down", "down", "down")

    assert snap_compare(snap_app(), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_export_dialog(snap_compare, snap_app, size):
    assert snap_compare(snap_app(start="program"), terminal_size=size,
                        run_before=lambda pilot: _go(pilot, "f9"))


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, snap_app, size):
    assert snap_compare(snap_app(), terminal_size=size, run_before=lambda p: _go(p, "f1"))


@pytest.mark.parametrize("size", SIZES)
def test_light_theme(snap_compare, snap_app, size):
    assert snap_compare(snap_app(), terminal_size=size,
                        run_before=lambda p: _go(p, "ctrl+t", "3"))


@pytest.mark.parametrize("size", SIZES)
def test_replay(snap_compare, snap_app, size):
    """A rule firing on show: the step list, the rule as written, matched and added."""
    async def run(pilot):
        await _go(pilot, "ctrl+r")
        firing = next(i for i, s in enumerate(pilot.app.screen.steps) if s.origin == "rule")
        await _go(pilot, *["right"] * firing)

    assert snap_compare(snap_app(start="results"), terminal_size=size, run_before=run)
