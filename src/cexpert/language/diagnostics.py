"""Diagnostics: what went wrong in a rule or case file, and how to render it.

Data first (a frozen `Diagnostic` with a stable code), rendering second, in the
layout of rustc and ruff: `file:line:col: error[CODE]: message`, the source
line with a caret under the span, then `expected:`, `help:` and `note:` lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cexpert.language.span import Span, source_lines

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a knowledge base: where, what, and how to fix it."""

    code: str
    message: str
    span: Span | None
    severity: str = ERROR
    expected: str | None = None
    help: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


class DiagnosticError(Exception):
    """Raised at a stage boundary when input cannot go further."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        super().__init__("; ".join(d.message for d in diagnostics))
        self.diagnostics = tuple(diagnostics)


def suggest(word: str, options: Iterable[str], limit: int = 1) -> list[str]:
    """Close matches for a misspelled name, best first (difflib ratio >= 0.6)."""
    from difflib import get_close_matches  # only when something is misspelled

    return get_close_matches(word, sorted(set(options)), n=limit, cutoff=0.6)


def did_you_mean(word: str, options: Iterable[str]) -> str | None:
    found = suggest(word, options)
    return f"did you mean '{found[0]}'?" if found else None


def sort_key(d: Diagnostic) -> tuple:
    if d.span is None:
        return ("", 0, 0, d.code)
    return (d.span.file, d.span.line, d.span.column, d.code)


def render_text(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str]) -> str:
    """Render diagnostics for a terminal; `sources` maps file names to their text."""
    lines = _LineIndex(sources)
    blocks = [_render_one(d, lines) for d in sorted(diagnostics, key=sort_key)]
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    summary = f"Found {errors} error{'s' if errors != 1 else ''}"
    if warnings:
        summary += f" and {warnings} warning{'s' if warnings != 1 else ''}"
    return "\n".join([*blocks, summary + "."]) + "\n"


class _LineIndex:
    """Each source split into lines once, on first use: excerpts stay linear in the
    number of diagnostics, whatever the size of the file."""

    def __init__(self, sources: Mapping[str, str]):
        self.sources = sources
        self.split: dict[str, list[str]] = {}

    def get(self, file: str) -> list[str] | None:
        if file not in self.split:
            text = self.sources.get(file)
            if text is None:
                return None
            self.split[file] = source_lines(text)
        return self.split[file]


def _render_one(d: Diagnostic, sources: _LineIndex) -> str:
    where = f"{printable(str(d.span))}: " if d.span else ""
    lines = [f"{where}{d.severity}[{d.code}]: {printable(d.message)}"]
    if d.span is not None:
        lines.extend(_excerpt(d.span, sources.get(d.span.file)))
    if d.expected:
        lines.append(f"  = expected: {printable(d.expected)}")
    if d.help:
        lines.append(f"  = help: {printable(d.help)}")
    lines.extend(f"  = note: {printable(note)}" for note in d.notes)
    return "\n".join(lines)


def _excerpt(span: Span, all_lines: list[str] | None) -> list[str]:
    if all_lines is None:
        return []
    if not 1 <= span.line <= len(all_lines):
        return []
    source_line = all_lines[span.line - 1].expandtabs(1)
    gutter = str(span.line)
    pad = " " * len(gutter)
    end = span.end_column if span.end_line == span.line else len(source_line) + 1
    before = printable(source_line[: span.column - 1])
    under = printable(source_line[span.column - 1 : end - 1])
    caret = " " * len(before) + "^" * max(1, len(under))
    return [f"{pad} |", f"{gutter} | {printable(source_line)}", f"{pad} | {caret}"]


#: Characters a terminal acts on rather than shows: C0 and C1 controls (ESC, BEL, CR,
#: backspace ...), DEL, and the bidirectional overrides that reorder what is shown.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e"
                          "\u2066-\u2069]")


def printable(text: str, keep_newlines: bool = False) -> str:
    """`text` safe for a terminal or a log: each control character as a visible escape
    (ESC as \\x1b), so user input cannot move the cursor, ring or recolour.
    `keep_newlines` keeps line breaks, for text of several lines."""
    if keep_newlines:
        return "\n".join(_UNPRINTABLE.sub(_escaped, line) for line in text.split("\n"))
    return _UNPRINTABLE.sub(_escaped, text)


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def to_json(diagnostics: Sequence[Diagnostic]) -> str:
    import json  # here: a consultation imports diagnostics, and prints none as JSON

    return json.dumps([as_dict(d) for d in sorted(diagnostics, key=sort_key)], indent=2)


def as_dict(d: Diagnostic) -> dict:
    span = None
    if d.span is not None:
        span = {
            "file": d.span.file,
            "line": d.span.line,
            "column": d.span.column,
            "end_line": d.span.end_line,
            "end_column": d.span.end_column,
        }
    return {
        "code": d.code,
        "severity": d.severity,
        "message": d.message,
        "span": span,
        "expected": d.expected,
        "help": d.help,
        "notes": list(d.notes),
    }
