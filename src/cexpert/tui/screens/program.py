"""The session: the phases in order with targets and dose, and what was left out and why."""

from __future__ import annotations

from collections.abc import Sequence

from cexpert.engine.result import Result
from cexpert.present.rows import Row, program_rows
from cexpert.tui.screens.rows import RowsScreen


class ProgramScreen(RowsScreen):
    LIST_TITLE = "Program: Enter shows why"

    def rows_of(self, result: Result) -> Sequence[Row]:
        return program_rows(result, self.capp.service.kb)
