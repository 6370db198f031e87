"""Benchmark the client database: open + list 1,000 clients with 20 visits each, and one
client's history, in a warm process (targets: ≤ 50 ms and ≤ 20 ms).

    uv run python bench/store.py [--clients 1000] [--visits 20] [--db PATH] [--repeat 20]

The database is built once (a bulk insert, not measured) with real consultation results
of the shipped examples, so each visit row carries a full JSON contract (14-41 kB), as a
real one does. `--db` keeps and reuses it (built only if absent); without it a temporary
file is used and removed. Medians of --repeat runs after one warm-up.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def results() -> list[tuple[str, str, object]]:
    """(case TOML, entered JSON, StoredResult) of each shipped example."""
    from cexpert.service import Service
    from cexpert.store.records import StoredResult, entered

    service = Service.open()
    out = []
    for path in sorted((ROOT / "examples").glob("*.toml")):
        case = service.read_case(path)
        out.append((path.read_text(encoding="utf-8"), entered(case),
                    StoredResult.of_json(service.consult(case).as_json())))
    return out


def build(path: Path, clients: int, visits: int) -> None:
    from cexpert.store.database import open_store
    from cexpert.store.records import ClientDetails
    from cexpert.store.repository import _details_row, new_client_id, now
    from cexpert.store.schema import clients as clients_table
    from cexpert.store.schema import results as results_table
    from cexpert.store.schema import visits as visits_table

    samples = results()
    rng = random.Random(7)
    stamp = now()
    with open_store(str(path)) as store, store.engine.begin() as c:
        client_rows, visit_rows, result_rows = [], [], []
        visit_id = 0
        for i in range(clients):
            ident = new_client_id()
            client_rows.append({"id": ident, **_details_row(ClientDetails(f"Client {i:04d}",
                                                                         20 + i % 60)),
                                "version": 1, "created_at": stamp, "updated_at": stamp,
                                "owner": ""})
            for n in range(1, visits + 1):
                visit_id += 1
                toml, entered, result = rng.choice(samples)
                visit_rows.append({"id": visit_id, "client_id": ident, "number": n,
                                   "version": 1, "status": "closed", "revision": 2,
                                   "date": f"{2020 + n // 12}-{n % 12 + 1:02d}-01",
                                   "trainer": "bench", "case_toml": toml, "entered": entered,
                                   "created_at": stamp})
                result_rows.append({"visit_id": visit_id, **vars(result)})
        c.execute(clients_table.insert(), client_rows)
        c.execute(visits_table.insert(), visit_rows)
        c.execute(results_table.insert(), result_rows)


def median_ms(work, repeat: int) -> tuple[float, float]:
    """(wall, CPU) medians in ms: on a shared, loaded machine the CPU time is the steadier
    figure (the wall time includes waiting for a core)."""
    work()  # warm-up
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--visits", type=int, default=20)
    parser.add_argument("--db", help="keep the built database here (reused if present)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    folder = None
    if args.db:
        path = Path(args.db)
    else:
        folder = tempfile.TemporaryDirectory(prefix="cexpert-bench-")
        path = Path(folder.name) / "clients.db"
    if not path.exists():
        start = time.perf_counter()
        build(path, args.clients, args.visits)
        print(f"built {args.clients} clients × {args.visits} visits in "
              f"{time.perf_counter() - start:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")

    from cexpert.store.database import open_store

    def open_and_list():
        with open_store(str(path)) as store:
            assert len(store.clients()) == args.clients

    with open_store(str(path)) as store:
        ids = [c.id for c in store.clients()]
        rng = random.Random(3)

        def history():
            assert len(store.history(rng.choice(ids))) == args.visits

        list_ms = median_ms(lambda: store.clients(), args.repeat)
        open_list_ms = median_ms(open_and_list, args.repeat)
        history_ms = median_ms(history, args.repeat)
    print(f"load average {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}")
    print("| measure | median ms | CPU ms | target ms |\n|---|---:|---:|---:|")
    for label, (wall, cpu), target in (
            (f"open + list {args.clients} clients", open_list_ms, "50"),
            ("list (store already open)", list_ms, ""),
            (f"one client's history ({args.visits} visits)", history_ms, "20")):
        print(f"| {label} | {wall:.1f} | {cpu:.1f} | {target} |")
    if folder is not None:
        folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
