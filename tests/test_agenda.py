"""The agenda recorded during the run: what was pending at each firing, in the
strategy's order, why the fired activation won, what it added; only when asked for."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as hs

from cexpert.explain.agenda import as_json, moments, reason, step_of_fact, watch_lines
from cexpert.service import Service, load_kb
from test_check_cli import cli

ROOT = Path(__file__).resolve().parents[1]
KNEES = '[assessment]\nohsa = ["knees_move_inward"]\n'


def recorded(make_service, rules: str, case: str = KNEES):
    service = make_service(rules)
    return service, service.consult(service.parse_case(case, "case.toml"), record=True)


def test_an_ordinary_consultation_records_nothing(make_service, consult):
    service = make_service("knee valgus → overactive adductors\n")
    assert consult(service, KNEES).agenda is None


def test_recording_changes_nothing_in_the_json(make_service):
    service = make_service("knee valgus → overactive adductors\nrule r when knee valgus "
                           "then underactive glute medius\n")
    case = service.parse_case(KNEES, "case.toml")
    assert (json.dumps(service.consult(case).as_json())
            == json.dumps(service.consult(case, record=True).as_json()))


def test_higher_salience_fires_first_and_says_so(make_service):
    _, result = recorded(make_service, (
        "rule low when knee valgus then overactive adductors\n"
        "rule high salience 10 when knee valgus then overactive tfl\n"))
    first = result.agenda.steps[0]
    assert [a.rule for a in first.agenda] == ["high", "low"]
    assert first.won_by == "salience"


def test_equal_salience_fires_in_knowledge_base_order(make_service):
    service, result = recorded(make_service, (
        "rule first when knee valgus then overactive adductors\n"
        "rule second when knee valgus then overactive tfl\n"))
    step = result.agenda.steps[0]
    assert (step.fired.rule, step.won_by) == ("first", "order")
    assert reason(step, service.kb) == (
        "earlier in the knowledge base (10_rules.cex:1 before 10_rules.cex:2)")


def test_a_rule_testing_not_waits_for_the_rules_that_conclude_it(make_service):
    _, result = recorded(make_service, (
        "rule unless when knee valgus and not dysfunction lower crossed syndrome "
        "then overactive tfl\n"
        "rule pattern when knee valgus then dysfunction lower crossed syndrome\n"))
    first = result.agenda.steps[0]
    assert [a.rule for a in first.agenda] == ["pattern", "unless"]
    assert first.won_by == "stratum"


def test_a_dropped_activation_is_shown_leaving_the_agenda(make_service):
    service, result = recorded(make_service, (
        "rule unless when knee valgus and not dysfunction lower crossed syndrome "
        "then overactive tfl\n"
        "rule pattern when knee valgus then dysfunction lower crossed syndrome\n"))
    lines = watch_lines(result, service.kb, ("activations", "rules"))
    assert "<== Activation 0 unless: f2" in lines
    assert [line.split()[2] for line in lines if line.startswith("FIRE")] == ["pattern:"]


def test_the_same_rule_on_two_facts_fires_on_the_older_first(make_service):
    _, result = recorded(make_service, "rule r when knee valgus or heels rise then "
                         "overactive tfl\n", '[assessment]\nohsa = ["heels_rise", '
                         '"knees_move_inward"]\n')
    first = result.agenda.steps[0]
    assert [a.facts for a in first.agenda] == [("f2",), ("f3",)]
    assert first.won_by == "facts"


def test_each_step_adds_what_the_firing_concluded(make_service):
    _, result = recorded(make_service, "knee valgus → overactive adductors, tfl\n")
    (step,) = result.agenda.steps
    assert step.added == step.concluded == ("f3", "f4")
    assert [result.facts[f].rule for f in step.added] == ["10_rules.knees_move_inward"] * 2


def test_working_memory_grows_by_what_each_step_added(make_service):
    _, result = recorded(make_service, (
        "knee valgus → overactive adductors\n"
        "rule then_tfl when overactive adductors then overactive tfl\n"))
    first, second = moments(result.agenda)
    assert first.memory == ("f1", "f2") and first.newest == {"f1", "f2"}
    assert second.memory == ("f1", "f2", "f3") and second.newest == {"f3"}
    assert step_of_fact(result.agenda, ["f4"]) == 2


def test_watch_prints_facts_activations_and_firings_in_clips_style(make_service):
    service, result = recorded(make_service, "knee valgus → overactive adductors\n")
    assert watch_lines(result, service.kb) == [
        "==> f1    Client ",
        "==> f2    Entered: Knees move inward in Overhead squat, both sides",
        "==> Activation 0 10_rules.knees_move_inward: f2    "
        "[stratum 0, salience 0, 10_rules.cex:1, facts f2]",
        "FIRE    1 10_rules.knees_move_inward: f2",
        "          won: the only activation on the agenda",
        "==> f3    Adductor complex is probably overactive (both sides)",
    ]


def test_trace_show_prints_the_recorded_agenda(capsys):
    case = str(ROOT / "examples" / "runner.toml")
    code, out, _ = cli(capsys, "trace", case, "--show", "facts,activations,rules")
    assert code == 0
    assert out.startswith("==> f1    Client Kim Knees\n")
    assert "FIRE    1 20_ohsa.feet_turn_out: f11\n" in out
    assert "==> Activation 0 20_ohsa.knees_move_inward: f12" in out


def test_trace_show_json_is_the_recording_as_data(capsys):
    case = str(ROOT / "examples" / "runner.toml")
    code, out, _ = cli(capsys, "trace", case, "--show", "rules", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["steps"][0]["fired"]["rule"] == "20_ohsa.feet_turn_out"
    assert data["steps"][0]["won_by"] == "order"
    assert set(data["facts"]) >= set(data["memory"])


def test_trace_show_refuses_an_unknown_watch(capsys):
    code, _, err = cli(capsys, "trace", str(ROOT / "examples" / "runner.toml"),
                       "--show", "facts,agenda")
    assert code == 2 and "unknown: agenda" in err


# --- properties over the shipped knowledge base's vocabulary ------------------------------

SERVICE = Service(load_kb().kb)
KB = SERVICE.kb
OHSA = sorted(f for f, e in KB.of("finding").items() if e.one("in") == "ohsa")
CONDITIONS = sorted(KB.of("condition"))
FMS = sorted(f for f, e in KB.of("finding").items() if e.one("in") == "fms")


@hs.composite
def cases(draw) -> str:
    findings = draw(hs.lists(hs.sampled_from(OHSA), max_size=5, unique=True))
    conditions = draw(hs.lists(hs.sampled_from(CONDITIONS), max_size=2, unique=True))
    fms = draw(hs.dictionaries(hs.sampled_from(FMS), hs.integers(0, 3), max_size=len(FMS)))
    pain = draw(hs.lists(hs.sampled_from(["low_back"]), max_size=1))
    return (f"[client]\nname = \"P\"\nconditions = {conditions!r}\n"
            f"[assessment]\nohsa = {findings!r}\npain = {pain!r}\n[fms]\n"
            + "".join(f"{t} = {v}\n" for t, v in fms.items()))


def _strategy_key(a):
    return (a.stratum, -a.salience, a.order)


@settings(max_examples=40, deadline=None)
@given(cases())
def test_every_step_fires_the_head_of_an_agenda_in_strategy_order(text):
    result = SERVICE.consult(SERVICE.parse_case(text, "p.toml"), record=True)
    rec = result.agenda
    assert len(rec.steps) == result.firings
    for step in rec.steps:
        keys = [_strategy_key(a) for a in step.agenda]
        assert keys == sorted(keys)
        for fact in step.concluded:
            made = result.facts[fact]
            assert made.rule == step.fired.rule
            assert set(made.premises) == set(step.fired.facts)
        assert set(step.added) <= set(step.concluded)


@settings(max_examples=25, deadline=None)
@given(cases())
def test_the_recording_is_the_same_byte_for_byte_on_every_run(text):
    case = SERVICE.parse_case(text, "p.toml")
    first = SERVICE.consult(case, record=True)
    second = SERVICE.consult(case, record=True)
    assert watch_lines(first, KB) == watch_lines(second, KB)
    assert json.dumps(as_json(first, KB)) == json.dumps(as_json(second, KB))
