"""No trainer-facing line carries an id: the handout (text, Markdown, HTML, its appendix
and --why chains), the Results and Program rows with their reasoning previews, the
referral banner, the narrow live summary and What if speak in the trainer's words.

Why, Replay and `trace` are left out on purpose: they show each rule as written, its
id included. The client's name and goals are fixed words here, since what a trainer
types is echoed as typed.
"""

from __future__ import annotations

import datetime as dt
import re

from consultations import Vocabulary, case_documents, to_toml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from runs import COUNT, PROFILE, SEED

from cexpert.engine.case import Case
from cexpert.engine.result import Result
from cexpert.present.chains import chain
from cexpert.present.consultation import CHAINS, consultation
from cexpert.present.document import ChainNode
from cexpert.present.html import render_html
from cexpert.present.markdown import render_markdown
from cexpert.present.rows import program_rows, result_rows
from cexpert.present.text import render_text
from cexpert.present.words import referral_text
from cexpert.service import Service
from cexpert.tui.widgets.live import summary_text

#: what an id looks like on a line: a snake_case word, a rule's file-qualified id, the
#: engine's words for strata, tags and phases, a dict printed raw
ID_LIKE = re.compile(
    r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b|\bstratum\b|table row \(|\btagged\b|\{'"
    r"|\bphase (?:inhibit|lengthen|activate|integrate)\b|\bcheckpoint [a-z_]+\b")
CITATION = re.compile(r"\b[\w-]+\.md\b")  # a source cites the domain notes by file name
TODAY = dt.date(2026, 1, 1)


def _chain_lines(nodes: tuple[ChainNode, ...]) -> list[str]:
    return [line for n in nodes for line in (n.text, n.rule, *_chain_lines(n.children))]


def trainer_lines(service: Service, case: Case, result: Result) -> dict[str, list[str]]:
    """Every trainer-facing output of a consultation, as lines, by where it is shown."""
    kb = service.kb
    out: dict[str, list[str]] = {}
    for chains in CHAINS:
        doc = consultation(result, kb, chains=chains, today=TODAY)
        out[f"text ({chains})"] = render_text(doc).split("\n")
        out[f"markdown ({chains})"] = render_markdown(doc).split("\n")
        page = re.sub(r"<style.*?</style>|<script.*?</script>", "", render_html(doc),
                      flags=re.S)
        out[f"html ({chains})"] = re.sub(r"<[^>]+>", "\n", page).split("\n")
    for name, rows in (("results", result_rows(result, kb)),
                       ("program", program_rows(result, kb))):
        out[name] = [line for row in rows for line in (row.text, row.detail)]
        out[f"{name} previews"] = [line for row in rows if row.fact
                                   for line in _chain_lines(chain(result, kb, row.fact))]
    out["referral banner"] = [referral_text(result) or ""]
    out["live summary"] = summary_text(result, kb).plain.split("\n")
    for observation in case.observations[:3]:
        _, _, changes = service.what_if(case, observation.assessment, observation.finding,
                                        observation.side, before=result)
        out.setdefault("what if", []).extend(c.text for c in changes)
    return out


def ids_in(lines: dict[str, list[str]], rule_ids: set[str]) -> list[str]:
    found = []
    for where, texts in lines.items():
        for line in texts:
            plain = CITATION.sub("", line)
            hits = [m.group(0) for m in ID_LIKE.finditer(plain)]
            hits += [r for r in rule_ids if r in plain]
            found += [f"{where}: {hit!r} in {line.strip()[:140]!r}" for hit in hits]
    return found


@seed(SEED)
@settings(max_examples=COUNT if PROFILE == "long" else 40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_no_trainer_facing_line_carries_a_rule_id_or_stratum(
        data, shipped: Service, words: Vocabulary):
    document = data.draw(case_documents(words), label="case")
    document["client"] = {**document["client"], "name": "Sam"}
    document["client"].pop("goals", None)
    case = shipped.parse_case(to_toml(document), "generated.toml")
    result = shipped.consult(case)
    kb = shipped.kb
    rule_ids = {r.id for r in (*kb.rules, *kb.unloaded_rules) if "_" in r.id or "." in r.id}
    found = ids_in(trainer_lines(shipped, case, result), rule_ids)
    assert not found, "\n".join(found[:20])


def test_the_check_finds_an_id_where_there_is_one():
    found = ids_in({"results": ["Ranked #1 (checkpoint lphc)", "fms_total_le_14: low",
                                "All exercises tagged spinal", "why (stratum 0)",
                                "rule Pain (pain_refer)"]}, {"pain_refer"})
    assert len(found) == 6  # pain_refer twice: a snake_case word and a rule id
