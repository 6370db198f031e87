"""Write a consultation's document to files: the TUI's export (Markdown notes, HTML handout).

The document is the CLI's (`consultation` with its chains in the trainer's
appendix); each file is written to a temporary name beside it and renamed
over, so an export that fails half-way leaves no torn file behind.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path

from cexpert.engine.result import Result
from cexpert.language.knowledge import KnowledgeBase
from cexpert.language.writing import write_text_atomically
from cexpert.present.consultation import consultation
from cexpert.present.html import render_html
from cexpert.present.markdown import render_markdown

FORMATS = ("markdown", "html")
SUFFIX = {"markdown": ".md", "html": ".html"}
RENDER = {"markdown": render_markdown, "html": render_html}


def export(result: Result, kb: KnowledgeBase, base: Path, formats: Sequence[str] = FORMATS,
           today: _dt.date | None = None) -> list[Path]:
    """Write the chosen formats next to each other: base.md, base.html; return the paths."""
    unknown = [f for f in formats if f not in RENDER]
    if unknown:
        raise ValueError(f"unknown export format {unknown[0]!r}; choose from "
                         f"{', '.join(FORMATS)}")
    doc = consultation(result, kb, today=today or _dt.date.today())
    base.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = base.with_name(base.name + SUFFIX[fmt]) if base.suffix not in SUFFIX.values() \
            else base.with_suffix(SUFFIX[fmt])
        write_text_atomically(path, RENDER[fmt](doc))
        written.append(path)
    return written
