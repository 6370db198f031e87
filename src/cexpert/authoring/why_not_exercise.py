"""Why an exercise is not in a consultation's program: excluded (and by which rule),
replaced, left out by the cap, another exercise preferred, or no target flagged.

Read from the result's own facts and the knowledge base's declarations, so the
answer is what the selection did, not a guess."""

from __future__ import annotations

from cexpert.engine.program import exclusion_covers
from cexpert.engine.result import Result
from cexpert.language.knowledge import KnowledgeBase

STATES = ("overactive", "underactive")


def why_not_exercise(result: Result, kb: KnowledgeBase, exercise_id: str) -> list[str]:
    """The answer as lines of text, the most decisive reason first."""
    exercise = kb.get("exercise", exercise_id)
    assert exercise is not None
    name = exercise.name
    chosen = [p for p in result.program if p.exercise == exercise_id]
    if chosen:
        return [f"{name} is in the program ({chosen[0].phase} phase)."]
    if result.program_status == "held":
        return ["No program is given: it is held until the referral is resolved."]
    lines = [f"Why is {name} not in the program?"]
    for item in result.excluded:
        if item.exercise == exercise_id or _excludes_all(item, exercise_id, kb, result):
            lines.append(f"  {_category(item.category)}: {item.reason}{_by(result, item.fact)}")
    phase = kb.get("phase", exercise.one("phase") or "")
    treats = phase.one("treats") if phase else None
    targets = [*exercise.many("targets"), *exercise.many("covers")]
    if treats in STATES:
        flagged = {m.id for m in result.muscles if m.state == treats}
        wanted = [m for m in targets if m in flagged]
        if not wanted:
            shown = ", ".join(kb.name_of("muscle", m) for m in targets) or "nothing"
            lines.append(f"  no target flagged: it treats {shown}, none of them concluded "
                         f"{treats}")
        for muscle in wanted:
            others = [p for p in result.program if p.phase == phase.id and muscle in p.targets]
            for other in others:
                lines.append(f"  another exercise preferred: {other.name} ({other.exercise}) "
                             f"covers {kb.name_of('muscle', muscle)} in the {phase.id} phase")
    elif treats == "checkpoints":
        served = [p for p in result.program if p.phase == phase.id]
        if not served:
            lines.append("  no checkpoint it integrates was reached by a finding")
        for other in served:
            if set(other.targets) & set(exercise.many("integrates")):
                lines.append(f"  another exercise preferred: {other.name} ({other.exercise}) "
                             "serves the same checkpoints")
    lines = list(dict.fromkeys(lines))  # one exclusion derived several ways, said once
    if len(lines) == 1:
        lines.append("  nothing chose it: no rule prescribes it and nothing it serves needed it")
    return lines


def _excludes_all(item, exercise_id: str, kb: KnowledgeBase, result: Result) -> bool:
    """A rule's exclusion naming no exercise (by phase, tag or muscle) that covers this
    one: every part it names must match, as the selection reads it."""
    if item.exercise is not None or item.category != "contraindication":
        return False
    fact = result.facts.get(item.fact)
    if fact is None:
        return False
    exercise = kb.get("exercise", exercise_id)
    return exclusion_covers(fact, exercise, exercise.one("phase"), kb)


def _category(category: str) -> str:
    return {"contraindication": "excluded", "caution": "replaced", "cap": "cap reached",
            "equipment": "equipment", "conflict": "conflict"}.get(category, category)


def _by(result: Result, fact_id: str) -> str:
    """' (rule R)' for the rule whose conclusion made the exclusion, if a rule did."""
    seen: set[str] = set()
    queue = [fact_id]
    while queue:
        fact = result.facts.get(queue.pop(0))
        if fact is None or fact.id in seen:
            continue
        seen.add(fact.id)
        if getattr(fact, "rule", None):
            return f" (rule {fact.rule})"
        queue.extend(fact.premises)
    return ""
