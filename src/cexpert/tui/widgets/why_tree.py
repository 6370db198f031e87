"""Reasoning chains as expandable trees, built from `Service.why` / `Service.why_not` data."""

from __future__ import annotations

import textwrap

from rich.text import Text
from rich.tree import Tree as RichTree
from textual.containers import VerticalScroll
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from cexpert.explain.why import WhyNode, rule_text_lines
from cexpert.explain.why_not import WhyNot
from cexpert.present.chains import is_table_row, rule_name

ORIGIN_MARK = {"input": "✎ ", "rule": "⇒ ", "builtin": "∑ "}


def highlighted(rule_text: str) -> Text:
    """A rule as written, coloured by the Pygments lexer of the rule language (the
    terminal's own colours: readable on the dark, light and projector themes).
    Pygments loads on the first rule shown, not with the first screen."""
    from rich.syntax import Syntax

    from cexpert.authoring.lexer import CexLexer

    text = Syntax("", lexer=CexLexer(), theme="ansi_dark",
                  background_color="default").highlight(rule_text)
    text.rstrip()
    return text


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
        self.shown = root
        self.clear()
        if root is None:
            self.root.add_leaf(Text("Select a conclusion to see its reasoning.", style="dim"))
            return
        self._width = self._line_width()
        self._add(self.root, root, 0)
        self.root.expand_all()
        self.move_cursor_to_line(0) if self.last_line >= 0 else None

    def _line_width(self) -> int:
        """The columns a tree line has (the tree, or the screen before layout)."""
        width = self.size.width or (self.app.size.width if self.is_attached else 0) or 100
        return max(width - 2, 20)  # the border

    def on_resize(self) -> None:
        shown = getattr(self, "shown", None)
        if shown is not None and self._line_width() != getattr(self, "_width", 0):
            self.show_why(shown)

    def _wrapped(self, text: str, depth: int, lead: int = 0) -> list[str]:
        """`text` in lines that fit at this depth: a tree line is one line, so a long one
        continues on the lines below it instead of being cut."""
        room = max(self._width - self.guide_depth * (depth + 1) - lead - 1, 16)
        return textwrap.wrap(text, room, break_on_hyphens=False) or [""]

    def _add(self, parent: TreeNode, node: WhyNode, depth: int) -> None:
        mark = ORIGIN_MARK.get(node.origin, "")
        first, *more = self._wrapped(node.text, depth, len(mark))
        label = Text(mark, style="dim")
        label.append(first, style="bold" if node.origin != "input" else "")
        if node.repeated:
            label.append("  (explained above)", style="dim italic")
        branch = parent.add(label, data=node)
        for line in more:
            branch.add_leaf(Text(line, style="bold" if node.origin != "input" else ""),
                            data=node)
        if node.rule:
            name = rule_name(node)
            because = "because of " if is_table_row(node) else "because of rule "
            head, *rest = self._wrapped(f"{because}{name}  ({node.rule})", depth + 1)
            rule = branch.add(Text.assemble((because, "dim"), (name, "italic"),
                                            (f"  ({node.rule})", "dim")) if not rest
                              else Text(head, style="italic"), data=node)
            for line in rest:
                rule.add_leaf(Text(line, style="italic"), data=node)
            if node.rule_text:
                # the rule as written, highlighted, each line wrapped where too long
                lines = rule_text_lines(node.rule_text)
                coloured = highlighted("\n".join(lines)).split("\n")
                for n, (written, colour) in enumerate(zip(lines, coloured, strict=False)):
                    start = 0
                    for m, chunk in enumerate(self._wrapped(written, depth + 2, 9)):
                        start = written.find(chunk, start)
                        lead = "written: " if n == m == 0 else "         "
                        rule.add_leaf(Text.assemble((lead, "dim"),
                                                    colour[start:start + len(chunk)]),
                                      data=node)
                        start += len(chunk)
            if node.source:
                for m, line in enumerate(self._wrapped(node.source, depth + 2, 8)):
                    rule.add_leaf(Text.assemble(("source: " if m == 0 else "        ", "dim"),
                                                line), data=node)
        for child in node.children:
            self._add(branch, child, depth + 1)
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
                ("because of " if is_table_row(node) else "because of rule ", "dim"),
                (name, "italic")))
            if node.source:
                rule.add(Text.assemble(("source: ", "dim"), node.source))
        for child in node.children:
            self._add(here, child)
