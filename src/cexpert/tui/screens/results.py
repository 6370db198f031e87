"""The conclusions: referral, ranked dysfunctions, muscles with evidence, FMS, conflicts."""

from __future__ import annotations

from collections.abc import Sequence

from cexpert.result import Result
from cexpert.tui.screens.rows import RowsScreen
from cexpert.tui.view import Row, result_rows


class ResultsScreen(RowsScreen):
    LIST_TITLE = "Conclusions: Enter shows why"

    def rows_of(self, result: Result) -> Sequence[Row]:
        return result_rows(result, self.capp.service.kb)
