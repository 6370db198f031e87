"""Shared fixtures: a small knowledge base written into tmp_path, and a Service over it.

Tests write their own rules (and, where they need it, their own vocabulary) so
that they do not depend on the shipped knowledge base, which changes.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from cexpert.engine.result import Result
from cexpert.service import Service

VOCABULARY = """\
source "test vocabulary"
phase inhibit "Inhibit" treats overactive cap 4 sets 1 hold 30
phase activate "Activate" treats underactive cap 4 sets 2 reps "10-15"
phase integrate "Integrate" treats checkpoints cap 2
checkpoint foot_ankle "Foot and ankle" group lower
checkpoint knee "Knee" group lower
checkpoint lphc "Lumbo-pelvic-hip complex" group lphc
setting checkpoint_order foot_ankle, knee, lphc
setting assessment_order ohsa, single_leg_squat, fms
setting fms_order shoulder_mobility, hurdle_step, deep_squat

assessment ohsa "Overhead squat" views anterior, posterior
assessment single_leg_squat "Single-leg squat" sided
assessment pain "Pain reported"
assessment fms "Functional Movement Screen" scored 3
assessment fms_clearing "FMS clearing tests" sided
finding feet_turn_out "Feet turn out" in ohsa checkpoint foot_ankle
finding heels_rise "Heels rise" in ohsa checkpoint foot_ankle
finding knees_move_inward "Knees move inward" in ohsa checkpoint knee aka "knee valgus"
finding low_back_arches "Low back arches" in ohsa checkpoint lphc
finding sls_knee_moves_inward "Knee moves inward (single-leg squat)" in single_leg_squat
  checkpoint knee aka "knee moves inward"
finding low_back "Low back pain" in pain
finding deep_squat "Deep squat" in fms
finding hurdle_step "Hurdle step" in fms sided
finding shoulder_mobility "Shoulder mobility" in fms sided
finding clear_shoulder "Shoulder clearing test" in fms_clearing clears shoulder_mobility
  aka "shoulder"

muscle adductor_complex "Adductor complex" aka "adductors"
muscle gluteus_medius "Gluteus medius" aka "glute medius"
muscle gluteus_maximus "Gluteus maximus" aka "glute max"
muscle soleus "Soleus"
muscle tfl "TFL"
dysfunction lower_crossed_syndrome "Lower crossed syndrome"
condition osteoporosis "Osteoporosis"
limitation cannot_kneel "Cannot kneel"
equipment foam_roller "Foam roller"

exercise smr_adductors "Adductor roll" phase inhibit targets adductor_complex
  equipment foam_roller tags smr unilateral
setting exercise_preference smr_adductors, stand_adductor
exercise stand_adductor "Standing adductor release" phase inhibit targets adductor_complex
exercise smr_calves "Calf roll" phase inhibit targets soleus equipment foam_roller tags smr
exercise smr_tfl "TFL roll" phase inhibit targets tfl equipment foam_roller tags smr
exercise act_abduction "Side-lying hip abduction" phase activate targets gluteus_medius
  unilateral
exercise act_bridge "Floor bridge" phase activate targets gluteus_maximus
exercise int_step_up "Step-up to balance" phase integrate integrates foot_ankle, knee
"""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes seconds (builds and installs a wheel)")


#: What xdist workers reported (their summaries print here, in the controller).
_PROPERTY_RUNS: dict[str, Counter[str]] = {}
_COVERAGE: list[str] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """Merge one worker's property counts and coverage lines (see the conftests)."""
    output = getattr(node, "workeroutput", {})
    if "cexpert_properties" in output:
        title, counts = output["cexpert_properties"]
        _PROPERTY_RUNS.setdefault(title, Counter()).update(counts)
    if "cexpert_kb_coverage" in output and not _COVERAGE:
        _COVERAGE.extend(output["cexpert_kb_coverage"])


def pytest_terminal_summary(terminalreporter) -> None:
    for title, counts in _PROPERTY_RUNS.items():
        terminalreporter.section(f"consultation properties ({title})")
        for key, value in sorted(counts.items()):
            terminalreporter.write_line(f"{value:>9,}  {key}")
    if _COVERAGE:
        terminalreporter.section("knowledge-base coverage")
        for line in _COVERAGE:
            terminalreporter.write_line(line)


def write_kb(folder: Path, rules: str, vocabulary: str = VOCABULARY) -> Path:
    """A knowledge base directory: the vocabulary file and one rules file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "00_vocabulary.cex").write_text(vocabulary, encoding="utf-8")
    (folder / "10_rules.cex").write_text(rules, encoding="utf-8")
    return folder


@pytest.fixture
def vocabulary() -> str:
    """The shared test vocabulary, for tests that extend it."""
    return VOCABULARY


@pytest.fixture
def make_kb(tmp_path: Path) -> Callable[..., Path]:
    """make_kb(rules, vocabulary=VOCABULARY) -> the knowledge base directory."""
    return lambda rules, vocabulary=VOCABULARY: write_kb(tmp_path / "kb", rules, vocabulary)


@pytest.fixture
def make_service(make_kb) -> Callable[..., Service]:
    """make_service(rules, vocabulary=VOCABULARY) -> a Service over that knowledge base."""
    return lambda rules, vocabulary=VOCABULARY: Service.open([make_kb(rules, vocabulary)])


@pytest.fixture
def consult() -> Callable[[Service, str], Result]:
    """consult(service, case_toml_text) -> the Result."""
    return lambda service, case: service.consult(service.parse_case(case, "case.toml"))


def require_component(component: str, missing: str | None) -> None:
    """Skip a test whose real component (pg, browser, graphviz) is missing, saying why;
    in CI (`CEXPERT_REQUIRE_PG=1` etc., set by .ci/run) the same absence fails it."""
    if missing is None:
        return
    if os.environ.get(f"CEXPERT_REQUIRE_{component.upper()}") == "1":
        pytest.fail(f"{component} is required here (CEXPERT_REQUIRE_{component.upper()}=1) "
                    f"but missing: {missing}")
    pytest.skip(f"{component} not available: {missing}")


@pytest.fixture
def require():
    """`require("pg", reason_or_None)`: see `require_component`."""
    return require_component
