"""Generate a synthetic knowledge base of N rules in the cexpert rule language.

    uv run python bench/generate.py 10k [--out DIR] [--seed S] [--rules-per-file K]

The result is a directory of `.cex` files shaped like `rules/`:

  00_settings.cex     phases, checkpoints, settings (as in rules/00_settings.cex)
  10_vocabulary.cex   assessments, findings (with checkpoints), conditions, dysfunctions
  11_muscles.cex      muscles
  20_exercises.cex    a modest library: every muscle has an inhibit, a lengthen and an
                      activate exercise, every checkpoint an integrate exercise
  30_rows_NNN.cex     table rows, `finding → overactive m_a, m_b; underactive m_c`,
                      under sections with a source
  40_rules_NNN.cex    ~10% richer rules `rule ID "..." when A and not B then ...`, each
                      with its own source

plus `case.toml`, a consultation with ~10 findings (all of which have rows) and two
client conditions. The richer rules form a DAG (no cycles): findings/conditions →
dysfunction; dysfunction (and not finding) → underactive muscle; overactive muscle
(from the rows) and not condition → prescribe; (finding or finding) and not
dysfunction → exclude an exercise; condition and finding → note. A handful of them
are anchored on the case so that every size fires a similar amount of rules.

Everything is drawn from `random.Random(seed)`, so a size and seed always give
byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

PHASES = """\
phase inhibit "Inhibit" treats overactive cap 4 sets 1 hold 30
  note "Self-myofascial rolling"
phase lengthen "Lengthen" treats overactive cap 4 sets 1 hold 30
  note "Static stretching"
phase activate "Activate" treats underactive cap 4 sets 2 reps "10-15" tempo "4/2/1"
  note "Isolated strengthening"
phase integrate "Integrate" treats checkpoints cap 2 sets 2 reps "10-15" tempo "controlled"
  note "Integrated dynamic movement"
"""
CHECKPOINTS = ("foot_ankle", "knee", "lphc", "shoulder", "head_neck")
GROUPS = ("lower_extremity", "lower_extremity", "lphc", "upper_body", "upper_body")
ASSESSMENTS = ("posture", "ohsa", "single_leg_squat", "push", "pull")
MUSCLES_PER_EXERCISE = 10
CASE_FINDINGS = 10
ANCHORED_RULES = 6  # richer rules built to fire on the case, at every size


def parse_size(text: str) -> int:
    """'1k' -> 1000, '50k' -> 50000, '300' -> 300."""
    text = text.strip().lower()
    if text.endswith("k"):
        return int(float(text[:-1]) * 1000)
    return int(text)


@dataclass
class Generated:
    """Where a generated knowledge base is, and what is in it."""

    root: Path
    case: Path
    rules: int
    table_rows: int
    rich_rules: int
    findings: int
    muscles: int
    exercises: int
    files: int
    bytes: int
    counts: dict[str, int] = field(default_factory=dict)


def generate(n: int, out: Path, seed: int = 1, rich_fraction: float = 0.10,
             rules_per_file: int = 1000) -> Generated:
    """Write a knowledge base of `n` rules (and its case) into `out`."""
    rng = random.Random(f"cexpert-bench/{seed}/{n}")
    out.mkdir(parents=True, exist_ok=True)
    n_rich = round(n * rich_fraction)
    n_rows = n - n_rich
    n_findings = max(40, n // 4)
    n_muscles = min(max(60, n // 20), 1000)
    n_conditions = max(10, n // 200)
    n_dysfunctions = max(10, n // 100)

    findings = [f"fd{i}" for i in range(n_findings)]
    muscles = [f"m{i}" for i in range(n_muscles)]
    conditions = [f"cond{i}" for i in range(n_conditions)]
    dysfunctions = [f"dys{i}" for i in range(n_dysfunctions)]

    files: dict[str, str] = {}
    files["00_settings.cex"] = _settings()
    files["10_vocabulary.cex"] = _vocabulary(findings, conditions, dysfunctions)
    files["11_muscles.cex"] = "".join(
        f'region region{i} "Region {i}"\n' for i in range(12)) + "".join(
        f'muscle {m} "Muscle {m[1:]}" region region{i % 12}\n' for i, m in enumerate(muscles))
    exercises, library = _library(muscles)
    files["20_exercises.cex"] = library

    # --- table rows --------------------------------------------------------------------
    rows: list[str] = []
    with_rows: list[str] = []
    overactive: list[str] = []  # muscles some row concludes overactive, in first-seen order
    seen_overactive: set[str] = set()
    for i in range(n_rows):
        finding = findings[i] if i < n_findings else rng.choice(findings)
        if i < n_findings:
            with_rows.append(finding)
        picked = rng.sample(muscles, rng.randint(3, 6))
        split = rng.randint(1, len(picked) - 1)
        over, under = picked[:split], picked[split:]
        for m in over:
            if m not in seen_overactive:
                seen_overactive.add(m)
                overactive.append(m)
        rows.append(f"{finding} → overactive {', '.join(over)}; underactive {', '.join(under)}")
    for number, start in enumerate(range(0, len(rows), rules_per_file)):
        chunk = rows[start:start + rules_per_file]
        text = [f'# Table rows {start}-{start + len(chunk) - 1} (generated)\n']
        for j, row in enumerate(chunk):
            if j % 50 == 0:
                text.append(f'\nsection "Rows {start + j}-" source "bench table {number}.{j}"\n')
            text.append(row + "\n")
        files[f"30_rows_{number:03d}.cex"] = "".join(text)

    # --- the case ------------------------------------------------------------------------
    case_findings = rng.sample(with_rows, min(CASE_FINDINGS, len(with_rows)))
    case_conditions = rng.sample(conditions, 2)

    # --- richer rules ----------------------------------------------------------------------
    rich: list[str] = []
    produced_dys: list[str] = []
    counts = {"dysfunction": 0, "note": 0, "prescribe": 0, "underactive": 0, "exclude": 0}
    for i in range(n_rich):
        anchored = i < ANCHORED_RULES
        pick = (lambda: rng.choice(case_findings)) if anchored else (
            lambda: rng.choice(findings))
        cond = rng.choice(case_conditions) if anchored else rng.choice(conditions)
        kind = ("dysfunction", "note", "prescribe", "underactive", "exclude")[
            i % 5 if anchored else rng.randrange(5)]
        if kind in ("underactive", "exclude") and not produced_dys:
            kind = "dysfunction"
        source = f'source "bench rule {i}"'
        head = f'rule rich{i} "Generated rule {i}"'
        if kind == "dysfunction":
            a, b = pick(), rng.choice(findings)
            dys = dysfunctions[i % n_dysfunctions]
            other = pick() if anchored else rng.choice(findings)
            cond_text = f"{a} and {other}" if rng.random() < 0.5 else f"{a} and not {b}"
            if anchored:
                cond_text = f"{a} and not {_absent(findings, case_findings, rng)}"
            rich.append(f"{head}\n  when {cond_text}\n  then dysfunction {dys}\n  {source}")
            produced_dys.append(dys)
        elif kind == "note":
            rich.append(f'{head}\n  when condition {cond} and {pick()}\n'
                        f'  then note "Generated note {i}"\n  {source}')
        elif kind == "prescribe":
            muscle = rng.choice(overactive)
            exercise = rng.choice(exercises["inhibit"])
            rich.append(f"{head}\n  when overactive {muscle} and not condition "
                        f"{rng.choice(conditions)}\n  then prescribe {exercise}\n  {source}")
        elif kind == "underactive":
            dys = produced_dys[-1] if anchored else rng.choice(produced_dys)
            absent = _absent(findings, case_findings, rng) if anchored else rng.choice(findings)
            rich.append(f"{head}\n  when dysfunction {dys} and not {absent}\n"
                        f"  then underactive {rng.choice(muscles)}\n  {source}")
        else:
            dys = rng.choice(dysfunctions[n_dysfunctions // 2:] or dysfunctions)
            if dys not in produced_dys:
                dys = rng.choice(produced_dys)
            a, b = pick(), rng.choice(findings)
            rich.append(f"{head}\n  when ({a} or {b}) and not dysfunction {dys}\n"
                        f"  then exclude exercise {rng.choice(exercises['lengthen'])} "
                        f'because "Generated exclusion {i}"\n  {source}')
        counts[kind] += 1
    for number, start in enumerate(range(0, len(rich), rules_per_file)):
        chunk = rich[start:start + rules_per_file]
        files[f"40_rules_{number:03d}.cex"] = (
            f"# Richer rules {start}-{start + len(chunk) - 1} (generated)\n\n"
            + "\n".join(chunk) + "\n")

    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    case = out / "case.toml"
    case.write_text(_case(case_findings, case_conditions, n), encoding="utf-8")
    return Generated(
        root=out, case=case, rules=n, table_rows=n_rows, rich_rules=n_rich,
        findings=n_findings, muscles=n_muscles,
        exercises=sum(len(v) for v in exercises.values()), files=len(files),
        bytes=sum(len(t.encode()) for t in files.values()), counts=counts,
    )


def _absent(findings: list[str], present: list[str], rng: random.Random) -> str:
    """A finding that is not in the case (so `not` it holds)."""
    while True:
        candidate = rng.choice(findings)
        if candidate not in present:
            return candidate


def _settings() -> str:
    lines = ['# Settings (generated; the shape of rules/00_settings.cex)',
             'source "bench: generated settings"', "", PHASES]
    for checkpoint, group in zip(CHECKPOINTS, GROUPS, strict=True):
        lines.append(f'checkpoint {checkpoint} "{checkpoint.replace("_", " ").title()}" '
                     f"group {group}")
    lines += ["", f"setting checkpoint_order {', '.join(CHECKPOINTS)}",
              f"setting assessment_order {', '.join(ASSESSMENTS)}", ""]
    return "\n".join(lines)


def _vocabulary(findings: list[str], conditions: list[str], dysfunctions: list[str]) -> str:
    out = ['# Vocabulary (generated)\nsource "bench: generated vocabulary"\n\n']
    for a in ASSESSMENTS:
        out.append(f'assessment {a} "{a.replace("_", " ").title()}"\n')
    out.append("\n")
    for i, f in enumerate(findings):
        out.append(f'finding {f} "Finding {i}" in {ASSESSMENTS[i % len(ASSESSMENTS)]} '
                   f"checkpoint {CHECKPOINTS[(i // 5) % len(CHECKPOINTS)]}\n")
    out.append("\n")
    for i, c in enumerate(conditions):
        out.append(f'condition {c} "Condition {i}"\n')
    out.append("\n")
    for i, d in enumerate(dysfunctions):
        out.append(f'dysfunction {d} "Dysfunction {i}" '
                   f"checkpoint {CHECKPOINTS[i % len(CHECKPOINTS)]}\n")
    out.append('\nequipment foam_roller "Foam roller"\n')
    return "".join(out)


def _library(muscles: list[str]) -> tuple[dict[str, list[str]], str]:
    exercises: dict[str, list[str]] = {"inhibit": [], "lengthen": [], "activate": [],
                                       "integrate": []}
    out = ['# Exercise library (generated)\nsource "bench: generated library"\n\n']
    for g, start in enumerate(range(0, len(muscles), MUSCLES_PER_EXERCISE)):
        group = ", ".join(muscles[start:start + MUSCLES_PER_EXERCISE])
        for phase, prefix, extra in (
                ("inhibit", "smr", " equipment foam_roller tags smr, floor unilateral"),
                ("lengthen", "stretch", " tags static_stretch unilateral"),
                ("activate", "act", " tags strength")):
            ident = f"{prefix}_g{g}"
            exercises[phase].append(ident)
            out.append(f'exercise {ident} "{prefix.title()} group {g}" phase {phase}\n'
                       f"  targets {group}{extra}\n")
    for checkpoint in CHECKPOINTS:
        ident = f"int_{checkpoint}"
        exercises["integrate"].append(ident)
        out.append(f'exercise {ident} "Integrate {checkpoint}" phase integrate '
                   f"integrates {checkpoint}\n")
    return exercises, "".join(out)


def _case(findings: list[str], conditions: list[str], n: int) -> str:
    by_assessment: dict[str, list[str]] = {}
    for f in findings:
        assessment = ASSESSMENTS[int(f[2:]) % len(ASSESSMENTS)]
        by_assessment.setdefault(assessment, []).append(f)
    lines = [f"# Generated case for the {n}-rule benchmark knowledge base", "[client]",
             'name = "Bench Client"', "age = 35", f"conditions = {json.dumps(conditions)}",
             "", "[assessment]"]
    lines += [f"{a} = {json.dumps(items)}" for a, items in by_assessment.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", help="number of rules: 300, 1k, 10k, 50k ...")
    parser.add_argument("--out", type=Path, help="directory (default: a new temp dir)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rules-per-file", type=int, default=1000)
    parser.add_argument("--rich-fraction", type=float, default=0.10)
    args = parser.parse_args()
    n = parse_size(args.size)
    out = args.out or Path(tempfile.mkdtemp(prefix=f"cexpert-kb-{args.size}-"))
    made = generate(n, out, args.seed, args.rich_fraction, args.rules_per_file)
    print(f"{made.root}: {made.rules} rules ({made.table_rows} table rows, {made.rich_rules} "
          f"richer: {made.counts}), {made.findings} findings, {made.muscles} muscles, "
          f"{made.exercises} exercises, {made.files} files, {made.bytes / 1e6:.1f} MB; "
          f"case {made.case}")


if __name__ == "__main__":
    main()
