"""Generated consultations through the TUI: every screen a trainer visits, every row.

A few consultations from the shipped vocabulary are opened in the app (as a trainer
opens a case file), then Results and Program with the cursor on every row (the wide
layout previews each row's chain; a bodyweight client's left-out integration row
crashed it), Why on every Program row that has one, and the export; the app must
still be running, with no error, at the end.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from consultations import Vocabulary, case_documents, to_toml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from runs import COUNTS, SEED

from cexpert.service import Service
from cexpert.tui.app import make_app
from cexpert.tui.screens.program import ProgramScreen
from cexpert.tui.screens.results import ResultsScreen
from cexpert.tui.screens.why import WhyScreen
from cexpert.tui.widgets.result_list import ResultList
from cexpert.tui.widgets.why_tree import WhyTree


async def settle(pilot) -> None:
    """The debounce and the engine worker done, the screens refreshed."""
    app = pilot.app
    await pilot.pause(0.2)
    await app.workers.wait_for_complete()
    await pilot.pause()


async def visit_every_row(pilot, screen_type, why: bool) -> int:
    """Cursor on every row of the screen's list; with `why`, the Why of each row that has
    a chain: the Why screen opened (Enter) on the first row of each kind, the same tree
    drawn for every other row in a probe tree on this screen (opening a screen costs a
    second of layout each; the tree is what could fail on a row)."""
    app = pilot.app
    assert isinstance(app.screen, screen_type)
    rows = app.screen.query_one("#rows", ResultList)
    probe = None
    opened: set[str] = set()
    visited = 0
    for n, row in enumerate(list(rows.rows)):
        rows.focus()
        rows.highlighted = n
        await pilot.pause()
        visited += 1
        if not (why and row.fact):
            continue
        if row.what not in opened:  # press waits until the key is handled
            opened.add(row.what)
            await pilot.press("enter")
            assert isinstance(app.screen, WhyScreen), row
            await pilot.press("escape")
            assert isinstance(app.screen, screen_type)
            continue
        if probe is None:
            probe = WhyTree(id="why-probe")
            await app.screen.mount(probe)
        probe.show_why(app.service.why(app.result, row.fact))
        await pilot.pause()
    if probe is not None:
        await probe.remove()
    return visited


async def drive(service: Service, case: Path, clients: Path) -> int:
    app = make_app(service, case_path=case, clients_dir=clients, start="results")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.result is not None and app.consult_error is None, app.consult_error
        visited = await visit_every_row(pilot, ResultsScreen, why=False)
        await pilot.press("f6")
        await settle(pilot)
        visited += await visit_every_row(pilot, ProgramScreen, why=True)
        written = app.export_to(clients / "program", ("markdown", "html"))
        assert all(p.stat().st_size for p in written)
        assert app.is_running and app.return_code is None
    return visited


@seed(SEED)
@settings(max_examples=4, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_generated_consultation_survives_every_screen_and_row_of_the_tui(
        data, shipped: Service, words: Vocabulary, tmp_path: Path):
    document = data.draw(case_documents(words), label="case")
    case = tmp_path / "generated.toml"
    case.write_text(to_toml(document), encoding="utf-8")
    COUNTS["TUI rows visited"] += asyncio.run(drive(shipped, case, tmp_path))
    COUNTS["TUI consultations"] += 1


def test_a_bodyweight_client_s_program_rows_all_open_in_the_tui(shipped: Service,
                                                                 tmp_path: Path):
    """The integration left out for equipment (no muscle of its own) used to crash the
    Program screen when the cursor reached its row."""
    case = Path(__file__).parents[1] / "cases" / "bodyweight_only_knee_valgus.toml"
    assert asyncio.run(drive(shipped, case, tmp_path)) > 0
