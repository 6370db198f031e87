"""The TUI editing a draft visit in a loop, for the kill test (tests/tui/test_draft_kill.py).

    python draft_loop.py KB DATABASE CLIENT_ID START

Runs the real app headless on the database, opens the client's draft visit and sets its
goals to "step N" (N = START, START+1, ...) as a trainer would type them, one change a
moment apart. It prints "saved N" once the draft in the database holds step N (as the app's
records thread reports it) and goes on until it is killed.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path


async def edit(kb: str, database: str, client_id: str, start: int) -> None:
    from cexpert.service import Service, load_kb
    from cexpert.tui.app import make_app

    loaded = load_kb([kb])
    app = make_app(Service(loaded.kb), clients_dir=Path(database).parent / "clients",
                   db=database)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        clients = app.records.call(lambda store: store.clients())
        client = next(c for c in clients if c.id == client_id)
        draft = app.records.call(lambda store: store.draft(client_id))
        app.open_draft(client, draft)
        await pilot.pause(0.3)
        step = start
        while True:
            app.consultation.set_goals_text(f"step {step}")
            app.consult_now()
            for _ in range(500):  # until the records thread has committed it
                await pilot.pause(0.01)
                if app.draft is not None and f'"step {step}"' in app.draft.saved:
                    break
            else:
                print(f"not saved {step}", flush=True)
                return
            print(f"saved {step}", flush=True)
            step += 1


if __name__ == "__main__":
    asyncio.run(edit(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
