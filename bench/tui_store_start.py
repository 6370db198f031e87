"""TUI start-up with and without the client database: time to the first screen (the
client picker) and, with a database, until its clients are listed.

    uv run python bench/tui_store_start.py [--clients 200] [--repeat 5]

Each run is a fresh interpreter (SQLAlchemy and Alembic are imported by the records
thread, not before the first screen: that is what is measured), headless
(`App.run_test`), on the shipped knowledge base, medians of --repeat.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import asyncio, json, sys, time
t0 = time.perf_counter()
from cexpert.service import Service
from cexpert.tui.app import make_app
from cexpert.tui.screens.clients import ClientsScreen

db = sys.argv[1] or None
service = Service.open()
app = make_app(service, clients_dir="clients", db=db)

async def main():
    out = {}
    async with app.run_test(size=(100, 30)) as pilot:
        while not (isinstance(app.screen, ClientsScreen) and app.screen.is_mounted):
            await asyncio.sleep(0.001)
        out["first_screen_ms"] = (time.perf_counter() - t0) * 1000
        out["sqlalchemy_before_first_screen"] = "sqlalchemy" in sys.modules
        if db:
            while app.screen.stored is None and app.screen.stored_problem is None:
                await asyncio.sleep(0.001)
            out["clients_listed_ms"] = (time.perf_counter() - t0) * 1000
            out["clients"] = len(app.screen.stored or [])
    print(json.dumps(out))

asyncio.run(main())
"""


def build(path: Path, clients: int) -> None:
    from cexpert.service import Service
    from cexpert.store.database import open_store
    from cexpert.store.records import ClientDetails, StoredResult, entered

    service = Service.open()
    text = (ROOT / "examples" / sorted(p.name for p in (ROOT / "examples").glob("*.toml"))[0]
            ).read_text(encoding="utf-8")
    case = service.parse_case(text, "case.toml")
    result = StoredResult.of_json(service.consult(case).as_json())
    with open_store(str(path)) as store:
        for n in range(clients):
            details = ClientDetails(f"Client {n:04d}", 30 + n % 40)
            store.import_visit(None, details, text, entered(case), result, date="2026-01-05")


def run(db: str, repeat: int) -> list[dict]:
    runs = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", CHILD, db], capture_output=True,
                              text=True, check=True, cwd=tempfile.gettempdir())
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "clients.db"
        build(db, args.clients)
        for label, given in (("without the store", ""), ("with the store", str(db))):
            runs = run(given, args.repeat)
            first = statistics.median(r["first_screen_ms"] for r in runs)
            line = f"{label:<18} first screen {first:7.0f} ms"
            if given:
                listed = statistics.median(r["clients_listed_ms"] for r in runs)
                line += f"   {runs[0]['clients']} clients listed {listed:7.0f} ms"
            early = sum(r["sqlalchemy_before_first_screen"] for r in runs)
            line += f"   (SQLAlchemy loaded before the first screen in {early}/{len(runs)})"
            print(line)


if __name__ == "__main__":
    main()
