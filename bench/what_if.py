"""What-if on the shipped knowledge base: toggle one finding, compare (target 4 ms).

    uv run python bench/what_if.py [--case examples/runner.toml] [--rounds 5]

`Service.what_if` for every finding the case's assessments offer, in one warm
process, two ways: reusing the result already on screen (as the TUI's What if does
now: one consultation, of the toggled case) and consulting both cases (as it did
before). Medians over every toggle and round, CPU time beside wall time, with the
collector as it is and after `gc.freeze()` (what a TUI that froze its start-up heap
would see).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default=str(ROOT / "examples" / "runner.toml"))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from cexpert.service import Service

    service = Service.open()
    case = service.read_case(args.case)
    shown = service.consult(case)
    toggles = sorted({(o.assessment, o.finding, o.side) for o in case.observations})
    finding_kb = service.kb.of("finding")
    for finding_id, entry in list(finding_kb.items())[:20]:
        assessment = entry.one("in")
        if assessment:
            toggles.append((assessment, finding_id, "both"))
    toggles = sorted(set(toggles))

    def measure(reuse: bool) -> tuple[float, float]:
        walls, cpus = [], []
        for _ in range(args.rounds):
            for assessment, finding, side in toggles:
                wall, cpu = time.perf_counter(), time.process_time()
                service.what_if(case, assessment, finding, side, shown if reuse else None)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
        return statistics.median(walls) * 1000, statistics.median(cpus) * 1000

    measure(True)  # warm-up
    rows = []
    for label, reuse in (("reuse the shown result (now)", True),
                         ("consult both cases (before)", False)):
        rows.append((label, *measure(reuse)))
    gc.collect()
    gc.freeze()
    rows.append(("reuse, after gc.freeze()", *measure(True)))
    gc.unfreeze()
    print(f"shipped KB {service.kb.hash}, {len(service.kb.rules)} rules; case {args.case}; "
          f"{len(toggles)} toggles × {args.rounds} rounds; load average "
          f"{os.getloadavg()[0]:.1f}\n")
    print("| what-if | median ms | CPU ms | target ms |\n|---|---:|---:|---:|")
    for label, wall, cpu in rows:
        print(f"| {label} | {wall:.2f} | {cpu:.2f} | 4 |")


if __name__ == "__main__":
    main()
