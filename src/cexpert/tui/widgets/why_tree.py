"""Reasoning chains as expandable trees, built from `Service.why` / `Service.why_not` data."""

from __future__ import annotations

from rich.text import Text
from rich.tree import Tree as RichTree
from textual.containers import VerticalScroll
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from cexpert.explain.why import WhyNode
from cexpert.explain.why_not import WhyNot
from cexpert.present.chains import rule_name

ORIGIN_MARK = {"input": "✎ ", "rule": "⇒ ", "builtin": "∑ "}


def node_label(node: WhyNode) -> Text:
    text = Text(ORIGIN_MARK.get(node.origin, ""), style="dim")
    text.append(node.text, style="bold" if node.origin != "input" else "")
    if node.repeated:
        text.append("  (explained above)", style="dim italic")
    return text


class WhyTree(Tree[object]):
    """A proof tree: each conclusion, the rule that made it, and what it rests on."""

    DEFAULT_CSS = """
    WhyTree { height: 1fr; border: round $primary 40%; }
    WhyTree:focus { border: round $primary; }
    """

    def __init__(self, **kwargs):
        super().__init__(Text("Reasoning"), **kwargs)
        self.show_root = False
        self.guide_depth = 3

    def show_why(self, root: WhyNode | None) -> None:
        self.clear()
        if root is None:
            self.root.add_leaf(Text("Select a conclusion to see its reasoning.", style="dim"))
            return
        self._add(self.root, root)
        self.root.expand_all()
        self.move_cursor_to_line(0) if self.last_line >= 0 else None

    def _add(self, parent: TreeNode, node: WhyNode) -> None:
        branch = parent.add(node_label(node), data=node)
        if node.rule:
            name = rule_name(node)
            rule = branch.add(Text.assemble(
                ("because of " if name == "table row" else "because of rule ", "dim"),
                (name, "italic"), (f"  ({node.rule})", "dim")), data=node)
            if node.rule_text:
                # a tree line is one line: the rule's lines joined, not cut at the first
                written = " ".join(node.rule_text.split())
                rule.add_leaf(Text.assemble(("written: ", "dim"), written), data=node)
            if node.source:
                rule.add_leaf(Text.assemble(("source: ", "dim"), node.source), data=node)
        for child in node.children:
            self._add(branch, child)
        if not node.children:
            branch.allow_expand = bool(node.rule)

    def show_why_not(self, answer: WhyNot, with_answer: bool = True) -> None:
        self.clear()
        if with_answer:
            self.root.add_leaf(Text(answer.answer, style="bold"))
        for rule in answer.rules:
            branch = self.root.add(Text.assemble(("rule ", "dim"), (rule.title, "italic"),
                                                 (f"  ({rule.rule})", "dim")), data=rule)
            if rule.source:
                branch.add_leaf(Text.assemble(("source: ", "dim"), rule.source))
            for check in rule.checks:
                mark, style = ("✓ holds  ", "green") if check.holds else ("✗ fails  ",
                                                                          "bold red")
                branch.add_leaf(Text.assemble((mark, style), check.text))
        self.root.expand_all()


class WhyPreview(VerticalScroll):
    """The chain of the highlighted row, read-only and wrapped: beside the rows there is
    no room for a tree's one-line labels (they would be cut); Enter opens the full tree."""

    DEFAULT_CSS = """
    WhyPreview { height: 1fr; border: round $primary 40%; padding: 0 1; }
    WhyPreview > Static { width: 1fr; height: auto; }
    """

    def compose(self):
        yield Static(Text("Select a conclusion to see its reasoning.", style="dim"))

    def show_why(self, root: WhyNode | None) -> None:
        body = self.query_one(Static)
        if root is None:
            body.update(Text("Select a conclusion to see its reasoning.", style="dim"))
            return
        tree = RichTree(node_label(root), guide_style="dim")
        self._add(tree, root, top=True)
        body.update(tree)
        self.scroll_home(animate=False)

    def _add(self, branch: RichTree, node: WhyNode, top: bool = False) -> None:
        here = branch if top else branch.add(node_label(node))
        if node.rule:
            name = rule_name(node)
            rule = here.add(Text.assemble(
                ("because of " if name == "table row" else "because of rule ", "dim"),
                (name, "italic")))
            if node.source:
                rule.add(Text.assemble(("source: ", "dim"), node.source))
        for child in node.children:
            self._add(here, child)
