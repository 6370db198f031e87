"""Specifications of the checker: name resolution, every diagnostic code with its
message and help, generated ids, sources, profiles and stratification."""

from __future__ import annotations

from pathlib import Path

import pytest

from cexpert.language.check import check
from cexpert.language.diagnostics import ERROR, WARNING, Diagnostic, render_text
from cexpert.language.knowledge import AllOf, Atom, KbRule, NoneOf
from cexpert.language.load import Loaded, load
from cexpert.language.parse import parse_text

#: A tiny vocabulary: every muscle has an exercise, so clean rules give no warning.
VOCABULARY = """\
source "test vocabulary"
phase inhibit "Inhibit" treats overactive cap 4
phase activate "Activate" treats underactive cap 4
checkpoint knee "Knee"
assessment ohsa "Overhead squat" views anterior, posterior
finding knees_move_inward "Knees move inward" in ohsa view anterior checkpoint knee
  aka "knee valgus"
finding heels_rise "Heels rise" in ohsa view posterior
finding feet_turn_out "Feet turn out" in ohsa
muscle adductor_complex "Adductor complex" aka "adductors"
muscle gluteus_medius "Gluteus medius" aka "glute medius"
muscle tfl "TFL"
muscle soleus "Soleus"
dysfunction lower_crossed "Lower crossed syndrome"
condition osteoporosis "Osteoporosis"
exercise smr_adductors "Adductor roll" phase inhibit targets adductor_complex
exercise smr_tfl "TFL roll" phase inhibit targets tfl
exercise smr_calves "Calf roll" phase inhibit targets soleus
exercise act_abduction "Side-lying hip abduction" phase activate targets gluteus_medius
exercise act_tfl "TFL activation" phase activate targets tfl
exercise act_adductors "Adductor squeeze" phase activate targets adductor_complex
"""


@pytest.fixture
def kb(tmp_path: Path):
    """kb(rules, vocabulary=VOCABULARY, name="rules.cex", cite=True) -> Loaded.

    With `cite` the rules file starts with `source "t"` (line 1), so the rules
    written by a test start on line 2.
    """

    def make(rules: str, vocabulary: str = VOCABULARY, name: str = "rules.cex",
             cite: bool = True) -> Loaded:
        folder = tmp_path / "kb"
        folder.mkdir(exist_ok=True)
        (folder / "00_vocabulary.cex").write_text(vocabulary, encoding="utf-8")
        (folder / name).write_text(('source "t"\n' if cite else "") + rules, encoding="utf-8")
        return load([folder])

    return make


def ok(loaded: Loaded):
    """The knowledge base of a load that must have no diagnostics at all."""
    assert loaded.diagnostics == (), render_text(loaded.diagnostics, loaded.sources)
    assert loaded.kb is not None
    return loaded.kb


def one(loaded: Loaded, code: str) -> Diagnostic:
    """The only diagnostic, which must have `code`."""
    codes = [d.code for d in loaded.diagnostics]
    assert codes == [code], render_text(loaded.diagnostics, loaded.sources)
    return loaded.diagnostics[0]


def the_rule(loaded: Loaded, rule_id: str | None = None) -> KbRule:
    kb = ok(loaded)
    if rule_id is None:
        (rule,) = kb.rules
        return rule
    return kb.rules_by_id[rule_id]


def states(rule: KbRule) -> list[tuple[str, str]]:
    return [(c.kind, c.data["muscle"]) for c in rule.conclusions]


def where(d: Diagnostic) -> tuple[str, int, int]:
    return (Path(d.span.file).name, d.span.line, d.span.column)


# --- the design example and name resolution -------------------------------------------------


@pytest.mark.parametrize("arrow", ["→", "->"])
def test_design_example_resolves_to_declared_ids(kb, arrow):
    rule = the_rule(kb(f"knee valgus {arrow} overactive adductors, underactive glute medius\n"))
    assert rule.condition == Atom("finding", "knees_move_inward", rule.condition.span)
    assert states(rule) == [("overactive", "adductor_complex"), ("underactive", "gluteus_medius")]


def test_design_example_is_a_table_row(kb):
    assert the_rule(kb("knee valgus → overactive adductors\n")).table_row


@pytest.mark.parametrize(
    "spelling",
    ["gluteus_medius", "gluteus medius", "Gluteus Medius", "GLUTEUS_MEDIUS", "gluteus  medius",
     "Gluteus_Medius", '"gluteus medius"', "glute medius", "Glute_Medius"],
)
def test_names_match_case_insensitively_with_space_equal_to_underscore(kb, spelling):
    rule = the_rule(kb(f"heels rise → underactive {spelling}\n"))
    assert states(rule) == [("underactive", "gluteus_medius")]


@pytest.mark.parametrize("spelling", ["adductors", "Adductor complex", "adductor_complex"])
def test_alias_display_name_and_id_all_resolve(kb, spelling):
    rule = the_rule(kb(f"heels rise → overactive {spelling}\n"))
    assert states(rule) == [("overactive", "adductor_complex")]


def test_finding_alias_resolves_in_conditions(kb):
    rule = the_rule(kb("rule r when knee valgus and Heels Rise then overactive tfl\n"))
    assert [a.id for a in rule.condition.operands] == ["knees_move_inward", "heels_rise"]


def test_exact_id_beats_an_alias(kb):
    vocabulary = VOCABULARY + 'muscle tensor_fasciae_latae "Tensor fasciae latae" aka "tfl"\n' \
        "exercise smr_tfl2 phase inhibit targets tensor_fasciae_latae\n"
    rule = the_rule(kb("heels rise → overactive TFL\n", vocabulary))
    assert states(rule) == [("overactive", "tfl")]


def test_a_name_may_be_quoted_in_the_checker_too(kb):
    rule = the_rule(kb('"knee valgus" → overactive "Adductor complex"\n'))
    assert states(rule) == [("overactive", "adductor_complex")]


def test_kinded_fact_test_resolves_in_its_kind(kb):
    rule = the_rule(kb("rule r when condition osteoporosis then overactive tfl\n"))
    assert rule.condition == Atom("condition", "osteoporosis", rule.condition.span)


def test_declarations_resolve_their_references(kb):
    exercise = ok(kb("")).get("exercise", "smr_adductors")
    assert (exercise.one("phase"), exercise.many("targets")) == ("inhibit", ("adductor_complex",))
    assert exercise.name == "Adductor roll"


def test_a_declaration_without_title_is_named_after_its_id(kb):
    entry = ok(kb("muscle upper_trapezius\nexercise e phase inhibit targets upper_trapezius\n"))
    assert entry.get("muscle", "upper_trapezius").name == "upper trapezius"


# --- E2xx: names ----------------------------------------------------------------------------


def test_e201_unknown_name_with_did_you_mean_in_the_authors_spelling(kb):
    d = one(kb('heels rise → underactive gluteus medus\n'), "E201")
    assert d.message == "unknown muscle 'gluteus medus'"
    assert d.help == "did you mean 'gluteus medius'?"
    assert where(d) == ("rules.cex", 2, 26)
    assert (d.span.end_column - d.span.column) == len("gluteus medus")


def test_e201_did_you_mean_keeps_underscores_when_the_author_wrote_them(kb):
    d = one(kb("heels rise → underactive gluteus_medus\n"), "E201")
    assert d.help == "did you mean 'gluteus_medius'?"


def test_e201_unknown_finding_in_a_condition(kb):
    d = one(kb("heels rose → overactive soleus\n"), "E201")
    assert d.message == (
        "unknown finding or condition or dysfunction or limitation or equipment 'heels rose'")
    assert d.help == "did you mean 'heels rise'?"


def test_e201_muscle_written_before_its_state_explains_the_order(kb):
    d = one(kb("knee valgus → overactive adductors, tfl; glute medius underactive\n"), "E201")
    assert d.message == "unknown muscle 'glute medius underactive'"
    assert d.help == (
        "'underactive' must come before the muscles it applies to, "
        "e.g. 'underactive glute medius'")


def test_e201_state_word_inside_a_muscle_list_suggests_the_missing_semicolon(kb):
    d = one(kb("knee valgus → overactive adductors underactive glute medius\n"), "E201")
    assert d.help == ("a new list starts at 'underactive': separate it with ';', "
                      "as in 'adductors; underactive glute medius'")


def test_e201_and_inside_a_list_of_names_suggests_a_comma(kb):
    d = one(kb("knee valgus → overactive and tfl\n"), "E201")
    assert d.help == ("'and' joins conditions, not names: write 'tfl' alone, "
                      "or separate the names of a list with ','")


def test_e201_when_nothing_of_that_kind_is_declared_says_so(kb):
    d = one(kb("heels rise → overactive soleus\nrule r when limitation kneeling then "
               "overactive tfl\n"), "E201")
    assert d.notes == ("no limitation of that name is declared",)
    assert d.help is None


def test_e202_ambiguous_alias(kb):
    vocabulary = VOCABULARY + 'muscle gluteus_minimus "Gluteus minimus" aka "glute medius"\n' \
        "exercise e phase inhibit targets gluteus_minimus\n"
    d = one(kb("heels rise → overactive glute medius\n", vocabulary), "E202")
    assert d.message == "'glute medius' is ambiguous: it names gluteus_medius, gluteus_minimus"
    assert d.help == "write the id instead"


def test_e202_bare_condition_name_of_two_kinds(kb):
    vocabulary = VOCABULARY + 'condition heels_rise_c "Heels rise"\n'
    d = one(kb("rule r when heels rise then overactive soleus\n", vocabulary), "E202")
    assert d.message == "'heels rise' is ambiguous: it is a condition and a finding"
    assert d.help == "write 'condition heels rise' to say which"


def test_e202_is_resolved_by_writing_the_kind(kb):
    vocabulary = VOCABULARY + 'condition heels_rise_c "Heels rise"\n'
    rule = the_rule(kb("rule r when finding heels rise then overactive soleus\n", vocabulary))
    assert rule.condition.id == "heels_rise"


def test_e203_an_exercise_where_a_muscle_is_expected(kb):
    d = one(kb("heels rise → overactive smr adductors\n"), "E203")
    assert d.message == (
        "'smr adductors' is an exercise ('smr_adductors'), but a muscle is expected here")
    assert where(d) == ("rules.cex", 2, 25)


def test_e203_a_muscle_where_an_exercise_is_expected(kb):
    d = one(kb("rule r when heels rise then prescribe adductors\n"), "E203")
    assert d.message == (
        "'adductors' is a muscle ('adductor_complex'), but an exercise is expected here")


def test_e203_in_a_declaration(kb):
    d = one(kb("exercise e phase inhibit targets smr_tfl\n"), "E203")
    assert d.message == "'smr_tfl' is an exercise ('smr_tfl'), but a muscle is expected here"


def test_e204_rule_defined_twice_notes_the_first(kb):
    d = one(kb('rule r when heels rise then overactive soleus\n'
               "rule r when knee valgus then overactive tfl\n"), "E204")
    assert d.message == "rule 'r' is defined twice"
    assert where(d) == ("rules.cex", 3, 6)
    assert d.notes[0].startswith("first defined at ") and d.notes[0].endswith("rules.cex:2:6")


@pytest.mark.parametrize(
    ("conclusion", "message", "help"),
    [
        ('refer soon because "r"', "'soon' is not an urgency", None),
        ('refer urgnt because "r"', "'urgnt' is not an urgency", "did you mean 'urgent'?"),
        ("reassess in 4 fortnights", "'fortnights' is not a unit of time", None),
        ("sam side: overactive soleus", "'sam side' is not a side", "did you mean 'same side'?"),
    ],
)
def test_e206_bad_value_in_a_rule(kb, conclusion, message, help):
    d = one(kb(f'rule r when heels rise then {conclusion}\n'), "E206")
    assert (d.message, d.help) == (message, help)


def test_e206_salience_must_be_a_whole_number(kb):
    d = one(kb('rule r salience 2.5 when heels rise then overactive tfl\n'), "E206")
    assert d.message == "salience must be a whole number"
    assert where(d) == ("rules.cex", 2, 17)


def test_a_salience_of_400_digits_is_out_of_range(kb):
    d = one(kb(f'rule r salience {"9" * 400} when heels rise then overactive tfl\n'), "E004")
    assert d.help == "numbers in rules lie between -1,000,000 and 1,000,000"
    assert where(d) == ("rules.cex", 2, 17)


def test_salience_is_kept(kb):
    rule = the_rule(kb("rule r salience -3 when heels rise then overactive tfl\n"))
    assert rule.salience == -3


# --- E1xx: declarations and settings ----------------------------------------------------------


def test_e101_declared_twice_notes_the_first(kb):
    d = one(kb("muscle soleus\n"), "E101")
    assert d.message == "muscle 'soleus' is declared twice"
    assert where(d) == ("rules.cex", 2, 8)
    assert d.notes[0].endswith("00_vocabulary.cex:13:8")


def test_the_same_id_may_name_two_kinds(kb):
    ok(kb('condition soleus "Soleus pain"\n'))


def test_e102_invalid_id(kb):
    d = one(kb("muscle bad-id\nexercise e phase inhibit targets bad-id\n"), "E102")
    assert d.message == "'bad-id' is not a valid id"
    assert d.help == "ids are letters, digits and underscores, e.g. gluteus_medius"


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ("muscle m targets soleus", "a muscle has no attribute 'targets'"),
        ("exercise e phase inhibit region hip", "an exercise has no attribute 'region'"),
        ("equipment band region hip", "an equipment has no attribute 'region'"),
    ],
)
def test_e103_unknown_attribute_lists_the_allowed_ones(kb, declaration, message):
    d = one(kb(declaration + "\n"), "E103")
    assert d.message == message
    assert "aka" in d.expected


def test_e104_attribute_given_twice(kb):
    d = one(kb("condition c group a group b\n"), "E104")
    assert d.message == "'group' is given twice"
    assert where(d) == ("rules.cex", 2, 21)


def test_aka_and_note_may_be_repeated(kb):
    ok(kb('condition c aka "x" aka "y" note "a" note "b"\n'))


def test_e105_attribute_takes_one_value(kb):
    assert one(kb("condition c group a, b\n"), "E105").message == "'group' takes one value"


@pytest.mark.parametrize(
    ("declaration", "message", "help"),
    [
        ("condition c group", "'group' needs a value", None),
        ("finding f in ohsa side middle", "'middle' is not a valid side", None),
        ("finding f in ohsa side lefft", "'lefft' is not a valid side", "did you mean 'left'?"),
        ("finding f in ohsa view lateral", "'lateral' is not a view of ohsa", None),
        ("finding f in ohsa view anteror", "'anteror' is not a view of ohsa",
         "did you mean 'anterior'?"),
        ("phase p treats everything", "'everything' is not a valid treats", None),
        ('phase p treats overactive cap "four"', "'cap' takes a number", None),
        ("assessment a sided 2", "'sided' takes no value", None),
        ("exercise e phase 3", "'phase' takes a phase name", None),
    ],
)
def test_e106_bad_attribute_value(kb, declaration, message, help):
    d = one(kb(declaration + "\n"), "E106")
    assert (d.message, d.help) == (message, help)


def test_e107_required_attribute_missing(kb):
    d = one(kb('finding f "F"\n'), "E107")
    assert d.message == "finding 'f' needs 'in'"
    assert d.help == "add 'in ...' to the declaration"


def test_e110_unknown_setting_with_did_you_mean(kb):
    d = one(kb("setting profil ces\n"), "E110")
    assert d.message == "unknown setting 'profil'"
    assert d.help == "did you mean 'profile'?"
    assert d.expected == ("checkpoint_order, assessment_order, fms_order, profile, firing_limit, "
                          "exercise_preference, assumed_equipment")
    assert where(d) == ("rules.cex", 2, 9)


def test_e111_setting_given_twice(kb):
    assert one(kb("setting profile ces\nsetting profile cpt7\n"), "E111").message == (
        "setting 'profile' is given twice")


def test_setting_values_resolve_to_ids(kb):
    assert ok(kb("setting checkpoint_order Knee\n")).setting("checkpoint_order") == ("knee",)


def test_a_number_where_a_word_is_expected_is_that_word(kb):
    entries = ok(kb("exercise e phase inhibit targets gluteus_medius tags 1, smr\n"
                    "assessment a views 1, 2\nfinding f in a view 2\n"))
    assert entries.get("exercise", "e").many("tags") == ("1", "smr")
    assert entries.get("assessment", "a").many("views") == ("1", "2")


def test_a_view_that_is_a_number_is_checked_against_the_views(kb):
    d = one(kb("finding f in ohsa view 3\n"), "E106")
    assert d.message == "'3' is not a view of ohsa"


# --- E3xx / W304: the rules as a whole ----------------------------------------------------------


def test_e301_positive_cycle(kb):
    loaded = kb(
                "rule a when overactive tfl then overactive soleus\n"
                "rule b when overactive soleus then overactive tfl\n")
    d = one(loaded, "E301")
    assert d.message == (
        "these rules would re-fire forever: each one's conclusion feeds the next")
    assert d.notes == ("cycle: a → b → a",)
    assert d.help == "remove one link of the cycle"
    assert where(d) == ("rules.cex", 2, 1)


def test_e302_cycle_through_not(kb):
    loaded = kb(
                "rule a when heels rise and not dysfunction lower crossed\n"
                "  then dysfunction lower crossed\n")
    d = one(loaded, "E302")
    assert d.message == ("these rules depend on each other through 'not', so their result "
                         "would depend on firing order")
    assert d.notes == ("cycle: a → a",)
    assert d.help == "break the cycle: a rule must not (indirectly) negate its own conclusion"


def test_e302_longer_cycle_with_one_negation(kb):
    loaded = kb(
                "rule a when not overactive tfl then overactive soleus\n"
                "rule b when overactive soleus then overactive tfl\n")
    assert one(loaded, "E302").notes == ("cycle: a → b → a",)


def test_e303_rule_that_can_never_fire(kb):
    d = one(kb('rule r when dysfunction lower crossed then overactive tfl\n'),
            "E303")
    assert d.message == "rule 'r' can never fire: no rule concludes 'dysfunction lower_crossed'"
    assert where(d) == ("rules.cex", 2, 1)


def test_e303_not_reported_for_a_negated_test(kb):
    ok(kb('rule r when heels rise and not overactive soleus then overactive tfl\n'))


def test_e303_not_reported_when_a_rule_concludes_it(kb):
    ok(kb('heels rise → overactive soleus\n'
          "rule r when overactive soleus then dysfunction lower crossed\n"
          "rule s when dysfunction lower crossed then overactive tfl\n"))


def test_e303_for_referral_without_any_refer(kb):
    d = one(kb('rule r when referral then hold program because "x"\n'), "E303")
    assert d.message == "rule 'r' can never fire: no rule concludes 'referral'"


def test_e206_for_a_referral_test_of_no_urgency(kb):
    d = one(kb('rule r when heels rise then refer urgent because "x"\n'
               'rule s when referral urgnet then hold program because "y"\n'), "E206")
    assert d.message == "'urgnet' is not an urgency"
    assert "urgent" in (d.help or "")


def test_w304_conclusion_nothing_uses(kb):
    vocabulary = VOCABULARY + "muscle piriformis\n"
    loaded = kb('heels rise → overactive piriformis\n', vocabulary)
    d = one(loaded, "W304")
    assert d.severity == WARNING
    assert d.message == (
        "nothing uses 'overactive piriformis': no exercise of a phase that treats overactive "
        "muscles targets it, and no rule tests it")
    assert d.help == "declare an exercise that targets piriformis"
    assert where(d) == ("rules.cex", 2, 14)
    assert loaded.ok  # a warning does not stop the knowledge base


def test_w304_not_reported_when_a_rule_tests_it(kb):
    vocabulary = VOCABULARY + "muscle piriformis\n"
    ok(kb('heels rise → overactive piriformis\n'
          "rule r when overactive piriformis then dysfunction lower crossed\n", vocabulary))


def test_w205_rule_without_source(kb):
    vocabulary = VOCABULARY.replace('source "test vocabulary"\n', "")
    loaded = kb("heels rise → overactive soleus\n", vocabulary, cite=False)
    d = one(loaded, "W205")
    assert (d.severity, d.message) == (WARNING, "rule 'rules.heels_rise' cites no source")
    assert d.help == "add 'source \"...\"' to the rule, its section or its file"
    assert loaded.ok


def test_errors_give_no_knowledge_base_but_every_diagnostic(kb):
    loaded = kb("heels rise → overactive solues\nmuscle soleus\nsetting profil x\n")
    assert loaded.kb is None and not loaded.ok
    assert sorted(d.code for d in loaded.diagnostics) == ["E101", "E110", "E201"]
    assert all(d.severity == ERROR for d in loaded.diagnostics)


def test_check_of_parsed_files_is_pure_and_repeatable():
    files = [parse_text(VOCABULARY, "v.cex")[0],
             parse_text('source "r"\nheels rise → overactive solues\n', "r.cex")[0]]
    first = check(files, "kb", "h")
    assert first == check(files, "kb", "h")
    assert first[0] is None and [d.code for d in first[1]] == ["E201"]


# --- generated ids and sources ----------------------------------------------------------------


def test_bare_arrow_rule_id_is_the_file_stem_and_finding_ids(kb):
    loaded = kb("knee valgus → overactive adductors\nheels rise and feet turn out → "
                "overactive soleus\n", name="20_ohsa.cex")
    assert [r.id for r in ok(loaded).rules] == [
        "20_ohsa.knees_move_inward", "20_ohsa.heels_rise+feet_turn_out"]


def test_a_repeated_bare_arrow_rule_gets_a_numbered_id(kb):
    loaded = kb("heels rise → overactive soleus\nheels rise → overactive tfl\n"
                "heels rise → overactive adductors\n")
    assert [r.id for r in ok(loaded).rules] == [
        "rules.heels_rise", "rules.heels_rise#2", "rules.heels_rise#3"]


def test_generated_ids_are_stable_across_loads_and_edits_elsewhere(kb):
    first = [r.id for r in ok(kb("heels rise → overactive soleus\n")).rules]
    edited = kb("# a comment\n\nrule x when knee valgus then overactive tfl\n"
                "heels rise → overactive soleus\n")
    assert first[0] in ok(edited).rules_by_id


def test_rule_id_and_title_of_a_named_rule(kb):
    rule = the_rule(kb('rule r "Heels up" when heels rise then overactive soleus\n'))
    assert (rule.id, rule.title) == ("r", "Heels up")


def test_untitled_rule_is_titled_by_its_first_line(kb):
    rule = the_rule(kb("heels rise →\n  overactive soleus\n"))
    assert rule.title == "heels rise →"
    assert rule.text == "heels rise →\n  overactive soleus"


def test_source_from_the_file_source_statement(kb):
    rule = the_rule(kb('source "File source"\nheels rise → overactive soleus\n'))
    assert rule.source == "File source"


def test_source_from_the_section(kb):
    rules = ok(kb('source "File"\nheels rise → overactive soleus\n'
                  'section "S" source "Section source"\nknee valgus → overactive tfl\n')).rules
    assert [r.source for r in rules] == ["File", "Section source"]


def test_section_source_on_a_continuation_line(kb):
    rule = the_rule(kb('section "S"\n  source "Sec"\nheels rise → overactive soleus\n'))
    assert rule.source == "Sec"


def test_rule_source_option_beats_section_and_file(kb):
    rule = the_rule(kb('source "File"\nsection "S" source "Sec"\n'
                       'rule r source "Own" when heels rise then overactive soleus\n'))
    assert rule.source == "Own"


def test_a_section_without_source_falls_back_to_the_file_source(kb):
    rules = ok(kb('source "File"\nsection "A" source "Book A"\nheels rise → overactive soleus\n'
                  'section "B"\nknee valgus → overactive tfl\n')).rules
    assert [r.source for r in rules] == ["Book A", "File"]


def test_a_file_source_does_not_leak_into_the_next_file(tmp_path):
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "00_vocabulary.cex").write_text(VOCABULARY, encoding="utf-8")
    (folder / "10_a.cex").write_text('source "A"\nheels rise → overactive soleus\n')
    (folder / "20_b.cex").write_text("knee valgus → overactive tfl\n")
    loaded = load([folder])
    d = one(loaded, "W205")
    assert d.message == "rule '20_b.knees_move_inward' cites no source"


def test_rule_keeps_file_line_and_text(kb):
    rule = the_rule(kb("\n\nrule r when heels rise\n  then overactive soleus\n"))
    assert (Path(rule.file).name, rule.line) == ("rules.cex", 4)
    assert rule.text == "rule r when heels rise\n  then overactive soleus"


# --- profiles --------------------------------------------------------------------------------

PROFILED = """\
heels rise → overactive soleus
knee valgus → overactive adductors
  profile ces
knees_move_inward → overactive tfl
  profile cpt7
"""


def test_setting_profile_loads_its_rules_and_the_unprofiled_ones(kb):
    rules = ok(kb("setting profile ces, cpt7\n" + PROFILED)).rules
    assert [(r.id, r.profile) for r in rules] == [
        ("rules.heels_rise", None), ("rules.knees_move_inward", "ces")]


def test_rules_of_another_profile_are_not_loaded(kb):
    rules = ok(kb("setting profile cpt7, ces\n" + PROFILED)).rules
    assert [states(r) for r in rules] == [[("overactive", "soleus")], [("overactive", "tfl")]]


def test_a_profile_no_setting_lists_is_an_error_not_a_dropped_rule(kb):
    d = one(kb("setting profile ces\nheels rise → overactive soleus\n  profile cesx\n"),
            "E207")
    assert d.message == ("no 'setting profile' selects the profile 'cesx', so this rule is "
                         "never loaded")
    assert (d.span.line, d.span.column, d.help) == (4, 11, "did you mean 'ces'?")


def test_a_profiled_rule_without_any_profile_setting_is_an_error(kb):
    d = one(kb("heels rise → overactive soleus\n  profile ces\n"), "E207")
    assert "no 'setting profile' lists any profile" in d.message


def test_profile_names_match_case_insensitively(kb):
    rules = ok(kb("setting profile CES, CPT7\n" + PROFILED)).rules
    assert len(rules) == 2


def test_rules_of_an_unloaded_profile_are_still_checked(kb):
    d = one(kb('setting profile ces, cpt7\nheels rise → overactive solues\n'
               "  profile cpt7\n"), "E201")
    assert d.message == "unknown muscle 'solues'"


# --- references that resolve but would do nothing ----------------------------------------------

TAGGED = """exercise smr_hip "Hip roll" phase inhibit targets gluteus_medius tags smr, floor
exercise stretch_hip "Hip stretch" phase lengthen targets tfl
phase lengthen "Lengthen" treats overactive
"""


def test_an_excluded_tag_no_exercise_carries_is_an_error_with_did_you_mean(kb):
    d = one(kb(TAGGED + "rule r when condition osteoporosis then exclude tagged smrr "
               'because "x"\n'), "E201")
    assert d.message == "unknown tag 'smrr': no exercise is tagged so, so this excludes nothing"
    assert d.help == "did you mean 'smr'?"
    assert d.notes == ("tags in use: floor, smr",)


def test_an_excluded_tag_an_exercise_carries_is_fine(kb):
    ok(kb(TAGGED + 'rule r when condition osteoporosis then exclude tagged floor because "x"\n'))


def test_substituting_an_exercise_of_another_phase_is_an_error(kb):
    d = one(kb(TAGGED + "rule r when condition osteoporosis then substitute smr_hip with "
               'stretch_hip because "x"\n'), "E208")
    assert d.message == ("'stretch_hip' is a lengthen exercise and cannot stand in for "
                         "'smr_hip', an inhibit exercise")
    assert d.span.column == 65  # the replacement


def test_a_declared_substitute_of_another_phase_is_an_error(kb):
    d = one(kb(TAGGED.replace("tags smr, floor", "substitutes stretch_hip")), "E208")
    assert d.span.line == 2


# --- stratification --------------------------------------------------------------------------


def test_a_rule_using_not_x_is_in_a_higher_stratum_than_the_rule_concluding_x(kb):
    kb_ = ok(kb(
                "rule later when heels rise and not dysfunction lower crossed "
                "then overactive tfl\n"
                "rule concludes when knee valgus then dysfunction lower crossed\n"))
    later, concludes = kb_.rule("later"), kb_.rule("concludes")
    assert later.stratum > concludes.stratum
    assert later.condition == AllOf((later.condition.operands[0],
                                     NoneOf(later.condition.operands[1].operand)))


def test_strata_grow_along_a_chain_of_negations(kb):
    kb_ = ok(kb(
                "rule c when not overactive soleus then overactive adductors\n"
                "rule b when not dysfunction lower crossed then overactive soleus\n"
                "rule a when heels rise then dysfunction lower crossed\n"))
    assert [kb_.rule(r).stratum for r in "abc"] == [0, 1, 2]


def test_a_positive_dependency_keeps_the_same_stratum(kb):
    kb_ = ok(kb(
                "rule a when heels rise then dysfunction lower crossed\n"
                "rule b when dysfunction lower crossed then overactive tfl\n"))
    assert kb_.rule("a").stratum == kb_.rule("b").stratum == 0


def test_rules_without_dependencies_are_stratum_zero(kb):
    assert {r.stratum for r in ok(kb("heels rise → overactive soleus\n")).rules} == {0}


# --- the shipped knowledge base --------------------------------------------------------------


def test_the_shipped_knowledge_base_checks_clean():
    from cexpert.resources import rules_dir

    loaded = load([rules_dir()])
    assert loaded.diagnostics == (), render_text(loaded.diagnostics, loaded.sources)
    assert loaded.kb.rules and "20_ohsa.knees_move_inward" in loaded.kb.rules_by_id


# --- quantities --------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    ('phase p "P" treats overactive cap 2.5\n',
     "'cap' takes a whole number of at least 1, not 2.5"),
    ('phase p "P" treats overactive sets 0\n',
     "'sets' takes a whole number of at least 1, not 0"),
    ('phase p "P" treats overactive hold 0\n',
     "'hold' takes a number of seconds above 0, not 0"),
    ("setting firing_limit 0.5\n",
     "'firing_limit' takes a whole number of at least 1, not 0.5"),
])
def test_e106_a_count_or_duration_out_of_range_is_an_error(kb, text, message):
    assert one(kb(text), "E106").message == message


def test_e106_a_dose_change_out_of_range_is_an_error(kb):
    d = one(kb("rule r when knee valgus then set dose reps 0 for smr_adductors\n"), "E106")
    assert d.message == "'reps' takes a whole number of at least 1, not 0"


def test_e206_a_reassessment_after_no_time_is_an_error(kb):
    d = one(kb("rule r when knee valgus then reassess in 0 weeks\n"), "E206")
    assert d.message == "a reassessment comes after more than 0 weeks"


# --- the next test to run (issue 11) ------------------------------------------------------


def test_suggest_test_resolves_an_assessment_with_how_and_why(kb):
    rule = the_rule(kb('rule r when knee valgus then suggest test overhead squat with "heels up" '
                       'because "why {finding}"\n'))
    (suggestion,) = rule.conclusions
    assert suggestion.kind == "suggest"
    assert dict(suggestion.data) == {"test": "ohsa", "with": "heels up", "reason": "why {finding}"}


def test_e201_unknown_test_with_did_you_mean_among_the_assessments(kb):
    d = one(kb('rule r when knee valgus then suggest test overhed squat because "w"\n'), "E201")
    assert d.message == "unknown assessment 'overhed squat'"
    assert d.help == "did you mean 'overhead squat'?"


def test_e201_a_finding_that_is_no_test_of_its_own(kb):
    d = one(kb('rule r when knee valgus then suggest test heels rise because "w"\n'), "E201")
    assert d.message == "unknown assessment 'heels rise'"
    assert d.help == "'heels rise' is a finding, not a test one can run"


def test_assessed_reads_the_findings_of_the_assessment(kb):
    rule = the_rule(kb('rule r when not assessed ohsa then note "n"\n'))
    assert isinstance(rule.condition, NoneOf)
    kinds = {(a.kind, a.id, a.scope) for a in rule.condition.operand.operands}
    assert kinds == {("finding", None, "ohsa"), ("assessed", "ohsa", None)}


def test_evidence_counts_a_muscle_state_and_wants_a_whole_number(kb):
    row = "knee valgus → overactive adductors\n"
    rule = the_rule(kb(row + 'rule r when evidence overactive adductors <= 1 then note "n"\n'),
                    "r")
    assert rule.condition == Atom("evidence", "adductor_complex", rule.condition.span, "<=", 1,
                                  scope="overactive")
    d = one(kb(row + 'rule r when evidence overactive adductors = 1.5 then note "n"\n'), "E206")
    assert "whole number" in d.message
