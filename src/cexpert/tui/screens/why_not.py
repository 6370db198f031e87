"""Why not: which conditions of the rules that could conclude it failed."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, RadioButton, RadioSet, Select, Static

from cexpert.tui.widgets.why_tree import WhyTree

STATES = ("overactive", "underactive")


class WhyNotScreen(Screen):
    CSS_PATH = "why_not.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, muscle: str = "", state: str = ""):
        super().__init__()
        self.muscle = muscle
        self.state_asked = state if state in STATES else STATES[0]

    def compose(self) -> ComposeResult:
        kb = self.app.service.kb  # type: ignore[attr-defined]
        yield Header()
        yield Static(Content("Why is a muscle NOT concluded? Pick the muscle and the state."),
                     id="why-not-intro")
        with Horizontal(id="why-not-ask"):
            options = [(Content(m.name), m.id) for m in kb.of("muscle").values()]
            yield Select(options, prompt="Muscle", id="muscle", type_to_search=True,
                         value=self.muscle if self.muscle in kb.of("muscle") else Select.NULL)
            with RadioSet(id="state"):
                for state in STATES:
                    yield RadioButton(state, value=state == self.state_asked)
        tree = WhyTree(id="why-not-tree")
        tree.border_title = "Rules that could conclude it"
        yield tree
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.answer()
        if self.muscle:
            self.query_one("#why-not-tree", WhyTree).focus()
        else:
            self.query_one("#muscle", Select).focus()

    @on(Select.Changed, "#muscle")
    def _muscle(self, event: Select.Changed) -> None:
        self.muscle = event.value if isinstance(event.value, str) else ""
        self.answer()

    @on(RadioSet.Changed, "#state")
    def _state(self, event: RadioSet.Changed) -> None:
        self.state_asked = STATES[event.index]
        self.answer()

    def answer(self) -> None:
        tree = self.query_one("#why-not-tree", WhyTree)
        result = self.app.result  # type: ignore[attr-defined]
        if not self.muscle or result is None:
            tree.clear()
            tree.root.add_leaf("Choose a muscle above.")
            return
        answer = self.app.service.why_not(result, self.state_asked, self.muscle)  # type: ignore[attr-defined]
        tree.border_title = answer.question
        tree.show_why_not(answer)
