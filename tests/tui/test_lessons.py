"""Lessons: the course listed, a lesson opened like a client, and predict first."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from cexpert.explain.lessons import lessons
from cexpert.resources import examples_dir
from cexpert.service import Service
from cexpert.tui.app import make_app
from cexpert.tui.screens.lessons import LessonsScreen, PredictScreen
from cexpert.tui.widgets.findings import ChoiceList

pytestmark = pytest.mark.asyncio

SHIPPED = Service.open()
COURSE = lessons(examples_dir() / "teaching")


@pytest.fixture
def shipped_app(tmp_path):
    return lambda: make_app(SHIPPED, clients_dir=tmp_path)


async def test_ctrl_l_lists_the_course_with_the_first_lessons_notes(shipped_app, settle):
    app = shipped_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LessonsScreen)
        assert len(app.screen.course) == len(COURSE)
        notes = str(app.screen.query_one("#lessons-detail", Static).content)
        assert COURSE[0].title in notes and COURSE[0].questions[1] in notes


async def test_enter_opens_the_lesson_case_for_assessment(shipped_app, settle):
    app = shipped_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l", "down", "enter")
        await settle(pilot)
        assert app.consultation.path == COURSE[1].case
        assert app.current_mode == "assess"
        assert {m.id for m in app.result.muscles} >= {"soleus", "anterior_tibialis"}


async def _tick(pilot, state: str, muscle: str) -> None:
    choices = pilot.app.screen.query_one(f"#predict-{state}", ChoiceList)
    choices.focus()
    choices.highlighted = choices.offered.index(muscle)
    await pilot.press("space")


async def test_predict_first_reveals_what_was_right_missed_and_not_concluded(
        shipped_app, settle):
    app = shipped_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l", "p")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PredictScreen) and "Heels rise" in str(
            screen.query_one("#predict-question", Static).content)
        await _tick(pilot, "overactive", "soleus")
        await _tick(pilot, "underactive", "gluteus_medius")
        await pilot.press("r")
        await pilot.pause()
        verdicts = {(g.muscle, g.state): g.verdict for g in screen.guesses}
        assert verdicts == {("soleus", "overactive"): "right",
                            ("anterior_tibialis", "underactive"): "missed",
                            ("gluteus_medius", "underactive"): "not concluded"}
        answer = str(screen.query_one("#predict-answer", Static).content)
        assert answer.startswith("1 of 2 right, 1 ticked that the rules did not conclude")
        assert "rule 20_ohsa.heels_rise" in answer


async def test_nothing_is_revealed_before_r(shipped_app, settle):
    app = shipped_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l", "p")
        await pilot.pause()
        await _tick(pilot, "overactive", "soleus")
        answer = str(app.screen.query_one("#predict-answer", Static).content)
        assert "Soleus" not in answer and app.screen.guesses == ()


async def test_a_lesson_for_another_knowledge_base_is_refused_with_its_problems(
        app_factory, settle):
    app = app_factory()  # the TUI tests' own small knowledge base
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l", "p")
        await pilot.pause()
        assert isinstance(app.screen, LessonsScreen)
        assert any("unknown finding" in n.message for n in app._notifications)


async def test_g_on_a_why_shows_the_graph_of_that_conclusion(shipped_app, settle):
    from cexpert.tui.screens.graph import GraphScreen

    app = shipped_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l", "enter")
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # the anterior tibialis: its Why
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, GraphScreen)
        text = "\n".join(app.screen.lines)
        assert text.startswith("Entered\n  Heels rise")
        assert "Rules fired\n  20_ohsa.heels_rise" in text and "Muscles" in text
