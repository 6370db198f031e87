"""Entry widgets built from the knowledge base: finding lists and the FMS score sheet."""

from __future__ import annotations

from collections.abc import Iterable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.strip import Strip
from textual.validation import ValidationResult, Validator
from textual.widgets import Checkbox, Input, Label, OptionList, SelectionList, Static
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import Selection

from cexpert.engine.case import BOTH
from cexpert.tui.messages import ConsultationChanged
from cexpert.tui.state import Consultation
from cexpert.tui.vocab import (
    SIDE_TITLES,
    Group,
    clearing_sides,
    clearing_tests,
    fms_highest,
    fms_tests,
)
from cexpert.tui.widgets.field import FieldInput
from cexpert.tui.widgets.tick import TickBox


class ChoiceList(SelectionList[str]):
    """Tick any of a list of declared entries (conditions, equipment, findings...)."""

    DEFAULT_CSS = """
    ChoiceList {
        height: auto; max-height: 14; border: round $primary 40%;
        text-wrap: wrap; text-overflow: fold;  /* a long entry wraps, never cut */
    }
    ChoiceList:focus { border: round $primary; }
    /* Only the focused list shows its cursor: a blurred highlight looks like a tick. */
    ChoiceList:blur > .option-list--option-highlighted {
        background: transparent;
        color: $foreground;
        text-style: none;
    }
    """

    HINT = "Space: tick · Tab: next"

    def __init__(self, entries: Iterable[tuple[str, str]], title: str = "", **kwargs):
        super().__init__(*(Selection(Content(label), ident) for ident, label in entries),
                         **kwargs)
        self.border_title = Content(title) if title else None

    def on_focus(self) -> None:
        """The focused list says how to use it, on its border: no room taken."""
        self.border_subtitle = Content(self.HINT)

    def on_blur(self) -> None:
        self.border_subtitle = None

    def render_line(self, y: int) -> Strip:
        """Each option's tick box on its first line, wrapped lines indented under it.

        SelectionList assumes one line per option (it would draw boxes beside the
        continuation lines of a long PAR-Q+ question, and tick the wrong option), and it
        draws the X in both states, told apart only by colour, which a projector or a
        colour-blind trainer loses: here an unticked box is drawn empty."""
        line = OptionList.render_line(self, y)
        try:
            index, offset = self._lines[self.scroll_offset.y + y]
            option = self.get_option_at_index(index)
        except (IndexError, OptionDoesNotExist):
            return line
        under = next(iter(line)).style or self.rich_style
        if offset:
            return Strip([Segment(" " * self._get_left_gutter_width(), under), *line])
        ticked = option.value in self._selected
        component = "selection-list--button" + ("-selected" if ticked else "") + (
            "-highlighted" if self.highlighted == index else "")
        button = self.get_component_rich_style(component) + Style(meta={"option": index})
        side = Style.from_color(button.bgcolor, under.bgcolor) + Style(meta={"option": index})
        inner = ToggleButton.BUTTON_INNER if ticked else " " * len(ToggleButton.BUTTON_INNER)
        return Strip([Segment(ToggleButton.BUTTON_LEFT, side), Segment(inner, button),
                      Segment(ToggleButton.BUTTON_RIGHT, side), Segment(" ", under), *line])

    @property
    def offered(self) -> list[str]:
        return [self.get_option_at_index(i).value for i in range(self.option_count)]

    def set_selected(self, ids: Iterable[str]) -> None:
        """Tick exactly `ids`, without reporting it as an edit."""
        wanted = set(ids)
        with self.prevent(SelectionList.SelectedChanged):
            for ident in self.offered:
                if ident in wanted:
                    self.select(ident)
                else:
                    self.deselect(ident)


class FindingList(ChoiceList):
    """The findings of one group (a view, a side, or a whole assessment)."""

    HINT = "Space: tick · Tab: next list · 1-9 or Ctrl+PgDn: page"

    def __init__(self, group: Group, **kwargs):
        super().__init__(((f.id, f.name) for f in group.findings), group.title, **kwargs)
        self.group = group

    def load(self, state: Consultation) -> None:
        self.set_selected(f.id for f in self.group.findings
                          if state.is_observed(self.group.assessment, f.id, self.group.side))


class ScoreValidator(Validator):
    def __init__(self, highest: int):
        super().__init__()
        self.highest = highest

    def validate(self, value: str) -> ValidationResult:
        text = value.strip()
        if not text or (text.isdigit() and 0 <= int(text) <= self.highest):
            return self.success()
        return self.failure(f"Scores are whole numbers 0-{self.highest}")


class FmsForm(Vertical):
    """Scores 0-N per test (left and right where the test is sided), then clearing tests."""

    DEFAULT_CSS = """
    FmsForm { height: auto; }
    FmsForm .fms-row, FmsForm .clear-row { height: auto; min-height: 1; margin-bottom: 1; }
    FmsForm .fms-name, FmsForm .clear-name { width: 31; padding-right: 1; }
    FmsForm .fms-input { width: 5; margin-right: 2; }
    FmsForm .fms-error { color: $error; width: 1fr; height: auto; }
    FmsForm .fms-head { margin: 1 0; text-style: bold; height: auto; }
    FmsForm Checkbox { width: auto; margin-right: 2; }
    """

    def __init__(self, state: Consultation, **kwargs):
        super().__init__(**kwargs)
        self.state = state

    def compose(self) -> ComposeResult:
        kb = self.state.kb
        highest = fms_highest(kb)
        yield Static(Content(f"Score each test 0-{highest} (0 = pain); L and R where the "
                             "test is scored per side. Blank: not tested. Tab: next field; "
                             "Ctrl+PgUp/PgDn: other pages."),
                     classes="fms-head")
        for test in fms_tests(kb):
            with Horizontal(classes="fms-row"):
                yield Label(Content(test.name), classes="fms-name")
                for side in self.state.fms_sides(test.id):
                    yield FieldInput(self.state.text_of(f"fms.{test.id}.{side}"),
                                placeholder="L" if side == "left" else
                                "R" if side == "right" else "0-3",
                                validators=[ScoreValidator(highest)],
                                valid_empty=True, max_length=3,
                                id=f"fms-{test.id}-{side}", classes="fms-input",
                                compact=True,
                                tooltip=f"{test.name}, {SIDE_TITLES[side].lower()}")
                yield Label("", id=f"fms-error-{test.id}", classes="fms-error")
        tests = clearing_tests(kb)
        if tests:
            yield Static(Content("Clearing tests: tick where the test was painful."),
                         classes="fms-head")
            for test in tests:
                with Horizontal(classes="clear-row"):
                    yield Label(Content(test.name), classes="clear-name")
                    for side in clearing_sides(kb, test):
                        yield TickBox(Content("Painful" if side == BOTH else
                                               SIDE_TITLES[side]),
                                       self.state.clearing.get((test.id, side), False),
                                       id=f"clear-{test.id}-{side}", compact=True)

    def load(self, state: Consultation) -> None:
        self.state = state
        for test in fms_tests(state.kb):
            for side in state.fms_sides(test.id):
                field = self.query_one(f"#fms-{test.id}-{side}", Input)
                with field.prevent(Input.Changed):
                    field.value = state.text_of(f"fms.{test.id}.{side}")
            self._show_error(test.id)
        for test in clearing_tests(state.kb):
            for side in clearing_sides(state.kb, test):
                box = self.query_one(f"#clear-{test.id}-{side}", Checkbox)
                with box.prevent(Checkbox.Changed):
                    box.value = state.clearing.get((test.id, side), False)

    def _show_error(self, test: str) -> None:
        errors = [self.state.errors.get(f"fms.{test}.{side}")
                  for side in self.state.fms_sides(test)]
        errors.append(self.state.errors.get(f"fms.{test}"))
        message = next((e for e in errors if e), "")
        label = self.query_one(f"#fms-error-{test}", Label)
        label.update(Text(message))

    @on(Input.Changed, ".fms-input")
    def _score(self, event: Input.Changed) -> None:
        event.stop()
        _, rest = event.input.id.split("-", 1)
        test, side = rest.rsplit("-", 1)
        self.state.set_fms_text(test, side, event.value)
        self._show_error(test)
        self.post_message(ConsultationChanged(edited=event.time))

    @on(Checkbox.Changed)
    def _clearing(self, event: Checkbox.Changed) -> None:
        event.stop()
        _, rest = event.checkbox.id.split("-", 1)
        test, side = rest.rsplit("-", 1)
        self.state.set_clearing(test, side, event.value)
        self.post_message(ConsultationChanged(edited=event.time))
