"""The language server's re-check after a keystroke, on the shipped knowledge base.

    uv run python bench/lsp_recheck.py [--repeat 30]

What `cexpert lsp` does on each didChange: re-parse the changed document (the
others come from the parse cache), check the whole knowledge base, run the strict
lints, and sort the diagnostics by file. Measured per edited file: one edit that
keeps the file valid (a comment is typed) and one that introduces a name error.
The target is 100 ms; the load average is printed, since the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from cexpert.authoring.lints import lint
from cexpert.authoring.lsp import Workspace
from cexpert.language.check import check
from cexpert.language.load import content_hash
from cexpert.language.parse import parse_text
from cexpert.resources import rules_dir


def measure(repeat: int) -> None:
    folder = rules_dir()
    workspace = Workspace()
    files = sorted(str(p) for p in folder.glob("*.cex"))
    workspace.analyse(files[0])  # parse every file once, as opening the first document does
    print(f"load average {os.getloadavg()[0]:.1f}; {len(files)} files; {repeat} edits each")
    print(f"{'edited file':32} {'valid ms':>9} {'p95':>6} {'error ms':>9} {'p95':>6}")
    overall = []
    for path in files:
        original = workspace.text_of(path)
        valid, broken = [], []
        for n in range(repeat):
            workspace.overrides[path] = original + f"# typing {n}\n"
            start = time.perf_counter()
            workspace.analyse(path)
            valid.append((time.perf_counter() - start) * 1000)
            workspace.overrides[path] = original + f"heels rise → overactive soleuss{n}\n"
            start = time.perf_counter()
            workspace.analyse(path)
            broken.append((time.perf_counter() - start) * 1000)
        workspace.overrides[path] = original
        overall += valid
        print(f"{os.path.basename(path):32} {statistics.median(valid):9.1f} "
              f"{_p95(valid):6.1f} {statistics.median(broken):9.1f} {_p95(broken):6.1f}")
    print(f"all edits: median {statistics.median(overall):.1f} ms, p95 {_p95(overall):.1f} ms")
    _stages(files, repeat)


def _stages(files: list[str], repeat: int) -> None:
    """Where the time goes: the largest file's parse, the check, the lints."""
    texts = {p: Path(p).read_text(encoding="utf-8") for p in files}
    largest = max(files, key=lambda p: len(texts[p]))
    parsed = {p: parse_text(t, p)[0] for p, t in texts.items()}
    trees = list(parsed.values())
    times: dict[str, list[float]] = {"parse (largest file)": [], "check": [], "lints": []}
    for _ in range(repeat):
        start = time.perf_counter()
        parse_text(texts[largest], largest)
        times["parse (largest file)"].append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        kb, _ = check(trees, "bench", content_hash(trees, [rules_dir()]))
        times["check"].append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        lint(kb, trees)
        times["lints"].append((time.perf_counter() - start) * 1000)
    for stage, samples in times.items():
        print(f"  {stage:22} median {statistics.median(samples):6.1f} ms")


def _p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    measure(parser.parse_args().repeat)
