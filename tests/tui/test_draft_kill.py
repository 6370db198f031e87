"""Never lose work in the TUI: the app editing a draft visit is killed with SIGKILL at
random moments (4 times here, about 3 s each; `CEXPERT_TUI_KILL_RUNS=50 uv run pytest
tests/tui/test_draft_kill.py` is the long run; the store's own kill test does 20 and
200). After each kill the database passes `PRAGMA integrity_check`, the closed visits
are intact, and the draft holds the last step the app reported saved, or the one after
it (committed in the instant before the kill), never anything older."""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tui_support import KB, stored_client_database

from cexpert.store.database import open_store
from cexpert.store.records import entered

HERE = Path(__file__).parent
RUNS = int(os.environ.get("CEXPERT_TUI_KILL_RUNS", 0)) or 4
CLIENT = "c-test0001"


def _closed(database: str) -> list[tuple]:
    with sqlite3.connect(database) as c:
        return c.execute("SELECT number, version, case_toml, entered FROM visits "
                         "WHERE status = 'closed' ORDER BY number, version").fetchall()


def _draft_step(database: str) -> int | None:
    with sqlite3.connect(database) as c:
        assert c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        row = c.execute("SELECT case_toml FROM visits WHERE status = 'draft'").fetchone()
    found = re.search(r'"step (\d+)"', row[0]) if row else None
    return int(found.group(1)) if found else None


def _run_until_killed(database: str, start: int, rng: random.Random) -> list[int]:
    process = subprocess.Popen([sys.executable, str(HERE / "draft_loop.py"), str(KB),
                                database, CLIENT, str(start)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = process.stdout.readline()  # the app is up and has saved at least once
    assert first.startswith("saved"), process.stderr.read()
    time.sleep(rng.uniform(0.0, 0.5))
    process.send_signal(signal.SIGKILL)
    rest, _ = process.communicate()
    lines = [first, *rest.splitlines()]
    assert not any(line.startswith("not saved") for line in lines), lines[-1]
    return [int(line.split()[1]) for line in lines if line.startswith("saved")]


def test_killing_the_tui_mid_edit_keeps_the_last_saved_draft(tmp_path, service):
    database = stored_client_database(tmp_path / "clients.db", service)
    (tmp_path / "clients").mkdir()
    with open_store(database) as store:
        text = store.history(CLIENT)[-1].case_toml
        store.save_draft(CLIENT, text, entered(service.parse_case(text)), trainer="t")
    closed = _closed(database)
    rng = random.Random(int(os.environ.get("CEXPERT_KILL_SEED", "0")) or None)
    for run in range(RUNS):
        reported = _run_until_killed(database, 1000 * (run + 1), rng)
        step = _draft_step(database)
        assert step in (reported[-1], reported[-1] + 1), (run, reported[-3:], step)
        assert _closed(database) == closed
