"""Specifications of `parse_text`: the syntax tree it builds, the positions it
records, and the syntax errors it reports (all of them, never an exception)."""

from __future__ import annotations

import dataclasses

import pytest

from cexpert.language import syntax_tree as st
from cexpert.language.diagnostics import render_text
from cexpert.language.parse import parse_text, split_statements, unescape

DESIGN_EXAMPLE = "knee valgus → overactive adductors, underactive glute medius\n"


def parse(text: str, path: str = "t.cex") -> st.RuleFile:
    """Parse text that must be free of syntax errors."""
    tree, problems = parse_text(text, path)
    assert problems == [], render_text(problems, {path: text})
    return tree


def only(text: str):
    (statement,) = parse(text).statements
    return statement


def problems_of(text: str, path: str = "t.cex"):
    return parse_text(text, path)[1]


def rendered(text: str, path: str = "t.cex") -> str:
    return render_text(problems_of(text, path), {path: text})


def walk(node):
    """Every node under `node`, depth first (the tree is plain dataclasses and tuples)."""
    yield node
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            yield from walk(getattr(node, f.name))
    elif isinstance(node, tuple):
        for item in node:
            yield from walk(item)


def names(node) -> list[st.Name]:
    return [n for n in walk(node) if isinstance(n, st.Name)]


def states(rule: st.Rule) -> list[tuple[str, str]]:
    return [(c.state, c.muscle.text) for c in rule.conclusions]


# --- the design example ------------------------------------------------------------------


@pytest.mark.parametrize("arrow", ["→", "->"])
def test_design_example_gives_overactive_adductors_and_underactive_glute_medius(arrow):
    rule = only(DESIGN_EXAMPLE.replace("→", arrow))
    assert isinstance(rule, st.Rule)
    assert all(isinstance(c, st.MuscleState) for c in rule.conclusions)
    assert states(rule) == [("overactive", "adductors"), ("underactive", "glute medius")]


def test_design_example_condition_is_the_finding_as_written():
    rule = only(DESIGN_EXAMPLE)
    assert rule.condition == st.FactTest(None, rule.condition.name, rule.condition.span)
    assert rule.condition.name.text == "knee valgus"


def test_design_example_is_a_generated_arrow_rule_without_id():
    rule = only(DESIGN_EXAMPLE)
    assert (rule.id, rule.generated, rule.arrow, rule.title) == ("", True, True, None)


def test_ascii_and_unicode_arrows_build_the_same_conclusions():
    unicode_rule = only(DESIGN_EXAMPLE)
    ascii_rule = only(DESIGN_EXAMPLE.replace("→", "->"))
    assert states(unicode_rule) == states(ascii_rule)


def test_a_bare_name_continues_the_state_before_it():
    rule = only("heels rise → overactive a, b; underactive c, d\n")
    assert states(rule) == [
        ("overactive", "a"), ("overactive", "b"), ("underactive", "c"), ("underactive", "d")]


def test_a_bare_name_continues_dysfunctions_and_prescriptions():
    rule = only("heels rise → dysfunction d1, d2; prescribe e1, e2\n")
    assert [type(c).__name__ for c in rule.conclusions] == [
        "Dysfunction", "Dysfunction", "Prescribe", "Prescribe"]
    assert [n.text for n in names(rule.conclusions)] == ["d1", "d2", "e1", "e2"]


def test_findings_of_an_arrow_rule_are_joined_by_and():
    rule = only("knee valgus and feet turn out → overactive tfl\n")
    assert isinstance(rule.condition, st.All)
    assert [o.name.text for o in rule.condition.operands] == ["knee valgus", "feet turn out"]


# --- names ---------------------------------------------------------------------------------


def test_multi_word_names_keep_their_words():
    rule = only("excessive forward lean → overactive biceps femoris short head\n")
    assert rule.condition.name.text == "excessive forward lean"
    assert states(rule) == [("overactive", "biceps femoris short head")]


@pytest.mark.parametrize("name", ["side plank", "anterior tibialis", "posterior deltoid"])
def test_names_that_start_with_a_keyword_elsewhere_are_writable(name):
    rule = only(f"heels rise → overactive {name}; prescribe {name}\n")
    assert [n.text for n in names(rule.conclusions)] == [name, name]


def test_keyword_words_are_names_where_no_keyword_is_expected():
    rule = only("rule r when hold phase target then overactive side plank hold\n")
    assert rule.condition.name.text == "hold phase target"
    assert states(rule) == [("overactive", "side plank hold")]


def test_whitespace_between_words_of_a_name_is_one_space():
    rule = only("heels  \t rise → overactive glute    medius\n")
    assert rule.condition.name.text == "heels rise"
    assert states(rule) == [("overactive", "glute medius")]


Q = '"q name"'
QUOTED_PLACES = [
    f"{Q} → overactive x",
    f"a and {Q} → overactive x",
    f"rule r when {Q} then overactive x",
    f"rule r when condition {Q} then overactive x",
    f"rule r when not overactive {Q} then overactive x",
    f"rule r when fms {Q} <= 1 then fms target any",
    f"rule r when fms {Q} asymmetric then fms target any",
    f"rule r when fms priority {Q} then overactive x",
    f"rule r when parq {Q} then overactive x",
    f"a → {Q}: overactive x",
    f"a → overactive {Q}",
    f"a → overactive x, {Q}",
    f"a → dysfunction {Q}",
    f"a → prescribe {Q}",
    f'a → refer {Q} because "r"',
    f'a → exclude phase {Q} because "r"',
    f'a → exclude exercise x, {Q} for y because "r"',
    f'a → substitute {Q} with y because "r"',
    f'a → substitute y with {Q} because "r"',
    f"a → set dose sets 2 for {Q}",
    f"a → reassess in 4 {Q}",
    f"a → fms target {Q}",
    f"muscle m aka {Q}",
    f"exercise e phase inhibit targets x, {Q}",
    f"setting fms_order x, {Q}",
]


@pytest.mark.parametrize("text", QUOTED_PLACES)
def test_a_quoted_string_is_allowed_wherever_a_name_is(text):
    found = [n for n in names(only(text + "\n")) if n.text == "q name"]
    assert len(found) == 1 and found[0].quoted


def test_a_quoted_name_may_contain_reserved_words():
    rule = only('rule r when "and or not" then overactive "rule then because"\n')
    assert rule.condition.name.text == "and or not"
    assert states(rule) == [("overactive", "rule then because")]


def test_a_quoted_name_keeps_its_exact_text():
    rule = only('heels rise → overactive "  Glute   Medius "\n')
    assert states(rule) == [("overactive", "  Glute   Medius ")]


def test_an_unquoted_name_is_not_marked_quoted():
    rule = only(DESIGN_EXAMPLE)
    assert not any(n.quoted for n in names(rule))


# --- strings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (r'"plain"', "plain"),
        (r'"say \"hi\""', 'say "hi"'),
        (r'"back\\slash"', "back\\slash"),
        (r'"two\nlines"', "two\nlines"),
        (r'"a\ttab"', "a\ttab"),
        (r'"\\n is not a newline"', "\\n is not a newline"),
        (r'"unknown \q stays"', "unknown \\q stays"),
        (r'""', ""),
    ],
)
def test_string_escapes_are_decoded(literal, value):
    declaration = only(f"muscle m {literal}\n")
    assert declaration.title.value == value
    assert unescape(literal) == value


def test_escapes_are_decoded_in_every_string():
    rule = only(r'rule r "t\"1" source "s\\2" when heels rise then refer because "r\n3"'
                "\n")
    assert (rule.title.value, rule.source.value, rule.conclusions[0].reason.value) == (
        't"1', "s\\2", "r\n3")


def test_a_hash_inside_a_string_is_not_a_comment():
    assert only('muscle m "No. #1"\n').title.value == "No. #1"


# --- comments and continuation lines ---------------------------------------------------------


def test_comments_are_ignored_on_their_own_line_and_after_a_statement():
    tree = parse("# header\n  # indented\nheels rise → overactive soleus  # trailing\n# end")
    (rule,) = tree.statements
    assert states(rule) == [("overactive", "soleus")]


def test_an_indented_line_continues_the_statement_above():
    tree = parse("knee valgus →\n  overactive adductors,\n\tunderactive glute medius\n")
    (rule,) = tree.statements
    assert states(rule) == [("overactive", "adductors"), ("underactive", "glute medius")]


def test_blank_and_comment_lines_do_not_end_a_continued_statement():
    tree = parse("knee valgus →\n\n  # why\n\n  overactive adductors\n")
    (rule,) = tree.statements
    assert states(rule) == [("overactive", "adductors")]


def test_a_line_at_column_one_starts_a_new_statement():
    tree = parse("heels rise → overactive soleus\nknee valgus → overactive adductors\n")
    assert len(tree.statements) == 2


def test_a_continued_name_may_wrap_across_lines():
    rule = only("heels rise → overactive biceps femoris\n  short head\n")
    assert states(rule) == [("overactive", "biceps femoris short head")]


def test_crlf_and_cr_line_endings_parse_like_lf():
    text = "# c\nknee valgus →\n  overactive adductors\nheels rise → overactive soleus\n"
    expected = parse(text).statements
    assert parse(text.replace("\n", "\r\n")).statements == expected
    assert parse(text.replace("\n", "\r")).statements == expected


def test_a_byte_order_mark_is_not_part_of_the_first_statement():
    assert parse("\ufeffsource \"s\"\n").statements == parse('source "s"\n').statements


def test_a_file_without_final_newline_parses():
    assert len(parse("heels rise → overactive soleus").statements) == 1


def test_split_statements_cuts_at_column_one_only():
    text = "# c\na\n  b\n\n# d\nc\n"
    assert split_statements(text) == [(0, "# c"), (1, "a\n  b\n\n# d"), (5, "c\n")]


# --- side prefixes ---------------------------------------------------------------------------


def test_side_prefix_applies_to_the_items_after_it_until_the_next_prefix():
    rule = only(
        "asymmetric weight shift left →\n"
        "  same side: overactive adductors, tfl; underactive glute medius;\n"
        "  opposite side: overactive soleus; underactive adductors\n"
    )
    assert [(c.side.text, c.state, c.muscle.text) for c in rule.conclusions] == [
        ("same side", "overactive", "adductors"),
        ("same side", "overactive", "tfl"),
        ("same side", "underactive", "glute medius"),
        ("opposite side", "overactive", "soleus"),
        ("opposite side", "underactive", "adductors"),
    ]


def test_without_a_side_prefix_the_side_is_none():
    assert [c.side for c in only(DESIGN_EXAMPLE).conclusions] == [None, None]


@pytest.mark.parametrize("side", ["stance leg", "both sides", "left", "lower side"])
def test_any_name_may_be_a_side_prefix(side):
    (conclusion,) = only(f"hip drop → {side}: overactive tfl\n").conclusions
    assert conclusion.side.text == side


# --- the other statements ------------------------------------------------------------------


def test_declaration_keeps_kind_id_title_and_attributes():
    declaration = only(
        'finding knees_move_inward "Knees move inward" in ohsa view anterior\n'
        '  checkpoint knee aka "knee valgus", "knees cave in"\n'
    )
    assert (declaration.kind, declaration.id, declaration.title.value) == (
        "finding", "knees_move_inward", "Knees move inward")
    assert [(a.key, [getattr(v, "text", None) for v in a.values])
            for a in declaration.attributes] == [
        ("in", ["ohsa"]), ("view", ["anterior"]), ("checkpoint", ["knee"]),
        ("aka", ["knee valgus", "knees cave in"]),
    ]


def test_a_flag_attribute_has_no_values():
    (attribute,) = only("exercise e unilateral\n").attributes
    assert (attribute.key, attribute.values) == ("unilateral", ())


def test_numbers_are_values():
    declaration = only("phase p treats overactive cap 4 hold 30.5 sets -1\n")
    numbers = [v.value for a in declaration.attributes for v in a.values
               if isinstance(v, st.Number)]
    assert numbers == [4.0, 30.5, -1.0]


def test_rule_header_keeps_id_title_and_options():
    rule = only('rule r1 "Title" source "S" salience 5 profile ces\n'
                "  when heels rise then overactive soleus\n")
    assert (rule.id, rule.title.value, rule.source.value, rule.salience.value, rule.profile,
            rule.generated, rule.arrow) == ("r1", "Title", "S", 5.0, "ces", False, False)


def test_a_rule_with_an_arrow_body_is_marked_arrow():
    rule = only("rule r heels rise → overactive soleus\n")
    assert (rule.arrow, rule.generated) == (True, False)


def test_section_and_file_source_keep_their_text():
    tree = parse('source "File"\nsection "S" source "Sec"\nsection "T"\n')
    file_source, with_source, without = tree.statements
    assert file_source.source.value == "File"
    assert (with_source.title.value, with_source.source.value) == ("S", "Sec")
    assert (without.title.value, without.source) == ("T", None)


def test_not_binds_tighter_than_and_which_binds_tighter_than_or():
    rule = only("rule r when not a and b or c then overactive x\n")
    condition = rule.condition
    assert isinstance(condition, st.Any)
    first, second = condition.operands
    assert isinstance(first, st.All) and isinstance(first.operands[0], st.Not)
    assert second.name.text == "c"


def test_the_parsed_file_keeps_its_path_and_text():
    tree = parse(DESIGN_EXAMPLE, "rules/20_ohsa.cex")
    assert (tree.path, tree.source) == ("rules/20_ohsa.cex", DESIGN_EXAMPLE)


# --- positions -------------------------------------------------------------------------------


def span(node) -> tuple[int, int, int, int]:
    s = node.span
    return (s.line, s.column, s.end_line, s.end_column)


def test_positions_of_the_design_example():
    rule = only(DESIGN_EXAMPLE)
    adductors, glute = rule.conclusions
    assert span(rule.condition.name) == (1, 1, 1, 12)
    assert span(adductors.muscle) == (1, 26, 1, 35)
    assert span(adductors) == (1, 15, 1, 35)  # from 'overactive'
    assert span(glute.muscle) == (1, 49, 1, 61)
    assert span(rule) == (1, 1, 1, 61)


def test_every_span_is_in_the_file_it_was_parsed_from():
    rule = only(DESIGN_EXAMPLE)
    assert {n.span.file for n in walk(rule) if hasattr(n, "span")} == {"t.cex"}


def test_a_continued_statement_spans_its_lines():
    rule = only("\n# c\nrule r\n  when heels rise\n  then overactive soleus\n")
    assert span(rule) == (3, 1, 5, 25)
    assert span(rule.condition) == (4, 8, 4, 18)
    assert span(rule.conclusions[0].muscle) == (5, 19, 5, 25)


def test_declaration_id_span_points_at_the_id():
    declaration = only('muscle gluteus_medius "Gluteus medius"\n')
    assert span(declaration) == (1, 1, 1, 39)
    assert (declaration.id_span.column, declaration.id_span.end_column) == (8, 22)
    assert span(declaration.title) == (1, 23, 1, 39)


def test_quoted_name_span_includes_its_quotes():
    (conclusion,) = only('a → overactive "glute medius"\n').conclusions
    assert span(conclusion.muscle) == (1, 16, 1, 30)


def test_positions_after_a_broken_statement_are_still_the_file_lines():
    tree, problems = parse_text("muscel x\n\nheels rise →\n  overactive soleus\n", "t.cex")
    assert len(problems) == 1
    (rule,) = tree.statements
    assert span(rule) == (3, 1, 4, 20)
    assert span(rule.conclusions[0].muscle) == (4, 14, 4, 20)


def test_tab_counts_as_one_column():
    (conclusion,) = only("a →\toveractive\tsoleus\n").conclusions
    assert span(conclusion.muscle) == (1, 16, 1, 22)


# --- syntax errors ---------------------------------------------------------------------------


def test_syntax_error_is_rendered_as_file_line_column_with_a_caret():
    text = 'source "s"\nrule y when age >= then x\n'
    assert rendered(text, "rules/bad.cex") == (
        "rules/bad.cex:2:20: error[E001]: unexpected 'then'\n"
        "  |\n"
        "2 | rule y when age >= then x\n"
        "  |                    ^^^^\n"
        "  = expected: a number\n"
        "Found 1 error.\n"
    )


def test_syntax_error_says_what_was_expected():
    (problem,) = problems_of("rule r when heels rise overactive x\n")
    assert problem.code == "E001"
    assert problem.expected is not None and "'then'" in problem.expected


def test_misspelled_statement_keyword_gets_did_you_mean():
    (problem,) = problems_of("muscel gluteus_medius\n")
    assert (problem.code, problem.span.line) == ("E001", 1)
    assert "did you mean 'muscle' instead of 'muscel'?" in problem.help


def test_misspelled_attribute_keyword_gets_did_you_mean():
    (problem,) = problems_of("muscle m regin hip\n")
    assert problem.message == "unexpected name 'regin'"
    assert (problem.span.column, problem.span.end_column) == (10, 15)
    assert problem.help == "did you mean 'region'?"


def test_misspelled_then_inside_a_rule_gets_did_you_mean():
    (problem,) = problems_of("rule r when knee valgus thn overactive tfl\n")
    assert problem.help == "did you mean 'then' instead of 'thn'?"


def test_misspelled_when_inside_a_rule_gets_did_you_mean():
    (problem,) = problems_of("rule r whn knee valgus then overactive tfl\n")
    assert problem.help == "did you mean 'when' instead of 'whn'?"


def test_misspelled_state_word_after_an_arrow_gets_did_you_mean():
    (problem,) = problems_of("knee valgus -> overactiv adductors\n")
    assert (problem.code, problem.help) == (
        "E003", "did you mean 'overactive' instead of 'overactiv'?")


def test_and_between_names_of_a_list_suggests_a_comma():
    (problem,) = problems_of("knee valgus -> overactive adductors and tfl\n")
    assert problem.help == "'and' joins conditions; separate the names of a list with ','"


def test_words_inside_a_quoted_title_are_not_taken_for_misspelled_keywords():
    (problem,) = problems_of('rule r "thn" when knee valgus\n')
    assert problem.help is None or "'thn'" not in problem.help


def test_every_broken_statement_in_a_file_is_reported():
    text = (
        "muscel foo\n"
        "knee valgus → overactive adductors\n"
        "rule y when age >= then x\n"
        'muscle a "unterminated\n'
        "heels rise → overactive soleus\n"
        "rule z when heels rise\n"
        "  then overactive x,\n"
    )
    tree, problems = parse_text(text, "t.cex")
    assert [(p.code, p.span.line) for p in problems] == [
        ("E001", 1), ("E001", 3), ("E002", 4), ("E001", 7)]
    assert len(tree.statements) == 2  # the good statements between still parse


def test_statement_that_stops_short_points_just_past_its_end():
    (problem,) = problems_of("rule z when heels rise\n  then overactive x,\n\n# end\n")
    assert span(problem) == (2, 21, 2, 22)
    assert problem.message == "unexpected end of the statement"


def test_unterminated_string_is_reported_at_its_opening_quote():
    (problem,) = problems_of('muscle a "Gluteus medius\n')
    assert problem.code == "E002"
    assert span(problem) == (1, 10, 1, 11)
    assert problem.message == "unexpected character '\"'"
    assert problem.help == "a string ends on the line it starts; close it with '\"'"


def test_a_string_cannot_continue_on_the_next_line():
    assert [p.code for p in problems_of('muscle a "two\n  lines"\n')] == ["E002"]


def test_unexpected_character_is_reported():
    (problem,) = problems_of("heels rise → overactive soleus!\n")
    assert (problem.code, problem.message, span(problem)) == (
        "E002", "unexpected character '!'", (1, 31, 1, 32))


def test_bare_name_with_nothing_to_continue_is_e003():
    (problem,) = problems_of("knee valgus → tfl\n")
    assert (problem.code, span(problem)) == ("E003", (1, 15, 1, 18))
    assert problem.message == (
        "'tfl' does not continue a list of muscles, dysfunctions or exercises")
    assert "'overactive'" in problem.help


def test_error_on_a_continuation_line_reports_that_line():
    (problem,) = problems_of("rule r\n  when heels rise\n  then overactive x y z !\n")
    assert span(problem)[:2] == (3, 25)


def test_error_position_counts_lines_of_earlier_statements():
    text = 'source "s"\n\n# c\nheels rise → overactive a\n  , b\nrule r when then x\n'
    (problem,) = problems_of(text)
    assert span(problem)[:2] == (6, 19)
    assert "6 | rule r when then x" in rendered(text)


def test_syntax_errors_keep_the_good_statements():
    tree, problems = parse_text("muscle a\n)(\nmuscle b\n", "t.cex")
    assert [s.id for s in tree.statements] == ["a", "b"]
    assert len(problems) == 1


PATHOLOGICAL = [
    "\x00", '"', "\\", "→", "(((((", ")", ":", ";,", "rule", "rule r", "rule r when",
    "muscle", "setting", "include", "section", "source", "  indented first\n",
    "a → b: c: d", "a →" + " not" * 50,
    "rule r when " + "(" * 200 + "a" + ")" * 200 + ' then note "n"',
    "rule r when " + "not " * 2000 + 'a then note "n"',
    "\u2028\u2029\x0b\x0c\x1c\x85", "a\r\n\r\n  → b", "\t\t\t", "#" * 1000,
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=[repr(t[:20]) for t in PATHOLOGICAL])
def test_parse_text_never_raises_and_reports_positions_in_the_file(text):
    tree, problems = parse_text(text, "t.cex")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for problem in problems:
        assert problem.span.file == "t.cex"
        assert 1 <= problem.span.line <= len(lines)
        assert problem.code.startswith("E")
    render_text(problems, {"t.cex": tree.source})


def test_a_statement_nested_too_deeply_is_an_error_not_an_exception():
    text = "muscle m\nrule r when " + "not " * 5000 + 'a then note "n"\nmuscle n\n'
    tree, problems = parse_text(text, "t.cex")
    (problem,) = problems
    assert (problem.code, span(problem)[:2]) == ("E001", (2, 1))
    assert problem.message == "cannot parse this statement: its conditions nest too deeply"
    assert [s.id for s in tree.statements] == ["m", "n"]


def test_excerpt_shows_the_line_the_parser_counted():
    # \u2028 and \x0c are line breaks to str.splitlines but not to the parser
    text = "# a\u2028b\x0cc\nmuscel foo\n"
    assert "2 | muscel foo" in rendered(text)
