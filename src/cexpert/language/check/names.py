"""The typed name table and the small helpers every check shares: a value in plain
words, its span, and "did you mean"."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from cexpert.language import syntax_tree as st
from cexpert.language.diagnostics import suggest
from cexpert.language.knowledge import KbRule
from cexpert.language.syntax_tree import name_key


@dataclass
class NameTable:
    """key -> [(kind, id)] for every id, alias and display name."""

    by_key: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    #: (key, kinds) -> `ids`' answer, until the next `add`: 45k rules look up 264k
    #: names, most of them many times over
    _ids: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = field(
        default_factory=dict, repr=False, compare=False)

    def add(self, text: str, kind: str, id: str) -> None:
        entries = self.by_key[name_key(text)]
        if (kind, id) not in entries:
            entries.append((kind, id))
            self._ids.clear()

    def lookup(self, name: st.Name, kinds: Sequence[str]) -> list[tuple[str, str]]:
        found = self.by_key.get(name.key, [])
        return [(k, i) for k, i in found if k in kinds]

    def ids(self, key: str, kinds: tuple[str, ...]) -> tuple[str, ...]:
        """The ids a name of `key` may mean among `kinds`, sorted; an exact id alone,
        since it beats aliases and display names."""
        cached = self._ids.get((key, kinds))
        if cached is None:
            found = self.by_key.get(key, ())
            ids = sorted({i for k, i in found if k in kinds})
            cached = self._ids[(key, kinds)] = (key,) if key in ids else tuple(ids)
        return cached

    def anything(self, name: st.Name) -> list[tuple[str, str]]:
        return list(self.by_key.get(name.key, []))

    def keys_of(self, kinds: Sequence[str]) -> list[str]:
        return [key for key, items in self.by_key.items() if any(k in kinds for k, _ in items)]


def plain(value: st.Value) -> str:
    if isinstance(value, st.Text):
        return value.value
    if isinstance(value, st.Name):
        return value.text
    return str(value.as_int if value.as_int is not None else value.value)


def span_of(value: st.Value) -> st.Span:
    return value.span


def meant(word: str, options: Iterable[str]) -> str | None:
    found = suggest(word, list(options))
    return f"did you mean '{found[0]}'?" if found else None


def meant_as_written(name: st.Name, keys: Iterable[str]) -> str | None:
    """'did you mean' for a name, spelled as the author spells: spaces unless they wrote '_'."""
    found = suggest(name.key, list(keys))
    if not found:
        return None
    shown = found[0] if "_" in name.text else found[0].replace("_", " ")
    return f"did you mean '{shown}'?"


def article(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def attribute_text(decl: st.Declaration, key: str) -> str | None:
    for attribute in decl.attributes:
        if attribute.key == key and attribute.values:
            return plain(attribute.values[0])
    return None


def with_changes(rule: KbRule, **changes) -> KbRule:
    return replace(rule, **changes)
