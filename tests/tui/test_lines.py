"""Lines on screen: a changed value is one line, a dose is never cut mid-unit."""

from __future__ import annotations

import pytest


def test_a_changed_evidence_count_is_one_changed_line_in_what_if(service):
    from dataclasses import replace

    from tui_support import CASE

    from cexpert.explain.what_if import diff
    from cexpert.tui.screens.what_if import diff_text

    before = service.consult(service.parse_case(CASE))
    muscle = before.muscles[0]
    after = replace(before, muscles=(replace(muscle, score=muscle.score + 1),
                                     *before.muscles[1:]))
    changes = diff(before, after)
    assert [(c.section, c.sign) for c in changes] == [("muscles", "~")]
    assert changes[0].text.endswith(f": evidence {muscle.score} → evidence {muscle.score + 1}")
    assert f"evidence {muscle.score}" in changes[0].was
    shown = diff_text("Knee pain", False, changes).plain
    assert shown.count(muscle.name) == 1 and " ~ " in shown and " + " not in shown


@pytest.mark.parametrize("width", range(36, 90, 7))  # where a dose fits on a line
def test_a_dose_never_wraps_mid_unit(width):
    from rich.console import Console

    from cexpert.present.rows import Row
    from cexpert.tui.widgets.result_list import row_text

    dose = "2 sets, 10-15 reps, tempo 4/2/1"
    row = Row("item", "2. Side-lying hip abduction", detail=dose)
    lines = row_text(row, width).wrap(Console(width=width), width)
    assert any(line.plain.strip() == dose or line.plain.endswith(dose) for line in lines), [
        line.plain for line in lines]
