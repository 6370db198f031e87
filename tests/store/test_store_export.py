"""Export and import: a client's whole record as versioned JSON, and back, unchanged.

The round trip is a property over generated records: clients, visits (closed with a real
consultation's result, drafts, corrections), notes, posture photos (small byte strings
with a JPEG, PNG or WebP header) and clearances, all in the test knowledge base's own
vocabulary. `CEXPERT_STORE_EXAMPLES=10000 uv run pytest
tests/store/test_store_export.py` is the long run.
"""

from __future__ import annotations

import json
import os

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cexpert.service import Service
from cexpert.store.database import open_store
from cexpert.store.export import (
    dumps,
    export_client,
    import_record,
    visit_as_case_file,
    write_visits_as_toml,
)
from cexpert.store.records import (
    VIEWS,
    ClientDetails,
    Condition,
    StoredResult,
    StoreError,
    entered,
)

EXAMPLES = int(os.environ.get("CEXPERT_STORE_EXAMPLES", 0)) or 20


@pytest.fixture
def stores(tmp_path):
    """Two databases: the generated records are made in one and imported into the other
    (each example a new client, so the two are opened once per test)."""
    with open_store(str(tmp_path / "a.db")) as a, open_store(str(tmp_path / "b.db")) as b:
        yield a, b


def case_files(service: Service):
    """Case TOML in the knowledge base's vocabulary."""
    kb = service.kb
    movement = sorted(i for i, e in kb.of("finding").items()
                      if e.one("in") in ("ohsa", "single_leg_squat"))
    fms = sorted(i for i, e in kb.of("finding").items() if e.one("in") == "fms")

    @st.composite
    def build(draw) -> str:
        doc = tomlkit.document()
        doc["client"] = {"name": draw(st.text(min_size=1, max_size=12)),
                         "age": draw(st.integers(1, 100))}
        findings = draw(st.lists(st.sampled_from(movement), unique=True, max_size=3))
        by_assessment: dict[str, list[str]] = {}
        for f in findings:
            by_assessment.setdefault(kb.get("finding", f).one("in"), []).append(f)
        if by_assessment:
            doc["assessment"] = by_assessment
        scores = {t: draw(st.integers(0, 3)) for t in fms if draw(st.booleans())}
        for t in scores:
            if kb.get("finding", t).flag("sided"):
                scores[t] = {"left": scores[t], "right": draw(st.integers(0, 3))}
        if scores:
            doc["fms"] = scores
        return tomlkit.dumps(doc)

    return build()


def details(service: Service):
    kb = service.kb
    return st.builds(
        ClientDetails,
        name=st.text(max_size=20), age=st.none() | st.integers(1, 120),
        goals=st.lists(st.text(max_size=15), max_size=3).map(tuple),
        conditions=st.lists(st.sampled_from(sorted(kb.of("condition"))), unique=True,
                            max_size=2).map(lambda ids: tuple(Condition(i) for i in ids)),
        equipment=st.none() | st.lists(st.sampled_from(sorted(kb.of("equipment"))),
                                       unique=True).map(tuple),
        limitations=st.lists(st.sampled_from(sorted(kb.of("limitation"))), unique=True
                             ).map(tuple),
        notes=st.text(max_size=30))


DATES = st.dates().map(lambda d: d.isoformat())
ACTIONS = st.lists(st.tuples(st.sampled_from(["closed", "draft", "correct", "note", "photo"]),
                             DATES, st.text(max_size=20)), min_size=1, max_size=5)
HEADERS = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")  # JPEG, PNG
IMAGES = st.one_of(
    st.tuples(st.sampled_from(HEADERS), st.binary(max_size=64)).map(b"".join),
    st.binary(min_size=4, max_size=4).map(lambda size: b"RIFF" + size + b"WEBP"))


def fill(store, service: Service, data) -> str:
    """A generated client record written through the store's operations."""
    client = store.create_client(data.draw(details(service)))
    for action, date, text in data.draw(ACTIONS):
        case = service.parse_case(data.draw(case_files(service)), "case.toml")
        what = entered(case)
        result = StoredResult.of_json(service.consult(case).as_json())
        visits = store.history(client.id)
        closed = [v for v in visits if v.closed]
        if action == "photo" and visits:  # any visit, closed or a draft; again: replaced
            number = data.draw(st.sampled_from([v.number for v in visits]))
            store.attach_photo(client.id, number, data.draw(st.sampled_from(VIEWS)),
                               data.draw(IMAGES))
        elif action == "closed" or (action in ("correct", "note", "photo") and not closed):
            store.record_visit(client.id, data.draw(case_files(service)), what, result,
                               date=date, trainer=text)
        elif action == "draft":
            store.save_draft(client.id, data.draw(case_files(service)), what, date=date)
        elif action == "correct":
            v = closed[-1]
            store.correct_visit(client.id, v.number, v.version, "corrected", what, result)
        else:
            store.add_note(client.id, closed[-1].number, text, "trainer")
    if data.draw(st.booleans()):
        store.add_clearance(client.id, "pregnancy", data.draw(st.text(max_size=10)),
                            data.draw(DATES), "all exercise")
    return client.id


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_export_import_export_is_byte_identical(stores, service, data):
    first, second = stores
    client_id = fill(first, service, data)
    exported = dumps(export_client(first, client_id))
    import_record(second, json.loads(exported))
    assert dumps(export_client(second, client_id)) == exported


def test_importing_a_record_twice_adds_nothing(store, new_client, visit_of):
    kim = new_client()
    _, what, result = visit_of()
    store.record_visit(kim.id, "v", what, result)
    record = export_client(store, kim.id)
    outcome = import_record(store, record)
    assert (outcome.created, outcome.visits_added) == (False, 0)


def test_an_export_says_its_format_and_version(store, new_client):
    record = export_client(store, new_client().id)
    assert (record["format"], record["format_version"]) == ("cexpert-client-record", 2)


def test_a_record_of_an_unknown_format_version_is_refused(store):
    with pytest.raises(StoreError, match="format_version 99"):
        import_record(store, {"format": "cexpert-client-record", "format_version": 99})


def test_an_incomplete_record_is_refused_not_a_traceback(store):
    with pytest.raises(StoreError, match="not a complete client record"):
        import_record(store, {"format": "cexpert-client-record", "format_version": 1})


def test_a_visit_as_a_case_file_carries_the_client_id_and_date(store, new_client, visit_of,
                                                              service, case_text):
    kim = new_client()
    _, what, result = visit_of()
    visit = store.record_visit(kim.id, case_text, what, result, date="2026-02-03")
    case = service.parse_case(visit_as_case_file(visit), "v.toml")
    assert (case.client.id, case.date) == (kim.id, "2026-02-03")


def test_visits_as_toml_writes_one_case_file_per_visit(store, new_client, visit_of, tmp_path):
    kim = new_client()
    _, what, result = visit_of()
    store.record_visit(kim.id, "[client]\n", what, result, date="2026-01-01")
    store.record_visit(kim.id, "[client]\n", what, result, date="2026-02-01")
    written = write_visits_as_toml(store, kim.id, tmp_path / "out")
    assert [p.name for p in written] == ["visit-01-2026-01-01.toml", "visit-02-2026-02-01.toml"]
