"""A list of result rows: section headings, conclusions (Enter: why), notes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from cexpert.present.rows import Row
from cexpert.tui.messages import WhyRequested

STYLE = {"header": "bold", "alert": "bold red", "note": "italic", "item": ""}


def row_text(row: Row, width: int = 0) -> Text:
    """A row as plain (never markup) text: the item, then its detail dimmed.

    A detail (a dose: "2 sets, 10-15 reps, tempo 4/2/1") that does not fit after the
    item in `width` cells goes whole onto the next line, so it never wraps mid-unit."""
    if row.kind == "header":
        return Text(row.text.upper(), style="bold")
    text = Text(("  " if row.kind == "note" else "") + row.text, style=STYLE[row.kind])
    if row.detail:
        last = text.plain.rsplit("\n", 1)[-1]
        fits = not width or (cell_len(last) % width) + 2 + cell_len(row.detail) <= width
        text.append(("  " if fits else "\n    ") + row.detail, style="dim")
    return text


def _first_conclusion(rows: Sequence[Row]) -> int | None:
    return next((n for n, r in enumerate(rows) if r.fact), None)


class ResultList(OptionList):
    """Rows of a result; highlighting or selecting a conclusion asks for its chain."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("w", "why", "Why", show=True)]
    DEFAULT_CSS = """
    ResultList { height: 1fr; border: round $primary 40%; }
    ResultList:focus { border: round $primary; }
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, markup=False, **kwargs)
        self.rows: list[Row] = []

    def show_rows(self, rows: Sequence[Row]) -> None:
        """New rows, the highlight kept on the same conclusion; a highlight on the first
        conclusion stays on the first one (so a referral that appears on top is shown,
        whichever result reached the screen first)."""
        keep = self.highlighted_row
        if keep is not None and self.highlighted == _first_conclusion(self.rows):
            keep = None
        self.rows = list(rows)
        self._set_rows()
        target = None
        if keep is not None:
            target = next((n for n, r in enumerate(self.rows)
                           if r.fact and (r.what, r.key, r.text) == (keep.what, keep.key,
                                                                      keep.text)), None)
            if target is None:
                target = next((n for n, r in enumerate(self.rows)
                               if r.fact and (r.what, r.key) == (keep.what, keep.key)), None)
        if target is None:
            target = _first_conclusion(self.rows)
        self.highlighted = target

    def _set_rows(self) -> None:
        width = self.scrollable_content_region.width
        self.set_options(Option(row_text(row, width), id=f"row{n}",
                                disabled=row.kind == "header" or not row.fact)
                         for n, row in enumerate(self.rows))

    def on_resize(self) -> None:
        """Lay the rows out again for the new width (where a dose goes)."""
        highlighted = self.highlighted
        with self.prevent(OptionList.OptionHighlighted):
            self._set_rows()
            self.highlighted = highlighted

    @property
    def highlighted_row(self) -> Row | None:
        if self.highlighted is None or not 0 <= self.highlighted < len(self.rows):
            return None
        return self.rows[self.highlighted]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_why()

    def action_why(self) -> None:
        row = self.highlighted_row
        if row is not None and row.fact:
            self.post_message(WhyRequested(row))
