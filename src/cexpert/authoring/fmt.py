"""`cexpert fmt`: one canonical layout for rule files, like gofmt: whitespace only.

The layout: a statement starts at column 1 and each continuation line is indented
by two spaces; tokens are separated by one space (none before `, ; : )` or after
`(`); `->` is written `→`; a comment beside code stands two spaces after it; runs
of blank lines become one, inside a statement none; a line longer than 100
characters is wrapped after a comma. Line breaks the author chose are kept, so a
table stays a table. Only whitespace and the arrow change, so the syntax tree is the
same apart from positions, and every comment keeps its text and its neighbour.
A file with syntax errors is not formatted: its diagnostics are returned instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cexpert.language.diagnostics import Diagnostic
from cexpert.language.parse import parse_text

WIDTH = 100
INDENT = "  "
ARROW = "→"

TOKEN = re.compile(r"""
    (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<arrow>->|→)
  | (?P<compare><=|>=|==|!=|<|>|=)
  | (?P<number>[+-]?\d+(?:\.\d+)?)
  | (?P<word>[A-Za-z](?:[A-Za-z0-9_'/]|-(?=[A-Za-z]))*)
  | (?P<punct>[,;:()])
  | (?P<other>\S)
""", re.VERBOSE)
NO_SPACE_BEFORE = {",", ";", ":", ")"}
NO_SPACE_AFTER = {"("}


@dataclass(frozen=True)
class Formatted:
    """The formatted text, or None with the file's syntax errors."""

    text: str | None
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def ok(self) -> bool:
        return self.text is not None


def format_text(text: str, path: str = "<text>") -> Formatted:
    """The canonical layout of one rule file's text."""
    _, problems = parse_text(text, path)
    if any(d.is_error for d in problems):
        return Formatted(None, tuple(problems))
    return Formatted(layout(text))


def layout(text: str) -> str:
    """Lay out text that parses (whitespace only; see the module docstring)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = [raw.rstrip() for raw in text.split("\n")]
    out: list[str] = []
    blank = False
    levels = _levels(lines)
    for number, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            blank = bool(out)
            continue
        if line[0] in " \t" and not stripped.startswith("#"):  # continues the statement
            indent = INDENT * levels[number]
            _indent_inner_comments(out)
            out.extend(_wrap(indent + _tokens_line(stripped), indent + INDENT))
        else:
            if blank:
                out.append("")
            out.extend([stripped] if stripped.startswith("#") else
                       _wrap(_tokens_line(stripped), INDENT))
        blank = False
    return "\n".join(out) + "\n" if out else ""


def _levels(lines: list[str]) -> dict[int, int]:
    """line number -> indentation level of each continuation line: within a statement,
    its distinct indentations in order become levels 1, 2, 3, so the author's nesting
    stays and only its widths become canonical."""
    levels: dict[int, int] = {}
    statement: list[tuple[int, int]] = []

    def close() -> None:
        widths = sorted({w for _, w in statement})
        levels.update({n: widths.index(w) + 1 for n, w in statement})
        statement.clear()

    for number, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line[0] in " \t":
            statement.append((number, len(line.expandtabs(2)) - len(line.expandtabs(2).lstrip())))
        else:
            close()
    close()
    return levels


def _indent_inner_comments(out: list[str]) -> None:
    """The comment lines just before a continuation line are inside the statement:
    indent them like the line before them, and drop the blank lines among them."""
    inner: list[str] = []
    while out and (not out[-1] or out[-1].lstrip().startswith("#")):
        line = out.pop()
        if line:
            inner.append(line.lstrip())
    code = out[-1] if out else ""
    indent = code[: len(code) - len(code.lstrip())] or INDENT
    out.extend(indent + line for line in reversed(inner))


def _split_comment(line: str) -> tuple[str, str | None]:
    """The code and the comment of a line (a '#' inside a string is no comment)."""
    in_string = escaped = False
    for i, char in enumerate(line):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "#":
            return line[:i], line[i:].rstrip()
    return line, None


def _tokens_line(line: str) -> str:
    code, comment = _split_comment(line)
    pieces: list[str] = []
    for match in TOKEN.finditer(code):
        token = ARROW if match.lastgroup == "arrow" else match.group()
        if pieces and token not in NO_SPACE_BEFORE and pieces[-1] not in NO_SPACE_AFTER:
            pieces.append(" ")
        pieces.append(token)
    text = "".join(pieces)
    if comment is not None:
        text = f"{text}  {comment}" if text else comment
    return text


def _wrap(line: str, indent: str) -> list[str]:
    """Break a line longer than WIDTH after the last comma that fits (code only); the
    rest goes on lines indented by `indent`."""
    code, comment = _split_comment(line)
    if len(line) <= WIDTH or comment is not None:
        return [line]
    cut = _last_comma(code, WIDTH)
    if cut is None:
        return [line]
    head, rest = code[: cut + 1], code[cut + 1:].strip()
    return [head, *_wrap(indent + rest, indent)]


def _last_comma(code: str, limit: int) -> int | None:
    """The position of the last ', ' outside strings before `limit`."""
    best = None
    in_string = escaped = False
    for i, char in enumerate(code[:limit]):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "," and code[:i].strip():
            best = i
    return best


def comments(text: str) -> list[str]:
    """Every comment of a file in order, each with the code it stands beside
    (empty for a comment on its own line): what formatting must keep."""
    out = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        code, comment = _split_comment(line)
        if comment is not None:
            out.append((comment, _tokens_line(code.strip()) if code.strip() else ""))
    return out
