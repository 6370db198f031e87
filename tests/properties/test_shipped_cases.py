"""Every shipped example and test case renders every output and keeps the invariants
(the expected-JSON tests read only the JSON; a crash in the handout or a why would
pass them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from oracle import violations
from outputs import render_all
from runs import COUNTS

from cexpert.service import Service, load_kb

ROOT = Path(__file__).parents[2]
CASES = [*(("default", p) for p in sorted((ROOT / "examples").glob("*.toml"))),
         *(("default", p) for p in sorted((ROOT / "tests" / "cases").glob("*.toml"))),
         *(("cpt7", p) for p in sorted((ROOT / "tests" / "cases_cpt7").glob("*.toml")))]


@pytest.fixture(scope="module")
def profiles(shipped: Service) -> dict[str, Service]:
    return {"default": shipped, "cpt7": Service(load_kb(profile="cpt7").kb)}


@pytest.mark.parametrize(("profile", "path"), CASES,
                         ids=[f"{p.parent.name}/{p.name}" for _, p in CASES])
def test_a_shipped_case_renders_every_output_and_keeps_the_invariants(
        profile, path, profiles):
    service = profiles[profile]
    case = service.read_case(path)
    result = service.consult(case)
    assert render_all(service, case, result)
    assert [f"{v.invariant}: {v.text}" for v in violations(case, result, service.kb)] == []
    COUNTS["shipped cases"] += 1
