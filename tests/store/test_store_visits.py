"""Clients and visits: drafts, closing, corrections kept as versions, stale saves refused."""

from __future__ import annotations

import pytest

from cexpert.store.records import ClientDetails, ClosedVisit, Condition, NotFound, StaleRecord


def test_a_client_is_stored_with_all_its_details(store):
    details = ClientDetails("Ann", 41, ("run 10k",),
                            (Condition("hypertension", "controlled", None),),
                            ("foam_roller",), ("cannot_kneel",), "prefers mornings")
    made = store.create_client(details)
    assert store.client(made.id).details == details


def test_clients_are_listed_with_their_visit_count_and_last_date(store, new_client,
                                                                 visit_of):
    kim = new_client()
    _, entered, result = visit_of()
    store.record_visit(kim.id, "a", entered, result, date="2026-01-05")
    store.record_visit(kim.id, "b", entered, result, date="2026-02-05")
    [summary] = store.clients()
    assert (summary.visits, summary.last_visit) == (2, "2026-02-05")


def test_a_draft_is_saved_and_saved_again_with_its_revision(store, new_client):
    kim = new_client()
    first = store.save_draft(kim.id, "v1", "{}")
    second = store.save_draft(kim.id, "v2", "{}", number=first.number,
                              expected_revision=first.revision)
    assert (second.case_toml, second.revision) == ("v2", first.revision + 1)


def test_a_save_over_a_newer_draft_is_refused(store, new_client):
    kim = new_client()
    draft = store.save_draft(kim.id, "v1", "{}")
    store.save_draft(kim.id, "theirs", "{}", number=1, expected_revision=draft.revision)
    with pytest.raises(StaleRecord, match="reload it, or keep yours as a new version"):
        store.save_draft(kim.id, "mine", "{}", number=1, expected_revision=draft.revision)
    assert store.visit(kim.id, 1).case_toml == "theirs"


def test_a_closed_visit_cannot_be_changed(store, new_client, visit_of):
    kim = new_client()
    _, entered, result = visit_of()
    draft = store.save_draft(kim.id, "v1", entered)
    closed = store.close_visit(kim.id, 1, draft.revision, result)
    with pytest.raises(ClosedVisit):
        store.save_draft(kim.id, "v2", entered, number=1, expected_revision=closed.revision)


def test_closing_a_visit_stores_its_result(store, new_client, visit_of):
    kim = new_client()
    _, entered, result = visit_of()
    draft = store.save_draft(kim.id, "v1", entered)
    assert store.close_visit(kim.id, 1, draft.revision, result).result == result


def test_a_correction_is_a_new_version_and_the_old_one_is_kept(store, new_client, visit_of):
    kim = new_client()
    _, entered, result = visit_of()
    store.record_visit(kim.id, "as first written", entered, result)
    store.correct_visit(kim.id, 1, 1, "corrected", entered, result)
    assert [v.case_toml for v in store.versions(kim.id, 1)] == ["as first written",
                                                                 "corrected"]


def test_the_history_shows_the_current_version_of_each_visit(store, new_client, visit_of):
    kim = new_client()
    _, entered, result = visit_of()
    store.record_visit(kim.id, "first", entered, result, date="2026-01-01")
    store.correct_visit(kim.id, 1, 1, "corrected", entered, result)
    assert [v.case_toml for v in store.history(kim.id)] == ["corrected"]


def test_a_correction_over_a_newer_one_is_refused(store, new_client, visit_of):
    kim = new_client()
    _, entered, result = visit_of()
    store.record_visit(kim.id, "first", entered, result)
    store.correct_visit(kim.id, 1, 1, "theirs", entered, result)
    with pytest.raises(StaleRecord):
        store.correct_visit(kim.id, 1, 1, "mine", entered, result)


def test_the_history_is_in_date_order(store, new_client, visit_of):
    kim = new_client()
    _, entered, result = visit_of()
    store.record_visit(kim.id, "later", entered, result, date="2026-05-01")
    store.record_visit(kim.id, "earlier", entered, result, date="2026-01-01")
    assert [v.date for v in store.history(kim.id)] == ["2026-01-01", "2026-05-01"]


def test_a_client_update_names_the_version_it_read(store, new_client):
    kim = new_client()
    store.update_client(kim.id, ClientDetails("Kim K", 30), kim.version)
    with pytest.raises(StaleRecord, match=r"client .* was saved elsewhere"):
        store.update_client(kim.id, ClientDetails("Kim", 29), kim.version)
    assert store.client(kim.id).details.name == "Kim K"


def test_notes_belong_to_a_visit_even_a_closed_one(store, new_client, visit_of):
    kim = new_client()
    _, entered, result = visit_of()
    store.record_visit(kim.id, "v", entered, result)
    store.add_note(kim.id, 1, "knees better on the left", "sam")
    assert [n.text for n in store.visit(kim.id, 1).notes] == ["knees better on the left"]


def test_a_corrected_visit_keeps_the_notes_of_its_earlier_versions(store, new_client,
                                                                   visit_of):
    kim = new_client()
    _, entered, result = visit_of()
    store.record_visit(kim.id, "v", entered, result)
    store.add_note(kim.id, 1, "before the correction", "sam")
    store.correct_visit(kim.id, 1, 1, "v2", entered, result)
    store.add_note(kim.id, 1, "after it", "sam")
    expected = ["before the correction", "after it"]
    assert [n.text for n in store.visit(kim.id, 1).notes] == expected
    assert [n.text for n in store.history(kim.id)[0].notes] == expected
    assert [n.text for n in store.visit(kim.id, 1, version=1).notes] == expected[:1]


def test_a_clearance_records_what_by_whom_when_and_scope(store, new_client):
    kim = new_client()
    store.add_clearance(kim.id, "pregnancy", "Dr Ruiz", "2026-02-01", "all exercise")
    [c] = store.clearances(kim.id)
    assert (c.what, c.by_whom, c.date, c.scope) == ("pregnancy", "Dr Ruiz", "2026-02-01",
                                                    "all exercise")


def test_an_unknown_client_is_not_found_by_id(store):
    with pytest.raises(NotFound, match="no client c-nope"):
        store.client("c-nope")


def test_a_draft_is_offered_to_resume(store, new_client):
    kim = new_client()
    store.save_draft(kim.id, "half done", "{}")
    assert store.draft(kim.id).case_toml == "half done"


def test_stored_result_counts_movement_findings_not_fms(visit_of):
    _, _, result = visit_of()
    assert (result.findings, result.fms_total) == (2, 6)


def test_an_incomplete_fms_has_no_total(visit_of):
    _, _, result = visit_of('[fms]\ndeep_squat = 2\n')
    assert result.fms_total is None


def test_an_imported_visit_newer_than_the_others_updates_the_client(store, new_client,
                                                                    visit_of):
    kim = new_client()
    _, what, result = visit_of()
    store.import_visit(kim.id, ClientDetails("Kim Knees", 30, ("run 10k",)), "v", what,
                       result, date="2026-05-01")
    assert store.client(kim.id).details.goals == ("run 10k",)


def test_an_imported_visit_older_than_the_latest_leaves_the_client_as_it_is(
        store, new_client, visit_of):
    kim = new_client()
    _, what, result = visit_of()
    store.record_visit(kim.id, "v", what, result, date="2026-05-01")
    store.import_visit(kim.id, ClientDetails("Kim Knees", 28, ("old goal",)), "v", what,
                       result, date="2025-01-01")
    assert store.client(kim.id).details.goals == ()


def test_an_imported_visit_of_a_new_client_keeps_the_id_it_carries(store, visit_of):
    _, what, result = visit_of()
    visit = store.import_visit(None, ClientDetails("Ann"), "v", what, result,
                               date="2026-01-01", new_id="c-from-elsewhere")
    assert store.client(visit.client_id).id == "c-from-elsewhere"
