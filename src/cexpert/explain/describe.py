"""One fact in a trainer's words: the sentence every explanation is built from."""

from __future__ import annotations

from collections.abc import Mapping

from cexpert.engine.facts import Fact
from cexpert.language.knowledge import KnowledgeBase

SIDE_WORDS = {"both": "both sides", "left": "left side", "right": "right side"}

def describe(fact: Fact, kb: KnowledgeBase) -> str:
    """One fact in a trainer's words."""
    d, kind = fact.data, fact.kind
    muscle = kb.name_of("muscle", d["muscle"]) if d.get("muscle") else ""  # None: no muscle
    side = SIDE_WORDS.get(d.get("side", "both"), d.get("side", ""))
    if kind == "finding":
        entry = kb.get("finding", d.get("finding", ""))
        name = entry.name if entry else d.get("finding")
        where = kb.name_of("assessment", d.get("assessment", ""))
        extra = " (provisional: pain was reported)" if d.get("provisional") else ""
        painful = " was painful" if d.get("painful") else ""
        return f"Entered: {name}{painful} in {where}, {side}{extra}"
    if kind in ("overactive", "underactive"):
        return f"{muscle} is probably {kind} ({side})"
    if kind == "muscle":
        n = d.get("score")
        return f"{muscle}: {d.get('state')}, {side}, evidence {n}"
    if kind == "conflict":
        return f"{muscle} is pointed both overactive and underactive ({side})"
    if kind == "dysfunction":
        return f"Pattern recognised: {kb.name_of('dysfunction', d.get('dysfunction', ''))}"
    if kind == "rank":
        ident = d.get("dysfunction", "")
        name = (kb.name_of("finding", ident) if kb.get("finding", ident)
                else kb.name_of("dysfunction", ident))
        key = d.get("key", {})
        checkpoints = kb.setting("checkpoint_order")
        where = (kb.name_of("checkpoint", checkpoints[key["checkpoint"]]).lower()
                 if key.get("checkpoint", 99) < len(checkpoints) else None)
        order = (f"ranked by the {where} region, then by assessment order" if where
                 else "ranked by assessment order")
        return f"Ranked #{d.get('rank')}: {name} ({order})"
    if kind == "referral":
        return f"Refer ({d.get('urgency')}): {d.get('reason')}"
    if kind == "hold":
        return f"Program held: {d.get('reason')}"
    if kind == "exclusion":
        return f"Excluded: {_exclusion_words(d, kb)} because {d.get('reason')}"
    if kind == "excluded":
        what = kb.name_of("exercise", d["exercise"]) if d.get("exercise") else muscle
        return f"Left out: {what or 'an exercise'} ({d.get('category')}): {d.get('reason')}"
    if kind == "substitute":
        return (f"Use {kb.name_of('exercise', d.get('with', ''))} instead of "
                f"{kb.name_of('exercise', d.get('exercise', ''))}: {d.get('reason')}")
    if kind == "prescription":
        targets = ", ".join(_name(kb, t, "muscle", "checkpoint") for t in d.get("targets", []))
        return (f"Program ({kb.name_of('phase', d.get('phase', ''))}): "
                f"{kb.name_of('exercise', d.get('exercise', ''))} for {targets}")
    if kind == "prescribe":
        return f"Prescribed: {kb.name_of('exercise', d.get('exercise', ''))}"
    if kind == "dose_change":
        changes = ", ".join(f"{k} {v}" for k, v in d.get("dose", {}).items())
        return f"Dose for {_name(kb, d.get('target') or '', 'exercise', 'phase')}: {changes}"
    if kind == "reassess":
        return f"Reassess in {d.get('weeks')} weeks"
    if kind == "fms":
        return f"FMS {kb.name_of('finding', d.get('test', ''))}: final score {d.get('score')}"
    if kind == "fms_raw":
        return (f"Entered: FMS {kb.name_of('finding', d.get('test', ''))} scored "
                f"{_sides(d)}")
    if kind == "fms_total":
        return f"FMS total {d.get('total')} of 21"
    if kind == "asymmetry":
        return f"FMS {kb.name_of('finding', d.get('test', ''))} is asymmetric"
    if kind == "fms_priority":
        return (f"FMS priority pattern: {kb.name_of('finding', d.get('test', '') or '')}"
                " (the first corrective target in the FMS order)")
    if kind == "fms_target":
        return f"FMS corrective target: {kb.name_of('finding', d.get('test', '') or '')}"
    if kind == "age":
        return f"Entered: age {d.get('age')}"
    if kind == "visits":
        return f"Entered: visit {d.get('visits')} of this client"
    if kind == "previous_finding":
        when = f" ({d['date']})" if d.get("date") else ""
        return f"Entered at the previous visit{when}: {kb.name_of('finding', d.get('finding', ''))}"
    if kind in ("resolved", "persists", "new"):
        name = kb.name_of("finding", d.get("finding", ""))
        since = f" ({d['since']})" if d.get("since") else ""
        if kind == "resolved":
            return f"{name} has resolved since the previous visit{since}"
        if kind == "new":
            return f"{name} is new since the previous visit{since}"
        return f"{name} persists: found at each of the last {d.get('visits')} visits"
    if kind == "condition":
        # statuses are declared as ids only ('statuses first_trimester, ...'): said in words
        status = f" ({d['status'].replace('_', ' ')})" if d.get("status") else ""
        region = (f" at the {kb.name_of('region', d['region']).lower()}"
                  if d.get("region") else "")
        return (f"Entered: condition {kb.name_of('condition', d.get('condition', ''))}"
                f"{status}{region}")
    if kind == "measure":
        return (f"Entered: {kb.name_of('condition', d.get('condition', ''))}, "
                f"{d.get('measure')} {d.get('value')}")
    if kind == "cleared":
        return ("Entered: clearance on record for "
                f"{kb.name_of('condition', d.get('condition') or '')}")
    if kind == "clearance":
        what = {"parq": "PAR-Q+ question ", "pain": "pain: ", "condition": "",
                "clearing_test": ""}.get(d.get("clears"), "")
        side = f" ({d['side']})" if d.get("side") not in (None, "both") else ""
        by = kb.name_of("clinician", d.get("by") or "")
        return f"Entered: clearance of {what}{d.get('subject')}{side} by {by}, {d.get('date')}"
    if kind == "parq":
        return f"Entered: PAR-Q+ question {d.get('question')} answered yes"
    if kind == "followup":
        return "Entered: a PAR-Q+ follow-up answer was yes"
    if kind == "limitation":
        return f"Entered: {kb.name_of('limitation', d.get('limitation', ''))}"
    if kind == "equipment":
        return f"Entered: has {kb.name_of('equipment', d.get('equipment', ''))}"
    if kind == "note":
        return f"Note: {d.get('text')}"
    if kind == "suggest":
        how = f", with {d['with']}" if d.get("with") else ""
        return f"Next test: {test_name(kb, d.get('test') or '')} ({side}{how}): {d.get('reason')}"
    if kind == "evidence":
        n = d.get("count")
        return (f"{muscle} is {d.get('state')} on {n} finding{'s' if n != 1 else ''} "
                f"({side})")
    if kind == "assessed":
        return f"Entered: {test_name(kb, d.get('test') or '')} was run"
    if kind == "stop":
        return f"Stop rule: {d.get('text')}"
    if kind == "client":
        return f"Client {d.get('name')}"
    return kind.replace("_", " ").capitalize()  # a fact kind no sentence knows: no raw data


def test_name(kb: KnowledgeBase, test: str) -> str:
    """An assessment's or a test-finding's (FMS, clearing test) name."""
    entry = kb.get("assessment", test) or kb.get("finding", test)
    return entry.name if entry is not None else test.replace("_", " ")


def _name(kb: KnowledgeBase, id_: str, *kinds: str) -> str:
    """The name of whichever of `kinds` declares `id_` (a dose is set for an exercise or a
    phase, a prescription targets a muscle or a checkpoint): the last kind answers for
    an id no kind declares."""
    kind = next((k for k in kinds if kb.get(k, id_)), kinds[-1])
    return kb.name_of(kind, id_)


def _sides(d: Mapping) -> str:
    if d.get("left") == d.get("right"):
        return str(d.get("left"))
    return f"left {d.get('left')}, right {d.get('right')}"


def _exclusion_words(d: Mapping, kb: KnowledgeBase) -> str:
    parts = []
    if d.get("exercises"):
        parts.append(", ".join(kb.name_of("exercise", e) for e in d["exercises"]))
    if d.get("phases") or d.get("tags"):
        words = [" or ".join(t.replace("_", " ") for t in d.get("tags") or ())]
        words += [" and ".join(kb.name_of("phase", p).lower() for p in d.get("phases") or ())]
        parts.append("all " + " ".join(w for w in words if w) + " exercises")
    if d.get("muscles"):
        parts.append("for " + ", ".join(kb.name_of("muscle", m) for m in d["muscles"]))
    if d.get("regions"):
        parts.append("at the " + ", ".join(kb.name_of("region", r).lower()
                                           for r in d["regions"]))
    return " ".join(parts) or "nothing"
