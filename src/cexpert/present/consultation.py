"""What a consultation says, as one document: the only builder the CLI and TUI use.

Client, referral, status, dysfunctions in priority order, the probable muscle
imbalances, the FMS, the program phase by phase with dose and purpose, what
was left out and why, notes. The reasoning chains go where the reader needs
them: `chains="appendix"` (a handout: instructions first, the chains in a
trainer's appendix), `"inline"` (the trainer's report, `infer --why`: each
chain under its recommendation) or `"none"`.
"""

from __future__ import annotations

import datetime as _dt

from cexpert.engine.result import Result
from cexpert.language.knowledge import KnowledgeBase
from cexpert.present.chains import chain
from cexpert.present.document import (
    Block,
    Chain,
    ChainNode,
    Document,
    Item,
    ItemList,
    Paragraph,
    Section,
    Table,
)
from cexpert.present.words import (
    dose_words,
    dysfunction_detail,
    excluded_title,
    instruction_steps,
    item_title,
    purpose,
    side_words,
    status_words,
    suggestion_title,
)

CHAINS = ("appendix", "inline", "none")


def consultation(result: Result, kb: KnowledgeBase, chains: str = "appendix",
                 today: _dt.date | None = None) -> Document:
    """The document of one consultation; `today` dates it (undated when None)."""
    if chains not in CHAINS:
        raise ValueError(f"chains must be one of {', '.join(CHAINS)}, not {chains!r}")
    build = _Builder(result, kb, chains)
    title = f"Consultation: {result.client.get('name') or 'unnamed client'}"
    if chains == "appendix":
        # a handout: what the client does and when to stop first; the trainer's
        # findings, what was left out and every reasoning chain in the appendix
        client = [build.referral(), build.status(), build.program(), build.stop_rules(),
                  build.notes()]
        trainer = [build.dysfunctions(), build.muscles(), build.fms(), build.next_tests(),
                   build.excluded()]
        return Document(title, _client_facts(result, today),
                        tuple(s for s in client if s is not None),
                        (*(s for s in trainer if s is not None), *build.appendix()),
                        _footer(result))
    sections = [s for s in (build.referral(), build.status(), build.dysfunctions(),
                            build.muscles(), build.fms(), build.next_tests(), build.program(),
                            build.stop_rules(),
                            build.excluded(), build.notes()) if s is not None]
    return Document(title, _client_facts(result, today), tuple(sections), build.appendix(),
                    _footer(result))


def _client_facts(result: Result, today: _dt.date | None) -> tuple[str, ...]:
    client = result.client
    facts = [f"Age {client['age']}"] if client.get("age") else []
    entered = next((f for f in result.facts.values() if f.kind == "client"), None)
    goals = [str(g) for g in (entered.get("goals") or ())] if entered is not None else []
    if goals:
        facts.append("Goals: " + "; ".join(goals))
    if today is not None:
        facts.append(f"Prepared {today.isoformat()}")
    return tuple(facts)


def _footer(result: Result) -> str:
    kb = result.knowledge_base
    return (f"Made with cexpert; knowledge base {kb.get('path')} "
            f"({str(kb.get('hash', ''))[:19]}). Educational support for a qualified "
            "trainer, not a diagnosis.")


class _Builder:
    """The sections of one document; collects the chains the appendix will show."""

    def __init__(self, result: Result, kb: KnowledgeBase, chains: str):
        self.result, self.kb, self.chains = result, kb, chains
        self.kept: dict[str, list[Chain]] = {}  # appendix section title -> chains

    def item(self, title: str, fact: str | None, group: str, label: str = "",
             detail: str = "", note: str = "",
             steps: tuple[tuple[str, str], ...] = ()) -> Item:
        """An item; its chain inline, or kept for the appendix under `group`."""
        nodes: tuple[ChainNode, ...] = ()
        if fact and self.chains != "none":
            nodes = chain(self.result, self.kb, fact)
        if self.chains == "appendix" and nodes:
            key = f"why-{fact}"
            self.kept.setdefault(group, []).append(Chain(label or title, nodes, key))
            return Item(title, detail, note, ref=key, steps=steps)
        return Item(title, detail, note, nodes if self.chains == "inline" else (),
                    steps=steps)

    def referral(self) -> Section | None:
        ref = self.result.referral
        if not (ref.required or ref.holds_program):
            return None
        blocks: list[Block] = []
        if ref.required:
            blocks.append(Paragraph("Refer to a licensed health professional before "
                                    "corrective work.", "alert"))
        facts = list(ref.facts) + [None] * (len(ref.reasons) - len(ref.facts))
        items = tuple(self.item(reason, fact, "Referral")
                      for reason, fact in zip(ref.reasons, facts, strict=False))
        if items:
            blocks.append(ItemList(items, ordered=False))
        if ref.holds_program:
            blocks.append(Paragraph("The corrective program is held until clearance is "
                                    "recorded.", "alert"))
        title = f"Referral ({ref.urgency or 'routine'})" if ref.required else "Program held"
        return Section(title, tuple(blocks), alert=True)

    def status(self) -> Section:
        return Section("Status", (Paragraph(status_words(self.result)),))

    def dysfunctions(self) -> Section:
        result = self.result
        items = tuple(self.item(d.name, d.fact, "Dysfunctions", f"{d.rank}. {d.name}",
                                dysfunction_detail(result, self.kb, d))
                      for d in result.dysfunctions)
        if items:
            block: Block = ItemList(items)
        elif result.fms is not None and result.fms.priority:
            block = Paragraph("None from posture or movement assessments; the FMS "
                              "corrective priority is below.")
        else:
            block = Paragraph("None found.")
        return Section("Dysfunctions, in priority order", (block,))

    def muscles(self) -> Section:
        blocks: list[Block] = []
        for state, plain in (("overactive", "tight"), ("underactive", "weak")):
            found = [m for m in self.result.muscles if m.state == state]
            if not found:
                blocks.append(Paragraph(f"{state.capitalize()}: none"))
                continue
            blocks.append(Table(("Muscle", "Side", "Evidence"), tuple(
                (m.name, side_words(m.side), str(m.score)) for m in found),
                f"{state.capitalize()} ({plain})"))
        blocks += [Paragraph(f"Conflict: {c.name} ({side_words(c.side)}) is pointed both "
                             "ways; left out until reassessed.")
                   for c in self.result.conflicts]
        return Section("Probable muscle imbalances", tuple(blocks))

    def fms(self) -> Section | None:
        f, kb = self.result.fms, self.kb
        if f is None:
            return None

        def names(tests) -> str:
            return ", ".join(kb.name_of("finding", t) for t in tests) or "none"

        rows = []
        for test, score in f.scores.items():
            sides = f.sides.get(test, {})
            split = (f"left {sides.get('left')}, right {sides.get('right')}"
                     if sides and sides.get("left") != sides.get("right") else "")
            rows.append((kb.name_of("finding", test), str(score), split))
        total = f.total if f.total is not None else "not computed (partial)"
        blocks: list[Block] = [Table(("Test", "Score", "Sides"), tuple(rows)),
                               Paragraph(f"Total: {total}"),
                               Paragraph(f"Asymmetries: {names(f.asymmetries)}"),
                               Paragraph(f"Corrective priority: {names(f.priority)}")]
        if f.next:
            blocks.append(Paragraph(f"Next, one at a time after a rescreen: {names(f.next)}"))
        blocks += [Paragraph(f"Note: {flag}", "alert") for flag in f.flags]
        return Section("Functional Movement Screen", tuple(blocks))

    def next_tests(self) -> Section | None:
        """The next tests to run, with why; advice for the trainer, never a gate."""
        tests = self.result.suggested_tests
        if not tests:
            return None
        items = tuple(self.item(suggestion_title(t), t.fact, "Next test to run", detail=t.reason)
                      for t in tests)
        return Section("Next test to run", (ItemList(items, ordered=False),))

    def program(self) -> Section:
        result, kb = self.result, self.kb
        phases: list[Block] = []
        for phase in kb.of("phase").values():
            chosen = [p for p in result.program if p.phase == phase.id]
            if not chosen:
                continue
            treats = phase.one("treats")
            items = tuple(
                self.item(item_title(p), p.fact, "Program",
                          f"{phase.name} {n}. {item_title(p)}",
                          dose_words(p.dose), purpose(result, kb, p, treats),
                          instruction_steps(p))
                for n, p in enumerate(chosen, 1))
            note = str(phase.one("note", "") or "")
            phases.append(Section(phase.name, ((Paragraph(note, "muted"),) if note else ())
                                  + (ItemList(items),)))
        if not phases:
            phases = [Paragraph("Held: see the referral above." if result.program_status
                                == "held" else "No corrective needs found: continue the "
                                "general program and reassess.")]
        return Section("Program", tuple(phases))

    def stop_rules(self) -> Section | None:
        """When the client stops: the rules' stop rules, each as the rules word it."""
        if not self.result.stop_rules or self.result.program_status != "active":
            return None
        return Section("When to stop", (ItemList(tuple(
            Item(text) for text in self.result.stop_rules), ordered=False),))

    def excluded(self) -> Section:
        items = tuple(self.item(f"{excluded_title(self.kb, e)} [{e.category}]", e.fact,
                                "Left out", detail=e.reason)
                      for e in self.result.excluded)
        return Section("Left out", (ItemList(items, ordered=False),) if items
                       else (Paragraph("Nothing."),))

    def notes(self) -> Section | None:
        fms = self.result.fms
        shown = set(fms.flags) if fms is not None else set()
        notes = [n for n in self.result.notes if n not in shown]  # FMS notes stand with it
        if not notes:
            return None
        return Section("Notes", (ItemList(tuple(Item(n) for n in notes), ordered=False),))

    def appendix(self) -> tuple[Section, ...]:
        return tuple(Section(title, tuple(chains)) for title, chains in self.kept.items())
