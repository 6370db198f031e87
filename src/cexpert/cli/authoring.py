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

if TYPE_CHECKING:
    from cexpert.language.load import Loaded

KB_ERRORS = 1


def add_check_options(check: argparse.ArgumentParser) -> None:
    check.add_argument("--strict", action="store_true",
                       help="also report the W4xx warnings of rules that are valid but "
                       "probably wrong")
    check.add_argument("--select", type=_codes, default=[],
                       help="only warnings whose code starts with one of these (W401,W40)")
    check.add_argument("--ignore", type=_codes, default=[],
                       help="leave out warnings whose code starts with one of these")


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.split(",") if c.strip()]


def checked(paths, strict: bool = False, select=(), ignore=()) -> tuple[Loaded, list]:
    """The load and the diagnostics to show: the checker's, the lints' with --strict,
    filtered by --select/--ignore and inline `# cexpert: ignore[...]` comments."""
    from cexpert.authoring.lints import chosen, lint, suppressed
    from cexpert.language.load import load
    from cexpert.resources import rules_dir

    loaded = load(paths or [rules_dir()])
    found = list(loaded.diagnostics)
    if strict and loaded.kb is not None:
        found += lint(loaded.kb, loaded.files)
    found = [d for d in chosen(found, select, ignore) if not suppressed(d, loaded.sources)]
    return loaded, found


def cmd_check(args: argparse.Namespace) -> int:
    from cexpert.authoring.codes import TITLES
    from cexpert.authoring.sarif import to_sarif

    loaded, found = checked(args.paths, args.strict, args.select, args.ignore)
    ordered = sorted(found, key=diag.sort_key)
    shown = ordered[: args.max_errors] if args.max_errors else ordered
    hidden = len(ordered) - len(shown)
    if args.format == "json":
        print(diag.to_json(shown))
    elif args.format == "sarif":
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
