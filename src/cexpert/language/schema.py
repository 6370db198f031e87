"""The schema of declarations: which attribute takes which values, and the names
of the language's fixed values (sides, states, urgencies)."""

from __future__ import annotations

# --- the schema of declarations: which attribute takes which values -----------------
# A value spec is a declared kind ("muscle"), "text", "number", "word" (a free
# value), a "one of" tuple of allowed words, or "flag" (no value).
SIDES = ("left", "right")
STATES = ("overactive", "underactive")

SCHEMA: dict[str, dict[str, object]] = {
    "assessment": {"views": "word", "sided": "flag", "scored": "number", "aka": "text",
                   "note": "text", "position": "text", "tags": "word", "group": "word"},
    "muscle": {"region": "region", "group": "word", "aka": "text", "note": "text"},
    "finding": {"in": "assessment", "view": "word", "checkpoint": "checkpoint",
                "side": SIDES, "sided": "flag", "clears": "finding", "region": "text",
                "aka": "text", "note": "text", "position": "text", "tags": "word"},
    "condition": {"group": "word", "statuses": "word", "regional": "flag", "measures": "word",
                  "aka": "text", "note": "text"},
    "region": {"within": "region", "aka": "text", "note": "text"},
    "limitation": {"aka": "text", "note": "text"},
    "clinician": {"aka": "text", "note": "text"},
    "equipment": {"aka": "text", "note": "text"},
    "dysfunction": {"checkpoint": "checkpoint", "aka": "text", "note": "text"},
    "exercise": {"phase": "phase", "targets": "muscle", "covers": "muscle",
                 "equipment": "equipment", "position": "text", "sets": "number",
                 "reps": "number_or_text", "hold": "number", "tempo": "text",
                 "substitutes": "exercise", "tags": "word", "integrates": "checkpoint",
                 "unilateral": "flag", "aka": "text", "note": "text",
                 "setup": "text", "cues": "text", "feel": "text", "mistake": "text",
                 "easier": "text", "harder": "text", "source": "text",
                 "toward": "muscle", "away": "muscle"},
    "phase": {"treats": (*STATES, "checkpoints"), "cap": "number", "sets": "number",
              "reps": "number_or_text", "hold": "number", "tempo": "text", "aka": "text",
              "note": "text"},
    "checkpoint": {"group": "word", "aka": "text", "note": "text"},
}
REQUIRED = {"finding": ("in",), "exercise": ("phase",), "phase": ("treats",)}
SINGLE = {"in", "view", "checkpoint", "side", "clears", "phase", "position", "sets", "reps",
          "hold", "tempo", "treats", "cap", "group", "region", "scored", "within", "setup",
          "feel", "mistake", "easier", "harder", "source"}
#: The parts of an exercise's home instructions (`cues` takes 2-4 of them).
INSTRUCTIONS = ("setup", "cues", "feel", "mistake", "easier", "harder")
CUES = (2, 4)

SETTINGS: dict[str, object] = {
    "checkpoint_order": "checkpoint",
    "assessment_order": "assessment",
    "fms_order": "finding",
    "profile": "word",
    "firing_limit": "number",
    "exercise_preference": "exercise",
    "assumed_equipment": "equipment",
}

#: Numbers with a meaning: counts are whole numbers from 1, durations are positive.
QUANTITIES = {"cap": "count", "sets": "count", "reps": "count", "scored": "count",
              "firing_limit": "count", "hold": "seconds"}


def quantity_problem(key: str, number: float) -> str | None:
    """Why `number` cannot be the value of `key`, or None when it can."""
    kind = QUANTITIES.get(key)
    if kind == "count" and (number < 1 or not float(number).is_integer()):
        return f"'{key}' takes a whole number of at least 1, not {number:g}"
    if kind == "seconds" and number <= 0:
        return f"'{key}' takes a number of seconds above 0, not {number:g}"
    return None


#: The side prefixes a conclusion may carry (`same side:`, `stance leg:`), as written
#: -> the side they mean relative to the finding (not the words a report prints for a side).
SIDE_PREFIXES = {
    "same_side": "same", "same": "same", "stance_leg": "same", "stance_side": "same",
    "opposite_side": "opposite", "opposite": "opposite", "other_side": "opposite",
    "opposite_leg": "opposite", "both_sides": "both", "both": "both",
    "lower_side": "lower", "lower_scoring_side": "lower", "weaker_side": "lower",
    "higher_side": "higher", "higher_scoring_side": "higher",
    "left": "left", "right": "right",
}
URGENCIES = ("urgent", "routine")
DERIVED_KINDS = ("overactive", "underactive", "dysfunction", "referral", "fms_priority",
                 "evidence")
#: Assessments whose findings are tests of their own, entered one by one (scored FMS
#: tests, clearing tests): `suggest test` and `assessed` may name one of those findings.
TEST_BY_TEST = ("fms", "fms_clearing")
FACT_KIND_TO_DECL = {
    "finding": "finding", "pain": "finding", "condition": "condition",
    "dysfunction": "dysfunction", "overactive": "muscle", "underactive": "muscle",
    "equipment": "equipment", "limitation": "limitation",
}
#: Kinds a bare name in a condition may be, tried in this order.
BARE_CONDITION_KINDS = ("finding", "condition", "dysfunction", "limitation", "equipment")
ANY = "any"
#: `exclude ... at its region`: the words that name the region of the condition the rule
#: matched (REGION) or the outermost region around it (LIMB), as written -> marker.
ITS_REGION, ITS_LIMB = "@region", "@limb"
REGION_REFERENCES = {"its_region": ITS_REGION, "same_region": ITS_REGION,
                     "its_limb": ITS_LIMB, "same_limb": ITS_LIMB, "whole_limb": ITS_LIMB}
#: A finding compared with the previous visit: `resolved X`, `persists X`, `new X`.
VISIT_CHANGES = ("resolved", "persists", "new")
#: Placeholders a reason or note may use; the engine fills them from the finding (or
#: PAR-Q+ answer) the rule matched: "pain in the {side} {region} during {during}".
PLACEHOLDERS = ("side", "region", "finding", "during", "question")
