"""Why a conclusion holds: a fact's proof tree rebuilt from provenance alone.

A data tree first, as memray does, so the CLI, reports and TUI render the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from cexpert.engine.result import Result
from cexpert.explain.describe import describe
from cexpert.language.knowledge import Atom, KbRule, KnowledgeBase


@dataclass(frozen=True)
class WhyNode:
    """A fact in a chain of reasoning: the rule that made it, and its premises below."""

    fact: str
    text: str  # the fact in plain words
    rule: str | None = None
    rule_title: str | None = None
    rule_text: str | None = None
    source: str | None = None
    origin: str = "input"
    children: tuple[WhyNode, ...] = ()
    repeated: bool = False  # shown in full elsewhere in this tree
    #: the rule in a trainer's words: its title, or for a table row (no title of its
    #: own) "Overhead squat table: Arms fall forward"; never its id
    rule_label: str | None = None


def why(result: Result, kb: KnowledgeBase, fact_id: str) -> WhyNode:
    """The proof tree of a fact, down to what the trainer entered."""
    seen: set[str] = set()

    def build(current: str) -> WhyNode:
        fact = result.facts[current]
        rule = kb.rule(fact.rule) if fact.rule else None
        repeated = current in seen and bool(fact.premises)
        seen.add(current)
        children = () if repeated else tuple(build(p) for p in fact.premises
                                             if result.facts[p].kind != "client")
        return WhyNode(
            fact=current, text=describe(fact, kb), rule=fact.rule,
            rule_title=rule.title if rule else None, rule_text=rule.text if rule else None,
            source=rule.source if rule else None, origin=fact.origin, children=children,
            repeated=repeated, rule_label=rule_label(rule, kb) if rule else None,
        )

    return build(fact_id)


def render_tree(node: WhyNode, indent: str = "", compact: bool = False) -> list[str]:
    """Lines of a proof tree: each fact, then the rule that made it, then its premises.

    `compact` folds the bookkeeping steps (aggregates, rankings) into their
    premises, leaving the chain a trainer reads: conclusion, rule, what was entered.
    """
    folded = compact and node.origin == "builtin" and node.children
    if folded:
        return [line for child in node.children for line in render_tree(child, indent, True)]
    lines = [f"{indent}{node.text}" + (" (see above)" if node.repeated else "")]
    child_indent = indent + "    "
    if node.rule:
        lines.append(f"{indent}  ← rule {node.rule}: {_rule_words(node)}"
                     + (f" [{node.source}]" if node.source else ""))
    elif node.origin == "builtin" and node.children:
        lines.append(f"{indent}  ← computed from:")
    for child in node.children:
        lines.extend(render_tree(child, child_indent, compact))
    return lines



def rule_label(rule: KbRule, kb: KnowledgeBase) -> str:
    """A rule in a trainer's words: its title; a table row (whose title is its own text
    cut short) by its assessment's table and its finding's name."""
    if not untitled(rule.title, rule.text):
        return rule.title.strip()
    atom = rule.condition
    finding = kb.get("finding", atom.id or "") if isinstance(atom, Atom) else None
    if finding is None:
        return "a table row"
    assessment = kb.name_of("assessment", finding.one("in") or "")
    return f"{assessment} table: {finding.name}"


def untitled(title: str | None, text: str | None) -> bool:
    """A rule with no title of its own: a table row's title is its text cut short."""
    title = (title or "").strip()
    return not title or (text or "").startswith(title)


def rule_text_lines(text: str) -> list[str]:
    """A rule as written, its continuation lines indented two more than its first."""
    first, *rest = text.split("\n")
    return [first.strip(), *(f"  {line.strip()}" for line in rest)]



def _rule_words(node: WhyNode) -> str:
    """A rule's title; for a table row (its title is its text cut short) the whole row
    on one line, so no name is cut in half."""
    if untitled(node.rule_title, node.rule_text):
        return " ".join((node.rule_text or "").split())
    return node.rule_title or ""
