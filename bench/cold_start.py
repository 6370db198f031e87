"""Cold start: a fresh interpreter importing the CLI, and `cexpert infer` end to end.

    uv run python bench/cold_start.py [--runs N]

Each command runs N times (default 5) in a new process; the median wall time is
reported. Commands use this environment's interpreter and `cexpert` script
directly (no `uv run` in the loop; its own overhead is shown on a separate line).
`python -c pass` is the floor: the interpreter alone.
"""

from __future__ import annotations

import argparse
import json
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
    "uv run cexpert infer examples/runner.toml": ["uv", "run", "--quiet", "cexpert", "infer",
                                                  EXAMPLE],
}


def wall(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, timeout=120)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return times


def slowest_imports(count: int = 8) -> list[tuple[str, float]]:
    """The modules with the largest cumulative import time (python -X importtime)."""
    done = subprocess.run([PYTHON, "-X", "importtime", "-c", "import cexpert.cli"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
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
        times = wall(command, args.runs)
        results[label] = {"median_s": statistics.median(times), "min_s": min(times),
                          "max_s": max(times)}
        print(f"{label:<50} median {statistics.median(times) * 1000:6.0f} ms "
              f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, n={args.runs})")
    print("\nlargest cumulative imports of `import cexpert.cli` (one run, -X importtime):")
    for name, seconds in slowest_imports():
        print(f"  {name:<40} {seconds * 1000:6.0f} ms")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
