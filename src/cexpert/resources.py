"""Where the grammar and the shipped knowledge base live.

One locator for both layouts: in a wheel they are package data under
`cexpert/_data/`; in a source checkout or editable install they are the
repository's own `grammar/` and `rules/` folders.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The folder `name` ("grammar", "rules", "examples"), wherever it was installed."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cexpert is installed without its '{name}' folder")


def grammar_path() -> Path:
    return data_dir("grammar") / "cex.lark"


def rules_dir() -> Path:
    return data_dir("rules")


def examples_dir() -> Path:
    return data_dir("examples")
