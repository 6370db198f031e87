"""`cexpert lsp`: a language server for `.cex` files, on pygls 2 over stdio.

The server is thin, as in jedi-language-server: `Workspace` below holds the
analysis (the same parse, check, lints, refs and fmt as the command line) and the
handlers only translate to and from the protocol. A document belongs to the
knowledge base of its folder (every `.cex` file there, open documents as typed),
so a change re-checks the whole knowledge base and publishes the diagnostics of
every file in it: the same `Diagnostic` objects and codes as `cexpert check
--strict`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lark.exceptions import LarkError
from lsprotocol import types as lsp

from cexpert.authoring.fmt import format_text
from cexpert.authoring.lints import lint, suppressed
from cexpert.authoring.refs import find_entries, name_at, references
from cexpert.language import syntax_tree as st
from cexpert.language.check import check
from cexpert.language.diagnostics import Diagnostic
from cexpert.language.knowledge import KnowledgeBase
from cexpert.language.load import content_hash
from cexpert.language.parse import parse_text, parser, split_statements

EXTENSION = ".cex"


# --- the analysis, free of the protocol ---------------------------------------------------------

@dataclass
class Analysis:
    """One knowledge base checked: its files, diagnostics by file, and the result."""

    files: list[st.RuleFile]
    diagnostics: dict[str, list[Diagnostic]]
    kb: KnowledgeBase | None


@dataclass
class Workspace:
    """The knowledge bases of the open documents; parses are cached by text."""

    overrides: dict[str, str] = field(default_factory=dict)  # path -> text as typed
    parsed: dict[str, tuple[str, st.RuleFile, list[Diagnostic]]] = field(default_factory=dict)
    last: dict[Path, Analysis] = field(default_factory=dict)
    good: dict[Path, KnowledgeBase] = field(default_factory=dict)  # the last that checked

    def folder_of(self, path: str) -> Path:
        return Path(path).resolve().parent

    def text_of(self, path: str) -> str:
        if path in self.overrides:
            return self.overrides[path]
        try:
            return Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ""

    def parse(self, path: str) -> tuple[st.RuleFile, list[Diagnostic]]:
        text = self.text_of(path)
        cached = self.parsed.get(path)
        if cached is not None and cached[0] == text:
            return cached[1], cached[2]
        tree, problems = parse_text(text, path)
        self.parsed[path] = (text, tree, problems)
        return tree, problems

    def analyse(self, path: str) -> Analysis:
        """Check the knowledge base `path` belongs to, as the editor has it now."""
        folder = self.folder_of(path)
        paths = {str(p) for p in folder.glob(f"*{EXTENSION}") if p.is_file()}
        paths |= {p for p in self.overrides if self.folder_of(p) == folder}
        files, problems = [], []
        for file in sorted(paths):
            tree, found = self.parse(file)
            files.append(tree)
            problems += found
        kb = None
        if not any(d.is_error for d in problems):
            kb, checked = check(files, str(folder), content_hash(files, [folder]))
            problems += checked
            if kb is not None:
                problems += lint(kb, files)
        sources = {f.path: f.source for f in files}
        by_file: dict[str, list[Diagnostic]] = {f.path: [] for f in files}
        for d in problems:
            if d.span is not None and not suppressed(d, sources):
                by_file.setdefault(d.span.file, []).append(d)
        analysis = Analysis(files, by_file, kb)
        self.last[folder] = analysis
        if kb is not None:
            self.good[folder] = kb
        return analysis

    def current(self, path: str) -> Analysis:
        return self.last.get(self.folder_of(path)) or self.analyse(path)

    def kb_for(self, path: str) -> KnowledgeBase | None:
        """The knowledge base now, or mid-edit the last one that checked."""
        return self.current(path).kb or self.good.get(self.folder_of(path))


# --- completion: what the grammar expects at the cursor ------------------------------------------

WORD_AT_END = re.compile(r"[A-Za-z_][A-Za-z0-9_'/-]*$")
#: `exclude ... at ` on the line: the region the matched condition was recorded at
AT_IN_EXCLUSION = re.compile(r"\bexclude\b[^;\"]*\bat\s+$")
REGION_WORDS = ("its region", "its limb")


def expected_keywords(text: str, line: int, character: int) -> tuple[list[str], bool]:
    """The keywords the grammar accepts at a position, and whether a name may go there."""
    lines = text.split("\n")
    before = "\n".join([*lines[:line], lines[line][:character] if line < len(lines) else ""])
    before = WORD_AT_END.sub("", before)  # the word being typed is what we complete
    chunks = split_statements(before)
    prefix = chunks[-1][1] if chunks else ""
    lark = parser()
    try:
        interactive = lark.parse_interactive(prefix)
        interactive.exhaust_lexer()
        accepted = interactive.accepts()
    except LarkError:
        return sorted({*_statement_keywords()}), True
    words = []
    terminals = {t.name: t for t in lark.terminals}
    for terminal in accepted:
        if terminal not in terminals:
            continue  # $END
        pattern = terminals[terminal].pattern
        if pattern.type == "str" and re.fullmatch(r"[a-z]+", pattern.value):
            words.append(pattern.value)
    words = _for_kind(prefix, set(words))
    return sorted(words), "WORD" in accepted or "STRING" in accepted


def _for_kind(prefix: str, words: set[str]) -> set[str]:
    """In a declaration, only the attributes its kind has (the grammar allows them all)."""
    from cexpert.language.schema import SCHEMA

    first = prefix.split(maxsplit=1)[0] if prefix.strip() else ""
    every = {a for attributes in SCHEMA.values() for a in attributes}
    if first in SCHEMA and words and words <= every | {"extend"}:
        return words & set(SCHEMA[first])
    return words


def _statement_keywords() -> list[str]:
    return ["assessment", "muscle", "finding", "condition", "equipment", "dysfunction",
            "exercise", "phase", "checkpoint", "limitation", "clinician", "region", "rule",
            "setting", "section", "source", "include", "extend"]


def completions(workspace: Workspace, path: str, line: int, character: int
                ) -> list[lsp.CompletionItem]:
    text = workspace.text_of(path)
    keywords, names = expected_keywords(text, line, character)
    items = [lsp.CompletionItem(label=k, kind=lsp.CompletionItemKind.Keyword) for k in keywords]
    lines = text.split("\n")
    before = lines[line][:character] if line < len(lines) else ""
    if names and AT_IN_EXCLUSION.search(WORD_AT_END.sub("", before)):
        items += [lsp.CompletionItem(label=r, kind=lsp.CompletionItemKind.Keyword,
                                     detail="where the condition tested with 'at' was "
                                     "recorded" + (", its outermost region" if "limb" in r
                                                   else "")) for r in REGION_WORDS]
    workspace.current(path)
    kb = workspace.good.get(workspace.folder_of(path))  # mid-edit, the last that checked
    if names and kb is not None:
        tests_only = _after_test_keyword(text, line, character)
        for kind, entries in kb.entries.items():
            for entry in entries.values():
                if tests_only and not _is_test(entry):
                    continue
                detail = f"{kind} \"{entry.name}\""
                items.append(lsp.CompletionItem(label=entry.id, kind=_item_kind(kind),
                                                detail=detail))
                items.extend(lsp.CompletionItem(label=alias, kind=_item_kind(kind),
                                                detail=f"{detail}, alias of {entry.id}")
                             for alias in entry.aliases)
    return items


TEST_KEYWORD = re.compile(r"(?:\bsuggest\s+test|\bassessed)\s+(?:[A-Za-z_][\w'/-]*)?$")


def _after_test_keyword(text: str, line: int, character: int) -> bool:
    """After `suggest test` or `assessed` only a test can follow: an assessment, an
    FMS test or a clearing test."""
    lines = text.split("\n")
    return line < len(lines) and bool(TEST_KEYWORD.search(lines[line][:character]))


def _is_test(entry) -> bool:
    from cexpert.language.schema import TEST_BY_TEST

    return entry.kind == "assessment" or (entry.kind == "finding"
                                          and entry.one("in") in TEST_BY_TEST)


def _item_kind(kind: str) -> lsp.CompletionItemKind:
    return {"exercise": lsp.CompletionItemKind.Function, "muscle": lsp.CompletionItemKind.Class,
            "finding": lsp.CompletionItemKind.Event, "phase": lsp.CompletionItemKind.Module
            }.get(kind, lsp.CompletionItemKind.Value)


# --- hover, definition, references, symbols, formatting -------------------------------------------

def hover_text(workspace: Workspace, path: str, line: int, character: int) -> str | None:
    analysis = workspace.current(path)
    kb = workspace.kb_for(path)
    found = name_at(analysis.files, path, line + 1, character + 1)
    if found is not None and kb is not None:
        entries = find_entries(kb, found[0])
        if entries:
            return "\n\n".join(_describe(e) for e in entries)
    if kb is not None:
        for rule in kb.rules:
            if rule.file == path and rule.span.line == line + 1:
                return f"**rule {rule.id}**: {rule.title}\n\n```cex\n{rule.text}\n```\n\n" \
                       f"source: {rule.source or '(none)'}"
    return None


def _describe(entry) -> str:
    parts = [f"**{entry.kind} {entry.id}**: {entry.name}"]
    if entry.aliases:
        parts.append("aka " + ", ".join(f'"{a}"' for a in entry.aliases))
    shown = {k: v for k, v in entry.attributes.items() if k not in ("aka",)}
    if shown:
        parts.append("; ".join(f"{k} {', '.join(str(x) for x in v)}" for k, v in shown.items()))
    parts.append(f"declared at {Path(entry.span.file).name}:{entry.span.line}")
    return "\n\n".join(parts)


def definition(workspace: Workspace, path: str, line: int, character: int) -> st.Span | None:
    analysis = workspace.current(path)
    kb = workspace.kb_for(path)
    found = name_at(analysis.files, path, line + 1, character + 1)
    if found is None or kb is None:
        return None
    entries = find_entries(kb, found[0])
    if not entries:
        return None
    refs = references(analysis.files, entries[0])
    declared = [r.span for r in refs if r.declaration]
    return declared[0] if declared else entries[0].span


def reference_spans(workspace: Workspace, path: str, line: int, character: int,
                    include_declaration: bool = True) -> list[st.Span]:
    analysis = workspace.current(path)
    kb = workspace.kb_for(path)
    found = name_at(analysis.files, path, line + 1, character + 1)
    if found is None or kb is None:
        return []
    return [r.span for e in find_entries(kb, found[0])
            for r in references(analysis.files, e) if include_declaration or not r.declaration]


def symbols(workspace: Workspace, path: str) -> list[lsp.DocumentSymbol]:
    tree, _ = workspace.parse(path)
    out = []
    for statement in tree.statements:
        if isinstance(statement, st.Declaration):
            out.append(_symbol(statement.id, statement.kind, lsp.SymbolKind.Constant,
                               statement.span, statement.id_span))
        elif isinstance(statement, st.Rule):
            out.append(_symbol(statement.id or "(table row)", "rule", lsp.SymbolKind.Function,
                               statement.span, statement.id_span))
        elif isinstance(statement, st.Section):
            out.append(_symbol(statement.title.value, "section", lsp.SymbolKind.Namespace,
                               statement.span, statement.span))
    return out


def _symbol(name: str, detail: str, kind: lsp.SymbolKind, span: st.Span, at: st.Span
            ) -> lsp.DocumentSymbol:
    return lsp.DocumentSymbol(name=name, detail=detail, kind=kind, range=to_range(span),
                              selection_range=to_range(at))


def formatting(workspace: Workspace, path: str) -> list[lsp.TextEdit]:
    text = workspace.text_of(path)
    result = format_text(text, path)
    if not result.ok or result.text == text:
        return []
    end = text.split("\n")
    whole = lsp.Range(lsp.Position(0, 0), lsp.Position(len(end), 0))
    return [lsp.TextEdit(range=whole, new_text=result.text)]


# --- protocol conversions -------------------------------------------------------------------------

def to_range(span: st.Span) -> lsp.Range:
    return lsp.Range(lsp.Position(span.line - 1, max(span.column - 1, 0)),
                     lsp.Position(span.end_line - 1, max(span.end_column - 1, 0)))


def to_lsp(d: Diagnostic) -> lsp.Diagnostic:
    message = d.message
    if d.help:
        message += f"\nhelp: {d.help}"
    message += "".join(f"\nnote: {n}" for n in d.notes)
    severity = lsp.DiagnosticSeverity.Error if d.is_error else lsp.DiagnosticSeverity.Warning
    return lsp.Diagnostic(range=to_range(d.span), message=message, severity=severity,
                          code=d.code, source="cexpert")


def path_of(uri: str) -> str:
    from pygls.uris import to_fs_path

    return to_fs_path(uri) or uri


def uri_of(path: str) -> str:
    return Path(path).resolve().as_uri()


# --- the server -----------------------------------------------------------------------------------

def make_server():
    """The language server, its handlers registered (pygls imported only here)."""
    from pygls.lsp.server import LanguageServer

    server = LanguageServer("cexpert", "0.1.0", text_document_sync_kind=
                            lsp.TextDocumentSyncKind.Full)
    workspace = Workspace()

    def publish(path: str) -> None:
        analysis = workspace.analyse(path)
        for file, found in analysis.diagnostics.items():
            server.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
                uri=uri_of(file), diagnostics=[to_lsp(d) for d in found]))

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: lsp.DidOpenTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        workspace.overrides[path] = params.text_document.text
        publish(path)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: lsp.DidChangeTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        document = ls.workspace.get_text_document(params.text_document.uri)
        workspace.overrides[path] = document.source
        publish(path)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls, params: lsp.DidSaveTextDocumentParams) -> None:
        publish(path_of(params.text_document.uri))

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: lsp.DidCloseTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        workspace.overrides.pop(path, None)
        publish(path)

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION,
                    lsp.CompletionOptions(trigger_characters=[" "]))
    def completion(ls, params: lsp.CompletionParams) -> lsp.CompletionList:
        items = completions(workspace, path_of(params.text_document.uri),
                            params.position.line, params.position.character)
        return lsp.CompletionList(is_incomplete=False, items=items)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls, params: lsp.HoverParams) -> lsp.Hover | None:
        text = hover_text(workspace, path_of(params.text_document.uri),
                          params.position.line, params.position.character)
        if text is None:
            return None
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text))

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def goto_definition(ls, params: lsp.DefinitionParams) -> lsp.Location | None:
        span = definition(workspace, path_of(params.text_document.uri),
                          params.position.line, params.position.character)
        return lsp.Location(uri=uri_of(span.file), range=to_range(span)) if span else None

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    def find_references(ls, params: lsp.ReferenceParams) -> list[lsp.Location]:
        spans = reference_spans(workspace, path_of(params.text_document.uri),
                                params.position.line, params.position.character,
                                params.context.include_declaration)
        return [lsp.Location(uri=uri_of(s.file), range=to_range(s)) for s in spans]

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbols(ls, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        return symbols(workspace, path_of(params.text_document.uri))

    @server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
    def format_document(ls, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit]:
        return formatting(workspace, path_of(params.text_document.uri))

    server.cexpert_workspace = workspace  # for tests and benchmarks
    return server


def serve() -> int:
    """Run the server on stdin/stdout until the client says exit."""
    make_server().start_io()
    return 0

