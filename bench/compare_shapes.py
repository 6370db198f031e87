"""Why table rows are facts: one Experta rule per table row vs the shipped shape.

    uv run python bench/compare_shapes.py [--sizes 300,1k,3k] [--repeat N]

The same generated table rows (no richer rules) are compiled two ways:

  per-rule   one Experta rule per DSL row, `W(kind="finding", id=<its finding>)`,
             as a straightforward compiler would do (built here with Experta directly)
  shipped    cexpert.engine.compile.Engine: rows become `Row` facts joined by one general rule

Both run the same consultation (the generated case's ~10 findings) with the same
right-hand side work (each firing declares its muscle conclusions). Reported:
engine construction, first run on a fresh engine, a later run on the same engine
(reset + run), all medians, and the per-rule/shipped ratio.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cexpert.engine.case import load_case
from cexpert.engine.compile import AS, Engine, KnowledgeEngine, Rule, W, WorkingFact, _to_experta
from cexpert.language.load import load
from generate import generate, parse_size


def conclude_muscles(rule, premises, side) -> list[WorkingFact]:
    return [WorkingFact(c.kind, c.data["muscle"], f"{rule.id}/{i}", side)
            for i, c in enumerate(rule.conclusions)]


def per_rule_engine(kb):
    """One Experta rule per table row."""
    attributes = {}
    for index, rule in enumerate(kb.rules):
        def rhs(engine, finding, rule=rule):
            engine.fired += 1
            new = conclude_muscles(rule, (finding["fid"],), finding["side"])
            engine.declare(*(_to_experta(f) for f in new))

        rhs.__name__ = f"row{index}"
        attributes[rhs.__name__] = Rule(AS.finding << W(kind="finding", id=rule.condition.id))(
            rhs)
    return type("PerRule", (KnowledgeEngine,), attributes)()


def run_per_rule(engine, initial) -> int:
    engine.fired = 0
    engine.reset()
    engine.declare(*(_to_experta(f) for f in initial))
    engine.run()
    return engine.fired


def run_shipped(engine, initial) -> int:
    return engine.run(initial, conclude_muscles, 10**6)


def median_time(action, repeat: int, setup=None) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        argument = setup() if setup else None
        start = time.perf_counter()
        action(argument)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(size: str, repeat: int, tmp: Path) -> dict:
    made = generate(parse_size(size), tmp / size, rich_fraction=0.0)
    kb = load([made.root]).kb
    assert kb is not None and all(r.table_row for r in kb.rules)
    case = load_case(made.case, kb)
    initial = [WorkingFact("client", None, "f0")] + [
        WorkingFact("finding", o.finding, f"f{i + 1}", o.side, scope=o.assessment)
        for i, o in enumerate(case.observations)]
    out = {"size": size, "rules": len(kb.rules)}
    for shape, build, run in (("per-rule", per_rule_engine, run_per_rule),
                              ("shipped", Engine, run_shipped)):
        box: list = []

        def fresh(build=build, box=box):
            box[:] = [build(kb)]
            return box[0]

        out[shape] = {
            "compile": median_time(lambda _, build=build: build(kb), repeat),
            "first": median_time(lambda e, run=run: run(e, initial), repeat, setup=fresh),
        }
        engine = box[0]
        out[shape]["firings"] = run(engine, initial)
        out[shape]["reused"] = median_time(lambda _, run=run, e=engine: run(e, initial),
                                           max(repeat, 5))
    assert out["per-rule"]["firings"] == out["shipped"]["firings"], out
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="300,1k,3k")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="cexpert-shapes-") as tmp:
        for size in args.sizes.split(","):
            print(f"[{size}] ...", file=sys.stderr, flush=True)
            rows.append(measure(size.strip(), args.repeat, Path(tmp)))
    print(f"Medians of {args.repeat} runs, ms (ratio = per-rule / shipped)\n")
    header = (f"{'rules':>6} {'firings':>7}  {'stage':<8} {'per-rule':>9} {'shipped':>9} "
              f"{'ratio':>7}")
    print(header)
    print("-" * len(header))
    for row in rows:
        for stage in ("compile", "first", "reused"):
            a, b = row["per-rule"][stage], row["shipped"][stage]
            print(f"{row['rules']:>6} {row['shipped']['firings']:>7}  {stage:<8} "
                  f"{a * 1000:>9.1f} {b * 1000:>9.1f} {a / b:>6.1f}x")


if __name__ == "__main__":
    main()
