"""The oracle can fail: on deliberately weakened rules it reports what they let through.

The engine runs on a weakened copy of the shipped rules; the oracle judges its
results against the shipped rules. Hypothesis must find a consultation the
weakened rules get wrong, for each invariant, and every violation it reports
must be one the weakening explains.
"""

from __future__ import annotations

import random

import pytest
from consultations import Vocabulary, case_documents, to_toml
from hypothesis import Phase, find, settings
from oracle import violations
from runs import COUNTS, SEED
from weakened import rules_concluding, without_equipment, without_rules

from cexpert.service import Service

# the first consultation found is enough (no shrinking: the proof, not the minimal case)
SEARCH = settings(max_examples=2000, deadline=None, database=None, phases=[Phase.generate])


@pytest.fixture(scope="module")
def weakened(shipped: Service, tmp_path_factory) -> dict[str, Service]:
    """name -> a Service over a weakened copy: exclusions, equipment, referrals gone."""
    kb = shipped.kb
    root = tmp_path_factory.mktemp("weakened")
    return {
        "excluded": Service.open([without_rules(root / "no_exclusions",
                                                rules_concluding(kb, "exclude"))]),
        "equipment": Service.open([without_equipment(root / "no_equipment")]),
        "referral": Service.open([without_rules(root / "no_referrals",
                                                rules_concluding(kb, "refer"))]),
    }


def judged(service: Service, reference: Service, document: dict) -> set[str]:
    """The invariants the reference rules say `service`'s result breaks."""
    case = service.parse_case(to_toml(document), "weakened.toml")
    return {v.invariant for v in violations(case, service.consult(case), reference.kb)}


@pytest.mark.parametrize("invariant", ["excluded", "equipment", "referral", "suggest_excluded"])
def test_the_oracle_reports_what_weakened_rules_let_through(
        invariant, weakened, shipped: Service, words: Vocabulary):
    engine = weakened[invariant.removeprefix("suggest_")]  # no exclusions: no test filter
    example = find(case_documents(words),
                   lambda document: invariant in judged(engine, shipped, document),
                   settings=SEARCH, random=random.Random(SEED))
    COUNTS[f"weakened ({invariant}): consultation found"] += 1
    assert invariant in judged(engine, shipped, example)
    assert not judged(shipped, shipped, example), "the shipped rules get it right"


# Shrunk by the long run (seed 764473312): the rules read a plain `cleared` entry as a
# clearance by any clinician (README), so the hip precautions are lifted and the Thomas
# test may be suggested; the oracle once read only clearance records and called it a
# violation.
PLAIN_CLEARANCE = """\
[client]
name = "Hip replacement, cleared"
conditions = [{ id = "joint_replacement" }]

[screening]
parq_yes = []
cleared = ["joint_replacement"]

[assessment]
pull = ["pull_low_back_arches"]
"""


def test_a_plain_clearance_lifts_the_hip_precautions_for_the_oracle_as_for_the_rules(
        shipped: Service):
    case = shipped.parse_case(PLAIN_CLEARANCE, "plain_clearance.toml")
    result = shipped.consult(case)
    assert "thomas_test" in {t.test for t in result.suggested_tests}
    assert violations(case, result, shipped.kb) == []


# Shrunk by the long run (seed 764473312): the rules leave supine tests in the first
# trimester, given as weeks below 14 or as the status `first_trimester`; the oracle
# once read only the weeks (absent: 14) and called the Thomas test a violation.
FIRST_TRIMESTER = """\
[client]
name = "First trimester, cleared"
conditions = [{ id = "pregnancy", status = "first_trimester" }]

[screening]
parq_yes = []
cleared = ["pregnancy"]

[assessment]
ohsa = ["excessive_forward_lean"]
"""


def test_the_first_trimester_status_allows_supine_tests_for_the_oracle_as_for_the_rules(
        shipped: Service):
    case = shipped.parse_case(FIRST_TRIMESTER, "first_trimester.toml")
    result = shipped.consult(case)
    assert "thomas_test" in {t.test for t in result.suggested_tests}
    assert violations(case, result, shipped.kb) == []
