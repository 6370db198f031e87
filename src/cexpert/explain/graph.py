"""The reasoning as a graph: entered findings → rules → muscles → dysfunctions →
exercises and exclusions, built from provenance alone.

A pure-data graph first (nodes and edges, frozen), then renderers: DOT, Mermaid and,
through Graphviz, SVG. A teacher shows the whole chaining at a glance, or, with a
focus, the one chain behind one conclusion highlighted within it.

Each fact maps to at most one node: an input fact to its entry (a finding, a
condition, ...), a rule's fact to the rule that made it, a builtin fact to the
conclusion it stands for (a muscle's evidence, a ranked dysfunction, a program item,
an exclusion, a conflict, the referral). Facts that map to no node (FMS arithmetic,
dose changes, notes) are looked through to their premises, so every edge still
follows provenance.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterable
from dataclasses import dataclass

from cexpert.engine.facts import Fact
from cexpert.engine.result import Result
from cexpert.explain.describe import describe
from cexpert.language.knowledge import KnowledgeBase

#: Node kinds in the order the graph reads, left to right.
KINDS = ("input", "rule", "computed", "muscle", "conflict", "dysfunction", "referral", "exercise",
         "excluded")

_SHAPES = {"input": "note", "rule": "box", "computed": "cds", "muscle": "ellipse",
           "conflict": "octagon", "dysfunction": "hexagon", "referral": "doubleoctagon",
           "exercise": "component",
           "excluded": "box"}
_STYLES = {"rule": "rounded", "excluded": "dashed"}


@dataclass(frozen=True)
class Node:
    id: str  # stable: kind and domain ids, never a fact number
    kind: str  # one of KINDS
    label: str
    focus: bool = False


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    focus: bool = False


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    focus: str | None = None  # the fact the highlighted chain leads to

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)


class UnknownFocus(ValueError):
    """The --focus given names no conclusion of this consultation."""


def build(result: Result, kb: KnowledgeBase, focus: str | None = None) -> Graph:
    """The graph of one consultation; `focus` (a fact id, or a muscle, exercise or
    dysfunction id) highlights the chain behind that conclusion."""
    nodes: dict[str, Node] = {}
    chains: dict[str, tuple[str, ...]] = {}  # fact → its nodes: (rule, conclusion) or one
    for fact in result.facts.values():
        made = _nodes_of(fact, result, kb)
        for node in made:
            nodes.setdefault(node.id, node)
        if made:
            chains[fact.id] = tuple(n.id for n in made)
    pairs: dict[tuple[str, str], set[tuple[str, str]]] = {}

    def link(source: str, target: str, premise: str, fact: str) -> None:
        if source != target:
            pairs.setdefault((source, target), set()).add((premise, fact))

    for fact in result.facts.values():
        chain = chains.get(fact.id)
        if chain is None:
            continue
        for premise in _node_premises(result, chains, fact):
            link(chains[premise][-1], chain[0], premise, fact.id)
        for source, target in itertools.pairwise(chain):
            link(source, target, fact.id, fact.id)
    used = {n for pair in pairs for n in pair} | {
        n.id for n in nodes.values() if n.kind not in ("input", "rule")}
    chain_facts: set[str] = set()
    focus_fact = None
    if focus is not None:
        focus_fact = resolve_focus(result, focus)
        chain_facts = _behind(result, focus_fact)
    ordered = sorted((n for n in nodes.values() if n.id in used),
                     key=lambda n: (KINDS.index(n.kind), n.id))
    graph_nodes = tuple(
        Node(n.id, n.kind, n.label,
             focus=any(n.id in chains.get(f, ()) for f in chain_facts))
        for n in ordered)
    graph_edges = tuple(
        Edge(s, t, focus=any(p in chain_facts and c in chain_facts for p, c in facts))
        for (s, t), facts in sorted(pairs.items(), key=lambda item: _edge_key(item[0], nodes)))
    return Graph(graph_nodes, graph_edges, focus_fact)


def resolve_focus(result: Result, item: str) -> str:
    """The fact a focus names: a fact id, or the first conclusion with that id."""
    if item in result.facts:
        return item
    key = item.strip().lower().replace(" ", "_")
    for fact in [*(p.fact for p in result.program if p.exercise == key),
                 *(m.fact for m in result.muscles if m.id == key),
                 *(d.fact for d in result.dysfunctions if d.id == key),
                 *(e.fact for e in result.excluded if key in (e.exercise, e.muscle)),
                 *(c_fact for c in result.conflicts if c.id == key
                   for c_fact in _conflict_fact(result, c.id))]:
        return fact
    raise UnknownFocus(f"'{item}' is not a conclusion of this consultation")


def _conflict_fact(result: Result, muscle: str) -> list[str]:
    return [f.id for f in result.facts.values()
            if f.kind == "conflict" and f.get("muscle") == muscle]


def _edge_key(pair: tuple[str, str], nodes: dict[str, Node]) -> tuple:
    source, target = (nodes[p] for p in pair)
    return (KINDS.index(source.kind), source.id, KINDS.index(target.kind), target.id)


def _behind(result: Result, fact_id: str) -> set[str]:
    """The fact and every fact its proof rests on."""
    seen: set[str] = set()
    stack = [fact_id]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(result.facts[current].premises)
    return seen


def _node_premises(result: Result, node_of: dict[str, tuple[str, ...]], fact: Fact
                   ) -> set[str]:
    """The nearest premises of `fact` that are nodes, looking through those that are not."""
    found: set[str] = set()
    seen: set[str] = set()
    stack = list(fact.premises)
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        if current in node_of:
            found.add(current)
        else:
            stack.extend(result.facts[current].premises)
    return found


_SKIPPED_INPUTS = ("client",)
_SIDES = {"both": "both sides", "left": "left", "right": "right"}
_TERMINAL_KINDS = {"muscle": "muscle", "conflict": "conflict", "rank": "dysfunction",
                   "prescription": "exercise", "excluded": "excluded",
                   "fms_priority": "computed"}


def _nodes_of(fact: Fact, result: Result, kb: KnowledgeBase) -> tuple[Node, ...]:
    """The nodes a fact stands for: none (looked through), one, or a rule and the
    conclusion it made directly (a referral, an exclusion the result lists)."""
    node = _node_of(fact, result, kb)
    if node is None:
        return ()
    if node.kind == "rule":
        if fact.kind in ("referral", "hold"):
            return (node, Node("referral", "referral", _referral_label(result)))
        excluded = next((e for e in result.excluded if e.fact == fact.id), None)
        if excluded is not None:
            return (node, Node(f"excluded:{excluded.category}:{excluded.phase}:"
                               f"{excluded.exercise}:{excluded.muscle}", "excluded",
                               _short(f"Left out: {excluded.name}", 60)))
    return (node,)


def _node_of(fact: Fact, result: Result, kb: KnowledgeBase) -> Node | None:
    """The one node a fact stands for, or None (looked through)."""
    if fact.origin == "input":
        if fact.kind in _SKIPPED_INPUTS:
            return None
        key = ":".join(str(v) for v in fact.data.values() if not isinstance(v, bool))
        return Node(f"input:{fact.kind}:{key}", "input", _entered(describe(fact, kb)))
    if fact.origin == "rule" and fact.rule:
        rule = kb.rule(fact.rule)
        title = rule.title if rule else fact.rule
        return Node(f"rule:{fact.rule}", "rule", f"{fact.rule}\n{_short(title)}")
    kind = _TERMINAL_KINDS.get(fact.kind)
    if kind is None:
        return None
    d = fact.data
    label = ""
    if kind == "muscle":
        ident = f"muscle:{d.get('muscle')}:{d.get('state')}:{d.get('side')}"
        n = d.get("score")
        label = (f"{kb.name_of('muscle', d.get('muscle'))}\n{d.get('state')}, "
                 f"{_SIDES.get(d.get('side'), d.get('side'))}, {n} finding{'s' if n != 1 else ''}")
    elif kind == "conflict":
        ident = f"conflict:{d.get('muscle')}:{d.get('side')}"
        label = (f"Conflict: {kb.name_of('muscle', d.get('muscle'))}\n"
                 f"overactive and underactive, {_SIDES.get(d.get('side'), d.get('side'))}")
    elif kind == "dysfunction":
        ident = f"dysfunction:{d.get('dysfunction')}"
        item = next((i for i in result.dysfunctions if i.fact == fact.id), None)
        label = f"#{item.rank} {item.name}" if item else str(d.get("dysfunction"))
    elif kind == "computed":
        ident = f"computed:fms_priority:{d.get('test')}"
        label = f"FMS priority (computed)\n{kb.name_of('finding', d.get('test'))}"
    elif kind == "exercise":
        ident = f"exercise:{d.get('phase')}:{d.get('exercise')}:{d.get('side')}"
        label = (f"{kb.name_of('phase', d.get('phase'))}: "
                 f"{kb.name_of('exercise', d.get('exercise'))}"
                 + ("" if d.get("side") in ("both", None) else f" ({d.get('side')})"))
    else:
        ident = ("excluded:" + ":".join(str(d.get(k)) for k in
                                        ("category", "phase", "exercise", "muscle")))
        item = next((e for e in result.excluded if e.fact == fact.id), None)
        name = item.name if item else kb.name_of("exercise", d.get("exercise") or "")
        label = _short(f"Left out: {name} ({d.get('category')})", 60)
    return Node(ident, kind, label)


def _entered(text: str) -> str:
    return text.removeprefix("Entered: ")


def _referral_label(result: Result) -> str:
    if result.referral.required:
        return f"Referral ({result.referral.urgency})"
    return "Program held"


def _short(text: str, width: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# --- renderers ------------------------------------------------------------------------


def to_dot(graph: Graph) -> str:
    """Graphviz DOT, left to right, one cluster-free rank per kind."""
    lines = ["digraph reasoning {", "  rankdir=LR;",
             '  node [fontname="Helvetica", fontsize=11];', "  edge [color=gray40];"]
    for node in graph.nodes:
        attributes = [f"label={_dot_string(node.label)}", f"shape={_SHAPES[node.kind]}"]
        if node.kind in _STYLES:
            attributes.append(f'style="{_STYLES[node.kind]}{",bold" if node.focus else ""}"')
        elif node.focus:
            attributes.append("style=bold")
        if node.focus:
            attributes += ["color=red3", "penwidth=2.5"]
        lines.append(f"  {_dot_string(node.id)} [{', '.join(attributes)}];")
    for edge in graph.edges:
        style = " [color=red3, penwidth=2.5]" if edge.focus else ""
        lines.append(f"  {_dot_string(edge.source)} -> {_dot_string(edge.target)}{style};")
    for kind in KINDS:
        same = [_dot_string(n.id) for n in graph.nodes if n.kind == kind]
        if same:
            lines.append(f"  {{ rank=same; {'; '.join(same)}; }}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def to_mermaid(graph: Graph) -> str:
    """A Mermaid flowchart (renders in GitHub Markdown and most wikis)."""
    ids = {n.id: f"n{i}" for i, n in enumerate(graph.nodes, 1)}
    lines = ["flowchart LR"]
    for node in graph.nodes:
        left, right = _MERMAID_SHAPES[node.kind]
        lines.append(f"  {ids[node.id]}{left}\"{_mermaid_text(node.label)}\"{right}")
    for edge in graph.edges:
        lines.append(f"  {ids[edge.source]} --> {ids[edge.target]}")
    for kind in KINDS:
        members = [ids[n.id] for n in graph.nodes if n.kind == kind]
        if members:
            lines.append(f"  class {','.join(members)} {kind}")
    focused = [ids[n.id] for n in graph.nodes if n.focus]
    if focused:
        lines.append(f"  class {','.join(focused)} focus")
        lines.append("  classDef focus stroke:#b00,stroke-width:3px")
        links = [str(i) for i, e in enumerate(graph.edges) if e.focus]
        if links:
            lines.append(f"  linkStyle {','.join(links)} stroke:#b00,stroke-width:3px")
    return "\n".join(lines) + "\n"


_MERMAID_SHAPES = {"input": ("[/", "/]"), "rule": ("(", ")"), "computed": ("[\\", "\\]"),
                   "muscle": ("([", "])"),
                   "conflict": ("{{", "}}"), "dysfunction": ("{{", "}}"),
                   "referral": ("[[", "]]"), "exercise": ("[", "]"), "excluded": ("[", "]")}


def _mermaid_text(text: str) -> str:
    return (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;").replace("\n", "<br/>"))


class GraphvizMissing(RuntimeError):
    """SVG needs Graphviz's `dot` program; the message says how to get it."""


def dot_program_missing() -> str | None:
    """Why SVG cannot be drawn here, or None when it can."""
    try:
        import graphviz  # noqa: F401  (the Python binding: a declared dependency)
    except ImportError:
        return "the 'graphviz' Python package is not installed (uv sync)"
    if shutil.which("dot") is None:
        return ("Graphviz's 'dot' program is not on PATH: install it "
                "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), "
                "or use --format dot or mermaid")
    return None


def to_svg(graph: Graph) -> str:
    """The graph drawn by Graphviz as SVG; GraphvizMissing says how to get `dot`."""
    missing = dot_program_missing()
    if missing is not None:
        raise GraphvizMissing(missing)
    import graphviz

    try:
        return graphviz.Source(to_dot(graph)).pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound as error:
        raise GraphvizMissing(str(error)) from error


def kinds(graph: Graph, kind: str) -> Iterable[Node]:
    """The nodes of one kind, in graph order."""
    return (n for n in graph.nodes if n.kind == kind)


HEADINGS = {"input": "Entered", "rule": "Rules fired", "computed": "Computed",
             "muscle": "Muscles", "conflict": "Conflicts", "dysfunction": "Dysfunctions",
             "referral": "Referral", "exercise": "Program", "excluded": "Left out"}


def to_text(graph: Graph, focused_only: bool = True) -> list[str]:
    """The graph in columns of words, for a terminal: each kind under its heading, left to
    right as the graph reads, and under each node what it rests on (← ...)."""
    shown = [n for n in graph.nodes if n.focus or not focused_only]
    ids = {n.id for n in shown}
    labels = {n.id: " ".join(n.label.split()) for n in graph.nodes}
    lines: list[str] = []
    for kind in KINDS:
        nodes = [n for n in shown if n.kind == kind]
        if not nodes:
            continue
        lines.append(HEADINGS[kind])
        for node in nodes:
            lines.append(f"  {labels[node.id]}")
            sources = [labels[e.source] for e in graph.edges
                       if e.target == node.id and e.source in ids]
            lines += [f"      ← {source}" for source in sources]
    return lines
