"""The course in examples/teaching: every lesson runs, shows its idea, and has its notes;
the predict-first score compares a student's ticks with the rules' conclusions."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from cexpert.authoring.expect import mismatches
from cexpert.explain.lessons import LessonError, lessons, read_lesson, score
from cexpert.resources import examples_dir
from cexpert.service import Service, load_kb

SERVICE = Service(load_kb().kb)
KB = SERVICE.kb
COURSE = lessons(examples_dir() / "teaching")
IDS = [lesson.slug for lesson in COURSE]


def outcome(lesson, text: str | None = None) -> list[str]:
    """The mismatches between a lesson's expectation and its (or another) case."""
    case = (SERVICE.read_case(lesson.case) if text is None
            else SERVICE.parse_case(text, str(lesson.case)))
    expected = json.loads((lesson.case.parent / f"{lesson.slug}.expected.json")
                          .read_text(encoding="utf-8"))
    return mismatches(expected, SERVICE.consult(case).as_json())


def test_the_course_has_eight_to_ten_lessons_numbered_in_order():
    assert 8 <= len(COURSE) <= 10
    assert [lesson.number for lesson in COURSE] == list(range(1, len(COURSE) + 1))


@pytest.mark.parametrize("lesson", COURSE, ids=IDS)
def test_every_lesson_has_a_title_an_idea_a_paragraph_and_two_questions(lesson):
    assert lesson.title and lesson.idea
    assert len(lesson.teacher) > 200
    assert len(lesson.questions) == 2 and all(q.endswith("?") for q in lesson.questions)


@pytest.mark.parametrize("lesson", COURSE, ids=IDS)
def test_every_lesson_shows_its_idea(lesson):
    assert outcome(lesson) == []


@pytest.mark.parametrize("lesson", COURSE, ids=IDS)
def test_no_lesson_shows_its_idea_with_nothing_entered(lesson):
    assert outcome(lesson, '[client]\nname = "Nobody"\n') != []


def test_the_lessons_teach_different_ideas():
    assert len({lesson.idea for lesson in COURSE}) == len(COURSE)


def test_notes_without_questions_are_refused_with_what_is_missing(tmp_path):
    with pytest.raises(LessonError, match="missing '## Questions'"):
        read_lesson(tmp_path / "01_x.toml", "# T\n\n**Idea:** i\n\n**For the teacher.** t\n")


def test_predicting_exactly_the_conclusions_gets_every_one_right():
    result = SERVICE.consult(SERVICE.read_case(COURSE[0].case))
    guesses = score(result, KB, [(m.id, m.state) for m in result.muscles])
    assert {g.verdict for g in guesses} == {"right"}
    assert all(g.chain is not None and g.chain.children for g in guesses)


def test_a_wrong_tick_is_not_concluded_and_an_unticked_conclusion_is_missed():
    result = SERVICE.consult(SERVICE.read_case(COURSE[0].case))  # soleus, anterior tibialis
    guesses = {(g.muscle, g.state): g for g in score(
        result, KB, [("soleus", "overactive"), ("gluteus_medius", "underactive")])}
    assert guesses[("soleus", "overactive")].verdict == "right"
    assert guesses[("anterior_tibialis", "underactive")].verdict == "missed"
    assert guesses[("gluteus_medius", "underactive")].verdict == "not concluded"
    assert guesses[("gluteus_medius", "underactive")].chain is None


MUSCLES = sorted(KB.of("muscle"))


@settings(max_examples=50, deadline=None)
@given(hs.sampled_from(COURSE),
       hs.sets(hs.tuples(hs.sampled_from(MUSCLES), hs.sampled_from(["overactive",
                                                                     "underactive"]))))
def test_the_score_accounts_for_every_tick_and_every_conclusion(lesson, ticked):
    result = SERVICE.consult(SERVICE.read_case(lesson.case))
    guesses = score(result, KB, ticked)
    concluded = {(m.id, m.state) for m in result.muscles}
    assert {(g.muscle, g.state) for g in guesses} == concluded | ticked
    assert {(g.muscle, g.state) for g in guesses if g.verdict == "right"} == concluded & ticked
    assert {(g.muscle, g.state) for g in guesses if g.verdict == "missed"} == concluded - ticked
