"""The referral banner: the decision first, each reason once, never more than two lines."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cexpert.tui.widgets.banner import LINES, ReferralBanner, _lines, fit

HEAD = "⚠ REFER (routine) to a health professional · program held"
words = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=14)
reasons = st.lists(st.lists(words, min_size=1, max_size=30).map(" ".join), max_size=6)


@given(reasons, st.integers(min_value=len(HEAD) + 20, max_value=220))
def test_the_banner_fits_two_lines_and_starts_with_the_decision(reasons, width):
    text = fit(HEAD, reasons, width)
    assert _lines(text, width) <= LINES
    assert text.startswith(HEAD)


@given(reasons)
def test_each_reason_is_shown_once(reasons):
    text = fit(HEAD, reasons + reasons, 10_000)
    for reason in dict.fromkeys(r.strip() for r in reasons if r.strip()):
        assert text.count(reason) >= 1
    assert text == fit(HEAD, reasons, 10_000)


def test_a_cut_banner_says_where_the_rest_is():
    text = fit(HEAD, ["Pain was felt during an assessment movement: have it checked"] * 1
               + ["No corrective program while in pain; repeat when pain-free"], 78)
    assert text.endswith("F5: all reasons") and _lines(text, 78) <= 2


@pytest.mark.asyncio
async def test_at_80x24_the_banner_takes_two_lines(app_factory, clients, settle):
    path = clients / "pain.toml"
    path.write_text('[client]\nname = "P"\n\n[assessment]\npain = ["low_back", "knee"]\n',
                    encoding="utf-8")
    app = app_factory(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot)
        banner = app.screen.query_one(ReferralBanner)
        assert banner.display and banner.has_class("-shown")
        assert 1 <= banner.size.height <= 2
        assert "REFER" in str(banner.render())
