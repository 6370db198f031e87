"""TUI latency: start-up to the first interactive screen, and the update after a toggle.

    uv run python bench/tui_latency.py [--runs N] [--toggles N]

Start-up runs in a fresh interpreter each time (imports, knowledge base, app,
first screen with its conclusions), headless via `App.run_test` at 80x24.
The update is measured in one app: press Space on a finding and wait until the
new conclusions are on screen (this includes the 150 ms debounce; the engine
part alone is printed too). Medians of repeated runs.

What is timed is what a trainer sees: the frames the app paints. Headless, Textual
composes each frame but writes nothing; here each frame is also encoded as a
terminal would be sent it (`render_segments`), and its time kept. The first
interactive screen is the first frame of Assess with the focus in an entry and the
keys in the footer; the conclusions, the first such frame that shows them. After a
toggle, the update is the last frame painted once the new result arrived (the screen
settled: a second layout pass counts). The earlier measure, until `Pilot.pause()`
finds the app idle (it sleeps 20 ms at least to tell), is printed beside it as "until
idle". The polling here sleeps rather than `Pilot.pause()`, which repaints the screen
itself and would paint sooner than the app does. Children run without
PYTHONDONTWRITEBYTECODE, as in `cold_start.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
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
from cexpert.tui.widgets.footer import KeysFooter
from textual.app import App

frames = []  # (wall, cpu, interactive, conclusions shown)
display = App._display

def painted(app, screen, renderable):
    display(app, screen, renderable)
    if renderable is None or app._batch_count:
        return
    renderable.render_segments(app.console)  # what a terminal would be sent
    interactive = (isinstance(screen, AssessScreen) and screen.focused is not None
                   and bool(screen.query_one(KeysFooter).children))
    shown = interactive and screen._seen_result is not None
    frames.append((time.perf_counter() - start, time.process_time(), interactive, shown))

App._display = painted

async def main():
    app = make_app(Service.open(), case_path=sys.argv[1], clients_dir=sys.argv[2])
    async with app.run_test(size=(80, 24)) as pilot:
        while app.result is None or not isinstance(app.screen, AssessScreen):
            await asyncio.sleep(0.005)  # not pilot.pause: it repaints the screen itself
        await pilot.pause()
        idle, idle_cpu = time.perf_counter() - start, time.process_time()
    screen = next(f for f in frames if f[2])
    shown = next(f for f in frames if f[3])
    print(json.dumps({"screen": screen[0], "screen_cpu": screen[1], "result": shown[0],
                      "result_cpu": shown[1], "idle": idle, "idle_cpu": idle_cpu}))

asyncio.run(main())
"""


def child_env() -> dict[str, str]:
    """The environment without PYTHONDONTWRITEBYTECODE: an installed cexpert has its
    bytecode (a venv without it compiles every module again at each start)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def startup(runs: int, clients: Path) -> list[dict[str, float]]:
    out = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", STARTUP, str(EXAMPLE), str(clients)],
                              capture_output=True, text=True, timeout=120, cwd=ROOT,
                              env=child_env())
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return out


async def updates(toggles: int, clients: Path) -> dict[str, list[float]]:
    from textual.app import App

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
    frames: list[tuple[float, int]] = []  # (when, results delivered by then)
    display = App._display

    def painted(self, screen, renderable) -> None:
        display(self, screen, renderable)
        if renderable is not None and not self._batch_count:
            renderable.render_segments(self.console)
            frames.append((time.perf_counter(), self.consults))

    App._display = painted  # type: ignore[method-assign]
    out: dict[str, list[float]] = {"first": [], "settled": [], "idle": [],
                                   "engine": engine_times}
    try:
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
                    await asyncio.sleep(0.002)  # not pilot.pause (see above)
                await pilot.pause()  # the screen refreshed with the new result
                out["idle"].append(time.perf_counter() - t)
                after = [when for when, consults in frames if consults > before]
                out["first"].append(after[0] - t)
                out["settled"].append(after[-1] - t)
                await pilot.pause(0.05)
    finally:
        App._display = display  # type: ignore[method-assign]
    return out


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
          f"{ms([s['screen'] for s in starts])} (CPU {ms([s['screen_cpu'] for s in starts])})")
    print(f"start-up, first conclusions on screen (median of {args.runs}):  "
          f"{ms([s['result'] for s in starts])} (CPU {ms([s['result_cpu'] for s in starts])})")
    print(f"  until idle, as measured before: {ms([s['idle'] for s in starts])} "
          f"(CPU {ms([s['idle_cpu'] for s in starts])}); CPU includes the interpreter's start")
    got = asyncio.run(updates(args.toggles, clients))
    settled = got["settled"]
    print(f"update after toggling a finding, incl. 150 ms debounce (median of "
          f"{args.toggles}): {ms(settled)}  (min {min(settled) * 1000:.0f}, "
          f"max {max(settled) * 1000:.0f}); beyond the debounce: "
          f"{statistics.median(settled) * 1000 - 150:.0f} ms")
    print(f"  first frame with the new result {ms(got['first'])}; until idle, as measured "
          f"before: {ms(got['idle'])} (beyond the debounce "
          f"{statistics.median(got['idle']) * 1000 - 150:.0f} ms)")
    print(f"  of which the engine (one consultation, median): {ms(got['engine'])}")


if __name__ == "__main__":
    main()
