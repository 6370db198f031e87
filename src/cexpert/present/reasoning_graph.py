"""The reasoning graph as a Figure for a document's educator appendix.

HTML embeds the Graphviz drawing (when `dot` is installed); every other format, and
HTML without Graphviz, prints the same graph as its edges in words.
"""

from __future__ import annotations

from dataclasses import replace

from cexpert.engine.result import Result
from cexpert.explain.graph import GraphvizMissing, build, to_svg
from cexpert.language.knowledge import KnowledgeBase
from cexpert.present.document import Document, Figure, Paragraph, Section

TITLE = "For educators: the reasoning as a graph"


def graph_section(result: Result, kb: KnowledgeBase, focus: str | None = None,
                  draw: bool = True) -> Section:
    """The graph of a consultation (one conclusion's chain highlighted with `focus`)."""
    graph = build(result, kb, focus)
    svg = ""
    if draw:
        try:
            svg = to_svg(graph)
        except GraphvizMissing:
            svg = ""  # the words below stand in for the picture
    labels = {n.id: " ".join(n.label.split()) for n in graph.nodes}
    text = tuple(f"{labels[e.source]} → {labels[e.target]}" + ("  (highlighted)" if e.focus
                                                               else "")
                 for e in graph.edges)
    caption = ("Entered findings → rules → muscles → dysfunctions → exercises and "
               "exclusions" + (f"; the chain behind {focus} highlighted" if focus else ""))
    return Section(TITLE, (Paragraph("Every arrow follows a fact's premises: what was "
                                     "entered, the rule that fired on it, what it concluded "
                                     "and the program built from it.", tone="muted"),
                           Figure(caption, text, svg)))


def with_graph(doc: Document, section: Section) -> Document:
    """The document with the graph as the last section of its appendix."""
    return replace(doc, appendix=(*doc.appendix, section))
