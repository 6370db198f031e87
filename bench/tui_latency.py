"""TUI latency: start-up to the first interactive screen, and the update after a toggle.

    uv run python bench/tui_latency.py [--runs N] [--toggles N]

Start-up runs in a fresh interpreter each time (imports, knowledge base, app,
first screen with its conclusions), headless via `App.run_test` at 80x24.
The update is measured in one app: press Space on a finding and wait until the
new conclusions are on screen (this includes the 150 ms debounce; the engine
part alone is printed too). Medians of repeated runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "runner.toml"

STARTUP = r"""
import time
start = time.perf_counter()
import asyncio, json, sys
from cexpert.service import Service
from cexpert.tui.app import make_app
from cexpert.tui.screens.assess import AssessScreen

async def main():
    app = make_app(Service.open(), case_path=sys.argv[1], clients_dir=sys.argv[2])
    async with app.run_test(size=(80, 24)) as pilot:
        first_screen = screen_cpu = None
        while app.result is None or not isinstance(app.screen, AssessScreen):
            if first_screen is None and isinstance(app.screen, AssessScreen):
                first_screen = time.perf_counter() - start
                screen_cpu = time.process_time()
            await pilot.pause(0.005)
        await pilot.pause()
        done = time.perf_counter() - start
        cpu = time.process_time()
        print(json.dumps({"screen": first_screen or done, "result": done,
                          "screen_cpu": screen_cpu if first_screen else cpu,
                          "result_cpu": cpu}))

asyncio.run(main())
"""


def startup(runs: int, clients: Path) -> list[dict[str, float]]:
    out = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", STARTUP, str(EXAMPLE), str(clients)],
                              capture_output=True, text=True, timeout=120, cwd=ROOT)
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


async def updates(toggles: int, clients: Path) -> tuple[list[float], list[float]]:
    from cexpert.service import Service
    from cexpert.tui.app import make_app
    from cexpert.tui.widgets.findings import FindingList

    service = Service.open()
    app = make_app(service, case_path=EXAMPLE, clients_dir=clients)
    case = service.read_case(EXAMPLE)
    engine_times = []
    for _ in range(toggles):
        t = time.perf_counter()
        service.consult(case)
        engine_times.append(time.perf_counter() - t)
    times = []
    async with app.run_test(size=(80, 24)) as pilot:
        while app.result is None:
            await pilot.pause(0.01)
        await pilot.press("1")  # the first page, its first list focused
        await pilot.pause(0.3)
        assert isinstance(app.focused, FindingList)
        for _ in range(toggles):
            before = app.consults
            t = time.perf_counter()
            await pilot.press("space")
            while app.consults == before:
                await pilot.pause(0.002)
            await pilot.pause()  # the screen refreshed with the new result
            times.append(time.perf_counter() - t)
    return times, engine_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--toggles", type=int, default=20)
    args = parser.parse_args()
    clients = Path("/tmp/cexpert-bench-clients")
    clients.mkdir(exist_ok=True)
    starts = startup(args.runs, clients)
    ms = lambda xs: f"{statistics.median(xs) * 1000:.0f} ms"  # noqa: E731
    print(f"start-up, first interactive screen (median of {args.runs}): "
          f"{ms([s['screen'] for s in starts])}")
    print(f"start-up, first conclusions on screen (median of {args.runs}):  "
          f"{ms([s['result'] for s in starts])}")
    print(f"  CPU time of the process by then (interpreter start included): first screen "
          f"{ms([s['screen_cpu'] for s in starts])}, conclusions "
          f"{ms([s['result_cpu'] for s in starts])}")
    times, engine = asyncio.run(updates(args.toggles, clients))
    print(f"update after toggling a finding, incl. 150 ms debounce (median of "
          f"{args.toggles}): {ms(times)}  (min {min(times) * 1000:.0f}, "
          f"max {max(times) * 1000:.0f})")
    print(f"  of which the engine (one consultation, median): {ms(engine)}; beyond the "
          f"debounce: {statistics.median(times) * 1000 - 150:.0f} ms")


if __name__ == "__main__":
    main()
