"""What the TUI tests share besides fixtures: the test knowledge base, the test client's
case files, a stored client database, and the settling helper.

A module of its own, not `conftest`: tests/store has a conftest too, and `from conftest
import ...` would find whichever was imported first when both folders run together.
"""

from __future__ import annotations

from pathlib import Path

from textual import events

from cexpert.service import Service

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


async def _settle(pilot) -> None:
    """Wait out the debounce and the engine worker, then let the screens refresh.

    The debounce is waited for only while one is pending (polled), not as a fixed
    0.2 s: `settle` runs some two hundred times in the suite."""
    app = pilot.app
    await pilot.pause(0.05)
    for _ in range(50):  # a debounced consultation not started yet
        if getattr(app, "_debounce", None) is None:
            break
        await pilot.pause(0.02)
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def paste_path(pilot, path: Path | str) -> None:
    """Replace the focused field's text with `path` as a paste would, then press Enter.

    A trainer pastes paths; typing 80 characters one pilot key at a time cost the
    save-as tests seconds each (test_usability's fast-typing test covers typing)."""
    await pilot.press("ctrl+u")
    pilot.app.focused.post_message(events.Paste(str(path)))
    await pilot.pause()
    await pilot.press("enter")
