"""What recording the agenda costs, and that an ordinary consultation pays nothing.

    uv run python bench/agenda.py [--rounds N] [--against /work/main]

Times `Service.consult` on every shipped example, interleaved, median of N rounds:
`plain` (an ordinary consultation), `recorded` (record=True, as trace --show and the
TUI's Replay ask). With `--against DIR`, the same plain consultations are timed in a
checkout without agenda recording (e.g. main before it landed) in a subprocess, so
the two plain columns compare the engine with and without the recording hook.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TIMER = """
import json, statistics, sys, time
from pathlib import Path
from cexpert.service import Service
root, rounds, record = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
service = Service.open()
cases = {p.stem: service.read_case(p) for p in sorted((root / "examples").glob("*.toml"))}
samples = {name: [] for name in cases}
for name, case in cases.items():
    service.consult(case)  # warm: the engine is built once per service
for _ in range(rounds):
    for name, case in cases.items():
        start = time.perf_counter()
        service.consult(case, record=True) if record else service.consult(case)
        samples[name].append(time.perf_counter() - start)
print(json.dumps({n: statistics.median(s) * 1000 for n, s in samples.items()}))
"""


def timed(root: Path, rounds: int, record: bool) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", TIMER, str(root), str(rounds),
                           "1" if record else "0"], capture_output=True, text=True,
                          cwd=root, env={"PYTHONPATH": str(root / "src"),
                                         "PATH": "/usr/bin:/bin"}, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--against", type=Path, help="a checkout without agenda recording")
    args = parser.parse_args()
    plain = timed(ROOT, args.rounds, False)
    recorded = timed(ROOT, args.rounds, True)
    other = timed(args.against, args.rounds, False) if args.against else None
    head = "| example | plain ms | recorded ms | recorded/plain |"
    head += " without hook ms |" if other else ""
    print(head)
    print("|---|---:|---:|---:|" + ("---:|" if other else ""))
    for name in plain:
        row = (f"| {name} | {plain[name]:.2f} | {recorded[name]:.2f} | "
               f"{recorded[name] / plain[name]:.2f} |")
        row += f" {other[name]:.2f} |" if other else ""
        print(row)


if __name__ == "__main__":
    main()
