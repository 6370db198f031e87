"""The reasoning as a graph: nodes and edges follow provenance, a focus highlights
exactly one conclusion's chain, and DOT, Mermaid and SVG render the same graph."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from cexpert.explain.graph import (
    KINDS,
    UnknownFocus,
    build,
    dot_program_missing,
    to_dot,
    to_mermaid,
    to_svg,
)
from cexpert.service import Service, load_kb
from test_check_cli import cli

ROOT = Path(__file__).resolve().parents[1]
SERVICE = Service(load_kb().kb)
KB = SERVICE.kb


def graph_of(example: str, focus: str | None = None):
    result = SERVICE.consult(SERVICE.read_case(ROOT / "examples" / f"{example}.toml"))
    return result, build(result, KB, focus)


def edges(graph) -> set[tuple[str, str]]:
    return {(e.source, e.target) for e in graph.edges}


def test_a_finding_leads_through_its_table_row_to_its_muscles():
    _, graph = graph_of("runner")
    knee = "input:finding:knees_move_inward:ohsa:both"
    row = "rule:20_ohsa.knees_move_inward"
    assert (knee, row) in edges(graph)
    assert {t for s, t in edges(graph) if s == row} == {
        "muscle:adductor_complex:overactive:both",
        "muscle:biceps_femoris_short_head:overactive:both",
        "muscle:tfl:overactive:both", "muscle:vastus_lateralis:overactive:both",
        "muscle:gluteus_medius:underactive:both", "muscle:gluteus_maximus:underactive:both",
        "muscle:vmo:underactive:both"}


def test_every_conclusion_of_the_result_is_a_node():
    result, graph = graph_of("runner")
    ids = {n.id for n in graph.nodes}
    for muscle in result.muscles:
        assert f"muscle:{muscle.id}:{muscle.state}:{muscle.side}" in ids
    for item in result.program:
        assert f"exercise:{item.phase}:{item.exercise}:{item.side}" in ids
    for item in result.dysfunctions:
        assert f"dysfunction:{item.id}" in ids


def test_a_muscle_leads_to_the_exercise_that_treats_it():
    _, graph = graph_of("runner")
    into_abduction = {s for s, t in edges(graph) if t.startswith("exercise:activate:")
                      and "gluteus_medius" in s}
    assert into_abduction == {"muscle:gluteus_medius:underactive:both"}


def test_a_contraindication_leads_from_the_condition_through_its_rule_to_the_exclusion():
    _, graph = graph_of("older_adult_osteoporosis")
    condition, rule = "input:condition:osteoporosis", "rule:smr_osteoporosis"
    assert (condition, rule) in edges(graph)
    excluded = {t for s, t in edges(graph) if s == rule}
    assert excluded == {"excluded:contraindication:inhibit:None:None"}
    assert graph.node("excluded:contraindication:inhibit:None:None").kind == "excluded"


def test_pain_leads_through_the_referral_rule_to_the_referral():
    _, graph = graph_of("low_back_pain")
    assert ("input:finding:low_back:pain:both", "rule:pain_refer") in edges(graph)
    assert ("rule:pain_refer", "referral") in edges(graph)
    assert graph.node("referral").label.startswith("Referral")
    assert not any(n.kind == "exercise" for n in graph.nodes)


def test_the_fms_priority_is_a_computed_node_between_the_targets_and_the_priority_rule():
    _, graph = graph_of("athlete_fms")
    priority = "computed:fms_priority:active_straight_leg_raise"
    assert ("rule:fms_targets", priority) in edges(graph)
    assert (priority, "rule:fms_priority_aslr") in edges(graph)


def test_a_focus_highlights_exactly_the_chain_behind_one_conclusion():
    _, graph = graph_of("runner", "gluteus_medius")
    assert {n.id for n in graph.nodes if n.focus} == {
        "input:finding:knees_move_inward:ohsa:both",
        "input:finding:sls_knee_moves_inward:single_leg_squat:right",
        "rule:20_ohsa.knees_move_inward", "rule:21_other_assessments.sls_knee_moves_inward",
        "muscle:gluteus_medius:underactive:both"}
    assert {(e.source, e.target) for e in graph.edges if e.focus} == {
        ("input:finding:knees_move_inward:ohsa:both", "rule:20_ohsa.knees_move_inward"),
        ("input:finding:sls_knee_moves_inward:single_leg_squat:right",
         "rule:21_other_assessments.sls_knee_moves_inward"),
        ("rule:20_ohsa.knees_move_inward", "muscle:gluteus_medius:underactive:both"),
        ("rule:21_other_assessments.sls_knee_moves_inward",
         "muscle:gluteus_medius:underactive:both")}


def test_a_focus_on_nothing_concluded_is_refused():
    result, _ = graph_of("runner")
    with pytest.raises(UnknownFocus):
        build(result, KB, "pectoralis_minor")


def test_dot_has_one_statement_per_node_and_per_edge():
    _, graph = graph_of("runner", "gluteus_medius")
    dot = to_dot(graph)
    assert dot.count(" -> ") == len(graph.edges)
    assert dot.count("color=red3") == sum(n.focus for n in graph.nodes) + sum(
        e.focus for e in graph.edges)


def test_mermaid_has_one_line_per_node_and_per_edge():
    _, graph = graph_of("desk_worker")
    mermaid = to_mermaid(graph).splitlines()
    assert mermaid[0] == "flowchart LR"
    assert sum(" --> " in line for line in mermaid) == len(graph.edges)
    assert sum(line.startswith("  n") and " --> " not in line for line in mermaid) == len(
        graph.nodes)


def test_svg_is_drawn_by_graphviz(require):
    require("graphviz", dot_program_missing())
    _, graph = graph_of("runner", "gluteus_medius")
    svg = to_svg(graph)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "Gluteus medius" in svg


def test_the_graph_command_prints_dot_and_mermaid(capsys):
    case = str(ROOT / "examples" / "runner.toml")
    code, out, _ = cli(capsys, "graph", case, "--focus", "gluteus_medius")
    assert code == 0 and out.startswith("digraph reasoning {") and "color=red3" in out
    code, out, _ = cli(capsys, "graph", case, "--format", "mermaid")
    assert code == 0 and out.startswith("flowchart LR")


def test_the_graph_command_refuses_an_unknown_focus(capsys):
    case = str(ROOT / "examples" / "runner.toml")
    code, out, err = cli(capsys, "graph", case, "--focus", "nothing_here")
    assert code == 2 and "not a conclusion" in err and not out


def test_svg_without_graphviz_says_how_to_get_it(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("dot is missing here anyway")
    env = {"PATH": str(tmp_path), "PYTHONPATH": str(ROOT / "src")}
    case = str(ROOT / "examples" / "runner.toml")
    run = subprocess.run([sys.executable, "-m", "cexpert.cli", "graph", case, "--format", "svg"],
                         capture_output=True, text=True, env=env)
    assert run.returncode == 2 and "apt-get install graphviz" in run.stderr


# --- properties over the knowledge base's own vocabulary ---------------------------------

OHSA = sorted(f for f, e in KB.of("finding").items() if e.one("in") == "ohsa")
CONDITIONS = sorted(KB.of("condition"))


@hs.composite
def cases(draw) -> str:
    findings = draw(hs.lists(hs.sampled_from(OHSA), max_size=5, unique=True))
    conditions = draw(hs.lists(hs.sampled_from(CONDITIONS), max_size=2, unique=True))
    return (f"[client]\nname = \"P\"\nconditions = {conditions!r}\n"
            f"[assessment]\nohsa = {findings!r}\n")


@settings(max_examples=40, deadline=None)
@given(cases())
def test_every_edge_joins_nodes_and_runs_left_to_right(text):
    result = SERVICE.consult(SERVICE.parse_case(text, "p.toml"))
    graph = build(result, KB)
    ids = {n.id: n for n in graph.nodes}
    for edge in graph.edges:
        assert edge.source in ids and edge.target in ids
        assert ids[edge.target].kind != "input"
    assert len(ids) == len(graph.nodes)
    assert all(n.kind in KINDS for n in graph.nodes)


@settings(max_examples=40, deadline=None)
@given(cases(), hs.data())
def test_a_focus_highlights_the_conclusion_and_only_nodes_that_reach_it(text, data):
    result = SERVICE.consult(SERVICE.parse_case(text, "p.toml"))
    if not result.muscles:
        return
    muscle = data.draw(hs.sampled_from(result.muscles))
    graph = build(result, KB, muscle.fact)
    target = f"muscle:{muscle.id}:{muscle.state}:{muscle.side}"
    focused = {n.id for n in graph.nodes if n.focus}
    assert target in focused
    reaching = {target}
    changed = True
    while changed:
        before = len(reaching)
        reaching |= {e.source for e in graph.edges if e.target in reaching}
        changed = len(reaching) != before
    assert focused <= reaching


# --- the educator appendix of the export --------------------------------------------------

LESSON_1 = str(ROOT / "examples" / "teaching" / "01_one_row.toml")


def test_infer_graph_adds_the_arrows_to_the_appendix_in_words(capsys):
    code, out, _ = cli(capsys, "infer", LESSON_1, "--graph")
    appendix = out.split("For educators: the reasoning as a graph")[1]
    assert code == 0
    assert "Soleus overactive, both sides, 1 finding → Inhibit: Calf roll" in appendix


def test_infer_graph_in_html_embeds_the_graphviz_drawing(capsys, require):
    require("graphviz", dot_program_missing())
    code, out, _ = cli(capsys, "infer", LESSON_1, "--graph", "--format", "html")
    figure = out.split("For educators: the reasoning as a graph")[1]
    assert code == 0 and figure.count("<svg") == 1 and "Calf roll" in figure


def test_without_graph_the_export_has_no_graph(capsys):
    _, out, _ = cli(capsys, "infer", LESSON_1, "--format", "html")
    assert "the reasoning as a graph" not in out and "<svg" not in out
