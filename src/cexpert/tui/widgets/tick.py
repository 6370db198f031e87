"""A check box whose state shows without colour.

Textual draws `▐X▌` ticked and unticked alike, told apart only by colour, which a
projector or a colour-blind trainer loses. `TickBox` draws the X only when ticked
(as the lists and the status buttons do)."""

from __future__ import annotations

from textual.widgets import Checkbox


class TickBox(Checkbox):
    @property
    def BUTTON_INNER(self) -> str:  # the name ToggleButton draws the inside with
        return Checkbox.BUTTON_INNER if self.value else " "
