"""The conclusions: referral, ranked dysfunctions, muscles with evidence, FMS, conflicts."""

from __future__ import annotations

from collections.abc import Sequence

from cexpert.engine.result import Result
from cexpert.present.rows import Row, result_rows
from cexpert.tui.screens.rows import RowsScreen


class ResultsScreen(RowsScreen):
    LIST_TITLE = "Conclusions: Enter shows why"

    def rows_of(self, result: Result) -> Sequence[Row]:
        return result_rows(result, self.capp.service.kb)
