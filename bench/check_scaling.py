"""Check time against file size: one generated knowledge base in ONE `.cex` file.

    uv run python bench/check_scaling.py [--sizes 1k,5k,10k,45k] [--errors]

`check` must be linear in the size of a file (issue 10): each size is generated
with `generate.py`, its files concatenated into a single `all.cex`, then parsed
and checked in a fresh interpreter. With `--errors` every 10th rule also gets an
unknown name, so each size renders as many diagnostics as it has broken rules
(the `_excerpt` path). Prints seconds per stage, microseconds per rule, and the
exponent k (time ∝ rules^k) between sizes: k ≈ 1 is linear.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate, parse_size


def single_file(n: int, folder: Path, errors: bool) -> Path:
    """The generated knowledge base of `n` rules as one file (settings first)."""
    made = generate(n, folder / "parts", 1, 0.10, 10**9)
    parts = sorted((folder / "parts").glob("*.cex"))
    text = "".join(p.read_text(encoding="utf-8") for p in parts)
    if errors:
        lines = text.split("\n")
        rules = [i for i, line in enumerate(lines) if "→" in line]
        for i in rules[::10]:
            lines[i] = lines[i].replace("→ overactive", "→ overactive no_such_muscle,", 1)
        text = "\n".join(lines)
    out = folder / "all.cex"
    out.write_text(text, encoding="utf-8")
    del made
    return out


def worker(path: str) -> None:
    """Time parse, check and rendering of one file; print one JSON line."""
    from cexpert.language.check import check
    from cexpert.language.diagnostics import render_text
    from cexpert.language.kb_cache import paused_collector
    from cexpert.language.load import content_hash
    from cexpert.language.parse import parse_text, parser

    parser()
    text = Path(path).read_text(encoding="utf-8")
    start = time.perf_counter()
    with paused_collector():  # as `load` parses and checks: the trees are all kept
        tree, problems = parse_text(text, path)
        parsed = time.perf_counter()
        kb, found = check([tree], path, content_hash([tree], [Path(path)]))
        checked = time.perf_counter()
    rendered = render_text([*problems, *found], {path: tree.source})
    done = time.perf_counter()
    print(json.dumps({
        "bytes": len(text.encode()), "rules": text.count("→") + text.count("\nrule "),
        "parse_s": parsed - start, "check_s": checked - parsed, "render_s": done - checked,
        "diagnostics": len(problems) + len(found), "ok": kb is not None,
        "rendered_bytes": len(rendered),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,5k,10k,45k")
    parser.add_argument("--errors", action="store_true", help="a broken name in 1 rule of 10")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    rows = []
    for size in args.sizes.split(","):
        with tempfile.TemporaryDirectory(prefix="cexpert-check-") as folder:
            path = single_file(parse_size(size), Path(folder), args.errors)
            done = subprocess.run([sys.executable, __file__, "--worker", str(path)],
                                  capture_output=True, text=True, check=True)
            row = json.loads(done.stdout.strip().splitlines()[-1])
            row["size"] = size
            rows.append(row)
            print(f"{size:>5}: {row['bytes'] / 1e6:5.1f} MB, parse {row['parse_s']:7.2f} s, "
                  f"check {row['check_s']:6.2f} s, render {row['render_s']:6.2f} s "
                  f"({row['diagnostics']} diagnostics), "
                  f"check {row['check_s'] / row['rules'] * 1e6:6.1f} µs/rule, "
                  f"peak {row['peak_rss_mb']:.0f} MB", flush=True)
    for small, large in itertools.pairwise(rows):
        for stage in ("parse_s", "check_s", "render_s"):
            if small[stage] > 0.01 and large[stage] > 0:
                k = math.log(large[stage] / small[stage]) / math.log(large["rules"] /
                                                                     small["rules"])
                print(f"{small['size']}→{large['size']} {stage[:-2]}: k = {k:.2f}")
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
