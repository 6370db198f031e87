"""Where text was written and how names compare: what every stage needs of the
rule language without its syntax tree.

A checked knowledge base, a diagnostic and a case file all carry spans and compare
names; they import this module, not `syntax_tree`, so a consultation from the
knowledge-base cache never builds the syntax tree's forty classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, order=True)
class Span:
    """Where a node was written: 1-based line and column, end exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@lru_cache(maxsize=1 << 16)
def name_key(text: str) -> str:
    """Case-insensitive, space and underscore equivalent lookup key.

    Cached: checking looks up the same few thousand names hundreds of thousands of
    times (45k rules: 870k calls); bounded, for a long-running server."""
    return "_".join(text.replace("_", " ").lower().split())


def source_lines(text: str) -> list[str]:
    """Lines as the parser counts them: newlines after CRLF/CR folding (str.splitlines
    would also split at \f, \x1c, \u2028 ... and number lines differently)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
