"""Why: the reasoning chain of one conclusion, as an expandable tree in plain words."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static, Tree

from cexpert.explain.why import WhyNode
from cexpert.present.chains import rule_name
from cexpert.present.rows import Row
from cexpert.present.words import instruction_steps
from cexpert.tui.messages import WhyNotRequested
from cexpert.tui.widgets.footer import KeysFooter
from cexpert.tui.widgets.why_tree import WhyTree, highlighted

WHAT = {"muscle": "Why this muscle", "dysfunction": "Why this dysfunction",
        "exercise": "Why this exercise", "excluded": "Why this was left out",
        "referral": "Why the referral", "conflict": "Why the conflict",
        "fms": "How the FMS was scored", "reassess": "Why reassess"}


class WhyScreen(Screen):
    CSS_PATH = "why.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("e", "expand", "Expand all"),
        Binding("c", "collapse", "Collapse"),
        Binding("n", "why_not", "Why not", show=True),
        Binding("g", "graph", "Graph"),
    ]

    def __init__(self, row: Row, node: WhyNode):
        super().__init__()
        self.row = row
        self.node = node

    def compose(self) -> ComposeResult:
        yield Header()
        question = Text.assemble((WHAT.get(self.row.what, "Why") + ": ", "bold"),
                                 self.row.text.strip())
        yield Static(question, id="why-question")
        tree = WhyTree(id="why-tree")
        tree.border_title = "Reasoning chain, down to what was entered"
        yield tree
        with VerticalScroll(id="why-detail-box"):
            yield Static(id="why-detail")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        tree = self.query_one(WhyTree)
        tree.show_why(self.node)
        tree.focus()
        self._detail(self.node)

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        data = event.node.data
        if isinstance(data, WhyNode):
            self._detail(data)

    def _how(self, text: Text) -> None:
        """An exercise's home instructions, above its reasoning (the root's detail)."""
        result = getattr(self.app, "result", None)
        item = next((p for p in result.program if p.fact == self.row.fact), None) \
            if result is not None and self.row.what == "exercise" else None
        if item is None or item.instructions is None:
            return
        text.append("How to do it (the client's instructions)\n", style="bold")
        for label, line in instruction_steps(item):
            text.append(f"{label}: ", style="dim")
            text.append(line + "\n")
        text.append("Source: ", style="dim")
        text.append(item.instructions.source + "\n\n")

    def _detail(self, node: WhyNode) -> None:
        text = Text()
        if node is self.node:
            self._how(text)
        if node.rule:
            text.append("Rule ", style="dim")
            text.append(rule_name(node), style="bold")
            text.append(f" ({node.rule})\n", style="dim")
            if node.rule_text:
                text.append_text(highlighted(node.rule_text))
                text.append("\n")
            if node.source:
                text.append("Source: ", style="dim")
                text.append(node.source)
        elif node.origin == "input":
            text.append("Entered by the trainer. ", style="dim")
            text.append(node.text)
        else:
            text.append("Computed by cexpert (counting, scoring or ranking) from the "
                        "steps beneath it.", style="dim")
        self.query_one("#why-detail", Static).update(text)

    def action_expand(self) -> None:
        self.query_one(WhyTree).root.expand_all()

    def action_collapse(self) -> None:
        tree = self.query_one(WhyTree)
        for child in tree.root.children:
            child.collapse_all()

    def action_why_not(self) -> None:
        muscle = self.row.key if self.row.what == "muscle" else ""
        state = ""
        if muscle and "overactive" in self.node.text:
            state = "underactive"
        elif muscle:
            state = "overactive"
        self.post_message(WhyNotRequested(muscle, state))

    def action_graph(self) -> None:
        """The graph of this conclusion (what it rests on, column by column)."""
        from cexpert.tui.screens.graph import GraphScreen

        result = self.app.result  # type: ignore[attr-defined]
        if result is not None and self.row.fact in result.facts:
            self.app.push_screen(GraphScreen(result, self.app.service.kb,  # type: ignore[attr-defined]
                                             self.row.fact, self.row.text.strip()))
