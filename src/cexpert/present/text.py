"""A document as plain text for the terminal (`cexpert infer`, the default format).

Sections are headed in capitals, sub-sections (a program's phases) end in a
colon with their contents indented; every piece of text passes through
`one_line`, so nothing entered can move the cursor, ring the bell or start a
line of its own.
"""

from __future__ import annotations

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
from cexpert.present.escape import one_line as _t


def render_text(doc: Document) -> str:
    lines = [_t(doc.title), *(_t(fact) for fact in doc.facts)]
    for section in doc.sections:
        lines += ["", *_section(section, 2, "")]
    if doc.appendix:
        lines += ["", _t(APPENDIX_TITLE).upper()]
        for section in doc.appendix:
            lines += _section(section, 3, "")
    if doc.footer:
        lines += ["", "---", _t(doc.footer)]
    return "\n".join(lines) + "\n"


def _section(section: Section, level: int, indent: str) -> list[str]:
    title = _t(section.title)
    lines = [indent + (title.upper() if level <= 2 else f"{title}:")]
    inner = indent if level <= 2 else indent + "  "
    for block in section.blocks:
        lines += _block(block, level, inner)
    return lines


def _block(block: Block, level: int, indent: str) -> list[str]:
    if isinstance(block, Section):
        return _section(block, level + 1, indent)
    if isinstance(block, Paragraph):
        return [indent + _t(block.text)]
    if isinstance(block, ItemList):
        return _items(block, indent)
    if isinstance(block, Table):
        return _table(block, indent)
    if isinstance(block, Figure):
        return [f"{indent}Figure: {_t(block.caption)}",
                *(f"{indent}  {_t(line)}" for line in block.text)]
    if isinstance(block, Chain):
        return [indent + _t(block.label), *_chain(block.nodes, indent + "  ")]
    raise TypeError(f"not a block: {block!r}")


def _items(block: ItemList, indent: str) -> list[str]:
    lines = [indent + _t(block.caption)] if block.caption else []
    for n, item in enumerate(block.items, 1):
        marker = f"{n}. " if block.ordered else "- "
        detail = f": {_t(item.detail)}" if item.detail else ""
        lines.append(f"{indent}{marker}{_t(item.title)}{detail}")
        under = indent + " " * (len(marker) + 2)
        if item.note:
            lines.append(under + _t(item.note))
        lines += [f"{under}{_t(label)}: {_t(text)}" for label, text in item.steps]
        lines += _chain(item.why, under)
    return lines


def _table(block: Table, indent: str) -> list[str]:
    rows = [tuple(_t(cell_text(cell)) for cell in row) for row in (block.header, *block.rows)]
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(len(rows[0]))]
    lines = [f"{indent}{_t(block.caption)}:"] if block.caption else []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append((indent + "  " + "  ".join(cells)).rstrip())
    return lines


def _chain(nodes: tuple[ChainNode, ...], indent: str) -> list[str]:
    """A chain as `cexpert why` draws one: the fact, its rule beneath, premises further in."""
    lines = []
    for node in nodes:
        lines.append(indent + _t(node.text))
        if node.rule:
            lines.append(f"{indent}  ← {_t(node.rule)}")
        lines += _chain(node.children, indent + "    ")
    return lines
