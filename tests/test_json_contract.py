"""Specifications for the `--format json` contract, schema_version 3: keys and types."""

from __future__ import annotations

import json

import pytest

RULES = """source "t"
knee valgus → overactive adductors; underactive glute medius
feet turn out → underactive adductors
heels rise → overactive soleus
rule osteo "No rolling" when condition osteoporosis then exclude tagged smr because "no rolling"
rule refer "Pain" when pain low back then refer routine because "low back pain"
rule quiet "Reassess" when not referral then reassess in 4 weeks
rule hurdle "Hurdle" when fms hurdle step <= 1 then fms target any
rule deep "Deep" when fms deep squat <= 2 then fms target any
rule next_sls "SLS" when knee valgus and not assessed single leg squat
  then suggest test single leg squat with "a hand on a wall" because "knee {finding}"
rule next_held "Held" when pain low back then suggest test ohsa because "never shown: held"
"""
FULL = """
[client]
name = "Kim"
age = 40
conditions = ["osteoporosis"]
[assessment]
ohsa = ["knee valgus", "feet turn out", "heels_rise"]
[fms]
deep_squat = 2
hurdle_step = { left = 2, right = 1 }
shoulder_mobility = 3
"""
EMPTY = '[client]\nname = "Kim"\n'

TOP_LEVEL = {
    "schema_version": int,
    "knowledge_base": dict,
    "client": dict,
    "referral": dict,
    "program_status": str,
    "muscles": list,
    "conflicts": list,
    "dysfunctions": list,
    "fms": dict,
    "program": list,
    "excluded": list,
    "reassessment": dict,
    "suggested_tests": list,
    "notes": list,
    "facts": dict,
    "rules": dict,
}


@pytest.fixture
def service(make_service):
    return make_service(RULES)


@pytest.fixture
def data(service, consult):
    """The contract as a client reads it: through a JSON round trip."""
    return json.loads(json.dumps(consult(service, FULL).as_json()))


@pytest.fixture
def empty(service, consult):
    return json.loads(json.dumps(consult(service, EMPTY).as_json()))


def test_every_top_level_key_is_present(data):
    assert set(TOP_LEVEL) <= set(data)


@pytest.mark.parametrize(("key", "kind"), TOP_LEVEL.items())
def test_top_level_values_have_their_types(data, key, kind):
    assert isinstance(data[key], kind)


def test_schema_version_is_3(data):
    assert data["schema_version"] == 3


def test_no_machine_path_is_in_the_contract(data, service):
    """rules[].file and knowledge_base.path are relative to the knowledge base's root,
    so a stored or shared result means the same on every machine (schema 2)."""
    assert data["knowledge_base"]["path"] == "kb"
    assert {r["file"] for r in data["rules"].values()} == {"10_rules.cex"}
    root = service.kb.files[0].rsplit("/", 2)[0]
    assert root not in json.dumps(data["knowledge_base"]) + json.dumps(data["rules"])


def test_knowledge_base_has_path_and_sha256_hash(data):
    assert set(data["knowledge_base"]) == {"path", "hash"}
    assert isinstance(data["knowledge_base"]["path"], str)
    assert data["knowledge_base"]["hash"].startswith("sha256:")
    assert len(data["knowledge_base"]["hash"]) == len("sha256:") + 64


def test_referral_has_its_five_keys_when_nothing_refers(data):
    assert data["referral"] == {"required": False, "urgency": None, "holds_program": False,
                                "reasons": [], "facts": []}


def test_referral_keys_and_types_when_referred(service, consult):
    data = consult(service, '[assessment]\npain = ["low_back"]\n').as_json()
    referral = data["referral"]
    assert referral["required"] is True
    assert referral["urgency"] == "routine"
    assert referral["holds_program"] is False
    assert referral["reasons"] == ["low back pain"]
    assert all(isinstance(f, str) and f in data["facts"] for f in referral["facts"])


def test_program_status_is_one_of_three_words(data, empty):
    assert data["program_status"] == "active"
    assert empty["program_status"] == "none_needed"


def test_muscle_items_have_their_keys_and_types(data):
    assert data["muscles"]
    for item in data["muscles"]:
        assert set(item) == {"id", "name", "state", "side", "score", "fact"}
        assert item["state"] in ("overactive", "underactive")
        assert item["side"] in ("left", "right", "both")
        assert isinstance(item["score"], int)
        assert item["fact"] in data["facts"]


def test_conflict_items_have_their_keys_and_types(data):
    assert [c["id"] for c in data["conflicts"]] == ["adductor_complex"]
    for item in data["conflicts"]:
        assert set(item) == {"id", "name", "side", "facts"}
        assert all(f in data["facts"] for f in item["facts"])


def test_dysfunction_items_have_their_keys_and_types(data):
    assert [d["rank"] for d in data["dysfunctions"]] == [1, 2, 3]
    for item in data["dysfunctions"]:
        assert set(item) == {"id", "name", "rank", "score", "fact"}
        assert isinstance(item["score"], int)


def test_fms_has_its_keys_and_types(data):
    fms = data["fms"]
    assert set(fms) == {"scores", "sides", "total", "asymmetries", "priority", "next", "flags"}
    assert fms["scores"] == {"deep_squat": 2, "hurdle_step": 1, "shoulder_mobility": 3}
    assert fms["sides"]["hurdle_step"] == {"left": 2, "right": 1}
    assert fms["total"] == 6
    assert fms["asymmetries"] == ["hurdle_step"]
    assert isinstance(fms["flags"], list)


def test_fms_has_one_priority_and_the_other_targets_next(data):
    """Schema 3: one corrective priority at a time (fms.md §5 P5); the hierarchy
    (here the KB's declaration order: hurdle step, then deep squat) orders the rest."""
    assert data["fms"]["priority"] == ["hurdle_step"]
    assert data["fms"]["next"] == ["deep_squat"]


def test_fms_is_null_without_an_fms_section(empty):
    assert empty["fms"] is None


def test_program_items_have_their_keys_and_types(data):
    assert data["program"]
    for item in data["program"]:
        assert set(item) == {"phase", "exercise", "name", "targets", "side", "dose",
                             "addresses", "fact", "turn", "instructions"}
        assert item["side"] in (None, "both", "left", "right")  # None: done once
        assert item["turn"] in (None, "both", "left", "right")
        assert set(item["dose"]) == {"sets", "reps", "hold_s", "tempo"}
        assert isinstance(item["targets"], list)
        assert isinstance(item["addresses"], list)
        assert item["fact"] in data["facts"]


def test_excluded_items_have_their_keys_and_types(data):
    assert {e["category"] for e in data["excluded"]} == {"conflict", "contraindication"}
    for item in data["excluded"]:
        assert set(item) == {"exercise", "muscle", "phase", "name", "side", "category",
                             "reason", "fact"}
        assert isinstance(item["reason"], str)
        assert item["fact"] in data["facts"]


def test_suggested_tests_have_their_keys_and_types(data):
    """Schema 3: the next tests to run, each with its side, how and why."""
    assert [t["test"] for t in data["suggested_tests"]] == ["single_leg_squat"]
    for item in data["suggested_tests"]:
        assert set(item) == {"test", "name", "side", "with", "reason", "fact"}
        assert item["side"] in ("left", "right", "both")
        assert item["with"] is None or isinstance(item["with"], str)
        assert item["reason"] == "knee knees move inward"  # {finding} filled
        assert data["facts"][item["fact"]]["kind"] == "suggest"


def test_no_suggested_test_while_the_program_is_held(make_service, consult):
    service = make_service(RULES + 'rule hold "Hold" when pain low back then hold program '
                           'because "held"\n')
    data = consult(service, '[assessment]\nohsa = ["knee valgus"]\npain = ["low_back"]\n'
                   ).as_json()
    assert data["referral"]["holds_program"] is True
    assert data["suggested_tests"] == []


def test_reassessment_has_weeks_and_fact(data):
    assert data["reassessment"]["weeks"] == 4
    assert data["reassessment"]["fact"] in data["facts"]


def test_reassessment_is_null_when_nothing_concludes_it(service, consult):
    data = consult(service, '[assessment]\npain = ["low_back"]\n').as_json()
    assert data["reassessment"] is None


def test_facts_have_kind_data_rule_premises_origin(data):
    for fact_id, fact in data["facts"].items():
        assert fact_id.startswith("f")
        assert set(fact) == {"kind", "data", "rule", "premises", "origin"}
        assert isinstance(fact["data"], dict)
        assert fact["origin"] in ("input", "rule", "builtin")
        assert (fact["rule"] is None) is (fact["origin"] != "rule")
        assert all(p in data["facts"] for p in fact["premises"])


def test_rules_describe_every_rule_a_fact_names(data):
    named = {f["rule"] for f in data["facts"].values() if f["rule"]}
    assert set(data["rules"]) == named
    for info in data["rules"].values():
        assert set(info) == {"title", "source", "file", "line"}
        assert isinstance(info["line"], int)


def test_empty_consultation_still_has_every_key(empty):
    assert set(TOP_LEVEL) <= set(empty)
    assert (empty["muscles"], empty["program"], empty["excluded"]) == ([], [], [])
    assert empty["suggested_tests"] == []
    assert empty["reassessment"]["weeks"] == 4
