"""`cexpert graph CASE [--focus ID] --format dot|mermaid|svg`: the reasoning as a graph."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub) -> None:
    graph = sub.add_parser("graph", help="the reasoning as a graph: findings → rules → "
                           "muscles → dysfunctions → exercises (DOT, Mermaid or SVG)")
    graph.add_argument("case", help="a case file (.toml)")
    graph.add_argument("--focus", help="highlight one conclusion's chain: a fact id (f12), "
                       "or a muscle, exercise or dysfunction id")
    graph.add_argument("--format", choices=("dot", "mermaid", "svg"), default="dot",
                       help="svg needs Graphviz's 'dot' program")
    graph.add_argument("--rules", action="append", help="knowledge base (default: shipped)")
    graph.add_argument("--profile", help="the table profile to use instead of the rules' "
                       "setting (e.g. cpt7)")


def cmd_graph(args: argparse.Namespace) -> int:
    # imported here: building the parser must not load the engine
    from cexpert.cli.consult import consult_args
    from cexpert.explain.graph import (
        GraphvizMissing,
        UnknownFocus,
        build,
        to_dot,
        to_mermaid,
        to_svg,
    )

    service, _, result = consult_args(args)
    if result is None:
        return service
    try:
        graph = build(result, service.kb, args.focus)
    except UnknownFocus as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    if args.format == "svg":
        try:
            text = to_svg(graph)
        except GraphvizMissing as error:
            sys.stderr.write(f"error: cannot draw SVG: {error}\n")
            return 2
    else:
        text = to_dot(graph) if args.format == "dot" else to_mermaid(graph)
    sys.stdout.write(text)
    return 0
