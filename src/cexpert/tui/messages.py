"""Messages between the screens, the widgets and the app.

Entry widgets say what changed (`ConsultationChanged`); the app re-consults,
debounced and off the UI thread, and publishes the newest `Result` through its
`result` reactive. Rows that stand for a conclusion ask for its reasoning chain
with `WhyRequested`.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from cexpert.present.rows import Row


class ConsultationChanged(Message):
    """The trainer edited the consultation; conclusions must be brought up to date."""

    def __init__(self, edited: float | None = None) -> None:
        super().__init__()
        #: when the edit was made (Textual's clock): the debounce counts from the edit,
        #: not from this message's arrival after the edited widget's own repaint
        self.edited = self.time if edited is None else edited


@dataclass
class WhyRequested(Message):
    """Show the reasoning chain of a row (a conclusion with a fact id)."""

    row: Row


@dataclass
class WhyNotRequested(Message):
    """Ask why a muscle is not in a state (state/muscle may be blank: the trainer picks)."""

    muscle: str = ""
    state: str = ""
