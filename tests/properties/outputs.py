"""Every output of one consultation, rendered the way the CLI and the TUI render it.

`render_all` goes through the Service and the present/explain renderers that
`cexpert infer/why/why-not/trace` and the TUI's screens and export call; it
returns how many outputs it rendered, by name, so a run can report its counts.
Any exception propagates: a crash here is a crash a trainer would see.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from cexpert.engine.case import Case
from cexpert.engine.result import Result
from cexpert.explain.trace import render_steps, trace_lines
from cexpert.explain.why import render_tree
from cexpert.present.chains import chain
from cexpert.present.consultation import CHAINS, consultation
from cexpert.present.html import render_html
from cexpert.present.markdown import render_markdown
from cexpert.present.rows import fms_rows, program_rows, result_rows
from cexpert.present.text import render_text
from cexpert.present.words import referral_text
from cexpert.service import Service

STATES = ("overactive", "underactive")
TODAY = dt.date(2026, 1, 1)


def render_all(service: Service, case: Case, result: Result) -> Counter[str]:
    """Render every output of `result`; the count of each kind rendered."""
    kb = service.kb
    done: Counter[str] = Counter()

    def rendered(name: str, text: object) -> None:
        assert text is not None, name
        done[name] += 1

    rendered("json", json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    for chains in CHAINS:  # appendix: the handout; inline: --why
        doc = consultation(result, kb, chains=chains, today=TODAY)
        for name, render in (("text", render_text), ("markdown", render_markdown),
                             ("html", render_html)):
            rendered(f"{name} (chains {chains})", render(doc))
    for fact in result.facts:
        rendered("describe", service.describe(result, fact))
        tree = service.why(result, fact)
        rendered("why", "\n".join(render_tree(tree)))
        rendered("why compact", "\n".join(render_tree(tree, compact=True)))
        rendered("chain", chain(result, kb, fact))
    for muscle in kb.of("muscle"):
        for state in STATES:
            answer = service.why_not(result, state, muscle)
            rendered("why-not", "\n".join([answer.question, answer.answer, *(
                f"{r.rule} {r.title} {r.source} {c.holds} {c.text}"
                for r in answer.rules for c in r.checks)]))
    for observation in case.observations:
        _, _, changes = service.what_if(case, observation.assessment, observation.finding,
                                        observation.side, before=result)
        rendered("what-if", [f"{c.section} {c.sign} {c.text}" for c in changes])
    rendered("trace", "\n".join(render_steps(result, kb)))
    rendered("trace --facts", "\n".join(trace_lines(result, kb)))
    rendered("trace json", json.dumps(
        {"steps": [s.as_json() for s in service.steps(result)],
         "facts": {f.id: {**f.as_json(), "text": service.describe(result, f.id)}
                   for f in result.facts.values()}}, ensure_ascii=False))
    for name, rows in (("result rows", result_rows(result, kb)),
                       ("fms rows", fms_rows(result, kb)),
                       ("program rows", program_rows(result, kb))):
        rendered(name, rows)
        for row in rows:
            if row.fact:
                rendered("row why", chain(result, kb, row.fact))
    rendered("referral banner", referral_text(result) or "")
    return done
