"""Exports of a consultation: Markdown notes and a standalone HTML handout.

Both carry the same content: the client, any referral, the session phase by
phase with dose and targets, what was left out and why, the findings behind
it, and each item's reasoning chain. The HTML page has its CSS inline (print
friendly, no external assets) and every piece of text is escaped with
`html.escape`. No Textual here.
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cexpert.engine.result import Result
from cexpert.language.knowledge import KnowledgeBase
from cexpert.present.report import dose_words
from cexpert.present.rows import (
    ChainNode,
    chain,
    dysfunction_detail,
    excluded_text,
    muscle_text,
    target_names,
)

FORMATS = ("markdown", "html")
SUFFIX = {"markdown": ".md", "html": ".html"}


@dataclass(frozen=True)
class Item:
    title: str
    detail: str = ""
    note: str = ""
    why: tuple[ChainNode, ...] = ()


@dataclass(frozen=True)
class Section:
    title: str
    intro: str = ""
    items: tuple[Item, ...] = ()
    empty: str = ""
    alert: bool = False


@dataclass(frozen=True)
class Handout:
    title: str
    facts: tuple[str, ...]  # client lines: age, goals, date
    sections: tuple[Section, ...] = field(default_factory=tuple)
    footer: str = ""


def handout(result: Result, kb: KnowledgeBase, goals: Sequence[str] = (),
            today: _dt.date | None = None) -> Handout:
    client = result.client
    name = client.get("name") or "Client"
    facts = []
    if client.get("age"):
        facts.append(f"Age {client['age']}")
    if goals:
        facts.append("Goals: " + "; ".join(goals))
    facts.append(f"Prepared {(today or _dt.date.today()).isoformat()}")
    sections: list[Section] = []
    ref = result.referral
    if ref.required or ref.holds_program:
        title = (f"Referral ({ref.urgency or 'routine'})" if ref.required else "Program held")
        intro = ("Please see a licensed health professional before starting corrective "
                 "work." if ref.required else "")
        if ref.holds_program:
            intro += " The corrective program is held until clearance is recorded."
        items = tuple(Item(reason, why=chain(result, kb, fact))
                      for reason, fact in zip(ref.reasons, ref.facts, strict=False))
        sections.append(Section(title, intro.strip(), items, alert=True))
    for phase in kb.of("phase").values():
        chosen = [p for p in result.program if p.phase == phase.id]
        if not chosen:
            continue
        items = tuple(
            Item(p.name + ("" if p.side == "both" else f" ({p.side} side)"),
                 dose_words(p.dose), ("For " + target_names(kb, p.targets)) if p.targets
                 else "", chain(result, kb, p.fact))
            for p in chosen)
        sections.append(Section(phase.name, str(phase.one("note", "") or ""), items))
    if not result.program:
        sections.append(Section("Program", "", (), "Held: see the referral above."
                                if result.program_status == "held" else
                                "No corrective needs found: continue the general program."))
    sections.append(Section("Left out", "", tuple(
        Item(excluded_text(kb, e), e.category, why=chain(result, kb, e.fact))
        for e in result.excluded), "Nothing."))
    sections.append(Section("What the assessment showed", "", tuple(
        Item(f"{d.rank}. {d.name}", dysfunction_detail(result, kb, d),
             why=chain(result, kb, d.fact))
        for d in result.dysfunctions), "No compensations were recorded."))
    for state in ("overactive", "underactive"):
        muscles = [m for m in result.muscles if m.state == state]
        if muscles:
            sections.append(Section(f"Probably {state}", "", tuple(
                Item(muscle_text(m), f"evidence {m.score}") for m in muscles)))
    if result.conflicts:
        sections.append(Section("Conflicts", "Pointed both overactive and underactive, so "
                                "left out of the program.", tuple(
                                    Item(c.name, c.side) for c in result.conflicts)))
    if result.fms is not None:
        f = result.fms
        lines = [Item(kb.name_of("finding", t), str(s)) for t, s in f.scores.items()]
        total = f.total if f.total is not None else "not computed (partial)"
        intro = (f"Total {total}. Asymmetries: "
                 + (", ".join(kb.name_of("finding", t) for t in f.asymmetries) or "none")
                 + ". Priority: "
                 + (", ".join(kb.name_of("finding", t) for t in f.priority) or "none") + ".")
        sections.append(Section("Functional Movement Screen", intro, tuple(lines)))
    if result.reassessment:
        sections.append(Section("Reassess", f"In {result.reassessment.weeks:g} weeks."))
    if result.notes:
        sections.append(Section("Notes", "", tuple(Item(n) for n in result.notes)))
    footer = (f"Made with cexpert; knowledge base {result.knowledge_base.get('path')} "
              f"({str(result.knowledge_base.get('hash', ''))[:19]}). Educational support "
              "for a qualified trainer, not a diagnosis.")
    return Handout(f"Corrective exercise program: {name}", tuple(facts), tuple(sections),
                   footer)


# --- Markdown ---------------------------------------------------------------------------


def md_escape(text: str) -> str:
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text


def _md_chain(nodes: Sequence[ChainNode], depth: int) -> list[str]:
    lines = []
    for node in nodes:
        pad = "  " * depth
        lines.append(f"{pad}- {md_escape(node.text)}")
        if node.rule:
            lines.append(f"{pad}  - *by {md_escape(node.rule)}*")
        lines += _md_chain(node.children, depth + 1)
    return lines


def to_markdown(doc: Handout) -> str:
    lines = [f"# {md_escape(doc.title)}", ""]
    lines += [f"- {md_escape(fact)}" for fact in doc.facts]
    for section in doc.sections:
        lines += ["", f"## {'⚠ ' if section.alert else ''}{md_escape(section.title)}", ""]
        if section.intro:
            lines += [md_escape(section.intro), ""]
        if not section.items and section.empty:
            lines.append(md_escape(section.empty))
        for n, item in enumerate(section.items, 1):
            detail = f": {md_escape(item.detail)}" if item.detail else ""
            lines.append(f"{n}. **{md_escape(item.title)}**{detail}")
            if item.note:
                lines.append(f"   - {md_escape(item.note)}")
            if item.why:
                lines.append("   - Why:")
                lines += ["   " + line for line in _md_chain(item.why, 1)]
    lines += ["", "---", "", f"*{md_escape(doc.footer)}*"]
    return "\n".join(lines) + "\n"


# --- HTML ---------------------------------------------------------------------------------

CSS = """
:root { color-scheme: light; }
body { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1d232a; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; padding-bottom: .2rem;
  border-bottom: 2px solid #2b6cb0; }
ul.facts { list-style: none; padding: 0; margin: 0; color: #4a5568; }
ol.items > li { margin: .45rem 0; }
.detail { color: #2b6cb0; font-weight: 600; }
.note { color: #4a5568; }
section.alert { border: 2px solid #c53030; background: #fff5f5; padding: .2rem 1rem 1rem;
  border-radius: 6px; }
section.alert h2 { color: #c53030; border-color: #c53030; }
details { margin: .2rem 0 0; color: #4a5568; font-size: .9em; }
details summary { cursor: pointer; }
details ul { margin: .2rem 0; padding-left: 1.2rem; }
.rule { font-style: italic; }
footer { margin-top: 2rem; font-size: .85em; color: #718096; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  section { break-inside: avoid-page; }
  ol.items > li { break-inside: avoid; }
  details summary { list-style: none; }
  a { color: inherit; text-decoration: none; }
}
"""


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def _html_chain(nodes: Sequence[ChainNode]) -> str:
    parts = ["<ul>"]
    for node in nodes:
        parts.append(f"<li>{_h(node.text)}")
        if node.rule:
            parts.append(f' <span class="rule">by {_h(node.rule)}</span>')
        if node.children:
            parts.append(_html_chain(node.children))
        parts.append("</li>")
    parts.append("</ul>")
    return "".join(parts)


def to_html(doc: Handout) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_h(doc.title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
           f"<header><h1>{_h(doc.title)}</h1>", '<ul class="facts">']
    out += [f"<li>{_h(fact)}</li>" for fact in doc.facts]
    out.append("</ul></header>")
    for section in doc.sections:
        out.append('<section class="alert">' if section.alert else "<section>")
        out.append(f"<h2>{_h(section.title)}</h2>")
        if section.intro:
            out.append(f"<p>{_h(section.intro)}</p>")
        if not section.items and section.empty:
            out.append(f"<p>{_h(section.empty)}</p>")
        if section.items:
            out.append('<ol class="items">')
            for item in section.items:
                out.append(f"<li><strong>{_h(item.title)}</strong>")
                if item.detail:
                    out.append(f' <span class="detail">{_h(item.detail)}</span>')
                if item.note:
                    out.append(f'<div class="note">{_h(item.note)}</div>')
                if item.why:
                    out.append(f"<details open><summary>Why</summary>"
                               f"{_html_chain(item.why)}</details>")
                out.append("</li>")
            out.append("</ol>")
        out.append("</section>")
    out += [f"<footer>{_h(doc.footer)}</footer>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def export(result: Result, kb: KnowledgeBase, base: Path, formats: Sequence[str] = FORMATS,
           goals: Sequence[str] = (), today: _dt.date | None = None) -> list[Path]:
    """Write the chosen formats next to each other: base.md, base.html; return the paths."""
    doc = handout(result, kb, goals, today)
    render = {"markdown": to_markdown, "html": to_html}
    written = []
    base.parent.mkdir(parents=True, exist_ok=True)
    for fmt in formats:
        path = base.with_name(base.name + SUFFIX[fmt]) if base.suffix not in SUFFIX.values() \
            else base.with_suffix(SUFFIX[fmt])
        path.write_text(render[fmt](doc), encoding="utf-8")
        written.append(path)
    return written
