"""User text made safe to print: no terminal controls, no forged lines.

Names, goals and reasons come from case files and rule files, so they may hold
anything. Every renderer passes its text through here first: control
characters (ESC, BEL, the rest of C0 and C1, DEL) and the bidirectional
overrides that reorder what a reader sees become visible escapes such as
`\\x1b`, and `one_line` turns line breaks into spaces, so a client's name can
never start a heading, a list item or a new report line of its own.
"""

from __future__ import annotations

import re

_BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029\t]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control character shown as an escape; newlines and tabs kept."""
    return _CONTROL.sub(_escape, text)


def one_line(text: str) -> str:
    """`text` on one line: line breaks and tabs become spaces, controls escapes."""
    return visible(_BREAK.sub(" ", text))
