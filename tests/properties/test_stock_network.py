"""The engine's own Rete runtime matches as Experta's stock nodes do.

compile.py runs Experta's network its own way (`_Matcher`: literal tests through
dispatch tables, only the conflict sets a change reached polled; `_Runtime`: one
closure per node input, tokens as plain tuples, memories emptied where filled).
`Engine(kb, stock_nodes=True)` matches with Experta's ReteMatcher as shipped (its
rule preparation, its nodes, every conflict set polled) under the same strategy.
For generated consultations of the shipped knowledge base both must conclude the
same and fire in the same order: the `infer` JSON, and the recorded run (the
trace's steps, the agenda at every firing as `trace --show agenda` gives it).

Stock Experta is several times slower per consultation, so the short profile draws a
fifth of the consultations the other properties draw (the long one: 2,000 each).
"""

from __future__ import annotations

import json

import pytest
from consultations import Vocabulary, case_documents, to_toml
from hypothesis import given, seed, settings
from hypothesis import strategies as st
from runs import COUNT, COUNTS, SEED

from cexpert.engine.compile import Engine
from cexpert.engine.infer import consult
from cexpert.engine.result import Result
from cexpert.explain.agenda import as_json as agenda_json
from cexpert.explain.trace import steps
from cexpert.service import Service

DIFFERENTIAL = settings(settings.get_profile("cexpert-properties"),
                        max_examples=max(1, COUNT // 5))


@pytest.fixture(scope="session")
def stock(shipped: Service) -> Engine:
    return Engine(shipped.kb, stock_nodes=True)


def both(data, shipped: Service, words: Vocabulary, stock: Engine) -> tuple[Result, Result]:
    """One generated consultation, recorded, on the engine's runtime and on stock nodes."""
    document = data.draw(case_documents(words), label="case")
    case = shipped.parse_case(to_toml(document), "generated.toml")
    COUNTS["consultations on stock Experta nodes"] += 1
    return (consult(shipped.kb, shipped.engine, case, record=True),
            consult(shipped.kb, stock, case, record=True))


def _text(document: object) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


@seed(SEED)
@DIFFERENTIAL
@given(data=st.data())
def test_the_runtime_concludes_what_stock_experta_nodes_conclude(
        data, shipped: Service, words: Vocabulary, stock: Engine):
    ours, theirs = both(data, shipped, words, stock)
    assert _text(ours.as_json()) == _text(theirs.as_json())


@seed(SEED)
@DIFFERENTIAL
@given(data=st.data())
def test_the_runtime_fires_in_the_order_stock_experta_nodes_fire(
        data, shipped: Service, words: Vocabulary, stock: Engine):
    ours, theirs = both(data, shipped, words, stock)
    kb = shipped.kb
    assert [s.as_json() for s in steps(ours, kb)] == [s.as_json() for s in steps(theirs, kb)]
    assert _text(agenda_json(ours, kb)) == _text(agenda_json(theirs, kb))


def test_the_shipped_rules_run_on_the_runtime_and_the_reference_on_stock_nodes(
        shipped: Service, stock: Engine):
    """Otherwise the two tests above would compare Experta with itself."""
    assert (shipped.engine.network, stock.network) == ("runtime", "stock")
