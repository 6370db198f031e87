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
    "E004": "a number out of range (beyond ±1,000,000)",
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
    "E209": "a rule too large for the engine",
    "E301": "rules that would re-fire forever",
    "E302": "a cycle through 'not'",
    "E303": "a rule that can never fire",
    "W205": "a rule that cites no source",
    "W304": "a conclusion nothing uses",
    "W305": "two exercises equally good for a muscle, and nothing orders them",
    "W306": "an exercise's home instructions with parts missing",
    **{code: lint.title for code, lint in LINTS.items()},
}


#: code -> (what it means, a bad example, the same example fixed). Each example is a
#: rule file added to the shipped knowledge base; tests check that the bad one gives
#: the code (in that file) and the fixed one gives no error and not that code.
EXAMPLES: dict[str, tuple[str, str, str]] = {
    "E000": ("A file cannot be read: an `include` names a file that is not there, or a "
             "file is not UTF-8.",
             'include "hips_extra.cex"\n',
             '# the included file is written, or the include removed\n'),
    "E001": ("The grammar does not expect this word here; the help names the keyword "
             "you probably meant.",
             'rule hips "Hips" when knee valgus thn overactive tfl\n  source "doc"\n',
             'rule hips "Hips" when knee valgus then overactive tfl\n  source "doc"\n'),
    "E002": ("A character the language does not use, or a string not closed on its line.",
             'source "doc\nknee valgus → overactive tfl\n',
             'source "doc"\nknee valgus → overactive tfl\n'),
    "E003": ("A bare name continues the list before it; here no list came before.",
             'source "doc"\nrule r when knee valgus then soleus\n',
             'source "doc"\nrule r when knee valgus then overactive soleus\n'),
    "E004": ("A number must lie within ±1,000,000: larger ones would lose precision or "
             "overflow in the engine and the JSON.",
             'source "doc"\nrule r when knee valgus then reassess in 99999999999 weeks\n',
             'source "doc"\nrule r when knee valgus then reassess in 4 weeks\n'),
    "E101": ("Two declarations of the same kind share an id. From another file, use "
             "`extend` to add aliases, tags or substitutes.",
             'exercise smr_calves tags kneeling\n',
             'extend exercise smr_calves tags kneeling\n'),
    "E102": ("An id is letters, digits and underscores, starting with a letter.",
             'muscle gluteus-medius "Gluteus medius"\n',
             'muscle gluteus_medius_2 "Gluteus medius"\n'),
    "E103": ("The attribute does not exist for this kind (often a misspelling).",
             'exercise smr_iliacus "Iliacus release" phase inhibit targts soleus\n',
             'exercise smr_iliacus "Iliacus release" phase inhibit targets soleus\n'),
    "E104": ("An attribute that takes one list is given twice.",
             'muscle iliacus "Iliacus" region hip region pelvis\n',
             'muscle iliacus "Iliacus" region hip\n'),
    "E105": ("The attribute takes a single value.",
             'exercise smr_x "X" phase inhibit, lengthen targets soleus\n',
             'exercise smr_x "X" phase inhibit targets soleus\n'),
    "E106": ("A value of the wrong type, out of range or not one of the allowed words.",
             'exercise smr_x "X" phase inhibit targets soleus sets 0\n',
             'exercise smr_x "X" phase inhibit targets soleus sets 1\n'),
    "E107": ("A required attribute is missing (`in` for a finding, `phase` for an "
             "exercise, `treats` for a phase).",
             'exercise smr_x "X" targets soleus\n',
             'exercise smr_x "X" phase inhibit targets soleus\n'),
    "E110": ("A setting the language does not have.",
             'setting assesment_order posture\n',
             '# settings are given once, in 00_settings.cex\n'),
    "E111": ("A setting is given twice (the shipped rules give each in 00_settings.cex).",
             'setting firing_limit 500\nsetting firing_limit 800\n',
             'setting firing_limit 500\n'),
    "E112": ("`--profile NAME` names a profile no rule belongs to (a command-line "
             "error; the example shows the rule side).",
             '', ''),
    "E201": ("A name that is not declared (or a tag no exercise carries); the help "
             "gives the closest declared name.",
             'source "doc"\nknee valgus → overactive aductors\n',
             'source "doc"\nknee valgus → overactive adductors\n'),
    "E202": ("A name that means two declarations of the kind expected.",
             'muscle calf_a "Calf A" aka "calf"\nmuscle calf_b "Calf B" aka "calf"\n'
             'source "doc"\nknee valgus → overactive calf\n',
             'muscle calf_a "Calf A" aka "calf"\nmuscle calf_b "Calf B" aka "calf"\n'
             'source "doc"\nknee valgus → overactive calf_a\n'),
    "E203": ("A name of another kind than the place expects (a muscle where a finding "
             "goes).",
             'source "doc"\nrule r when soleus then overactive tfl\n',
             'source "doc"\nrule r when heels rise then overactive tfl\n'),
    "E204": ("Two rules with the same id.",
             'source "doc"\nrule hips when knee valgus then overactive tfl\n'
             'rule hips when heels rise then overactive soleus\n',
             'source "doc"\nrule hips when knee valgus then overactive tfl\n'
             'rule calves when heels rise then overactive soleus\n'),
    "E206": ("A bad value in a rule: a side, an urgency, a unit, a status.",
             'source "doc"\nrule r when knee valgus then refer soon because "x"\n',
             'source "doc"\nrule r when knee valgus then refer routine because "x"\n'),
    "E207": ("The rule's profile is not listed by `setting profile`, so the rule would "
             "never be loaded.",
             'source "doc"\nknee valgus → overactive tfl\n  profile cesx\n',
             'source "doc"\nknee valgus → overactive tfl\n  profile ces\n'),
    "E208": ("A substitute must be of the same phase as the exercise it replaces.",
             'source "doc"\nrule r when condition osteoporosis\n'
             '  then substitute smr_calves with act_floor_bridge because "x"\n',
             'source "doc"\nrule r when condition osteoporosis\n'
             '  then substitute smr_calves with smr_calves_handheld because "x"\n'),
    "E209": ("A rule the engine cannot run: conditions nested more than 32 levels, more "
             "than 256 alternatives once its `or`s are spread out, more than 32 conditions "
             "that must hold together, or a chain of more than 100 rules.",
             'source "doc"\nrule r when ' + ' and '.join(['knee valgus'] * 33)
             + '\n  then overactive tfl\n',
             'source "doc"\nrule r when knee valgus and knee valgus\n  then overactive tfl\n'),
    "E301": ("Rules whose conclusions feed each other in a cycle would re-fire forever.",
             'source "doc"\nrule a when overactive tfl then overactive soleus\n'
             'rule b when overactive soleus then overactive tfl\n',
             'source "doc"\nrule a when overactive tfl then overactive soleus\n'),
    "E302": ("A cycle through `not`: the result would depend on firing order.",
             'source "doc"\nrule a when not overactive tfl then overactive soleus\n'
             'rule b when overactive soleus then overactive tfl\n',
             'source "doc"\nrule a when not overactive tfl then overactive soleus\n'),
    "E303": ("A rule tests something no rule can conclude, so it never fires.",
             'source "doc"\nrule r when dysfunction upper_crossed_syndrome and overactive '
             'piriformis_minor then overactive tfl\nmuscle piriformis_minor "P"\n',
             'source "doc"\nrule r when dysfunction upper_crossed_syndrome then overactive '
             'tfl\n'),
    "W205": ("A rule without a source: every clinical rule cites where it comes from.",
             'knee valgus → overactive tfl\n',
             'source "NASM CES; ohsa.md §3"\nknee valgus → overactive tfl\n'),
    "W304": ("A conclusion nothing uses: no exercise treats the muscle and no rule "
             "tests it. (The shipped rules test 'overactive any', so this example is a "
             "knowledge base of its own.)",
             'phase inhibit "Inhibit" treats overactive\nassessment ohsa "Overhead squat"\n'
             'finding knee_drift "Knee drifts" in ohsa\nmuscle iliacus "Iliacus"\n'
             'source "doc"\nknee drift → overactive iliacus\n',
             'phase inhibit "Inhibit" treats overactive\nassessment ohsa "Overhead squat"\n'
             'finding knee_drift "Knee drifts" in ohsa\nmuscle iliacus "Iliacus"\n'
             'exercise smr_iliacus "Iliacus release" phase inhibit targets iliacus\n'
             'source "doc"\nknee drift → overactive iliacus\n'),
    "W305": ("Two exercises equally good for a muscle and nothing says which comes first: "
             "list one in `setting exercise_preference` (in 00_settings.cex), or give them "
             "different places in their target lists.",
             'exercise act_delt_raise "Rear delt raise" phase activate targets '
             'posterior_deltoid\n',
             'exercise act_delt_raise "Rear delt raise" phase activate targets rhomboids, '
             'posterior_deltoid\n'),
    "W306": ("An exercise's home instructions are all six parts or none: `setup`, `cues` "
             "(2 to 4), `feel`, `mistake`, `easier`, `harder` (with their `source`); a "
             "client following them at home needs every one.",
             'exercise act_iliacus "Iliacus march" phase activate targets psoas\n'
             '  setup "Stand tall beside a wall" cues "Lift one knee", "Lower slowly"\n',
             'exercise act_iliacus "Iliacus march" phase activate targets psoas\n'
             '  setup "Stand tall beside a wall" cues "Lift one knee", "Lower slowly"\n'
             '  feel "The front of the hip working" mistake "Leaning back"\n'
             '  easier "A smaller lift" harder "A band around the feet"\n'
             '  source "convention"\n'),
    "W401": ("An exercise no consultation can reach: nothing flags its targets in the "
             "state its phase treats, prescribes it or substitutes it.",
             'exercise act_iliacus "Iliacus march" phase activate targets iliacus\n'
             'muscle iliacus "Iliacus"\n',
             'exercise act_iliacus "Iliacus march" phase activate targets iliacus\n'
             'muscle iliacus "Iliacus"\nfinding knee_drift "Knee drifts" in ohsa\n'
             'source "doc"\nknee drift → underactive iliacus\n'),
    "W402": ("A muscle can be flagged in a state, but a phase treating that state has no "
             "exercise for it (the session will have a gap). A standing caution that "
             "excludes the phase for the muscle (`when always then exclude phase inhibit "
             "for ...`) states the gap on purpose and silences it.",
             'muscle iliacus "Iliacus"\nfinding knee_drift "Knee drifts" in ohsa\n'
             'exercise smr_iliacus "Iliacus release" phase inhibit targets iliacus\n'
             'source "doc"\nknee drift → overactive iliacus\n',
             'muscle iliacus "Iliacus"\nfinding knee_drift "Knee drifts" in ohsa\n'
             'exercise smr_iliacus "Iliacus release" phase inhibit targets iliacus\n'
             'exercise stretch_iliacus "Iliacus stretch" phase lengthen targets iliacus\n'
             'source "doc"\nknee drift → overactive iliacus\n'),
    "W403": ("Two table rows for the same finding: their muscles add up, which is rarely "
             "meant.",
             'finding knee_drift "Knee drifts" in ohsa\nsource "doc"\n'
             'knee drift → overactive tfl\nknee drift → overactive adductors\n',
             'finding knee_drift "Knee drifts" in ohsa\nsource "doc"\n'
             'knee drift → overactive tfl, adductors\n'),
    "W404": ("One rule makes a muscle both overactive and underactive on the same side.",
             'source "doc"\nrule r when heels rise then overactive soleus; underactive '
             'soleus\n',
             'source "doc"\nrule r when heels rise then overactive soleus\n'),
    "W405": ("An assessment whose findings flag muscles, and that `setting "
             "assessment_order` does not list: its dysfunctions rank after every listed "
             "one. (An assessment whose findings only lead to referrals, like pain reports, "
             "needs no place.)",
             'assessment y_balance "Y-balance test"\n'
             'finding reach_short "Short reach" in y_balance\n'
             'source "doc"\nreach short → underactive glute med\n',
             'assessment y_balance "Y-balance test"  # cexpert: ignore[W405]\n'
             'finding reach_short "Short reach" in y_balance\n'
             'source "doc"\nreach short → underactive glute med\n'),
    "W406": ("An `or` with two identical branches: usually one was meant to differ.",
             'source "doc"\nrule r when heels rise or heels rise then overactive soleus\n',
             'source "doc"\nrule r when heels rise or feet turn out then overactive soleus\n'),
    "W407": ("A rule fires whenever another does and concludes the opposite state: the two "
             "always conflict.",
             'source "doc"\nrule a when heels rise then overactive soleus\n'
             'rule b when heels rise and knee valgus then underactive soleus\n',
             'source "doc"\nrule a when heels rise then overactive soleus\n'
             'rule b when knee valgus then underactive soleus\n'),
    "W408": ("An exercise without home instructions: a client given it has nothing to "
             "follow at home. Add `setup`, `cues`, `feel`, `mistake`, `easier`, `harder` "
             "and their `source` (here with `extend`, from a file of its own).",
             'exercise act_iliacus "Iliacus march" phase activate targets psoas\n',
             'exercise act_iliacus "Iliacus march" phase activate targets psoas\n'
             '  setup "Stand tall beside a wall" cues "Lift one knee", "Lower slowly"\n'
             '  feel "The front of the hip working" mistake "Leaning back"\n'
             '  easier "A smaller lift" harder "A band around the feet"\n'
             '  source "convention"\n'),
}


#: Examples that are a knowledge base of their own, not an addition to the shipped one.
STANDALONE = {"W304"}


def explain(code: str) -> str | None:
    """`cexpert explain CODE`: the code's meaning with a bad and a fixed example."""
    code = code.upper()
    if code not in TITLES:
        return None
    meaning, bad, fixed = EXAMPLES.get(code, (TITLES[code], "", ""))
    lines = [f"{code}: {TITLES[code]}", "", meaning]
    if bad:
        lines += ["", "For example:", "", *("    " + line for line in bad.rstrip("\n").split("\n"))]
    if fixed:
        lines += ["", "Fixed:", "", *("    " + line for line in fixed.rstrip("\n").split("\n"))]
    return "\n".join(lines) + "\n"


def index_markdown() -> str:
    """The index of every code for docs/rule-language.md, from this catalogue."""
    out = []
    for code in sorted(TITLES):
        meaning, bad, fixed = EXAMPLES.get(code, (TITLES[code], "", ""))
        out += [f"### {code}", "", f"**{TITLES[code]}.** {meaning}", ""]
        if bad:
            out += ["Bad:", "", "```text", bad.rstrip("\n"), "```", ""]
        if fixed:
            out += ["Fixed:", "", "```text", fixed.rstrip("\n"), "```", ""]
    return "\n".join(out)
