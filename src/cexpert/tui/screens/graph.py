"""The graph of one conclusion: what it rests on, column by column (for a class).

`cexpert graph --focus` draws the same graph with Graphviz; here it is words, so it reads
in a terminal and in the browser classroom alike.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from cexpert.engine.result import Result
from cexpert.explain.graph import HEADINGS, build, to_text
from cexpert.language.knowledge import KnowledgeBase


class GraphScreen(Screen):
    """The reasoning graph around one conclusion, in words."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]
    DEFAULT_CSS = "GraphScreen #graph-box { padding: 0 1; }"

    def __init__(self, result: Result, kb: KnowledgeBase, fact: str, title: str):
        super().__init__()
        self.lines = to_text(build(result, kb, fact))
        self.heading = title

    def compose(self) -> ComposeResult:
        yield Header()
        text = Text()
        text.append(f"The graph of: {self.heading}\n\n", style="bold")
        for line in self.lines:
            text.append(line + "\n", style="bold" if line in HEADINGS.values() else "")
        with VerticalScroll(id="graph-box"):
            yield Static(text, id="graph-text")
        yield Footer(compact=True)
