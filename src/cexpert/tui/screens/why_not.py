"""Why not: which conditions of the rules that could conclude it failed.

The muscle is picked by typing (the list below the field keeps only the muscles
whose name or alias has every word typed; ↑ ↓ move in it from the field) and
the state with ← → (moving is choosing: no Space needed). The answer follows
the highlighted muscle at once. When no rule names the muscle but the knowledge
base puts it in a group (`group`), the answer says so and G asks about the group.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from cexpert.language.span import name_key
from cexpert.tui.widgets.field import FieldInput
from cexpert.tui.widgets.footer import KeysFooter
from cexpert.tui.widgets.status import StatusButton
from cexpert.tui.widgets.why_tree import WhyTree

STATES = ("overactive", "underactive")


class StateSwitch(RadioSet):
    """Overactive or underactive: ← → (or ↑ ↓) choose at once, no Space needed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,up", "step(-1)", "Previous", show=False),
        Binding("right,down", "step(1)", "Next", show=False),
    ]

    def action_step(self, step: int) -> None:
        buttons = list(self.query(RadioButton))
        index = (max(self.pressed_index, 0) + step) % len(buttons)
        buttons[index].value = True  # pressing one releases the other (RadioSet)
        self._selected = index


class WhyNotScreen(Screen):
    CSS_PATH = "why_not.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("down", "move(1)", "Next muscle", show=False),
        Binding("up", "move(-1)", "Previous muscle", show=False),
        Binding("ctrl+g", "ask_group", "Ask about its group", show=False),
    ]

    def __init__(self, muscle: str = "", state: str = ""):
        super().__init__()
        self.muscle = muscle
        self.state_asked = state if state in STATES else STATES[0]
        self.ask_instead: str | None = None

    @property
    def kb(self):
        return self.app.service.kb  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content("Why is a muscle NOT concluded? Type to find the muscle; "
                             "← → on the state switch choose the state."),
                     id="why-not-intro")
        with Horizontal(id="why-not-ask"):
            with Vertical(id="why-not-pick"):
                yield FieldInput(placeholder="Type a muscle's name, e.g. psoas",
                                 id="muscle-filter", compact=True)
                muscles = OptionList(id="muscles", markup=False)
                muscles.can_focus = False  # typing stays in the field; ↑ ↓ move here
                yield muscles
            with StateSwitch(id="state"):
                for state in STATES:
                    yield StatusButton(state, value=state == self.state_asked)
        yield Static(id="why-not-answer")
        tree = WhyTree(id="why-not-tree")
        tree.border_title = "Rules that could conclude it"
        yield tree
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self.show_muscles()
        self.answer()
        if self.muscle:
            self.query_one("#why-not-tree", WhyTree).focus()
        else:
            self.query_one("#muscle-filter", FieldInput).focus()

    # --- the muscle: typed, filtered, highlighted ------------------------------------------
    def matching(self, typed: str) -> list[str]:
        """Muscles with every typed word in their name, id or an alias, in KB order."""
        words = name_key(typed).replace("_", " ").split()
        out = []
        for entry in self.kb.of("muscle").values():
            names = " ".join([entry.name, entry.id, *entry.aliases]).lower().replace("_", " ")
            if all(w in names for w in words):
                out.append(entry.id)
        return out

    def show_muscles(self) -> None:
        typed = self.query_one("#muscle-filter", FieldInput).value
        ids = self.matching(typed)
        muscles = self.query_one("#muscles", OptionList)
        with self.prevent(OptionList.OptionHighlighted):
            muscles.set_options(Option(self.kb.name_of("muscle", m), id=m) for m in ids)
            if self.muscle in ids:
                muscles.highlighted = ids.index(self.muscle)
            elif ids and typed.strip():
                muscles.highlighted = 0
        muscles.border_title = f"{len(ids)} muscle{'s' if len(ids) != 1 else ''}"
        if ids and typed.strip():
            self.choose(ids[muscles.highlighted or 0])

    @on(FieldInput.Changed, "#muscle-filter")
    def _typed(self) -> None:
        self.show_muscles()

    def action_move(self, step: int) -> None:
        muscles = self.query_one("#muscles", OptionList)
        if not muscles.option_count:
            return
        now = muscles.highlighted if muscles.highlighted is not None else -step
        muscles.highlighted = max(0, min(muscles.option_count - 1, now + step))

    @on(OptionList.OptionHighlighted, "#muscles")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self.choose(event.option.id)

    def choose(self, muscle: str) -> None:
        if muscle != self.muscle:
            self.muscle = muscle
            self.answer()

    def action_ask_group(self) -> None:
        if self.ask_instead:
            self.query_one("#muscle-filter", FieldInput).value = ""
            self.choose(self.ask_instead)
            self.show_muscles()

    # --- the state ------------------------------------------------------------------------
    @on(RadioSet.Changed, "#state")
    def _state(self, event: RadioSet.Changed) -> None:
        if STATES[event.index] != self.state_asked:
            self.state_asked = STATES[event.index]
            self.answer()

    def answer(self) -> None:
        tree = self.query_one("#why-not-tree", WhyTree)
        said = self.query_one("#why-not-answer", Static)
        result = self.app.result  # type: ignore[attr-defined]
        if not self.muscle or result is None:
            self.ask_instead = None
            tree.clear()
            said.update(Text("Type a muscle's name above.", style="dim"))
            return
        answer = self.app.service.why_not(result, self.state_asked, self.muscle)  # type: ignore[attr-defined]
        self.ask_instead = answer.ask_instead
        tree.border_title = answer.question
        tree.show_why_not(answer, with_answer=False)
        text = Text(answer.answer, style="bold")  # wrapped: a tree line would be cut
        if answer.ask_instead:
            group = self.kb.name_of("muscle", answer.ask_instead)
            text.append_text(Text.assemble(("\nCtrl+G", "bold reverse"),
                                           f" ask about {group}"))
        said.update(text)
