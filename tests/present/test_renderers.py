"""Specifications for the three renderers of a document: text, Markdown, HTML.

Each renderer is given a document built by hand, so these tests say what a
renderer does with each kind of block, whatever a consultation puts in it.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from cexpert.present.document import (
    Chain,
    ChainNode,
    Document,
    Figure,
    Item,
    ItemList,
    Paragraph,
    Section,
    Table,
)
from cexpert.present.html import render_html, safe_svg
from cexpert.present.markdown import md, render_markdown
from cexpert.present.text import render_text

CHAIN = (ChainNode("Adductor complex is probably overactive", "table row 10_rules.kv [t]",
                   (ChainNode("Entered: Knees move inward"),)),)
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5"/></svg>'


def doc(*blocks, appendix=(), title="Consultation: Kim") -> Document:
    return Document(title, ("Age 40",), (Section("Program", tuple(blocks)),), appendix,
                    "Made with cexpert.")


def html_tags(page: str) -> list[str]:
    return re.findall(r"<(/?[a-zA-Z][a-zA-Z0-9]*)", page)


# --- text ------------------------------------------------------------------------------------


def test_text_heads_sections_in_capitals_and_sub_sections_with_a_colon():
    out = render_text(doc(Section("Inhibit", (Paragraph("Roll slowly"),))))
    assert "\nPROGRAM\nInhibit:\n  Roll slowly\n" in out


def test_text_numbers_items_with_detail_and_note_beneath():
    out = render_text(doc(ItemList((Item("Calf roll", "1 set", "for Soleus"),))))
    assert "\n1. Calf roll: 1 set\n     for Soleus\n" in out


def test_text_aligns_table_columns_under_their_header():
    out = render_text(doc(Table(("Muscle", "Side"), (("TFL", "left side"),
                                                     ("Gluteus medius", "both sides")),
                                "Overactive")))
    assert ("Overactive:\n  Muscle          Side\n  TFL             left side\n"
            "  Gluteus medius  both sides\n") in out


def test_text_draws_a_chain_with_each_rule_beneath_its_fact():
    out = render_text(doc(ItemList((Item("Adductor roll", why=CHAIN),))))
    assert ("1. Adductor roll\n     Adductor complex is probably overactive\n"
            "       ← table row 10_rules.kv [t]\n         Entered: Knees move inward\n") in out


def test_text_prints_a_figure_as_its_text_fallback():
    out = render_text(doc(Figure("FMS total by visit", ("1 Mar  12", "1 Apr  15"), SVG)))
    assert "Figure: FMS total by visit\n  1 Mar  12\n  1 Apr  15\n" in out
    assert "<svg" not in out


def test_text_shows_control_characters_as_escapes():
    out = render_text(doc(Paragraph("bell\x07 escape\x1b[2J del\x7f c1\x9b")))
    assert "bell\\x07 escape\\x1b[2J del\\x7f c1\\x9b" in out
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", out)


def test_text_folds_a_line_break_in_user_text_into_a_space():
    out = render_text(doc(title="Consultation: Kim\nSTATUS\r\nProgram held."))
    assert out.startswith("Consultation: Kim STATUS Program held.\nAge 40\n")


def test_text_puts_the_appendix_after_the_body_under_its_own_heading():
    out = render_text(doc(Paragraph("body"), appendix=(Section("Program", (
        Chain("Inhibit 1. Adductor roll", CHAIN),)),)))
    body, appendix = out.split("TRAINER'S APPENDIX")
    assert "body" in body and "Inhibit 1. Adductor roll" in appendix
    assert "\nProgram:\n  Inhibit 1. Adductor roll\n    Adductor complex" in appendix


# --- Markdown --------------------------------------------------------------------------------


def test_md_escapes_what_would_be_markup():
    assert md("<b>Kim</b> [L](x) *a* _b_ `c` #d |e| ~f~ &amp;") == (
        "\\<b\\>Kim\\</b\\> \\[L\\](x) \\*a\\* \\_b\\_ \\`c\\` \\#d \\|e\\| \\~f\\~ \\&amp;")


def test_md_neutralises_a_line_start_that_would_open_a_block():
    assert [md(t) for t in ("- a", "+ a", "=== a", "12. a", "3) a", "  # a")] == [
        "\\- a", "\\+ a", "\\=== a", "12\\. a", "3\\) a", "\\# a"]


def test_markdown_renders_text_that_reads_back_as_written():
    tricky = "Kim\n# Heading\n- [x](javascript:alert(1)) <img src=x> 1. *no*"
    tokens = MarkdownIt("commonmark").parse(render_markdown(doc(Paragraph(tricky))))
    shown = [t.content for t in tokens if t.type == "inline"]
    assert "Kim # Heading - [x](javascript:alert(1)) <img src=x> 1. *no*" in [
        "".join(c.content for c in MarkdownIt("commonmark").parseInline(s)[0].children)
        for s in shown]
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2"]


def test_markdown_keeps_notes_inside_items_numbered_ten_and_over():
    items = tuple(Item(f"Exercise {n}", "1 set", "for Soleus") for n in range(1, 12))
    out = render_markdown(doc(ItemList(items)))
    assert "\n10. **Exercise 10**: 1 set\n    - for Soleus\n" in out
    tokens = MarkdownIt("commonmark").parse(out)
    assert sum(t.type == "ordered_list_open" for t in tokens) == 1


def test_markdown_draws_a_table_as_a_pipe_table():
    out = render_markdown(doc(Table(("Muscle", "Side"), (("TFL | x", "left side"),))))
    assert "| Muscle | Side |\n|---|---|\n| TFL \\| x | left side |\n" in out


def test_markdown_fences_a_figure_fallback_so_no_line_can_close_it():
    out = render_markdown(doc(Figure("chart", ("```", "# not a heading"))))
    assert "*Figure: chart*\n\n````\n```\n# not a heading\n````\n" in out
    tokens = MarkdownIt("commonmark").parse(out)
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2"]


def test_markdown_heads_the_appendix_and_its_sections_one_level_down():
    out = render_markdown(doc(appendix=(Section("Program", (Chain("Adductor roll", CHAIN),)),)))
    assert "\n## Trainer's appendix: findings, what was left out and the reasoning\n\n" \
           "### Program\n\n" \
           "**Adductor roll**\n\n- Adductor complex is probably overactive\n" in out


# --- HTML ------------------------------------------------------------------------------------


def test_html_escapes_every_text():
    page = render_html(doc(Table(("<th>",), (("<td>",),), "<caption>"),
                           ItemList((Item("<b>x</b>", "<i>", "<u>", CHAIN),)),
                           title="Consultation: <script>alert(1)</script>\x1b"))
    assert "<script>" not in page and "<b>x</b>" not in page and "<i>" not in page
    assert "Consultation: &lt;script&gt;alert(1)&lt;/script&gt;\\x1b" in page
    assert "\x1b" not in page


def test_html_page_is_standalone():
    page = render_html(doc(Figure("chart", ("a",), SVG)))
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert not re.search(r"""(src|href)\s*=|@import|<link""", page)


def test_html_embeds_a_plain_svg_figure():
    page = render_html(doc(Figure("FMS total by visit", ("1 Mar 12",), SVG)))
    assert f"<figure>{SVG}<figcaption>FMS total by visit</figcaption></figure>" in page


def test_html_drops_an_xml_prolog_before_an_svg():
    assert safe_svg('<?xml version="1.0"?>\n<!DOCTYPE svg>\n<!-- dot -->\n' + SVG) == SVG


def test_html_shows_the_fallback_for_an_svg_that_could_run_or_fetch_anything():
    for svg in ('<svg><script>alert(1)</script></svg>', '<svg onload="alert(1)"></svg>',
                '<svg><image href="http://example.com/x.png"/></svg>',
                '<svg><foreignObject><p>x</p></foreignObject></svg>', "<b>not svg</b>",
                '<svg><a xlink:href="javascript:alert(1)">x</a></svg>'):
        page = render_html(doc(Figure("chart", ("fallback <line>",), svg)))
        assert '<pre class="fallback">fallback &lt;line&gt;</pre>' in page, svg
        assert "alert(1)" not in page and "example.com" not in page, svg


def test_html_draws_inline_chains_under_their_item():
    page = render_html(doc(ItemList((Item("Adductor roll", "1 set", why=CHAIN),))))
    assert "<details open><summary>Why</summary><ul class=\"chain\"><li>Adductor complex" in page
    assert '<span class="rule">by table row 10_rules.kv [t]</span>' in page


def test_html_links_an_item_to_its_chain_in_the_appendix():
    page = render_html(doc(ItemList((Item("Adductor roll", "1 set", ref="why-f7"),)),
                           appendix=(Section("Program", (Chain("Adductor roll", CHAIN,
                                                               "why-f7"),)),)))
    assert ' <a class="why" href="#why-f7">why</a>' in page
    assert '<h4 id="why-f7">Adductor roll</h4>' in page


def test_text_and_markdown_print_no_link_for_an_appendix_reference():
    linked = doc(ItemList((Item("Adductor roll", "1 set", ref="why-f7"),)))
    for render in (render_text, render_markdown):
        assert "why-f7" not in render(linked)


def test_html_sets_the_appendix_apart_after_the_body():
    page = render_html(doc(appendix=(Section("Program", (Chain("Adductor roll", CHAIN),)),)))
    body, appendix = page.split('<section class="appendix">')
    assert "Adductor roll" not in body and "<h3>Program</h3>" in appendix
    assert appendix.index("</section>") < appendix.index("<footer>")
