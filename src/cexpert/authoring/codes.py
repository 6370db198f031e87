"""Every diagnostic code with a one-line title: the index `cexpert explain` and SARIF use.

Codes are stable: a code, once given a meaning, keeps it (as rustc's and ruff's do).
"""

from __future__ import annotations

from cexpert.authoring.lints import LINTS

TITLES: dict[str, str] = {
    "E000": "a rule file cannot be read",
    "E001": "a syntax error: a word the grammar does not expect here",
    "E002": "a character or string the language cannot read",
    "E003": "a bare name continues no list",
    "E101": "a declaration given twice",
    "E102": "an id that is not letters, digits and underscores",
    "E103": "an attribute the kind of declaration does not have",
    "E104": "an attribute given twice",
    "E105": "several values where the attribute takes one",
    "E106": "a bad value: of the wrong type, out of range or not allowed",
    "E107": "a required attribute missing",
    "E110": "an unknown setting",
    "E111": "a setting given twice",
    "E112": "an unknown --profile",
    "E201": "an unknown name (or tag)",
    "E202": "an ambiguous name",
    "E203": "a name of the wrong kind",
    "E204": "a rule defined twice",
    "E206": "a bad value in a rule",
    "E207": "a rule profile no 'setting profile' lists",
    "E208": "a substitute from another phase",
    "E301": "rules that would re-fire forever",
    "E302": "a cycle through 'not'",
    "E303": "a rule that can never fire",
    "W205": "a rule that cites no source",
    "W304": "a conclusion nothing uses",
    **{code: lint.title for code, lint in LINTS.items()},
}
