"""A condition's status (`statuses controlled, uncontrolled`), chosen on the Health page;
the same row picks where a `regional` condition is (a body region the rules declare).

Why a row of radio buttons under the conditions list, one row per ticked condition
that declares statuses, rather than statuses as extra entries in the list:

- A status is one of a few, or none: radio buttons say "pick one" at a glance, where
  "High blood pressure — controlled" and "— uncontrolled" as ticks in the list could
  both be ticked, and would double the list for every condition with statuses.
- Every choice is on screen at once (no dropdown to open), so the trainer sees that
  "not stated" is what the case file says until they choose.
- The row appears only while its condition is ticked, just below the list the
  condition is in, and is the next stop for Tab: tick, Tab, → , Space.
- The bordered row looks and behaves like the lists around it: its title names the
  condition, its subtitle (while focused) says which keys to use.

The statuses are the knowledge base's declarations, read through `vocab`: this
widget knows no condition by name.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import RadioButton, RadioSet

from cexpert.tui.vocab import status_label

NOT_STATED = "not stated"
STACK_AFTER = 56  # wider choices than this go one per line, so none is cut at 80 columns


class StatusButton(RadioButton):
    """A radio button drawn empty when not pressed: Textual draws a dot in both states,
    told apart only by colour (as ChoiceList does for its ticks)."""

    @property
    def BUTTON_INNER(self) -> str:  # the name ToggleButton draws the dot with
        return RadioButton.BUTTON_INNER if self.value else " "


class ConditionStatus(RadioSet):
    """Pick one of a condition's declared statuses, or none."""

    DEFAULT_CSS = """
    ConditionStatus {
        layout: horizontal;
        height: auto;
        width: 1fr;
        padding: 0 1;
        background: transparent;
        border: round $primary 40%;
    }
    ConditionStatus:focus { border: round $primary; background-tint: $foreground 0%; }
    ConditionStatus.-stacked { layout: vertical; }
    ConditionStatus > RadioButton { width: auto; margin-right: 3; }
    ConditionStatus.-stacked > RadioButton { width: 1fr; margin-right: 0; }
    """

    HINT = "←→: move · Space: choose · Tab: next"

    def __init__(self, condition: str, name: str, statuses: tuple[str, ...],
                 what: str = "status", labels: tuple[str, ...] | None = None, **kwargs):
        self.condition = condition
        self.statuses: tuple[str | None, ...] = (None, *statuses)
        labels = [NOT_STATED, *(labels or tuple(status_label(s) for s in statuses))]
        super().__init__(*(StatusButton(Content(label), index == 0)
                            for index, label in enumerate(labels)), **kwargs)
        self.border_title = Content(f"{name}: {what}")
        self.set_class(sum(len(label) + 7 for label in labels) > STACK_AFTER, "-stacked")

    def on_focus(self) -> None:
        self.border_subtitle = Content(self.HINT)

    def on_blur(self) -> None:
        self.border_subtitle = None

    @property
    def status(self) -> str | None:
        """The status chosen (None: not stated)."""
        index = self.pressed_index
        return self.statuses[index] if index >= 0 else None

    def status_at(self, index: int) -> str | None:
        return self.statuses[index]

    def show(self, status: str | None) -> None:
        """Press the button for `status` at once, without reporting it as an edit (a
        status not offered shows as not stated).

        RadioSet has no public way to press a button quietly: its own mount sets the
        buttons under `prevent` and then `_pressed_button`, as done here."""
        index = self.statuses.index(status) if status in self.statuses else 0
        buttons = list(self.query(RadioButton))
        with self.prevent(RadioButton.Changed):
            for n, button in enumerate(buttons):
                button.value = n == index
        self._pressed_button = buttons[index]
        self._selected = index
