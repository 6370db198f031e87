"""cexpert side by side with CLIPS on the same generated knowledge bases.

    uv run --group bench python bench/versus_clips.py [--sizes 1k,10k,50k] [--repeat 5]

clipspy is a bench-only dependency (`[dependency-groups] bench`; `uv run pytest`
does not install it). For each size, `generate.py` writes the knowledge base and
its case; this script translates the *checked* rules into CLIPS defrules with the
same semantics (one defrule per rule, table rows included; `or` as CLIPS's `or`;
`not` as `not`; a stratum as a salience band, so negation sees a finished lower
stratum as cexpert's strategy guarantees; every derived fact carries a fresh
number, so each derivation is its own fact as in cexpert's fact book) and then
measures, each side in its own interpreter:

  consult     cexpert: `consult()` on a compiled engine (the whole consultation: facts
              in, chaining, program); CLIPS: reset, assert the case, run, read the
              facts back. Medians of --repeat after one warm-up, with the collector as
              it is and after `gc.freeze()` (cexpert only; CLIPS allocates in C).
  load        uncached: cexpert parse + check + compile (`load()` + `Engine()`, no
              knowledge-base cache); CLIPS `(load)` of the translated .clp (its parse
              and Rete build). cexpert measured with the collector on and off.
  cached      cexpert parse + check answered by the knowledge-base cache (when the
              checkout has one; the Experta compile cannot be cached without executing
              code, so it is not included) against CLIPS's `bload` of a `bsave`d image;
              also with the collector off while timed, as `cexpert infer` loads (it
              pauses the collector around loading, then freezes what it built).
  peak RSS    ru_maxrss of a separate process that loads once and consults once; the
              RSS after imports (the interpreter, cexpert's modules or clipspy) is
              shown beside it as the base.

The derived facts must agree at every size: the multiset of (rule, kind, what) over
every fact a rule concluded, cexpert's fact book against CLIPS's fact list. A
disagreement is printed and the script exits 1.
"""

from __future__ import annotations

import argparse
import collections
import gc
import inspect
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MARK = "BENCH "
sys.path.insert(0, str(HERE))


def _emit(**event) -> None:
    print(MARK + json.dumps(event), flush=True)


def _rss_mb() -> float:
    """This process's peak RSS (VmHWM: ru_maxrss would include the parent's, kept over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median(action, repeat: int, budget: float, setup=None, gc_mode: str = "on") -> dict:
    """Median seconds of `action(setup())`; gc 'on' (as is), 'off' (disabled while timed)."""
    times, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        argument = setup() if setup else None
        if gc_mode == "off":
            gc.disable()
        start, cpu = time.perf_counter(), time.process_time()
        action(argument)
        cpus.append(time.process_time() - cpu)
        times.append(time.perf_counter() - start)
        gc.enable()
        if sum(times) > budget:
            break
    # the table reads CPU time: on a shared machine the wall time is mostly waiting
    return {"median": statistics.median(cpus), "wall_median": statistics.median(times),
            "times": times, "cpus": cpus}


# --- the translation into CLIPS -----------------------------------------------------------


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _what(kind: str, data) -> str:
    """The identity of a conclusion, the same on both sides."""
    if kind in ("overactive", "underactive"):
        return data["muscle"]
    if kind == "dysfunction":
        return data["dysfunction"]
    if kind == "prescribe":
        return data["exercise"]
    if kind == "note":
        return data["text"]
    if kind in ("exclude", "exclusion"):
        return data["reason"]
    raise ValueError(f"the CLIPS translation does not cover a {kind!r} conclusion")


FACT_KIND = {"exclude": "exclusion"}


def _ce(cond) -> str:
    """A cexpert condition as one CLIPS conditional element."""
    from cexpert.language.knowledge import AllOf, AnyOf, Atom, NoneOf

    if isinstance(cond, Atom):
        if cond.operator is not None or cond.scope is not None or cond.by or cond.id is None:
            raise ValueError(f"the CLIPS translation does not cover {cond}")
        return f"(w (kind {cond.kind}) (id {_string(cond.id)}))"
    if isinstance(cond, NoneOf):
        return f"(not {_ce(cond.operand)})"
    if isinstance(cond, AllOf):
        return "(and " + " ".join(_ce(o) for o in cond.operands) + ")"
    if isinstance(cond, AnyOf):
        # cexpert fires an `or` once for the same facts in two branches: drop repeats
        branches = list(dict.fromkeys(_ce(o) for o in cond.operands))
        return branches[0] if len(branches) == 1 else "(or " + " ".join(branches) + ")"
    raise TypeError(cond)


def translate(kb) -> str:
    """The checked knowledge base as CLIPS source."""
    out = ["(deftemplate w (slot kind) (slot id) (slot rule) (slot n))"]
    for index, rule in enumerate(kb.rules):
        asserts = []
        for conclusion in rule.conclusions:
            kind = FACT_KIND.get(conclusion.kind, conclusion.kind)
            asserts.append(f"(assert (w (kind {kind}) (id {_string(_what(kind, conclusion.data))})"
                           f" (rule {_string(rule.id)}) (n (gensym*))))")
        salience = rule.salience - 100 * rule.stratum
        out.append(f"(defrule r{index} (declare (salience {salience})) {_ce(rule.condition)}\n"
                   f"  => {' '.join(asserts)})")
    return "\n".join(out) + "\n"


def case_facts(case_path: str) -> list[str]:
    """The generated case as CLIPS facts: the client, its conditions, its findings."""
    data = tomllib.loads(Path(case_path).read_text(encoding="utf-8"))
    facts = ['(w (kind client) (id "client"))']
    facts += [f"(w (kind condition) (id {_string(c)}))" for c in data["client"]["conditions"]]
    facts += [f"(w (kind finding) (id {_string(f)}))"
              for items in data["assessment"].values() for f in items]
    return facts


# --- the workers --------------------------------------------------------------------------


def _derived_cexpert(result) -> list:
    return sorted(collections.Counter(
        (f.rule, f.kind, _what(f.kind, f.data)) for f in result.facts.values()
        if f.origin == "rule").items())


def _cexpert_load(paths, cache: bool | None):
    from cexpert.language.load import load

    if cache is not None and "cache" in inspect.signature(load).parameters:
        return load(paths, label="bench", cache=cache)
    return load(paths, label="bench")


def _has_cache() -> bool:
    from cexpert.language.load import load

    return "cache" in inspect.signature(load).parameters


def worker_cexpert(spec: dict) -> None:
    started = time.perf_counter()
    from cexpert.engine.case import parse_case
    from cexpert.engine.compile import Engine
    from cexpert.engine.infer import consult
    from cexpert.language.parse import parser

    parser()
    _emit(event="imported", seconds=time.perf_counter() - started, rss_mb=_rss_mb())
    paths, repeat, budget = spec["paths"], spec["repeat"], spec["budget"]
    case_text = Path(spec["case"]).read_text(encoding="utf-8")

    def load_compile(_):
        loaded = _cexpert_load(paths, cache=False)
        assert loaded.kb is not None, [str(d) for d in loaded.diagnostics if d.is_error][:3]
        return Engine(loaded.kb)

    if spec["memory"]:
        kb = _cexpert_load(paths, cache=False).kb
        consult(kb, Engine(kb), parse_case(case_text, spec["case"], kb))
        _emit(event="memory", rss_mb=_rss_mb())
        return
    _emit(stage="load", **_median(load_compile, spec["load_repeat"], budget))
    _emit(stage="load_gc_off", **_median(load_compile, spec["load_repeat"], budget,
                                         gc_mode="off"))
    if _has_cache():
        _cexpert_load(paths, cache=True)  # fill it

        def cached(_):
            loaded = _cexpert_load(paths, cache=True)
            assert loaded.kb is not None

        _emit(stage="cached", **_median(cached, repeat, budget))
        # as `cexpert infer` loads: the collector paused around it (then frozen), so the
        # pass it makes over the unpickled objects when it resumes is not the load's
        _emit(stage="cached_gc_off", **_median(cached, repeat, budget, gc_mode="off"))
    kb = _cexpert_load(paths, cache=False).kb
    engine = Engine(kb)
    case = parse_case(case_text, spec["case"], kb)
    result = consult(kb, engine, case)  # warm-up
    _emit(event="derived", facts=_derived_cexpert(result), firings=result.firings)
    _emit(stage="consult", **_median(lambda _: consult(kb, engine, case), repeat, budget))
    gc.collect()
    gc.freeze()
    _emit(stage="consult_frozen", **_median(lambda _: consult(kb, engine, case), repeat,
                                            budget))
    gc.unfreeze()
    _emit(event="kb", hash=kb.hash, rules=len(kb.rules))


def worker_clips(spec: dict) -> None:
    started = time.perf_counter()
    import clips

    _emit(event="imported", seconds=time.perf_counter() - started, rss_mb=_rss_mb())
    clp, image = spec["clp"], spec["image"]
    facts = case_facts(spec["case"])
    repeat, budget = spec["repeat"], spec["budget"]
    env = clips.Environment()

    def consult(_):
        env.reset()
        for fact in facts:
            env.assert_string(fact)
        env.run()
        return [(str(f["rule"]), str(f["kind"]), str(f["id"])) for f in env.facts()
                if f.template.name == "w" and str(f["rule"]) != "nil"]

    if spec["memory"]:
        env.load(clp)
        consult(None)
        _emit(event="memory", rss_mb=_rss_mb())
        return

    def load(_):
        env.clear()
        env.load(clp)

    _emit(stage="load", **_median(load, spec["load_repeat"], budget))
    env.save(image, binary=True)

    def bload(_):
        env.clear()
        env.load(image, binary=True)

    _emit(stage="cached", **_median(bload, repeat, budget))
    env.clear()
    env.load(clp)
    derived = consult(None)
    _emit(event="derived", facts=sorted(collections.Counter(derived).items()))
    _emit(stage="consult", **_median(consult, repeat, budget))


def _run(spec: dict, timeout: float, python: str | None = None) -> dict:
    command = [python or sys.executable, str(Path(__file__).resolve()), "--worker",
               json.dumps(spec)]
    try:
        done = subprocess.run(command, capture_output=True, text=True,
                              cwd=spec.get("root", ROOT), timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": "timed out"}
    out: dict = {"status": "ok" if done.returncode == 0 else f"exit {done.returncode}",
                 "stages": {}}
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            event = json.loads(line[len(MARK):])
            if "stage" in event:
                out["stages"][event.pop("stage")] = event
            else:
                out[event.pop("event")] = event
    if done.returncode != 0:
        out["stderr"] = done.stderr[-3000:]
    return out


# --- the driver -----------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    ms = value * 1000
    return f"{ms:,.0f}" if ms >= 99.5 else f"{ms:.2f}" if ms < 10 else f"{ms:.1f}"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:,.1f}×" if a and b else "-"


def _grid(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
             for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def table(results: list[dict]) -> str:
    before = any("before" in r for r in results)
    head = ["size", "measure", *(["before ms", "before ratio"] if before else []),
            "cexpert ms", "CLIPS ms", "ratio"]
    rows = [head]
    for r in results:
        c, k = r["cexpert"], r["clips"]
        cs, ks = c.get("stages", {}), k.get("stages", {})
        bs = r.get("before", {}).get("stages", {})

        def get(stages, name):
            return stages.get(name, {}).get("median")

        for label, cname, kname in (
                ("consult", "consult", "consult"),
                ("consult, after gc.freeze()", "consult_frozen", "consult"),
                ("load uncached (parse+check+compile)", "load", "load"),
                ("load uncached, gc off", "load_gc_off", "load"),
                ("parse+check from cache vs bload", "cached", "cached"),
                ("from cache, gc off (as the CLI loads)", "cached_gc_off", "cached")):
            cv, kv, bv = get(cs, cname), get(ks, kname), get(bs, cname)

            def shown(value, name=cname):
                return _ms(value) if value else "no cache" if name.startswith("cached") else "-"

            rows.append([r["size"], label, *([shown(bv), _ratio(bv, kv)] if before else []),
                         shown(cv), _ms(kv), _ratio(cv, kv)])
        memory = {}
        for key in ("before", "cexpert", "clips"):
            m = r.get(f"{key}_memory", {})
            memory[key] = (m.get("memory", {}).get("rss_mb"), m.get("imported", {}).get("rss_mb"))
        (bpeak, bbase), (cpeak, cbase), (kpeak, kbase) = (memory["before"], memory["cexpert"],
                                                          memory["clips"])

        def mb(peak, base):
            return f"{peak:.0f} ({base:.0f})" if peak and base else "-"

        rows.append([r["size"], "peak RSS MB (base after imports)",
                     *([mb(bpeak, bbase), _ratio(bpeak, kpeak)] if before else []),
                     mb(cpeak, cbase), mb(kpeak, kbase), _ratio(cpeak, kpeak)])
        if cpeak and kpeak and cbase and kbase:
            extra = ([f"{bpeak - bbase:.0f}", _ratio(bpeak - bbase, kpeak - kbase)]
                     if before and bpeak and bbase else ["-", "-"] if before else [])
            rows.append([r["size"], "peak RSS above base MB", *extra, f"{cpeak - cbase:.0f}",
                         f"{kpeak - kbase:.0f}", _ratio(cpeak - cbase, kpeak - kbase)])
    return _grid(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,10k,50k")
    parser.add_argument("--repeat", type=int, default=5, help="runs per consult/cached median")
    parser.add_argument("--load-repeat", type=int, default=3, help="runs per load median")
    parser.add_argument("--stage-budget-s", type=float, default=120)
    parser.add_argument("--timeout-s", type=float, default=1800)
    parser.add_argument("--output", type=Path, help="write the results as JSON here")
    parser.add_argument("--before", type=Path,
                        help="another checkout (with its own .venv) measured as cexpert "
                        "'before', in the same run")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        spec = json.loads(args.worker)
        (worker_cexpert if spec["side"] == "cexpert" else worker_clips)(spec)
        return

    from cexpert.language.load import load
    from cexpert.service import Service
    from generate import generate, parse_size

    shipped = Service.open().kb
    results, disagree = [], False
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="cexpert-clips-") as tmp:
        for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            made = generate(parse_size(size), Path(tmp) / size)
            kb = load([str(made.root)], label="bench").kb
            assert kb is not None
            clp = Path(tmp) / f"{size}.clp"
            clp.write_text(translate(kb), encoding="utf-8")
            base = {"paths": [str(made.root)], "case": str(made.case), "repeat": args.repeat,
                    "load_repeat": args.load_repeat, "budget": args.stage_budget_s,
                    "clp": str(clp), "image": str(Path(tmp) / f"{size}.bin")}
            print(f"[{size}] running ...", file=sys.stderr, flush=True)
            result = {"size": size, "rules": len(kb.rules), "hash": kb.hash}
            sides = [("cexpert", "cexpert", None, str(ROOT)), ("clips", "clips", None, str(ROOT))]
            if args.before:
                sides.insert(0, ("before", "cexpert", str(args.before / ".venv/bin/python"),
                                 str(args.before)))
            for key_name, side, python, root in sides:
                spec = {**base, "side": side, "root": root}
                result[key_name] = _run({**spec, "memory": False}, args.timeout_s, python)
                result[f"{key_name}_memory"] = _run({**spec, "memory": True}, args.timeout_s,
                                                    python)
                for key in (key_name, f"{key_name}_memory"):
                    if result[key]["status"] != "ok":
                        print(f"[{size}] {key}: {result[key]['status']}\n"
                              f"{result[key].get('stderr', '')}", file=sys.stderr)
            ours = result["cexpert"].get("derived", {}).get("facts")
            theirs = result["clips"].get("derived", {}).get("facts")
            same = ours is not None and ours == theirs
            if args.before:
                same = same and result["before"].get("derived", {}).get("facts") == ours
            result["agree"] = same
            count = sum(n for _, n in ours) if ours else 0
            print(f"[{size}] derived facts: {count} on each side, "
                  f"{'identical' if same else 'DIFFERENT'}", file=sys.stderr, flush=True)
            if not same:
                disagree = True
                a = collections.Counter({tuple(k): n for k, n in ours or []})
                b = collections.Counter({tuple(k): n for k, n in theirs or []})
                print("  only cexpert:", list((a - b).items())[:10], file=sys.stderr)
                print("  only CLIPS:", list((b - a).items())[:10], file=sys.stderr)
            results.append(result)
    load_after = os.getloadavg()[0]
    from importlib.metadata import version

    print(f"\nShipped knowledge base {shipped.hash} ({len(shipped.rules)} rules); "
          f"cexpert {'with' if _has_cache() else 'without'} a knowledge-base cache; "
          f"clipspy {version('clipspy')}, experta {version('experta')}, Python "
          f"{sys.version.split()[0]}, {len(os.sched_getaffinity(0))} CPUs, load average "
          f"{load_before:.1f} → {load_after:.1f}; medians of {args.repeat} "
          f"(load: {args.load_repeat}); CPU ms of each worker process (wall in --output)\n")
    print(table(results))
    for r in results:
        print(f"\n{r['size']}: {r['rules']} rules, KB {r['hash'][:19]}…, "
              f"{r['cexpert'].get('derived', {}).get('firings', '?')} firings, "
              f"derived facts {'identical' if r['agree'] else 'DIFFERENT'}", end="")
    print()
    if args.output:
        args.output.write_text(json.dumps({"results": results, "shipped": shipped.hash},
                                          indent=1) + "\n", encoding="utf-8")
    sys.exit(1 if disagree else 0)


if __name__ == "__main__":
    main()
