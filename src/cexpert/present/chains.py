"""Reasoning chains in plain words, for documents and the TUI's Why screen.

`chain` is the compact chain a trainer reads under a recommendation:
bookkeeping steps (aggregates, rankings) folded into their premises, leaving
conclusion, rule, what was entered.
"""

from __future__ import annotations

from cexpert.engine.result import Result
from cexpert.explain.why import WhyNode, untitled, why
from cexpert.language.knowledge import KnowledgeBase
from cexpert.present.document import ChainNode


def rule_name(node: WhyNode) -> str:
    """A rule in a trainer's words (its title, or which table row it is), never its id."""
    if node.rule_label:
        return node.rule_label
    if untitled(node.rule_title, node.rule_text):
        return "a table row"
    return (node.rule_title or "").strip()


def is_table_row(node: WhyNode) -> bool:
    return untitled(node.rule_title, node.rule_text)


def rule_words(node: WhyNode) -> str:
    """'rule Title [source]' or 'Overhead squat table: Finding [source]'; empty for an
    entered fact. No ids: these lines are in the trainer's handout."""
    if not node.rule:
        return ""
    source = f" [{node.source}]" if node.source else ""
    name = rule_name(node)
    return f"{name}{source}" if is_table_row(node) else f"rule {name}{source}"


def chain(result: Result, kb: KnowledgeBase, fact: str) -> tuple[ChainNode, ...]:
    """The compact chain under an item (the item itself is its first line elsewhere)."""
    tree = why(result, kb, fact)
    nodes = tree.children if tree.origin == "builtin" else (tree,)
    return tuple(n for node in nodes for n in _compact(node))


def _compact(node: WhyNode) -> tuple[ChainNode, ...]:
    if node.origin == "builtin" and node.children:
        return tuple(n for child in node.children for n in _compact(child))
    children = () if node.repeated else tuple(
        n for child in node.children for n in _compact(child))
    return (ChainNode(node.text, rule_words(node), children),)
