"""A trainer's session for the crash tests, run as its own process: it edits the open
visit and saves it as a draft, again and again, closing a visit every few edits.

After every commit it prints what it committed (and flushes), so the parent knows the
last state that must survive a SIGKILL. Each edit's text is a function of its numbers,
so the parent can check a stored visit byte for byte.

    python editor_loop.py DB CLIENT_ID RESULT_JSON [--writer NAME --rounds N]
                          [--stall-after-close MARKER]

`--stall-after-close MARKER` creates the file MARKER once the first close has
committed and then waits before reporting it, so a test can kill the process in that
instant on purpose (the random kills hit it only rarely).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

from cexpert.store.database import open_store
from cexpert.store.records import StaleRecord, StoredResult

CLOSE_EVERY = 5


def draft_text(visit: int, edit: int) -> str:
    return f"# visit {visit}, edit {edit}\n[client]\nname = \"Kim\"\n"


def closed_text(visit: int) -> str:
    return draft_text(visit, CLOSE_EVERY)


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def edit_loop(db: str, client: str, result: StoredResult, stall: str | None = None) -> None:
    store = open_store(db)
    draft = store.draft(client)
    visit, edit = (draft.number, _edit_of(draft.case_toml)) if draft else (None, 0)
    while True:
        edit += 1
        if draft is None:
            visit_number = max([v.number for v in store.history(client)], default=0) + 1
            draft = store.save_draft(client, draft_text(visit_number, edit), "{}")
        else:
            draft = store.save_draft(client, draft_text(draft.number, edit), "{}",
                                     number=draft.number, expected_revision=draft.revision)
        visit = draft.number
        print(f"draft {visit} {edit} {draft.revision}", flush=True)
        if edit == CLOSE_EVERY:
            store.close_visit(client, visit, draft.revision, result)
            if stall is not None:  # committed, not yet reported: wait here to be killed
                Path(stall).touch()
                time.sleep(60)
            print(f"closed {visit}", flush=True)
            draft, edit = None, 0


def _edit_of(text: str) -> int:
    return int(text.split("edit ")[1].split("\n")[0])


def writer_loop(db: str, client: str, name: str, rounds: int) -> None:
    """Two of these share one draft: read it, add a line, save naming the revision read;
    a refused save (StaleRecord) reloads and tries again. Prints its tallies."""
    store = open_store(db)
    saved = refused = 0
    while saved < rounds:
        draft = store.draft(client)
        try:
            store.save_draft(client, draft.case_toml + f"# {name} {saved}\n", "{}",
                             number=draft.number, expected_revision=draft.revision)
            saved += 1
        except StaleRecord as error:
            assert "reload it, or keep yours as a new version" in str(error)
            refused += 1
    print(json.dumps({"saved": saved, "refused": refused}), flush=True)


if __name__ == "__main__":
    db, client, result_path = sys.argv[1:4]
    if "--writer" in sys.argv:
        writer_loop(db, client, sys.argv[sys.argv.index("--writer") + 1],
                    int(sys.argv[sys.argv.index("--rounds") + 1]))
    else:
        stall = (sys.argv[sys.argv.index("--stall-after-close") + 1]
                 if "--stall-after-close" in sys.argv else None)
        with open(result_path, encoding="utf-8") as f:
            edit_loop(db, client, StoredResult.of_json(json.load(f)), stall)
