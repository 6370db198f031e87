"""Fixtures for the TUI tests: a fixed knowledge base, an app factory, settling helpers.

The tests use their own small knowledge base (tests/tui/kb), so snapshots and
keystroke tests do not change when the shipped rules grow.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input

from cexpert.service import Service
from cexpert.tui.app import CexpertApp, make_app

KB = Path(__file__).parent / "kb"

CASE = """\
# A test client: the comment must survive a save.
[client]
name = "Test [client]"
age = 40
goals = ["walk the dog"]
equipment = ["foam_roller"]

[screening]
parq_yes = []

[assessment]
ohsa = ["feet_turn_out", "knee valgus"]  # an alias, kept as written
single_leg_squat = { left = ["sls_knee_moves_inward"] }

[fms]
deep_squat = 2
hurdle_step = { left = 2, right = 1 }
"""


LATER = CASE.replace('ohsa = ["feet_turn_out", "knee valgus"]', 'ohsa = ["knee valgus"]')


def stored_client_database(path: Path, service: Service, client_id: str = "c-test0001") -> str:
    """A client database at `path` with one client (CASE, then LATER: two closed visits,
    the second with a note); its path."""
    from cexpert.store.database import open_store
    from cexpert.store.records import ClientDetails, StoredResult, entered

    with open_store(str(path)) as store:
        client = None
        for date, text in (("2026-01-10", CASE), ("2026-02-07", LATER)):
            case = service.parse_case(text, "case.toml")
            result = StoredResult.of_json(service.consult(case).as_json())
            visit = store.import_visit(client, ClientDetails.of_case(case), text,
                                       entered(case), result, date=date, trainer="alice",
                                       new_id=client_id)
            client = visit.client_id
        store.add_note(client, 2, "Knees better; keep the band", "alice")
    return str(path)


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


async def _settle(pilot) -> None:
    """Wait out the debounce and the engine worker, then let the screens refresh."""
    app = pilot.app
    await pilot.pause(0.2)
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def settle():
    """await settle(pilot): the newest conclusions are on screen."""
    return _settle
