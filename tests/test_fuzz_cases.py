"""Fuzzing case files: whatever a case file holds, it is read or refused, never a crash.

Case files are written by hand and by other tools, so any TOML document must
give either a `Case` (which then consults without raising) or a `CaseError`
listing the problems. Documents are drawn from the case file's own keys and
vocabulary mixed with wrong types, so most of them get past the TOML syntax
and reach the validation.
"""

from __future__ import annotations

import tomlkit
from hypothesis import given
from hypothesis import strategies as hs

from cexpert.engine.case import CaseError
from cexpert.service import Service, load_kb
from test_fuzz import fuzz

SERVICE = Service(load_kb().kb)
KB = SERVICE.kb

WORDS = [*KB.of("finding"), *KB.of("condition"), *KB.of("equipment"), *KB.of("limitation"),
         "knee valgus", "left", "right", "both", "none", "id", "status", "pregnancy",
         "shoulder", "", "[L]", "ünïcode"]
KEYS = {
    "client": ["name", "age", "goals", "conditions", "equipment", "limitations", "sex"],
    "screening": ["parq_yes", "followup_yes", "cleared"],
    "assessment": [*KB.of("assessment"), "ohsa", "pain", "posture"],
    "fms": [*(f for f, e in KB.of("finding").items() if e.one("in") == "fms"), "clearing"],
}

scalars = hs.one_of(hs.sampled_from(WORDS), hs.integers(-5, 200), hs.booleans(),
                    hs.floats(allow_nan=False, allow_infinity=False, width=32))
values = hs.recursive(
    scalars,
    lambda inner: hs.one_of(hs.lists(inner, max_size=4),
                            hs.dictionaries(hs.sampled_from(WORDS), inner, max_size=3)),
    max_leaves=8,
)


@hs.composite
def case_documents(draw) -> dict:
    document: dict = {}
    for section in draw(hs.lists(hs.sampled_from([*KEYS, "extra"]), max_size=5, unique=True)):
        keys = KEYS.get(section, WORDS)
        document[section] = draw(hs.dictionaries(hs.sampled_from(keys), values, max_size=4))
    return document


@fuzz(300)
@given(case_documents())
def test_any_case_document_is_read_or_refused_with_its_problems(document):
    text = tomlkit.dumps(document)
    try:
        case = SERVICE.parse_case(text, "fuzz.toml")
    except CaseError as error:
        assert str(error).startswith("fuzz.toml: "), error
        return
    result = SERVICE.consult(case)
    assert result.as_json()["schema_version"] == 3
