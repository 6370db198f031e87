"""Where a name is declared and every place it is used, from the syntax trees.

A use is any name written in a declaration's attributes, a setting, a rule's
conditions or conclusions, or an `extend`, that resolves to the declaration as
the checker would resolve it: by id, display name or alias (case and space/
underscore insensitive)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from cexpert.language import syntax_tree as st
from cexpert.language.knowledge import Entry, KnowledgeBase
from cexpert.language.syntax_tree import name_key


@dataclass(frozen=True)
class Reference:
    kind: str
    id: str
    span: st.Span
    declaration: bool = False


def names_in(node) -> Iterator[st.Name]:
    """Every Name inside a syntax-tree node, in reading order."""
    if isinstance(node, st.Name):
        yield node
    elif dataclasses.is_dataclass(node) and not isinstance(node, st.Span):
        for f in dataclasses.fields(node):
            yield from names_in(getattr(node, f.name))
    elif isinstance(node, tuple | list):
        for item in node:
            yield from names_in(item)


def keys_of(entry: Entry) -> set[str]:
    return {name_key(entry.id), name_key(entry.name), *(name_key(a) for a in entry.aliases)}


def find_entries(kb: KnowledgeBase, text: str) -> list[Entry]:
    """The declarations a name may mean (an exact id first)."""
    key = name_key(text)
    exact = [e for kind in kb.entries.values() for e in kind.values() if e.id == key]
    if exact:
        return exact
    return [e for kind in kb.entries.values() for e in kind.values() if key in keys_of(e)]


def references(files: Sequence[st.RuleFile], entry: Entry) -> list[Reference]:
    """The declaration, then every use of `entry`, in file order."""
    keys = keys_of(entry)
    found: list[Reference] = []
    for file in files:
        for statement in file.statements:
            if isinstance(statement, st.Declaration | st.Extension) and \
                    statement.kind == entry.kind and statement.id == entry.id:
                found.append(Reference(entry.kind, entry.id, statement.id_span,
                                       isinstance(statement, st.Declaration)))
            for name in uses_in(statement):
                if name.key in keys:
                    found.append(Reference(entry.kind, entry.id, name.span))
    return found


def uses_in(statement) -> Iterator[st.Name]:
    """The names a statement uses: not the aliases a declaration gives itself."""
    if isinstance(statement, st.Declaration | st.Extension):
        for attribute in statement.attributes:
            if attribute.key != "aka":
                yield from names_in(attribute)
        return
    yield from names_in(statement)


def name_at(files: Sequence[st.RuleFile], file: str, line: int, column: int
            ) -> tuple[str, st.Span] | None:
    """The name (or declared id) written at a position, with its span."""
    for parsed in files:
        if parsed.path != file:
            continue
        for statement in parsed.statements:
            if not _within(statement.span, line, column):
                continue
            if isinstance(statement, st.Declaration | st.Extension) and \
                    _within(statement.id_span, line, column):
                return statement.id, statement.id_span
            for name in names_in(statement):
                if _within(name.span, line, column):
                    return name.text, name.span
    return None


def _within(span: st.Span, line: int, column: int) -> bool:
    return (span.line, span.column) <= (line, column) <= (span.end_line, span.end_column)
