"""The name table's memoised `ids` answers as the lookup it replaced, after any adds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as s

from cexpert.language import syntax_tree as st
from cexpert.language.check.names import NameTable
from cexpert.language.span import Span
from cexpert.language.syntax_tree import name_key
from test_fuzz import fuzz

KINDS = ("muscle", "finding", "dysfunction", "exercise", "phase")
#: spellings that collide under `name_key` (case, spaces, underscores) and ones that don't
TEXTS = ("glute medius", "Glute_Medius", "GLUTE  medius", "tfl", "TFL", "adductors",
         "knee valgus", "knee_valgus", "inhibit")
IDS = ("glute_medius", "tfl", "adductors", "knee_valgus", "inhibit")

adds = s.tuples(s.just("add"), s.sampled_from(TEXTS), s.sampled_from(KINDS),
                s.sampled_from(IDS))
asks = s.tuples(s.just("ask"), s.sampled_from(TEXTS),
                s.lists(s.sampled_from(KINDS), min_size=1, max_size=3, unique=True))


def _as_before(table: NameTable, text: str, kinds: tuple[str, ...]) -> tuple[str, ...]:
    """`resolve_name`'s lookup before memoising: the sorted ids, an exact id alone."""
    name = st.Name(text, Span("t.cex", 1, 1, 1, 1))
    ids = sorted({i for _, i in table.lookup(name, kinds)})
    return (name.key,) if name.key in ids else tuple(ids)


@fuzz(300)
@given(s.lists(s.one_of(adds, asks), max_size=40))
def test_memoised_ids_equal_the_lookup_they_replaced_after_any_adds(steps):
    table = NameTable()
    for step in steps:
        if step[0] == "add":
            table.add(*step[1:])
        else:
            kinds = tuple(step[2])
            assert table.ids(name_key(step[1]), kinds) == _as_before(table, step[1], kinds)


def test_an_add_after_an_ask_changes_the_answer():
    table = NameTable()
    table.add("tfl", "muscle", "tfl")
    assert table.ids("tfl", ("muscle",)) == ("tfl",)
    table.add("TFL", "finding", "tfl_tight")
    assert table.ids("tfl", ("muscle", "finding")) == ("tfl",)  # the exact id still wins
    table.add("Tight", "finding", "tfl_tight")
    table.add("tight", "muscle", "tensor")
    assert table.ids("tight", ("muscle", "finding")) == ("tensor", "tfl_tight")
