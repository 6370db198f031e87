"""Specifications of `cexpert lsp`: the analysis behind each feature over real files,
then the server end to end with pygls' own client over stdio."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest
from lsprotocol import types as lsp

from cexpert.authoring.lsp import (
    Workspace,
    completions,
    definition,
    expected_keywords,
    formatting,
    hover_text,
    reference_spans,
    symbols,
)
from cexpert.resources import rules_dir


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A copy of the shipped knowledge base to edit."""
    folder = tmp_path / "rules"
    shutil.copytree(rules_dir(), folder)
    return folder


def position_of(text: str, needle: str) -> tuple[int, int]:
    before = text[: text.index(needle)]
    return before.count("\n"), len(before.rsplit("\n", 1)[-1])


def test_a_typing_error_is_diagnosed_with_the_checks_code(kb):
    workspace = Workspace()
    path = str(kb / "20_ohsa.cex")
    workspace.overrides[path] = workspace.text_of(path).replace(
        "overactive adductors", "overactive aductors", 1)
    analysis = workspace.analyse(path)
    [error] = [d for d in analysis.diagnostics[path] if d.is_error]
    assert (error.code, error.help) == ("E201", "did you mean 'adductors'?")


def test_diagnostics_cover_every_file_of_the_knowledge_base(kb):
    workspace = Workspace()
    analysis = workspace.analyse(str(kb / "20_ohsa.cex"))
    assert set(analysis.diagnostics) == {str(p) for p in kb.glob("*.cex")}
    assert {d.code for ds in analysis.diagnostics.values() for d in ds} <= {
        f"W40{n}" for n in range(1, 8)}  # the shipped rules: strict warnings only


def test_completion_offers_what_the_grammar_expects_after_a_condition():
    keywords, names = expected_keywords("rule r when heels rise ", 0, 23)
    assert keywords == ["and", "at", "is", "or", "then"] and names


def test_completion_in_a_declaration_offers_its_kinds_attributes():
    keywords, _ = expected_keywords('muscle m "M" ', 0, 13)
    assert keywords == ["aka", "group", "note", "region"]


def test_completion_offers_the_region_attributes_and_exclusions():
    assert expected_keywords('region r "R" ', 0, 13)[0] == ["aka", "note", "within"]
    assert "regional" in expected_keywords('condition c "C" ', 0, 16)[0]
    text = 'rule r when condition c at any then exclude phase inhibit '
    assert "at" in expected_keywords(text, 0, len(text))[0]


def test_completion_after_at_in_an_exclusion_offers_its_region(kb):
    workspace = Workspace()
    path = str(kb / "40_safety.cex")
    line = workspace.text_of(path).count("\n")
    workspace.analyse(path)
    typed = "rule r when condition varicose_veins at any then exclude phase inhibit at "
    workspace.overrides[path] = workspace.text_of(path) + typed
    labels = {i.label for i in completions(workspace, path, line, len(typed))}
    assert {"its region", "its limb", "lower_leg"} <= labels


def test_completion_offers_declared_ids_and_aliases(kb):
    workspace = Workspace()
    path = str(kb / "20_ohsa.cex")
    line = workspace.text_of(path).count("\n")
    workspace.analyse(path)  # opened clean; then typed into (mid-edit, it does not parse)
    workspace.overrides[path] = workspace.text_of(path) + "rule r when heels rise then over"
    labels = {i.label for i in completions(workspace, path, line, 32)}
    assert {"overactive", "gluteus_medius", "glute medius"} <= labels


def test_completion_after_suggest_test_offers_the_tests_only(kb):
    """`suggest test` and `assessed` take an assessment or an FMS/clearing test."""
    keywords, _ = expected_keywords("rule r when heels rise then sug", 0, 31)
    assert "suggest" in keywords
    workspace = Workspace()
    path = str(kb / "20_ohsa.cex")
    line = workspace.text_of(path).count("\n")
    workspace.analyse(path)
    typed = "rule r when heels rise then suggest test "
    workspace.overrides[path] = workspace.text_of(path) + typed
    labels = {i.label for i in completions(workspace, path, line, len(typed))}
    assert {"ohsa", "single_leg_squat"} <= labels
    assert not {"gluteus_medius", "heels_rise"} & labels


def test_hover_shows_a_names_declaration_and_aliases(kb):
    workspace = Workspace()
    path = str(kb / "20_ohsa.cex")
    line, column = position_of(workspace.text_of(path), "glute medius")
    text = hover_text(workspace, path, line, column + 2)
    assert text.startswith("**muscle gluteus_medius**: Gluteus medius")
    assert 'aka "glute medius"' in text


def test_definition_goes_to_the_declaration_in_another_file(kb):
    workspace = Workspace()
    path = str(kb / "20_ohsa.cex")
    line, column = position_of(workspace.text_of(path), "glute medius")
    span = definition(workspace, path, line, column)
    assert Path(span.file).name == "11_muscles.cex"
    assert Path(span.file).read_text().split("\n")[span.line - 1].startswith(
        "muscle gluteus_medius")


def test_references_find_every_use_by_any_alias(kb):
    workspace = Workspace()
    path = str(kb / "20_ohsa.cex")
    line, column = position_of(workspace.text_of(path), "glute medius")
    spans = reference_spans(workspace, path, line, column)
    assert len({Path(s.file).name for s in spans}) >= 3


def test_document_symbols_list_declarations_rules_and_sections(kb):
    workspace = Workspace()
    found = symbols(workspace, str(kb / "20_ohsa.cex"))
    assert {s.detail for s in found} == {"rule", "section"}


def test_formatting_is_one_edit_with_the_formatted_text(kb):
    workspace = Workspace()
    path = str(kb / "20_ohsa.cex")
    workspace.overrides[path] = "heels_rise   -> overactive soleus\n"
    [edit] = formatting(workspace, path)
    assert edit.new_text == "heels_rise → overactive soleus\n"


# --- end to end ---------------------------------------------------------------------------------

def test_the_server_publishes_diagnostics_as_you_type_and_answers_hover_over_stdio(kb):
    from pygls.lsp.client import LanguageClient

    path = kb / "20_ohsa.cex"
    uri = path.as_uri()
    clean = path.read_text(encoding="utf-8")
    typed = clean.replace("overactive adductors", "overactive aductors", 1)

    async def session():
        client = LanguageClient("cexpert-test", "1")
        published: asyncio.Queue = asyncio.Queue()

        @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
            if params.uri == uri:
                published.put_nowait(params.diagnostics)

        await client.start_io(sys.executable, "-m", "cexpert.cli", "lsp")
        try:
            await client.initialize_async(lsp.InitializeParams(
                capabilities=lsp.ClientCapabilities(), root_uri=kb.as_uri()))
            client.initialized(lsp.InitializedParams())
            client.text_document_did_open(lsp.DidOpenTextDocumentParams(
                lsp.TextDocumentItem(uri=uri, language_id="cex", version=1, text=clean)))
            opened = await asyncio.wait_for(published.get(), 60)
            line, column = position_of(clean, "glute medius")
            hover = await client.text_document_hover_async(lsp.HoverParams(
                lsp.TextDocumentIdentifier(uri=uri), lsp.Position(line, column)))
            client.text_document_did_change(lsp.DidChangeTextDocumentParams(
                lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
                [lsp.TextDocumentContentChangeWholeDocument(text=typed)]))
            changed = await asyncio.wait_for(published.get(), 60)
            await client.shutdown_async(None)
            client.exit(None)
        finally:
            await client.stop()
        return opened, hover, changed

    opened, hover, changed = asyncio.run(session())
    assert [d for d in opened if d.severity == lsp.DiagnosticSeverity.Error] == []
    assert hover is not None and "muscle gluteus_medius" in hover.contents.value
    errors = [d for d in changed if d.severity == lsp.DiagnosticSeverity.Error]
    assert [d.code for d in errors] == ["E201"]
    assert "did you mean 'adductors'?" in errors[0].message
