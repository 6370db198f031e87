"""The rule author's commands: `check` (with --strict, --select, --ignore, SARIF).

`check` reports every problem the checker finds; `--strict` adds the lint pass
(`authoring.lints`) whose warnings have stable W4xx codes. `--max-errors N` shows
the first N diagnostics, yet counts every one and says how many were hidden.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cexpert.language import diagnostics as diag
from cexpert.language.kb_cache import kept_for_the_process
from cexpert.language.writing import write_text_atomically

if TYPE_CHECKING:
    from cexpert.language.load import Loaded

KB_ERRORS = 1


def checked(paths, strict: bool = False, select=(), ignore=()) -> tuple[Loaded, list]:
    """The load and the diagnostics to show: the checker's, the lints' with --strict,
    filtered by --select/--ignore and inline `# cexpert: ignore[...]` comments."""
    from cexpert.language.load import load
    from cexpert.resources import rules_dir

    # the lints need the syntax trees, which a cached load does not keep
    loaded = load(paths or [rules_dir()], cache=not strict)
    found = list(loaded.diagnostics)
    if not (found or strict):  # a clean cached check loads neither lints nor syntax tree
        return loaded, found
    from cexpert.authoring.lints import chosen, lint, suppressed

    if strict and loaded.kb is not None:
        found += lint(loaded.kb, loaded.files)
    found = [d for d in chosen(found, select, ignore) if not suppressed(d, loaded.sources)]
    return loaded, found


def cmd_check(args: argparse.Namespace) -> int:
    # as `infer` (cli/consult.py): at 45k rules, the collector re-enabled inside the load
    # walked everything it had made in 25 collections, 0.83 s of CPU
    with kept_for_the_process():
        loaded, found = checked(args.paths, args.strict, args.select, args.ignore)
    ordered = sorted(found, key=diag.sort_key)
    shown = ordered[: args.max_errors] if args.max_errors else ordered
    hidden = len(ordered) - len(shown)
    if args.format == "json":
        print(diag.to_json(shown))
    elif args.format == "sarif":
        from cexpert.authoring.codes import TITLES
        from cexpert.authoring.sarif import to_sarif

        print(to_sarif(shown, TITLES))
    else:
        _text(loaded, ordered, shown, hidden)
    return 0 if loaded.ok else KB_ERRORS


def _text(loaded: Loaded, found: list, shown: list, hidden: int) -> None:
    if found:
        body = diag.render_text(shown, loaded.sources).rstrip("\n").split("\n")[:-1]
        sys.stderr.write("\n".join([*body, _summary(found, hidden)]) + "\n")
    kb = loaded.kb
    if kb is not None:  # usable: say what was checked, warnings or not
        warnings = sum(1 for d in found if not d.is_error)
        verdict = (f"{warnings} warning{'s' if warnings != 1 else ''}" if warnings
                   else "no problems")
        rules = len(kb.rules)
        declarations = sum(len(v) for v in kb.entries.values())
        print(f"{kb.path}: {rules} rule{'s' if rules != 1 else ''}, {declarations} "
              f"declaration{'s' if declarations != 1 else ''}, {verdict}.")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _summary(found: list, hidden: int) -> str:
    errors = sum(1 for d in found if d.is_error)
    warnings = len(found) - errors
    text = f"Found {_plural(errors, 'error')}"
    if warnings:
        text += f" and {_plural(warnings, 'warning')}"
    if hidden:
        text += f" ({hidden} not shown by --max-errors {len(found) - hidden})"
    return text + "."


# --- fmt ---------------------------------------------------------------------------------------

def cmd_fmt(args: argparse.Namespace) -> int:
    """Format each file (atomically), or with --check/--diff only say what would change.
    Exit 0 all formatted, 1 a file is not formatted (--check/--diff) or does not parse."""
    import difflib
    from pathlib import Path

    from cexpert.authoring.fmt import format_text
    from cexpert.resources import rules_dir

    files, missing = _rule_files(args.paths or [rules_dir()])
    for path in missing:
        sys.stderr.write(f"error: no such file or directory, or no .cex files: {path}\n")
    failed = bool(missing)
    changed: list[Path] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        result = format_text(text, str(path))
        if not result.ok:
            sys.stderr.write(diag.render_text(list(result.diagnostics), {str(path): text}))
            sys.stderr.write(f"error: {path} was not formatted: it has syntax errors\n")
            failed = True
            continue
        if result.text == text:
            continue
        changed.append(path)
        if args.diff:
            sys.stdout.writelines(difflib.unified_diff(
                text.splitlines(True), result.text.splitlines(True), str(path), str(path)))
        elif not args.check:
            write_text_atomically(path, result.text)
    verb = "would be reformatted" if args.check or args.diff else "reformatted"
    for path in changed:
        sys.stderr.write(f"{path} {verb}\n")
    unchanged = len(files) - len(changed)
    sys.stderr.write(f"{len(changed)} file{'s' if len(changed) != 1 else ''} {verb}, "
                     f"{unchanged} already formatted.\n")
    return 1 if failed or (changed and (args.check or args.diff)) else 0


def _rule_files(paths):
    from pathlib import Path

    files, missing = [], []
    for given in paths:
        path = Path(given)
        found = sorted(path.rglob("*.cex")) if path.is_dir() else [path] if path.is_file() else []
        if not found:
            missing.append(path)
        files.extend(found)
    return list(dict.fromkeys(files)), missing


# --- refs -------------------------------------------------------------------------------------

def cmd_refs(args: argparse.Namespace) -> int:
    from cexpert.authoring.refs import find_entries, references
    from cexpert.language.load import load
    from cexpert.resources import rules_dir

    loaded = load(args.rules or [rules_dir()])
    if loaded.kb is None:
        sys.stderr.write(diag.render_text([d for d in loaded.diagnostics if d.is_error],
                                          loaded.sources))
        return KB_ERRORS
    entries = find_entries(loaded.kb, args.name)
    if not entries:
        every = [e for kind in loaded.kb.entries.values() for e in kind]
        hint = diag.did_you_mean(args.name, every)
        sys.stderr.write(f"error: nothing is declared as '{args.name}'"
                         + (f"; {hint}" if hint else "") + "\n")
        return 2
    for entry in entries:
        found = references(loaded.files, entry)
        uses = [r for r in found if not r.declaration]
        print(f"{entry.kind} {entry.id} \"{entry.name}\": {len(uses)} "
              f"use{'s' if len(uses) != 1 else ''}")
        for ref in found:
            line = loaded.sources.get(ref.span.file, "").split("\n")[ref.span.line - 1].strip()
            what = "declared" if ref.declaration else "used"
            print(f"  {_relative(ref.span.file)}:{ref.span.line}:{ref.span.column}: {what}: "
                  f"{line}")
    return 0


def why_not_exercise_lines(service, result, name: str) -> list[str] | int:
    """`cexpert why-not CASE exercise NAME`: the lines to print, or exit 2."""
    from cexpert.authoring.why_not_exercise import why_not_exercise
    from cexpert.language.syntax_tree import name_key

    key = name_key(name)
    matches = [e.id for e in service.kb.of("exercise").values()
               if key in {e.id, name_key(e.name), *(name_key(a) for a in e.aliases)}]
    if not matches:
        hint = diag.did_you_mean(key, service.kb.of("exercise"))
        sys.stderr.write(f"error: unknown exercise '{name}'" + (f"; {hint}" if hint else "")
                         + "\n")
        return 2
    return why_not_exercise(result, service.kb, matches[0])


def _relative(file: str) -> str:
    from pathlib import Path

    path, cwd = Path(file).resolve(), Path.cwd().resolve()
    return str(path.relative_to(cwd)) if path.is_relative_to(cwd) else file


# --- --watch -----------------------------------------------------------------------------------

WATCHED = ("*.cex", "*.toml", "*.expected.json")


def snapshot(paths) -> dict[str, float]:
    """Modification times of every rule, case and expectation file under `paths`."""
    from pathlib import Path

    found: dict[str, float] = {}
    for given in paths:
        path = Path(given)
        files = [path] if path.is_file() else [f for pattern in WATCHED
                                                for f in path.rglob(pattern)]
        for file in files:
            try:
                found[str(file)] = file.stat().st_mtime_ns
            except OSError:
                continue
    return found


def watch(paths, run, interval: float = 0.5, rounds: int | None = None) -> int:
    """Run, then run again whenever a watched file changes, until Ctrl+C (or `rounds`
    polls, for tests). Returns the last run's exit code."""
    import time

    code = run()
    seen = snapshot(paths)
    polls = 0
    try:
        while rounds is None or polls < rounds:
            time.sleep(interval)
            polls += 1
            now = snapshot(paths)
            if now != seen:
                seen = now
                sys.stderr.write("--- a file changed: running again ---\n")
                code = run()
    except KeyboardInterrupt:
        pass
    return code
