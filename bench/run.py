"""Benchmark the pipeline stage by stage on the shipped and on generated knowledge bases.

    uv run python bench/run.py [--sizes shipped,1k,10k,50k] [--repeat N] [--timeout-s 600]

For each size, one fresh interpreter (a subprocess, so sizes do not pollute each
other's memory or caches) measures:

  parse     parse_text over every file (Lark tables already loaded)
  check     check(): resolve names, stratify, usefulness → KnowledgeBase
  compile   Engine(kb): build the Experta engine (table rows become Row facts)
  case      parse_case() of the case file
  infer1    consult() on a freshly compiled engine: the first consultation
  infer2    consult() again on the same engine: the second and later consultations
  report    the consultation's document rendered as text, chains in the trainer's
            appendix (what `cexpert infer` prints after consulting; not in total)
  total     parse + check + compile + case + infer1: a cold consultation (as `cexpert
            infer`, minus interpreter start-up and imports; see bench/cold_start.py)
  peak RSS  ru_maxrss of that subprocess (includes the interpreter and imports; the RSS
            after imports is reported as the baseline)
  traced    tracemalloc peak of one load+compile+consult pass, in a second subprocess
            (tracemalloc slows allocation 2-4x, so it is kept out of the timings): the
            Python memory the pipeline itself allocates for this knowledge base

Every stage is repeated (--repeat, default 5) and the median reported; a stage
stops repeating once it has spent --stage-budget-s (then fewer runs, reported).
A size still running after --timeout-s is stopped and reported as "timed out",
with whatever stages it had finished: a finding, not a failure.

The latest run is written to bench/results.json and printed.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results.json"
STAGES = ("parse", "check", "compile", "case", "infer1", "infer2", "report", "total")
TOTAL_OF = ("parse", "check", "compile", "case", "infer1")
MARK = "BENCH "


# --- the worker: one size, in its own interpreter ---------------------------------------


def _emit(**event) -> None:
    print(MARK + json.dumps(event), flush=True)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _timed(name: str, repeat: int, budget: float, setup, action) -> object:
    """Run `action(setup())` up to `repeat` times; emit the times; return the last value."""
    times: list[float] = []
    value = None
    for _ in range(repeat):
        gc.collect()
        argument = setup() if setup else None
        start = time.perf_counter()
        value = action(argument)
        times.append(time.perf_counter() - start)
        if sum(times) > budget:
            break
    _emit(stage=name, times=times, median=statistics.median(times), rss_mb=_rss_mb())
    return value


def worker(spec: dict) -> None:
    if spec["mode"] == "traced":
        traced(spec)
    else:
        measure(spec)
    _emit(event="done")


def measure(spec: dict) -> None:
    """Time each stage, repeated; emit one event per stage as it completes."""
    start = time.perf_counter()
    from cexpert.engine.case import parse_case
    from cexpert.engine.compile import Engine
    from cexpert.engine.infer import consult
    from cexpert.language.check import check
    from cexpert.language.load import content_hash, rule_files
    from cexpert.language.parse import parse_text, parser
    from cexpert.present.consultation import consultation
    from cexpert.present.text import render_text

    _emit(event="imported", seconds=time.perf_counter() - start, rss_mb=_rss_mb())
    start = time.perf_counter()
    parser()
    _emit(event="grammar", seconds=time.perf_counter() - start, rss_mb=_rss_mb())

    roots = [Path(p) for p in spec["paths"]]
    files = [f for root in roots for f in rule_files(root) or ()]
    texts = [(str(f), f.read_text(encoding="utf-8")) for f in files]
    case_path = spec["case"]
    case_text = Path(case_path).read_text(encoding="utf-8")
    repeat, budget = spec["repeat"], spec["budget"]

    def parse(_):
        parsed = []
        for display, text in texts:
            tree, problems = parse_text(text, display)
            assert not problems, problems[:3]
            parsed.append(tree)
        return parsed

    parsed = _timed("parse", repeat, budget, None, parse)
    kb_hash = content_hash(parsed, roots)

    def run_check(_):
        kb, problems = check(parsed, spec["label"], kb_hash)
        assert kb is not None, [str(p) for p in problems if p.is_error][:3]
        return kb

    kb = _timed("check", repeat, budget, None, run_check)
    _emit(event="kb", rules=len(kb.rules), table_rows=sum(r.table_row for r in kb.rules),
          declarations=sum(len(v) for v in kb.entries.values()), files=len(texts),
          bytes=sum(len(t.encode()) for _, t in texts))
    _timed("compile", repeat, budget, None, lambda _: Engine(kb))
    case = _timed("case", repeat, budget, None, lambda _: parse_case(case_text, case_path, kb))
    engine_box: list = []

    def fresh_engine():
        engine_box.clear()
        gc.collect()
        engine_box.append(Engine(kb))
        return engine_box[0]

    result = _timed("infer1", repeat, budget, fresh_engine, lambda e: consult(kb, e, case))
    engine = engine_box[0]
    _timed("infer2", max(repeat, 5), budget, None, lambda _: consult(kb, engine, case))
    _timed("report", repeat, budget, None, lambda _: render_text(consultation(result, kb)))
    _emit(event="result", firings=result.firings, facts=len(result.facts),
          muscles=len(result.muscles), program=len(result.program),
          dysfunctions=len(result.dysfunctions))
    _emit(event="peak", rss_mb=_rss_mb())


def traced(spec: dict) -> None:
    """One load+compile+consult pass under tracemalloc, in its own process."""
    import tracemalloc

    from cexpert.engine.case import parse_case
    from cexpert.engine.compile import Engine
    from cexpert.engine.infer import consult
    from cexpert.language.load import load
    from cexpert.language.parse import parser

    parser()
    case_text = Path(spec["case"]).read_text(encoding="utf-8")
    gc.collect()
    tracemalloc.start()
    kb = load(spec["paths"], label=spec["label"]).kb
    consult(kb, Engine(kb), parse_case(case_text, spec["case"], kb))
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    _emit(event="traced", peak_mb=peak / 2**20, retained_mb=current / 2**20, rss_mb=_rss_mb())


# --- the driver ---------------------------------------------------------------------------


def run_size(label: str, paths: list[str], case: str, args) -> dict:
    spec = {"label": label, "paths": paths, "case": case, "repeat": args.repeat,
            "budget": args.stage_budget_s, "mode": "time"}
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    status, events, stderr = _subprocess(spec, args.timeout_s)
    out: dict = {"label": label, "status": status, "wall_s": time.perf_counter() - started,
                 "loadavg_1m": [load_before, os.getloadavg()[0]], "stages": {}}
    for event in events:
        if "stage" in event:
            out["stages"][event.pop("stage")] = event
        else:
            out[event.pop("event")] = event
    stages = out["stages"]
    if all(s in stages for s in TOTAL_OF):
        stages["total"] = {"median": sum(stages[s]["median"] for s in TOTAL_OF)}
    if status not in ("ok", "timed out"):
        out["stderr"] = stderr[-2000:]
    if not args.no_tracemalloc and status == "ok":
        started = time.perf_counter()
        status, events, stderr = _subprocess({**spec, "mode": "traced"}, args.timeout_s)
        traced = next((e for e in events if e.get("event") == "traced"), {})
        out["traced"] = {"status": status, "wall_s": time.perf_counter() - started,
                         **{k: v for k, v in traced.items() if k != "event"}}
    return out


def _subprocess(spec: dict, timeout: float) -> tuple[str, list[dict], str]:
    """Run a worker; return its status, the events it printed, and its stderr."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)]
    status = "ok"
    try:
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                              timeout=timeout)
        stdout, stderr = done.stdout, done.stderr
        if done.returncode != 0:
            status = f"failed (exit {done.returncode})"
    except subprocess.TimeoutExpired as expired:  # run() has killed the worker
        status = "timed out"
        stdout, stderr = _text(expired.stdout), _text(expired.stderr)
    events = [json.loads(line[len(MARK):]) for line in stdout.splitlines()
              if line.startswith(MARK)]
    return status, events, stderr


def _text(data) -> str:
    if data is None:
        return ""
    return data.decode(errors="replace") if isinstance(data, bytes) else data


def scaling(results: list[dict]) -> list[dict]:
    """time(b)/time(a) and the exponent k in time ~ n^k, for each pair of generated sizes."""
    generated = [r for r in results if r.get("rules_nominal")]
    out = []
    for i, a in enumerate(generated):
        for b in generated[i + 1:]:
            row = {"from": a["label"], "to": b["label"],
                   "size_ratio": b["rules_nominal"] / a["rules_nominal"], "stages": {}}
            for stage in STAGES:
                ta = a["stages"].get(stage, {}).get("median")
                tb = b["stages"].get(stage, {}).get("median")
                if ta and tb:
                    ratio = tb / ta
                    row["stages"][stage] = {
                        "ratio": ratio, "exponent": math.log(ratio) / math.log(row["size_ratio"])}
            for key, memory in (("peak_rss", ("peak", "rss_mb")),
                                ("traced", ("traced", "peak_mb"))):
                ma = a.get(memory[0], {}).get(memory[1])
                mb = b.get(memory[0], {}).get(memory[1])
                if ma and mb:
                    row["stages"][key] = {"ratio": mb / ma, "exponent": math.log(mb / ma)
                                          / math.log(row["size_ratio"])}
            out.append(row)
    return out


def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.0f}" if seconds >= 0.0995 else f"{seconds * 1000:.1f}"


def table(results: list[dict]) -> str:
    head = ["size", "rules", "status", *(f"{s} ms" for s in STAGES), "RSS MB", "base MB",
            "traced MB"]
    rows = [head]
    for r in results:
        runs = {len(s.get("times", [])) for s in r["stages"].values() if "times" in s}
        rows.append([
            r["label"], str(r.get("kb", {}).get("rules", r.get("rules_nominal", "?"))),
            r["status"] + (f" (n={min(runs)})" if runs and min(runs) < r["repeat"] else ""),
            *(_ms(r["stages"].get(s, {}).get("median")) for s in STAGES),
            f"{r['peak']['rss_mb']:.0f}" if "peak" in r else "-",
            f"{r['imported']['rss_mb']:.0f}" if "imported" in r else "-",
            _traced(r),
        ])
    return _grid(rows)


def _traced(result: dict) -> str:
    traced = result.get("traced")
    if not traced:
        return "-"
    return f"{traced['peak_mb']:.0f}" if "peak_mb" in traced else traced["status"]


def scaling_table(rows: list[dict]) -> str:
    keys = [*STAGES, "peak_rss", "traced"]
    grid = [["sizes", *keys]]
    for row in rows:
        grid.append([f"{row['from']}→{row['to']} (×{row['size_ratio']:g})", *(
            f"×{row['stages'][k]['ratio']:.1f} (n^{row['stages'][k]['exponent']:.2f})"
            if k in row["stages"] else "-" for k in keys)])
    return _grid(grid)


def _grid(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in
                       enumerate(zip(row, widths, strict=True))) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def machine() -> dict:
    from importlib.metadata import version

    return {
        "python": platform.python_version(), "platform": platform.platform(),
        "cpus": len(os.sched_getaffinity(0)),
        "lark": version("lark"), "experta": version("experta"),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="shipped,1k,10k,50k",
                        help="comma-separated: shipped and/or rule counts (300, 1k, 10k ...)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per stage (median)")
    parser.add_argument("--timeout-s", type=float, default=600, help="per size")
    parser.add_argument("--stage-budget-s", type=float, default=60,
                        help="stop repeating a stage after this much time in it")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rules-per-file", type=int, default=1000)
    parser.add_argument("--no-tracemalloc", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(json.loads(args.worker))
        return

    from generate import generate, parse_size

    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="cexpert-bench-") as tmp:
        for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            if size == "shipped":
                label, paths, case = "shipped", [str(ROOT / "rules")], str(
                    ROOT / "examples" / "runner.toml")
                generated = None
            else:
                n = parse_size(size)
                start = time.perf_counter()
                made = generate(n, Path(tmp) / size, args.seed, rules_per_file=args.rules_per_file)
                generated = {"seconds": time.perf_counter() - start, "table_rows":
                             made.table_rows, "rich_rules": made.rich_rules,
                             "findings": made.findings, "muscles": made.muscles,
                             "exercises": made.exercises, "files": made.files,
                             "bytes": made.bytes, "rich_kinds": made.counts}
                label, paths, case = size, [str(made.root)], str(made.case)
            print(f"[{label}] running (timeout {args.timeout_s:g} s) ...", file=sys.stderr,
                  flush=True)
            result = run_size(label, paths, case, args)
            result["repeat"] = args.repeat
            if generated:
                result["rules_nominal"] = parse_size(size)
                result["generated"] = generated
            print(f"[{label}] {result['status']} in {result['wall_s']:.0f} s", file=sys.stderr,
                  flush=True)
            results.append(result)
    report = {"machine": machine(), "args": {"sizes": args.sizes, "repeat": args.repeat,
                                             "timeout_s": args.timeout_s,
                                             "stage_budget_s": args.stage_budget_s,
                                             "seed": args.seed,
                                             "rules_per_file": args.rules_per_file},
              "results": results, "scaling": scaling(results)}
    args.output.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"Medians (ms) of up to {args.repeat} runs; {report['machine']['cpus']} CPUs, "
          f"Python {report['machine']['python']}\n")
    print(table(results))
    if report["scaling"]:
        print("\nGrowth with size: time(b)/time(a), and k in time ~ rules^k\n")
        print(scaling_table(report["scaling"]))
    for r in results:
        if "result" in r:
            c = r["result"]
            print(f"\n{r['label']}: {c['firings']} firings, {c['facts']} facts, "
                  f"{c['muscles']} muscles, {c['program']} program items", end="")
    print(f"\n\nwritten: {args.output}")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
