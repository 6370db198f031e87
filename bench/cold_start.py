"""Cold start: a fresh interpreter importing the CLI, and `cexpert infer` end to end.

    uv run python bench/cold_start.py [--runs N]

Each command runs N times (default 5) in a new process; the median wall time is
reported. Commands use this environment's interpreter and `cexpert` script
directly (no `uv run` in the loop; its own overhead is shown on a separate line).
`python -c pass` is the floor: the interpreter alone. "KB cache off" runs set
CEXPERT_KB_CACHE=off (parse and check every time; the parser tables stay cached);
the others run once first so the knowledge-base cache is filled, as after any run.
Children run without PYTHONDONTWRITEBYTECODE (some shells set it): an installed
cexpert has its bytecode, and compiling every module again was 220 ms of a cold
`infer` here.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CEXPERT = str(Path(sys.executable).parent / "cexpert")
EXAMPLE = str(ROOT / "examples" / "runner.toml")

COMMANDS = {
    "python -c pass": [PYTHON, "-c", "pass"],
    "python -c 'import cexpert.cli'": [PYTHON, "-c", "import cexpert.cli"],
    "cexpert infer examples/runner.toml": [CEXPERT, "infer", EXAMPLE],
    "cexpert infer examples/runner.toml --format json": [CEXPERT, "infer", EXAMPLE, "--format",
                                                         "json"],
    "cexpert infer examples/runner.toml (KB cache off)": [CEXPERT, "infer", EXAMPLE],
    "cexpert check rules": [CEXPERT, "check", str(ROOT / "rules")],
    "cexpert check rules (KB cache off)": [CEXPERT, "check", str(ROOT / "rules")],
    "uv run cexpert infer examples/runner.toml": ["uv", "run", "--quiet", "cexpert", "infer",
                                                  EXAMPLE],
}


def wall(command: list[str], runs: int, env: dict | None = None) -> list[float]:
    return [w for w, _ in timed(command, runs, env)]


def timed(command: list[str], runs: int, env: dict | None = None
          ) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of each run; CPU is the child's user + system time, which a
    loaded machine inflates far less than the wall time."""
    env = {k: v for k, v in (env or os.environ).items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, timeout=120, env=env)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        times.append((elapsed, cpu))
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return times


def slowest_imports(count: int = 8) -> list[tuple[str, float]]:
    """The modules with the largest cumulative import time (python -X importtime)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([PYTHON, "-X", "importtime", "-c", "import cexpert.cli"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)
    found = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = (part.strip() for part in line[12:].split("|"))
        if not name.startswith(" "):
            found.append((name.strip(), int(cumulative) / 1e6))
    return sorted(found, key=lambda x: -x[1])[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    wall([PYTHON, "-c", "import cexpert.cli"], 1)  # warm the disk cache and .pyc files
    results = {}
    for label, command in COMMANDS.items():
        env = {**os.environ, "CEXPERT_KB_CACHE": "off"} if "cache off" in label else None
        if env is None:
            timed(command, 1)  # the knowledge-base cache filled, as after any earlier run
        runs = timed(command, args.runs, env)
        times, cpus = [w for w, _ in runs], [c for _, c in runs]
        results[label] = {"median_s": statistics.median(times), "min_s": min(times),
                          "max_s": max(times), "cpu_median_s": statistics.median(cpus)}
        print(f"{label:<50} median {statistics.median(times) * 1000:6.0f} ms "
              f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, n={args.runs}; "
              f"CPU {statistics.median(cpus) * 1000:.0f} ms)")
    print("\nlargest cumulative imports of `import cexpert.cli` (one run, -X importtime):")
    for name, seconds in slowest_imports():
        print(f"  {name:<40} {seconds * 1000:6.0f} ms")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
