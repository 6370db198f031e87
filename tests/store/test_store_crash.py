"""Never lose work: a session killed with SIGKILL at random moments, and two writers.

A subprocess edits and saves visits in a loop and is killed at a random moment, again
and again (20 times here; `CEXPERT_KILL_RUNS=200 uv run pytest
tests/store/test_store_crash.py` is the long run). After each kill the database passes
`PRAGMA integrity_check`, every visit it reported closed is intact byte for byte, and
the draft is the last state it reported committed (or the one after, committed in the
instant before the kill, never anything half-written).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from editor_loop import CLOSE_EVERY, closed_text, draft_text  # noqa: E402

RUNS = int(os.environ.get("CEXPERT_KILL_RUNS", 0)) or 20


@pytest.fixture
def session(db_path, store, new_client, visit_of, tmp_path):
    """(database path, client id, result file) for the editor processes."""
    client = new_client()
    _, _, result = visit_of()
    result_file = tmp_path / "result.json"
    result_file.write_text(result.result, encoding="utf-8")
    return str(db_path), client.id, str(result_file)


def editor(session, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(HERE / "editor_loop.py"), *session, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_until_killed(session, rng: random.Random) -> list[str]:
    """Start the editor, let it get going, SIGKILL it at a random moment: its lines."""
    process = editor(session)
    first = process.stdout.readline()  # started and committed at least once
    time.sleep(rng.uniform(0.0, 0.4))
    process.send_signal(signal.SIGKILL)
    rest, err = process.communicate()
    assert process.returncode == -signal.SIGKILL, err
    return [first, *rest.splitlines()]


def check(db: str, client: str, reported: list[str]) -> None:
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        closed = {int(line.split()[1]) for line in reported if line.startswith("closed")}
        stored = dict(c.execute("SELECT number, case_toml FROM visits WHERE client_id = ? "
                                "AND status = 'closed'", (client,)).fetchall())
        for number in closed:
            assert stored[number] == closed_text(number), f"closed visit {number}"
        with_result = {n for (n,) in c.execute(
            "SELECT v.number FROM visits v JOIN results r ON r.visit_id = v.id "
            "WHERE v.client_id = ?", (client,))}
        assert with_result == set(stored)  # closed ⇔ has its result: never half a close
        drafts = c.execute("SELECT number, case_toml, revision FROM visits WHERE "
                           "client_id = ? AND status = 'draft'", (client,)).fetchall()
    assert len(drafts) <= 1
    last = [line.split() for line in reported if line.startswith(("draft", "closed"))][-1]
    if drafts:
        number, text, revision = drafts[0]
        if last[0] == "draft":
            edit, reported_revision = int(last[2]), int(last[3])
            assert (number, text, revision) in {
                (int(last[1]), draft_text(int(last[1]), edit), reported_revision),
                (int(last[1]), draft_text(int(last[1]), edit + 1), reported_revision + 1)}
        else:  # closed, then killed just after the next visit's first draft committed
            assert (number, text) == (int(last[1]) + 1, draft_text(int(last[1]) + 1, 1))
    else:  # none open: the last thing committed closed one, reported or (killed between
        # the close's commit and its report) not yet: then the last report is the draft
        # at the closing edit, and that visit is closed with its result
        assert last[0] == "closed" or (last[0] == "draft" and int(last[2]) == CLOSE_EVERY
                                       and int(last[1]) in stored)


def test_a_session_killed_at_random_moments_loses_nothing_committed(session):
    rng = random.Random(12)
    everything: list[str] = []
    for _ in range(RUNS):
        lines = run_until_killed(session, rng)
        everything += lines
        check(session[0], session[1], everything)
    assert any(line.startswith("closed") for line in everything)


def test_a_kill_between_a_close_and_its_report_loses_nothing(session, tmp_path):
    """The instant the random kills rarely hit (and the check once got wrong): the close
    has committed, its "closed" line is not written yet."""
    marker = tmp_path / "closed-not-reported"
    process = editor(session, "--stall-after-close", str(marker))
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert time.monotonic() < deadline and process.poll() is None, "never closed"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    rest, _ = process.communicate()
    lines = rest.splitlines()
    assert lines[-1] == f"draft 1 {CLOSE_EVERY} {CLOSE_EVERY}"  # the close is unreported
    check(session[0], session[1], lines)


def test_two_writers_on_one_draft_lose_no_update(session, store):
    db, client, _ = session
    store.save_draft(client, "", "{}")
    rounds = 15
    writers = [editor(session, "--writer", name, "--rounds", str(rounds))
               for name in ("a", "b")]
    tallies = []
    for w in writers:
        out, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
        tallies.append(json.loads(out))
    text = store.draft(client).case_toml
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert sorted(line.split()[1] for line in text.splitlines()) == (
        ["a"] * rounds + ["b"] * rounds)  # every save that succeeded is in the last one
    assert store.draft(client).revision == 1 + 2 * rounds


def test_a_save_from_a_second_process_over_a_newer_revision_is_refused(session, store):
    db, client, _ = session
    draft = store.save_draft(client, "mine as I opened it", "{}")
    other = subprocess.run(
        [sys.executable, "-c",
         "import sys; from cexpert.store.database import open_store; s = open_store(sys.argv[1])"
         "; d = s.draft(sys.argv[2]); s.save_draft(sys.argv[2], 'theirs', '{}', "
         "number=d.number, expected_revision=d.revision)", db, client],
        capture_output=True, text=True, check=True)
    assert other.returncode == 0
    from cexpert.store.records import StaleRecord

    with pytest.raises(StaleRecord, match="reload it, or keep yours as a new version"):
        store.save_draft(client, "mine", "{}", number=draft.number,
                         expected_revision=draft.revision)
    assert store.draft(client).case_toml == "theirs"
