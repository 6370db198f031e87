"""Specifications for body regions and condition measures: 'region X within Y', a
'regional' condition tested with 'condition X at REGION', 'exclude ... at its region',
'MEASURE of CONDITION >= N', their diagnostics and the case file's fields."""

from __future__ import annotations

import pytest

from cexpert.engine.case import CaseError
from cexpert.language.load import load

REGIONS = """\
region leg "Leg" aka "legs"
region lower_leg "Lower leg" within leg aka "calf"
region thigh "Thigh" within leg
region back "Back"
muscle gastro "Gastrocnemius" region lower_leg
muscle hams "Hamstrings" region thigh
muscle lats "Latissimus" region back
condition veins "Varicose veins" regional
condition pregnant "Pregnancy" measures weeks
exercise smr_gastro "Calf roll" phase inhibit targets gastro
exercise smr_hams "Hamstring roll" phase inhibit targets hams
exercise smr_lats "Lat roll" phase inhibit targets lats
"""

RULES = """\
source "t"
heels rise -> overactive gastro, hams, lats
rule veins "Veins" when condition veins at any
  then exclude phase inhibit at its region because "not over the {region}"
rule late "Late" when weeks of pregnant >= 14 then note "week 14 or later"
"""


@pytest.fixture
def service(make_service, vocabulary):
    return make_service(RULES, vocabulary + REGIONS)


def program(consult, service, case: str) -> list[str]:
    return [p.exercise for p in consult(service, case).program if p.phase == "inhibit"]


def test_a_regional_condition_excludes_only_what_works_its_region(consult, service):
    case = ('[client]\nconditions = [{ id = "veins", region = "calf" }]\n'
            '[assessment]\nohsa = ["heels rise"]\n')
    result = consult(service, case)
    assert [p.exercise for p in result.program if p.phase == "inhibit"] == ["smr_hams",
                                                                           "smr_lats"]
    assert any("not over the lower leg" in (e.reason or "") for e in result.excluded)


def test_a_condition_recorded_for_the_whole_limb_covers_the_regions_within(consult, service):
    case = ('[client]\nconditions = [{ id = "veins", region = "legs" }]\n'
            '[assessment]\nohsa = ["heels rise"]\n')
    assert program(consult, service, case) == ["smr_lats"]


def test_without_a_region_the_at_test_does_not_hold(consult, service):
    case = '[client]\nconditions = ["veins"]\n[assessment]\nohsa = ["heels rise"]\n'
    assert program(consult, service, case) == ["smr_gastro", "smr_hams", "smr_lats"]


@pytest.mark.parametrize(("weeks", "noted"), [(13, False), (14, True), (30, True)])
def test_a_measure_is_compared(consult, service, weeks, noted):
    case = f'[client]\nconditions = [{{ id = "pregnant", weeks = {weeks} }}]\n'
    assert ("week 14 or later" in consult(service, case).notes) is noted


@pytest.mark.parametrize(("entry", "field"), [
    ('{ id = "veins", region = "calff" }', "client.conditions[0].region"),
    ('{ id = "pregnant", weeks = -2 }', "client.conditions[0].weeks"),
    ('{ id = "pregnant", wekes = 20 }', "client.conditions[0].wekes"),
    ('{ id = "veins", weeks = 20 }', "client.conditions[0].weeks"),
])
def test_a_bad_region_or_measure_names_its_field(service, entry, field):
    with pytest.raises(CaseError) as caught:
        service.parse_case(f"[client]\nconditions = [{entry}]\n", "case.toml")
    assert any(p.startswith(f"{field}: ") for p in caught.value.problems), \
        caught.value.problems


def check(make_kb, vocabulary, rules: str):
    loaded = load([make_kb("source \"t\"\n" + rules, vocabulary + REGIONS)])
    return loaded.kb, loaded.diagnostics


@pytest.mark.parametrize(("rules", "code", "words"), [
    ('rule r when condition osteoporosis at leg then note "x"', "E206", "not declared 'regional'"),
    ('rule r when condition veins at lowr leg then note "x"', "E201", "lower leg"),
    ('rule r when condition veins then exclude phase inhibit at its region because "x"',
     "E206", "tests none"),
    ('rule r when weeks of veins > 3 then note "x"', "E206", "not a measure"),
    ('rule r when condition veins then exclude phase inhibit at lowr leg because "x"',
     "E201", "lower leg"),
    ('region a "A" within b\nregion b "B" within a', "E106", "within itself"),
])
def test_region_and_measure_mistakes_are_diagnosed(make_kb, vocabulary, rules, code, words):
    _kb, diagnostics = check(make_kb, vocabulary, rules)
    found = [d for d in diagnostics if d.code == code]
    assert found and any(words in f"{d.message} {d.help or ''}" for d in found), diagnostics
