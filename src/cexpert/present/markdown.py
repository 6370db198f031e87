"""A document as Markdown (CommonMark with GFM tables): notes to keep or paste.

Every text goes through `md`: one line, Markdown's punctuation backslash-escaped
and a line start that could open a block (`-`, `+`, `=`, `1.`) neutralised, so
what a client's name or goal says can never become a heading, a list, a quote,
a link or raw HTML. The headings are exactly the document's (`document.headings`).
"""

from __future__ import annotations

import re

from cexpert.present.document import (
    APPENDIX_TITLE,
    Block,
    Chain,
    ChainNode,
    Document,
    Figure,
    ItemList,
    Paragraph,
    Section,
    Table,
    cell_text,
)
from cexpert.present.escape import one_line

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_BLOCK_START = re.compile(r"^([-+=])|^(\d+)([.)])")


def md(text: str) -> str:
    """Text as Markdown that shows exactly these characters and starts no block."""
    escaped = _SPECIAL.sub(r"\\\1", one_line(text).strip())
    return _BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped)


def render_markdown(doc: Document) -> str:
    chunks = [[f"# {md(doc.title)}"]]
    if doc.facts:
        chunks.append([f"- {md(fact)}" for fact in doc.facts])
    for section in doc.sections:
        chunks += _section(section, 2)
    if doc.appendix:
        chunks.append([f"## {md(APPENDIX_TITLE)}"])
        for section in doc.appendix:
            chunks += _section(section, 3)
    if doc.footer:
        chunks += [["---"], [f"*{md(doc.footer)}*"]]
    return "\n\n".join("\n".join(chunk) for chunk in chunks) + "\n"


def _section(section: Section, level: int) -> list[list[str]]:
    chunks = [[f"{'#' * min(level, 6)} {md(section.title)}"]]
    for block in section.blocks:
        chunks += _block(block, level)
    return chunks


def _block(block: Block, level: int) -> list[list[str]]:
    if isinstance(block, Section):
        return _section(block, level + 1)
    if isinstance(block, Paragraph):
        mark = {"alert": "**", "muted": "*"}.get(block.tone, "")
        return [[f"{mark}{md(block.text)}{mark}"]]
    if isinstance(block, ItemList):
        return [*([[md(block.caption)]] if block.caption else []), _items(block)]
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        return [[f"*Figure: {md(block.caption)}*"], _fenced(block.text)]
    if isinstance(block, Chain):
        return [[f"**{md(block.label)}**"], _chain(block.nodes, "")]
    raise TypeError(f"not a block: {block!r}")


def _items(block: ItemList) -> list[str]:
    lines = []
    for n, item in enumerate(block.items, 1):
        marker = f"{n}. " if block.ordered else "- "
        title = md(item.title)
        head = f"**{title}**" if item.detail or item.note or item.why or item.steps \
            else title
        lines.append(marker + head + (f": {md(item.detail)}" if item.detail else ""))
        pad = " " * len(marker)
        if item.note:
            lines.append(f"{pad}- {md(item.note)}")
        lines += [f"{pad}- *{md(label)}:* {md(text)}" for label, text in item.steps]
        if item.why:
            lines.append(f"{pad}- Why:")
            lines += _chain(item.why, pad + "  ")
    return lines


def _table(block: Table) -> list[list[str]]:
    def row(cells) -> str:
        return "| " + " | ".join(md(cell_text(c)) or " " for c in cells) + " |"

    lines = [row(block.header), "|" + "|".join("---" for _ in block.header) + "|",
             *(row(r) for r in block.rows)]
    return [*([[f"**{md(block.caption)}**"]] if block.caption else []), lines]


def _chain(nodes: tuple[ChainNode, ...], pad: str) -> list[str]:
    lines = []
    for node in nodes:
        lines.append(f"{pad}- {md(node.text)}")
        if node.rule:
            lines.append(f"{pad}  - *by {md(node.rule)}*")
        lines += _chain(node.children, pad + "  ")
    return lines


def _fenced(text: tuple[str, ...]) -> list[str]:
    """A figure's text fallback as a code block no line inside can close."""
    body = [one_line(line) for line in text]
    longest = max((len(run) for line in body for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, *body, fence]
