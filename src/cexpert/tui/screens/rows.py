"""A screen of result rows with a reasoning preview beside them when there is room."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import OptionList

from cexpert.engine.result import Result
from cexpert.present.rows import Row
from cexpert.tui.messages import WhyNotRequested, WhyRequested
from cexpert.tui.screens.base import BaseScreen, Command
from cexpert.tui.widgets.result_list import ResultList
from cexpert.tui.widgets.why_tree import WhyPreview


class RowsScreen(BaseScreen):
    CSS_PATH = "rows.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "why_not", "Why not", show=True),
        Binding("x", "app.what_if", "What if", show=True),
    ]
    LIST_TITLE = ""

    def body(self) -> ComposeResult:
        with Horizontal(classes="rows-body"):
            rows = ResultList(id="rows")
            rows.border_title = self.LIST_TITLE
            yield rows
            preview = WhyPreview(id="preview")
            preview.border_title = "Why (Enter for the full chain)"
            yield preview

    def rows_of(self, result: Result) -> Sequence[Row]:
        raise NotImplementedError

    def show_result(self, result: Result | None) -> None:
        rows = self.query_one("#rows", ResultList)
        if result is None:
            rows.show_rows([Row("note", "Working out the conclusions…")])
            return
        rows.show_rows(self.rows_of(result))
        self._preview(rows.highlighted_row)

    @on(OptionList.OptionHighlighted, "#rows")
    def _highlighted(self) -> None:
        self._preview(self.query_one("#rows", ResultList).highlighted_row)

    def _preview(self, row: Row | None) -> None:
        if not self.has_class("-wide"):
            return
        result = self.capp.result
        tree = self.query_one("#preview", WhyPreview)
        if result is None or row is None or not row.fact or row.fact not in result.facts:
            tree.show_why(None)
        else:
            tree.show_why(self.capp.service.why(result, row.fact))

    def on_resize(self) -> None:
        self._preview(self.query_one("#rows", ResultList).highlighted_row)

    def action_why_not(self) -> None:
        row = self.query_one("#rows", ResultList).highlighted_row
        muscle = state = ""
        if row is not None and row.what == "muscle":
            result = self.capp.result
            item = next((m for m in result.muscles if m.fact == row.fact), None) \
                if result else None
            if item is not None:
                muscle = item.id
                state = "underactive" if item.state == "overactive" else "overactive"
        self.post_message(WhyNotRequested(muscle, state))

    def palette_commands(self) -> list[Command]:
        rows = self.query_one("#rows", ResultList)
        return [(f"Why: {row.text.strip()}", "Show the reasoning chain",
                 lambda r=row: rows.post_message(WhyRequested(r)))
                for row in rows.rows if row.fact]
