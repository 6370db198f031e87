"""The document every rendering of a consultation is made from.

One model, three renderers (`text`, `markdown`, `html`): a builder decides what
is said (`consultation.py`), a renderer only how it looks, so the terminal
report, the Markdown notes and the HTML handout cannot drift apart. Everything
here is plain frozen data: user text stays raw in the model and each renderer
escapes it for its own format.

A `Document` is a title, a few lines about the client, `sections` (the body),
an `appendix` (sections for the trainer: reasoning chains, later a reasoning
graph) and a footer. A `Section` holds blocks in order; a block is a
`Paragraph`, an `ItemList`, a `Table`, a `Figure` (an inline SVG with a text
fallback: a progress chart, a graph), a `Chain` (one conclusion's reasoning)
or a nested `Section`. A table's cell is text or a `Picture` (a photo, with the
words that stand in for it outside HTML).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChainNode:
    """One step of a reasoning chain in plain words: a fact and the rule that made it."""

    text: str
    rule: str = ""  # "rule Title [source]" or "Overhead squat table: Finding [source]"
    children: tuple[ChainNode, ...] = ()


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text, in a tone the renderer shows."""

    text: str
    tone: str = ""  # "" | "alert" (a warning to read first) | "muted"


@dataclass(frozen=True)
class Item:
    """One line of a list: a title, what goes with it (a dose, a place) and a note under it.

    `why` is the reasoning chain shown inline under the item (the trainer's report);
    in a client's handout the chains stand in the appendix instead, `why` is empty and
    `ref` names the appendix chain (the `key` of a `Chain`) for formats that can link."""

    title: str
    detail: str = ""
    note: str = ""
    why: tuple[ChainNode, ...] = ()
    ref: str = ""
    #: labelled lines under the item: an exercise's home instructions
    #: (("Setup", "..."), ("Cues", "..."), ...), printed in this order
    steps: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ItemList:
    """A list of items, numbered or not, with an optional caption."""

    items: tuple[Item, ...]
    ordered: bool = True
    caption: str = ""  # a line above the list, e.g. a phase's name in a plain report


@dataclass(frozen=True)
class Picture:
    """An image in a table cell: a posture photo.

    HTML embeds it as a `data:` URI (nothing is fetched) with `alt` as its alt text;
    every other format prints `text` in its place (`alt` when empty). `data` is the
    image's bytes in base64 and `media_type` says which format they are."""

    media_type: str  # image/jpeg | image/png | image/webp
    data: str        # base64
    alt: str
    text: str = ""

    @property
    def words(self) -> str:
        return self.text or self.alt


Cell = str | Picture


def cell_text(cell: Cell) -> str:
    """What a cell says in words: its text, or a picture's stand-in."""
    return cell.words if isinstance(cell, Picture) else cell


@dataclass(frozen=True)
class Table:
    """A table: a header row and rows of cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    """A picture for HTML with the words that stand in for it elsewhere.

    `svg` is a standalone `<svg>` element made by cexpert's own code (a chart, a
    Graphviz rendering); `text` is the fallback every other format prints (and
    HTML too when the SVG is missing or not a plain picture)."""

    caption: str
    text: tuple[str, ...]
    svg: str = ""


@dataclass(frozen=True)
class Chain:
    """One conclusion's reasoning chain, standing on its own (in an appendix)."""

    label: str
    nodes: tuple[ChainNode, ...]
    key: str = ""  # what an Item's `ref` points at


@dataclass(frozen=True)
class Section:
    """A titled part of a document, made of blocks."""

    title: str
    blocks: tuple[Block, ...] = ()
    alert: bool = False  # a referral: drawn so that it cannot be missed


Block = Paragraph | ItemList | Table | Figure | Chain | Section


@dataclass(frozen=True)
class Document:
    """A whole report, before it is rendered as text, Markdown or HTML."""

    title: str
    facts: tuple[str, ...] = ()  # lines about the client: age, goals, date
    sections: tuple[Section, ...] = ()
    appendix: tuple[Section, ...] = ()
    footer: str = ""


def headings(doc: Document) -> list[tuple[int, str]]:
    """Every heading of a document as (level, title): 1 the title, 2 a section, 3 below.

    The appendix is introduced by a level-2 heading of its own ("Appendix"), its
    sections one level down; renderers that draw headings draw exactly these."""
    out = [(1, doc.title)]

    def walk(section: Section, level: int) -> None:
        out.append((level, section.title))
        for block in section.blocks:
            if isinstance(block, Section):
                walk(block, level + 1)

    for section in doc.sections:
        walk(section, 2)
    if doc.appendix:
        out.append((2, APPENDIX_TITLE))
        for section in doc.appendix:
            walk(section, 3)
    return out


APPENDIX_TITLE = "Trainer's appendix: findings, what was left out and the reasoning"
