"""Case files are data from anywhere: an entry given twice under two spellings is an
error naming both (never a silent choice between them), and a FIFO, a device, an
oversized or absurdly nested file is refused with a clear error, never a hang or a
MemoryError. Expectation files for `cexpert test` likewise."""

from __future__ import annotations

import json
import os

import pytest

from cexpert.authoring.expect import read_expected
from cexpert.engine.case import CaseError

RULES = 'source "t"\nrule r when heels rise then overactive tfl\n'
STATUSES = 'condition hypertension "High blood pressure" statuses controlled, uncontrolled\n'


@pytest.fixture
def service(make_service, vocabulary):
    return make_service(RULES, vocabulary + STATUSES)


def problems_of(service, text: str) -> tuple[str, ...]:
    with pytest.raises(CaseError) as caught:
        service.parse_case(text, "case.toml")
    return caught.value.problems


def test_an_fms_score_under_two_spellings_is_an_error_naming_both(service):
    problems = problems_of(service, '[fms]\n"deep squat" = 0\ndeep_squat = 3\n')
    assert problems == ('fms.deep_squat: the same test as fms."deep squat"; give it once',)


def test_a_condition_with_and_without_a_status_is_an_error_naming_both(service):
    text = ('[client]\nconditions = [{id = "high blood pressure", status = "uncontrolled"}, '
            '"hypertension"]\n')
    assert problems_of(service, text) == (
        "client.conditions[1]: 'hypertension' is the condition already given at "
        "client.conditions[0] ('high blood pressure' (status 'uncontrolled')); "
        "give each condition once",)


def test_a_clearing_test_under_two_spellings_is_an_error(service):
    text = '[fms.clearing]\nshoulder = true\nclear_shoulder = { left = false }\n'
    assert problems_of(service, text) == (
        "fms.clearing.clear_shoulder: the same clearing test as fms.clearing.shoulder; "
        "give it once",)


def test_one_finding_listed_twice_is_still_one_observation(service):
    case = service.parse_case('[assessment]\nohsa = ["heels rise", "heels_rise"]\n')
    assert len(case.observations) == 1


@pytest.mark.parametrize(("make", "message"), [
    (lambda tmp: "/dev/zero", "this case file is a character device, not a regular file"),
    (lambda tmp: (os.mkfifo(tmp / "pipe.toml"), tmp / "pipe.toml")[1],
     "this case file is a FIFO (named pipe), not a regular file"),
    (lambda tmp: tmp, "this case file is a directory, not a regular file"),
], ids=["dev-zero", "fifo", "directory"])
def test_a_case_file_that_is_not_a_regular_file_is_refused_at_once(service, tmp_path, make,
                                                                    message):
    with pytest.raises(CaseError) as caught:
        service.read_case(make(tmp_path))
    assert caught.value.problems == (message,)


def test_a_1_gb_case_file_is_refused_before_it_is_read(service, tmp_path):
    path = tmp_path / "huge.toml"
    with path.open("wb") as handle:
        handle.truncate(1024 ** 3)  # sparse: nothing on disk
    with pytest.raises(CaseError) as caught:
        service.read_case(path)
    assert caught.value.problems == ("this case file is 1.0 GB; the limit is 1.0 MB",)


def test_a_case_file_nested_100k_deep_is_a_clear_error(service):
    text = "x = " + "[" * 100_000 + "]" * 100_000 + "\n"
    problems = problems_of(service, text)
    assert problems == ("not valid TOML: its arrays or tables nest too deeply",)


# --- expectation files -----------------------------------------------------------------


@pytest.mark.parametrize(("document", "message"), [
    ([1, 2], "an expectation is a JSON object, got a list"),
    ("muscles", 'an expectation is a JSON object, got a string ("muscles")'),
    ({"muscles": {"$contains": 5}}, "$.muscles.$contains: must be a list, got a number (5)"),
    ({"muscles": {"$len": "two"}},
     '$.muscles.$len: must be a whole number of items, got a string ("two")'),
    ({"notes": {"$substr": 3}}, "$.notes.$substr: must be a string, got a number (3)"),
], ids=["list", "string", "contains-number", "len-string", "substr-number"])
def test_an_expectation_of_the_wrong_type_is_a_clear_error(tmp_path, document, message):
    path = tmp_path / "t.expected.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert read_expected(path) == (None, f"{path}: {message}")


def test_an_expectation_100k_deep_is_a_clear_error(tmp_path):
    path = tmp_path / "t.expected.json"
    path.write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    assert read_expected(path) == (None, f"{path}: nests more than 100 levels deep")


def test_an_expectation_just_deep_enough_for_the_walk_is_still_refused(tmp_path):
    path = tmp_path / "t.expected.json"
    path.write_text('{"a": ' + "[" * 150 + "]" * 150 + "}", encoding="utf-8")
    _, error = read_expected(path)
    assert error is not None and error.endswith("nests more than 100 levels deep")


def test_a_fifo_as_an_expectation_is_refused_without_blocking(tmp_path):
    path = tmp_path / "t.expected.json"
    os.mkfifo(path)
    assert read_expected(path) == (
        None, f"{path}: this expectation file is a FIFO (named pipe), not a regular file")
