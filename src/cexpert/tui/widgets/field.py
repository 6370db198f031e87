"""A text field that keeps fast typing in order.

Textual's Input inserts printable keys in its own key handler, but runs its
editing bindings (Backspace, Delete, arrows, Home/End, Enter) only after the
key event has bubbled up to the app, hop by hop through every container. When
keys arrive quickly (a fast typist, a busy screen, a pasted burst over SSH) a
Backspace can land after the characters typed behind it: "4", Backspace, "2"
becomes "44". `FieldInput` runs its own bindings in its key handler, so every
key is applied in the order it was typed (Textual issue 6605).
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import Input


def _editing_keys() -> frozenset[str]:
    """The keys Input itself binds (editing), not the scrolling keys every widget has."""
    keys = set()
    for binding in Input.BINDINGS:
        if isinstance(binding, Binding):
            keys.update(k.strip() for k in binding.key.split(","))
    return frozenset(keys)


EDITING_KEYS = _editing_keys()


class FieldInput(Input):
    """An Input whose own key bindings run in order with the characters typed."""

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable and event.key in EDITING_KEYS:
            # Always consumed here: a Backspace in an empty field must not travel on
            # and delete a character in the field the focus has moved to meanwhile.
            event.stop()
            event.prevent_default()  # Input's own handler is not run
            for binding in self._bindings.key_to_bindings.get(event.key, ()):
                if not binding.priority and await self.run_action(binding.action):
                    return
            return
        # printable keys: Input._on_key (next in the MRO) inserts them
