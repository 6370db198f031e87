"""The referral banner: on top of every consultation screen when a referral is needed."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from cexpert.engine.result import Result
from cexpert.present.words import referral_text


class ReferralBanner(Static):
    DEFAULT_CSS = """
    ReferralBanner {
        display: none;
        height: auto;
        max-height: 4;
        padding: 0 1;
        background: $error;
        color: $text;
        text-style: bold;
    }
    ReferralBanner.-shown { display: block; }
    """

    def show_result(self, result: Result | None) -> None:
        text = referral_text(result) if result is not None else None
        self.set_class(text is not None, "-shown")
        self.update(Text("⚠ " + text) if text else "")
