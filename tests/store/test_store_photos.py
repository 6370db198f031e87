"""Posture photos (front, side, back) attached to a visit: stored with it (one per view,
a retake replaces it), checked to be a JPEG, PNG or WebP image by its bytes and no larger
than the limit, exported with the record, and shown side by side by date in the report."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

import pytest

from cexpert.store.export import dumps, export_client, import_record
from cexpert.store.records import MAX_PHOTO_BYTES, NotFound, StoreError, media_type_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(40))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(40, 90))
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(range(30))


@pytest.fixture
def kim_visit(store, new_client, visit_of):
    """A client with one closed visit (number 1): the client's id."""
    kim = new_client()
    _, what, result = visit_of()
    store.record_visit(kim.id, "[client]\n", what, result, date="2026-01-10")
    return kim.id


# --- the store ----------------------------------------------------------------------------
@pytest.mark.parametrize(("data", "media"), [(PNG, "image/png"), (JPEG, "image/jpeg"),
                                             (WEBP, "image/webp")])
def test_the_media_type_is_read_from_the_first_bytes(data, media):
    assert media_type_of(data) == media


def test_an_attached_photo_is_read_back_with_its_bytes_and_digest(store, kim_visit):
    store.attach_photo(kim_visit, 1, "front", PNG)
    photo = store.photo(kim_visit, 1, "front")
    assert (photo.data, photo.media_type, photo.sha256, photo.size) == (
        PNG, "image/png", hashlib.sha256(PNG).hexdigest(), len(PNG))


def test_the_photo_list_has_no_bytes_unless_asked(store, kim_visit):
    store.attach_photo(kim_visit, 1, "front", PNG)
    assert [p.data for p in store.photos(kim_visit)] == [None]
    assert [p.data for p in store.photos(kim_visit, with_data=True)] == [PNG]


def test_photos_are_listed_front_side_back(store, kim_visit):
    store.attach_photos(kim_visit, 1, {"back": JPEG, "front": PNG, "side": WEBP})
    assert [p.view for p in store.photos(kim_visit, 1)] == ["front", "side", "back"]


def test_attaching_a_view_again_replaces_its_photo(store, kim_visit):
    store.attach_photo(kim_visit, 1, "side", PNG)
    store.attach_photo(kim_visit, 1, "side", JPEG)
    assert [(p.view, p.media_type) for p in store.photos(kim_visit)] == [("side", "image/jpeg")]


def test_attaching_one_view_keeps_the_others(store, kim_visit):
    store.attach_photos(kim_visit, 1, {"front": PNG, "side": PNG})
    store.attach_photo(kim_visit, 1, "front", JPEG)
    assert [(p.view, p.media_type) for p in store.photos(kim_visit)] == [
        ("front", "image/jpeg"), ("side", "image/png")]


def test_a_photo_may_be_attached_to_a_closed_visit_leaving_its_data_unchanged(store,
                                                                             kim_visit):
    before = store.visit(kim_visit, 1)
    store.attach_photo(kim_visit, 1, "front", PNG)
    after = store.visit(kim_visit, 1)
    assert after.closed and (after.version, after.revision, after.entered, after.result) == (
        before.version, before.revision, before.entered, before.result)


def test_a_photo_may_be_attached_to_a_draft(store, new_client):
    kim = new_client()
    draft = store.save_draft(kim.id, "[client]\n", "{}")
    store.attach_photo(kim.id, draft.number, "back", JPEG)
    assert [p.view for p in store.photos(kim.id, draft.number)] == ["back"]


def test_a_correction_keeps_the_visits_photos(store, kim_visit, visit_of):
    store.attach_photo(kim_visit, 1, "front", PNG)
    _, what, result = visit_of()
    store.correct_visit(kim_visit, 1, 1, "corrected", what, result)
    store.attach_photo(kim_visit, 1, "front", JPEG)  # on the corrected visit: replaced
    assert [(p.number, p.media_type) for p in store.photos(kim_visit)] == [(1, "image/jpeg")]


def test_bytes_that_are_not_an_image_are_refused_saying_so(store, kim_visit):
    with pytest.raises(StoreError, match="front photo is not a JPEG, PNG or WebP image"):
        store.attach_photo(kim_visit, 1, "front", b"GIF89a" + bytes(20))


def test_an_empty_photo_is_refused(store, kim_visit):
    with pytest.raises(StoreError, match="side photo is empty"):
        store.attach_photo(kim_visit, 1, "side", b"")


def test_a_photo_over_the_limit_is_refused_naming_the_limit(store, kim_visit):
    with pytest.raises(StoreError, match="over the 10 MB limit"):
        store.attach_photo(kim_visit, 1, "back", JPEG + bytes(MAX_PHOTO_BYTES))


def test_an_unknown_view_is_refused(store, kim_visit):
    with pytest.raises(StoreError, match="'top' is not a photo view"):
        store.attach_photo(kim_visit, 1, "top", PNG)


def test_a_refused_photo_attaches_none_of_the_others(store, kim_visit):
    with pytest.raises(StoreError):
        store.attach_photos(kim_visit, 1, {"front": PNG, "side": b"not an image"})
    assert store.photos(kim_visit) == []


def test_a_photo_for_a_visit_that_does_not_exist_is_refused(store, kim_visit):
    with pytest.raises(NotFound, match="has no visit 7"):
        store.attach_photo(kim_visit, 7, "front", PNG)


def test_asking_for_a_view_the_visit_has_none_of_is_not_found(store, kim_visit):
    with pytest.raises(NotFound, match="has no back photo"):
        store.photo(kim_visit, 1, "back")


# --- export and import ----------------------------------------------------------------------
def test_an_export_carries_each_photo_in_base64_with_view_type_and_digest(store, kim_visit):
    store.attach_photo(kim_visit, 1, "front", PNG)
    [photo] = export_client(store, kim_visit)["visits"][0]["photos"]
    assert (photo["view"], photo["media_type"], photo["sha256"],
            base64.b64decode(photo["data"])) == (
        "front", "image/png", hashlib.sha256(PNG).hexdigest(), PNG)


def test_a_record_with_photos_imports_into_another_database_unchanged(store, kim_visit,
                                                                     tmp_path):
    from cexpert.store.database import open_store

    store.attach_photos(kim_visit, 1, {"front": PNG, "back": WEBP})
    exported = dumps(export_client(store, kim_visit))
    with open_store(str(tmp_path / "other.db")) as other:
        outcome = import_record(other, json.loads(exported))
        assert outcome.photos_added == 2
        assert dumps(export_client(other, kim_visit)) == exported


def test_a_format_1_record_without_photos_still_imports(store, kim_visit, tmp_path):
    from cexpert.store.database import open_store

    record = export_client(store, kim_visit)
    record["format_version"] = 1
    for visit in record["visits"]:
        del visit["photos"]
    with open_store(str(tmp_path / "other.db")) as other:
        assert import_record(other, record).visits_added == 1
        assert other.photos(kim_visit) == []


def test_an_imported_photo_whose_digest_does_not_match_is_refused(store, kim_visit, tmp_path):
    from cexpert.store.database import open_store

    store.attach_photo(kim_visit, 1, "front", PNG)
    record = export_client(store, kim_visit)
    record["visits"][0]["photos"][0]["sha256"] = "0" * 64
    with open_store(str(tmp_path / "other.db")) as other, \
            pytest.raises(StoreError, match="front photo's data do not match"):
        import_record(other, record)


def test_an_imported_photo_that_is_not_an_image_is_refused(store, kim_visit, tmp_path):
    from cexpert.store.database import open_store

    store.attach_photo(kim_visit, 1, "front", PNG)
    record = export_client(store, kim_visit)
    record["visits"][0]["photos"][0]["data"] = base64.b64encode(b"<script>").decode()
    with open_store(str(tmp_path / "other.db")) as other, \
            pytest.raises(StoreError, match="not a JPEG, PNG or WebP image"):
        import_record(other, record)


def test_importing_again_adds_the_photos_a_known_visit_lacks(store, kim_visit, tmp_path):
    from cexpert.store.database import open_store

    with open_store(str(tmp_path / "other.db")) as other:
        import_record(other, export_client(store, kim_visit))
        store.attach_photo(kim_visit, 1, "side", JPEG)
        assert import_record(other, export_client(store, kim_visit)).photos_added == 1
        assert [p.view for p in other.photos(kim_visit)] == ["side"]


# --- the command line -----------------------------------------------------------------------
@pytest.fixture
def two_visits(run, case_file, case_text):
    for name, date in (("a.toml", "2026-01-10"), ("b.toml", "2026-03-10")):
        code, _, err = run("clients", "import", str(case_file(name, case_text, date)))
        assert code == 0, err


@pytest.fixture
def image_file(tmp_path):
    """image_file(name, data) -> the path of a file holding those bytes."""
    def write(name: str, data: bytes) -> str:
        path = tmp_path / "photos" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        return str(path)
    return write


def test_the_photo_command_attaches_each_view_given(run, two_visits, image_file):
    code, out, _ = run("clients", "photo", "Kim", "1", "--front", image_file("f.png", PNG),
                       "--side", image_file("s.jpg", JPEG), "--format", "json")
    attached = json.loads(out)["photos"]
    assert code == 0 and [(p["view"], p["media_type"]) for p in attached] == [
        ("front", "image/png"), ("side", "image/jpeg")]


def test_the_photo_command_names_a_visit_by_date(run, two_visits, image_file):
    code, out, _ = run("clients", "photo", "Kim", "2026-03-10", "--back",
                       image_file("b.webp", WEBP))
    assert code == 0 and "back photo attached to visit 2 (2026-03-10)" in out


def test_the_photo_command_says_when_a_photo_is_replaced(run, two_visits, image_file):
    run("clients", "photo", "Kim", "1", "--front", image_file("f.png", PNG))
    _, out, _ = run("clients", "photo", "Kim", "1", "--front", image_file("f.jpg", JPEG))
    assert "replacing the one of" in out


def test_the_photo_command_without_a_photo_exits_2(run, two_visits):
    code, _, err = run("clients", "photo", "Kim", "1")
    assert code == 2 and "give at least one photo" in err


def test_the_photo_command_with_a_missing_file_exits_2_naming_it(run, two_visits, tmp_path):
    missing = str(tmp_path / "nope.jpg")
    code, _, err = run("clients", "photo", "Kim", "1", "--front", missing)
    assert (code, err) == (2, f"cexpert clients: --front {missing}: no such file\n")


def test_the_photo_command_refuses_a_file_that_is_not_an_image_whatever_its_name(
        run, two_visits, image_file):
    path = image_file("notes.jpg", b"just some text\n")
    code, _, err = run("clients", "photo", "Kim", "1", "--side", path)
    assert code == 2 and f"--side {path}: the side photo is not a JPEG" in err
    assert "Traceback" not in err


def test_the_photo_command_refuses_a_file_over_the_limit(run, two_visits, image_file):
    path = image_file("huge.jpg", JPEG + bytes(MAX_PHOTO_BYTES))
    code, _, err = run("clients", "photo", "Kim", "1", "--back", path)
    assert code == 2 and "over the 10 MB limit" in err


def test_the_photo_command_attaches_nothing_when_one_file_is_refused(run, two_visits,
                                                                    image_file):
    run("clients", "photo", "Kim", "1", "--front", image_file("f.png", PNG),
        "--side", image_file("s.txt", b"text"))
    _, out, _ = run("clients", "show", "Kim", "--format", "json")
    assert json.loads(out)["photos"] == []


def test_the_photo_command_for_an_unknown_visit_exits_2(run, two_visits, image_file):
    code, _, err = run("clients", "photo", "Kim", "9", "--front", image_file("f.png", PNG))
    assert code == 2 and "no visit '9'" in err


def test_show_lists_the_photos_of_each_visit(run, two_visits, image_file):
    run("clients", "photo", "Kim", "1", "--front", image_file("f.png", PNG),
        "--back", image_file("b.jpg", JPEG))
    _, out, _ = run("clients", "show", "Kim")
    assert (f"photos of visit 1 (2026-01-10): front (image/png, {len(PNG)} bytes), "
            f"back (image/jpeg, {len(JPEG)} bytes)") in out


def test_an_exported_record_carries_the_photos(run, two_visits, image_file):
    run("clients", "photo", "Kim", "2", "--side", image_file("s.jpg", JPEG))
    _, out, _ = run("clients", "export", "Kim")
    record = json.loads(out)
    assert record["format_version"] == 2
    assert [p["view"] for v in record["visits"] for p in v["photos"]] == ["side"]


# --- the report -------------------------------------------------------------------------------
class _Rows(HTMLParser):
    """The rows of the table under the "Posture photos" heading: each cell as the
    (src, alt) of its image, or its text."""

    def __init__(self):
        super().__init__()
        self.rows: list[list] = []
        self._in_section = self._in_table = False
        self._heading = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h2":
            self._heading = "<h2>"
        elif tag == "table" and self._in_section:
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag in ("td", "th"):
            self.rows[-1].append("")
        elif self._in_table and tag == "img":
            self.rows[-1][-1] = (a["src"], a["alt"])

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False

    def handle_data(self, data):
        if self._heading:
            self._in_section, self._heading = data == "Posture photos", ""
        elif self._in_table and self.rows and isinstance(self.rows[-1][-1], str):
            self.rows[-1][-1] += data


def photo_rows(page: str) -> list[list]:
    parser = _Rows()
    parser.feed(page)
    return parser.rows


def uri(media: str, data: bytes) -> str:
    return f"data:{media};base64,{base64.b64encode(data).decode()}"


def test_the_report_shows_the_photos_side_by_side_by_date(run, two_visits, image_file):
    run("clients", "photo", "Kim", "2", "--front", image_file("f2.jpg", JPEG))
    run("clients", "photo", "Kim", "1", "--front", image_file("f1.png", PNG),
        "--side", image_file("s1.webp", WEBP))
    _, page, _ = run("clients", "report", "Kim")
    assert photo_rows(page) == [
        ["View", "2026-01-10 (visit 1)", "2026-03-10 (visit 2)"],
        ["Front", (uri("image/png", PNG), "Front view, 2026-01-10 (visit 1)"),
         (uri("image/jpeg", JPEG), "Front view, 2026-03-10 (visit 2)")],
        ["Side", (uri("image/webp", WEBP), "Side view, 2026-01-10 (visit 1)"), ""],
        ["Back", "", ""]]


def test_the_report_with_photos_fetches_nothing_from_elsewhere(run, two_visits, image_file):
    run("clients", "photo", "Kim", "1", "--front", image_file("f.png", PNG))
    _, page, _ = run("clients", "report", "Kim")
    sources = re.findall(r'\b(?:src|href)="([^"]*)"', page)
    assert sources and all(s.startswith("data:image/") for s in sources)
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_the_report_without_photos_has_no_photo_section(run, two_visits):
    _, page, _ = run("clients", "report", "Kim")
    assert "Posture photos" not in page and "<img" not in page


def test_the_text_report_lists_which_photos_exist(run, two_visits, image_file):
    run("clients", "photo", "Kim", "1", "--back", image_file("b.jpg", JPEG))
    code, out, _ = run("clients", "report", "Kim", "--format", "text")
    table = out[out.index("POSTURE PHOTOS"):]
    assert code == 0 and f"Back   JPEG photo, {len(JPEG)} bytes" in table
    assert "base64" not in out
