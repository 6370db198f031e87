"""Pictures in a table (posture photos): HTML embeds one as a `data:` URI only when it is
what it says (a JPEG, PNG or WebP image in plain base64), escapes its alt text, and every
other format prints its words instead."""

from __future__ import annotations

import base64
import datetime as dt

from cexpert.present.document import Document, Picture, Section, Table
from cexpert.present.html import picture_uri, render_html
from cexpert.present.markdown import render_markdown
from cexpert.present.progress import PhotoCell, report, report_html
from cexpert.present.text import render_text

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(30))
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(30))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def doc_of(table: Table) -> Document:
    return Document("t", sections=(Section("s", (table,)),))


def page_of(picture: Picture) -> str:
    return render_html(doc_of(Table(("a",), ((picture,),))))


def test_a_picture_is_embedded_as_a_data_uri_with_its_alt_text():
    page = page_of(Picture("image/png", b64(PNG), "Front view, 2026-01-10"))
    assert (f'<img class="photo" src="data:image/png;base64,{b64(PNG)}" '
            f'alt="Front view, 2026-01-10">') in page


def test_a_pictures_alt_text_is_escaped():
    page = page_of(Picture("image/png", b64(PNG), '"><script>alert(1)</script>'))
    assert "<script>" not in page and 'alt="&quot;&gt;&lt;script&gt;' in page


def test_a_picture_of_another_media_type_is_not_embedded():
    assert picture_uri(Picture("image/svg+xml", b64(b"<svg onload=x>"), "a")) is None


def test_a_picture_whose_bytes_are_not_its_media_type_is_not_embedded():
    assert picture_uri(Picture("image/png", b64(JPEG), "a")) is None


def test_a_picture_whose_data_is_not_plain_base64_is_not_embedded():
    assert picture_uri(Picture("image/png", b64(PNG) + '" onerror="x', "a")) is None


def test_a_picture_not_embedded_shows_its_words_instead():
    page = page_of(Picture("image/gif", b64(b"GIF89a"), "Back view", "GIF photo"))
    assert "<img" not in page and "<td>GIF photo</td>" in page


def test_text_and_markdown_print_a_pictures_words():
    doc = doc_of(Table(("View", "2026-01-10"), (
        ("Front", Picture("image/png", b64(PNG), "Front view", "PNG photo, 38 bytes")),)))
    assert "Front  PNG photo, 38 bytes" in render_text(doc)
    assert "| Front | PNG photo, 38 bytes |" in render_markdown(doc)


def test_the_report_puts_visits_in_date_order_as_columns():
    photos = (PhotoCell(2, "2026-03-01", "side", "image/jpeg", JPEG),
              PhotoCell(1, "2026-01-01", "front", "image/png", PNG))
    [table] = [b for s in report("Kim", (), photos=photos, today=dt.date(2026, 4, 1)).sections
               if s.title == "Posture photos" for b in s.blocks if isinstance(b, Table)]
    assert table.header == ("View", "2026-01-01 (visit 1)", "2026-03-01 (visit 2)")
    assert [[isinstance(c, Picture) for c in row[1:]] for row in table.rows] == [
        [True, False], [False, True], [False, False]]


def test_the_report_escapes_the_clients_name_beside_the_photos():
    page = report_html("<b>Kim</b>", (), photos=(
        PhotoCell(1, "2026-01-01", "front", "image/png", PNG),))
    assert "<b>Kim</b>" not in page and "&lt;b&gt;Kim&lt;/b&gt;" in page
