"""Specifications for clearances: a record with a scope (what, by whom, when), the rules'
`cleared ... by ... within N months`, and reasons that name what was found."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cexpert.engine.case import CaseError

CLINICIANS = """\
clinician physician "Physician"
clinician physical_therapist "Physical therapist"
finding knee "Knee pain" in pain region "knee"
condition pregnancy "Pregnancy"
"""

RULES = """\
source "t"
rule pain_refer "Pain"
  when pain any and not cleared by physician, physical_therapist
  then refer because "pain in the {side} {region} during {during}"; hold program because "h"
rule parq_2 "Q2"
  when parq 2 and not cleared by physician within 12 months
  then refer because "question {question}"; hold program because "h"
rule pregnancy "Pregnancy"
  when condition pregnancy and not cleared pregnancy by physician
  then refer because "pregnancy"; hold program because "h"
"""


@pytest.fixture
def service(make_service, vocabulary):
    return make_service(RULES, vocabulary + CLINICIANS)


def reasons(consult, service, case: str) -> tuple[str, ...]:
    return consult(service, case).referral.reasons


def problems_of(service, text: str) -> tuple[str, ...]:
    with pytest.raises(CaseError) as caught:
        service.parse_case(text, "case.toml")
    return caught.value.problems


PAIN_BOTH_KNEES = """
date = 2026-12-01
[assessment]
single_leg_squat = { left = ["knee moves inward"], right = ["knee moves inward"] }
pain = { left = [{ id = "knee", during = "single_leg_squat" }], right = ["knee"] }
"""


def clearance(**fields) -> str:
    body = "\n".join(f"{k} = {v!r}" if isinstance(v, str) else f"{k} = {v}"
                     for k, v in fields.items())
    return f"[[screening.clearances]]\n{body}\n"


# --- the reason names what was found and where -------------------------------------------


def test_a_reason_names_the_side_region_and_assessment_of_the_pain(consult, service):
    assert "pain in the left knee during the single-leg squat" in reasons(
        consult, service, PAIN_BOTH_KNEES)


def test_pain_entered_without_an_assessment_says_an_assessment(consult, service):
    assert "pain in the right knee during an assessment" in reasons(
        consult, service, PAIN_BOTH_KNEES)


# --- a clearance covers what it names, on its side ---------------------------------------


def test_a_clearance_for_one_side_leaves_pain_on_the_other_side_referred(consult, service):
    case = PAIN_BOTH_KNEES + clearance(pain="knee", side="left", by="physician",
                                       date="2026-11-20")
    found = reasons(consult, service, case)
    assert not any("left knee" in r for r in found)
    assert any("right knee" in r for r in found)


def test_a_clearance_for_both_sides_covers_either(consult, service):
    case = PAIN_BOTH_KNEES + clearance(pain="knee", by="physical_therapist",
                                       date="2026-11-20")
    assert consult(service, case).referral.required is False


def test_a_clearance_by_a_clinician_the_rule_does_not_name_does_not_count(
        make_service, vocabulary, consult):
    service = make_service(RULES, vocabulary + CLINICIANS +
                           'clinician obstetric_provider "Obstetric care provider"\n')
    case = PAIN_BOTH_KNEES + clearance(pain="knee", by="obstetric_provider",
                                       date="2026-11-20")
    assert consult(service, case).referral.required is True


@pytest.mark.parametrize(("given", "held"), [("2025-12-02", False), ("2025-12-01", True),
                                             ("2024-06-01", True)])
def test_within_12_months_lapses_twelve_months_to_the_day(consult, service, given, held):
    case = ("date = 2026-12-01\n[screening]\nparq_yes = [2]\n"
            + clearance(parq=2, by="physician", date=given))
    assert consult(service, case).referral.holds_program is held


def test_the_question_placeholder_names_the_parq_answer(consult, service):
    case = "date = 2026-12-01\n[screening]\nparq_yes = [2]\n"
    assert "question 2" in reasons(consult, service, case)


def test_the_plain_cleared_list_still_clears_a_condition(consult, service):
    case = '[client]\nconditions = ["pregnancy"]\n[screening]\ncleared = ["pregnancy"]\n'
    assert consult(service, case).referral.required is False


# --- the case file: every problem with its field -------------------------------------------


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"parq": 2, "by": "physician"}, "screening.clearances[0].date"),
        ({"parq": 2, "date": "2026-01-01"}, "screening.clearances[0].by"),
        ({"parq": 9, "by": "physician", "date": "2026-01-01"},
         "screening.clearances[0].parq"),
        ({"pain": "knee", "by": "physican", "date": "2026-01-01"},
         "screening.clearances[0].by"),
        ({"by": "physician", "date": "2026-01-01"}, "screening.clearances[0]"),
        ({"parq": 2, "side": "left", "by": "physician", "date": "2026-01-01"},
         "screening.clearances[0].side"),
        ({"parq": 2, "by": "physician", "date": "2027-01-01"},
         "screening.clearances[0].date"),
        ({"parq": 2, "by": "physician", "date": "soon"}, "screening.clearances[0].date"),
    ],
)
def test_a_bad_clearance_names_its_field(service, record, field):
    problems = problems_of(service, "date = 2026-12-01\n" + clearance(**record))
    assert any(p.startswith(f"{field}: ") for p in problems), problems


def test_a_case_with_clearances_needs_its_own_date(service):
    problems = problems_of(service, clearance(parq=2, by="physician", date="2026-01-01"))
    assert any(p.startswith("date: ") for p in problems)


def test_pain_during_an_unknown_assessment_is_refused(service):
    problems = problems_of(service, '[assessment]\npain = [{ id = "knee", during = "ohs" }]\n')
    assert problems[0].startswith("assessment.pain[0].during: unknown assessment 'ohs'")


# --- the rule language -------------------------------------------------------------------


def test_a_bare_cleared_with_nothing_before_it_is_an_error(make_kb, vocabulary):
    from cexpert.language.load import load

    folder = make_kb('source "t"\nrule r when not cleared by physician then note "n"\n',
                     vocabulary + CLINICIANS)
    codes = [d.code for d in load([folder]).diagnostics]
    assert codes == ["E206"]


def test_an_unknown_placeholder_is_an_error(make_kb, vocabulary):
    from cexpert.language.load import load

    folder = make_kb('source "t"\nrule r when pain any then note "in the {place}"\n',
                     vocabulary + CLINICIANS)
    (problem,) = load([folder]).diagnostics
    assert problem.code == "E206" and "'{place}'" in problem.message


# --- property: a referral for pain holds exactly while some pain is uncovered ---------------

SIDES = ("left", "right", "both")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pain=st.sets(st.sampled_from(SIDES), min_size=1),
       cleared=st.sets(st.sampled_from(SIDES)))
def test_pain_is_referred_exactly_where_no_clearance_covers_it(consult, service, pain,
                                                               cleared):
    entries = {s: '["knee"]' for s in pain if s != "both"}
    lines = ["date = 2026-12-01", "[assessment]"]
    if "both" in pain:
        lines.append('pain = ["knee"]')
    else:
        lines.append("pain = { " + ", ".join(f"{s} = {v}" for s, v in entries.items()) + " }")
    case = "\n".join(lines) + "\n" + "".join(
        clearance(pain="knee", side=s, by="physician", date="2026-11-01") for s in cleared)
    uncovered = {s for s in pain if "both" not in cleared and s not in cleared}
    assert consult(service, case).referral.holds_program is bool(uncovered)


def test_months_stays_a_unit_of_time_a_reassessment_may_name(make_kb, vocabulary):
    from cexpert.language.load import load

    folder = make_kb('source "t"\nrule r when always then reassess in 4 months\n', vocabulary)
    (problem,) = load([folder]).diagnostics
    assert problem.code == "E206" and "unit of time" in problem.message
