"""Specifications for the consultation document: what it says, where the chains go,
and that the CLI and the TUI print the same document."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import Input

from cexpert.present.consultation import consultation
from cexpert.present.document import (
    APPENDIX_TITLE,
    Chain,
    Figure,
    ItemList,
    Section,
    headings,
)
from cexpert.present.html import render_html
from cexpert.present.markdown import render_markdown
from cexpert.present.text import render_text
from cexpert.service import Service
from cexpert.tui.app import make_app
from test_check_cli import cli

RULES = """source "t"
knee valgus → overactive adductors, underactive glute medius
rule sore "Back pain" when pain low back
  then refer routine because "see a physio"; hold program because "no program in pain"
"""
CASE = ('[client]\nname = "Kim"\nage = 40\ngoals = ["run 5k", "garden"]\n'
        '[assessment]\nohsa = ["knee valgus"]\n')
TUI_KB = Path(__file__).parent.parent / "tui" / "kb"
TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def result(make_service, consult):
    service = make_service(RULES)
    return service, consult(service, CASE)


def blocks(section: Section, kind):
    for block in section.blocks:
        if isinstance(block, kind):
            yield block
        if isinstance(block, Section):
            yield from blocks(block, kind)


def items(doc):
    """Every item of the document, its body and then its appendix (a handout keeps the
    trainer's findings there)."""
    return [item for s in (*doc.sections, *doc.appendix) for lst in blocks(s, ItemList)
            for item in lst.items]


def test_sections_follow_the_consultation_in_order(result):
    service, res = result
    doc = consultation(res, service.kb, chains="inline")
    assert [s.title for s in doc.sections] == [
        "Status", "Dysfunctions, in priority order", "Probable muscle imbalances", "Program",
        "Left out"]


def test_the_handout_is_the_program_first_and_the_trainer_material_in_the_appendix(result):
    """Issue 11: a client reads what to do (and when to stop) first; the findings, what
    was left out and every chain are the trainer's appendix."""
    service, res = result
    doc = consultation(res, service.kb)
    assert [s.title for s in doc.sections] == ["Status", "Program"]
    assert [s.title for s in doc.appendix][:3] == [
        "Dysfunctions, in priority order", "Probable muscle imbalances", "Left out"]
    assert all(not i.why for i in items(doc))


def test_a_handout_gives_each_exercise_its_instructions_and_the_stop_rules(consult):
    service = Service.open()  # the shipped rules: every exercise has instructions
    res = consult(service, CASE.replace('ohsa = ["knee valgus"]',
                                        'ohsa = ["arms fall forward"]'))
    doc = consultation(res, service.kb)
    assert [s.title for s in doc.sections][:3] == ["Status", "Program", "When to stop"]
    cobra = next(i for i in items(doc) if i.title == "Floor cobra")  # done once: no side
    assert [label for label, _ in cobra.steps] == ["Setup", "Cues", "Feel", "Avoid",
                                                   "Easier", "Harder"]
    text = render_text(doc)
    assert "Setup: Lie face down" in text and "Signs of overstretching" in text
    assert "<dl class=\"how\">" in render_html(doc)
    assert "- *Setup:* Lie face down" in render_markdown(doc)


def test_a_referral_comes_first_and_is_drawn_as_an_alert(make_service, consult):
    service = make_service(RULES)
    doc = consultation(consult(service, CASE + 'pain = ["low back"]\n'), service.kb)
    first = doc.sections[0]
    assert (first.title, first.alert) == ("Referral (routine)", True)
    assert "see a physio" in [i.title for lst in blocks(first, ItemList) for i in lst.items]


def test_client_facts_give_age_goals_and_the_date(result):
    service, res = result
    doc = consultation(res, service.kb, today=TODAY)
    assert doc.facts == ("Age 40", "Goals: run 5k; garden", "Prepared 2026-03-01")


def test_an_undated_document_says_no_date(result):
    service, res = result
    assert not any(f.startswith("Prepared") for f in consultation(res, service.kb).facts)


def test_each_program_phase_is_a_sub_section_with_dose_and_purpose(result):
    service, res = result
    program = next(s for s in consultation(res, service.kb).sections if s.title == "Program")
    inhibit = next(blocks(program, Section))
    roll = next(blocks(inhibit, ItemList)).items[0]
    assert inhibit.title == "Inhibit"
    assert (roll.title, roll.detail) == ("Adductor roll, both sides", "1 set, hold 30 s")
    assert roll.note == "for Adductor complex (overactive); addresses knees move inward"


def test_by_default_the_chains_stand_in_the_appendix_not_under_items(result):
    service, res = result
    doc = consultation(res, service.kb)
    assert all(not item.why for item in items(doc))
    chains = [c for s in doc.appendix for c in blocks(s, Chain)]
    assert "Inhibit 1. Adductor roll, both sides" in [c.label for c in chains]
    assert all(c.nodes for c in chains)


def test_each_item_with_a_chain_names_its_appendix_chain(result):
    service, res = result
    doc = consultation(res, service.kb)
    keys = {c.key for s in doc.appendix for c in blocks(s, Chain)}
    refs = {item.ref for item in items(doc) if item.ref}
    assert refs == keys and len(keys) > 1


def test_inline_chains_go_under_each_item_and_leave_no_appendix(result):
    service, res = result
    doc = consultation(res, service.kb, chains="inline")
    assert doc.appendix == ()
    roll = next(i for i in items(doc) if i.title.startswith("Adductor roll"))
    assert roll.why[0].rule == "Overhead squat table: Knees move inward [t]"


def test_no_chains_anywhere_when_asked_for_none(result):
    service, res = result
    doc = consultation(res, service.kb, chains="none")
    assert doc.appendix == () and all(not item.why for item in items(doc))


def test_an_unknown_chains_placement_is_refused(result):
    service, res = result
    with pytest.raises(ValueError, match="chains must be one of appendix, inline, none"):
        consultation(res, service.kb, chains="footnotes")


def test_a_consultation_has_no_figure_of_its_own(result):
    """Charts over visits belong to the progress report, not the per-visit handout."""
    service, res = result
    doc = consultation(res, service.kb)
    assert not [f for s in (*doc.sections, *doc.appendix) for f in blocks(s, Figure)]


def test_the_headings_are_the_title_the_sections_and_the_appendix(result):
    service, res = result
    levels = headings(consultation(res, service.kb))
    assert levels[:3] == [(1, "Consultation: Kim"), (2, "Status"), (2, "Program")]
    appendix = levels.index((2, APPENDIX_TITLE))
    assert (3, "Dysfunctions, in priority order") in levels[appendix:]
    assert (3, "Program") in levels[appendix:]  # the program's chains


# --- one document for the CLI and the TUI ---------------------------------------------------


def test_cli_prints_the_document_in_each_format(capsys, make_kb, tmp_path):
    kb = str(make_kb(RULES))
    case = tmp_path / "case.toml"
    case.write_text(CASE, encoding="utf-8")
    service = Service.open([kb])
    doc = consultation(service.consult(service.read_case(case)), service.kb,
                       today=dt.date.today())
    for fmt, render in (("text", render_text), ("markdown", render_markdown),
                        ("html", render_html)):
        assert cli(capsys, "infer", str(case), "--rules", kb, "--format", fmt)[1] == \
            render(doc), fmt


@pytest.mark.asyncio
async def test_tui_export_writes_the_same_document_as_the_cli(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(Input.cursor_blink, "_default", False)
    case = tmp_path / "kim.toml"
    case.write_text(CASE.replace("knee valgus", "knees_move_inward"), encoding="utf-8")
    app = make_app(Service.open([str(TUI_KB)]), case_path=case, clients_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        written = app.export_to(tmp_path / "kim-program", ["markdown", "html"])
    assert [p.name for p in written] == ["kim-program.md", "kim-program.html"]
    for path, fmt in zip(written, ("markdown", "html"), strict=True):
        printed = cli(capsys, "infer", str(case), "--rules", str(TUI_KB), "--format", fmt)[1]
        assert path.read_text(encoding="utf-8") == printed, fmt
