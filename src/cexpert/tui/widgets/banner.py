"""The referral banner: on top of every consultation screen when a referral is needed.

At most two lines, however narrow the terminal: the decision (refer, and how
urgently; program held) always, then as many reasons as fit, each once, with
"F5: all reasons" when some had to go (Results lists every one).
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from cexpert.engine.result import Result

LINES = 2
MORE = " … F5: all reasons"


def referral_head(result: Result) -> str | None:
    ref = result.referral
    if not (ref.required or ref.holds_program):
        return None
    head = (f"⚠ REFER ({ref.urgency or 'routine'}) to a health professional"
            if ref.required else "⚠ PROGRAM HELD")
    if ref.holds_program and ref.required:
        head += " · program held"
    return head


def banner_text(result: Result, width: int) -> str | None:
    """The banner's words for a result, or None when there is no referral."""
    head = referral_head(result)
    return None if head is None else fit(head, result.referral.reasons, width)


def fit(head: str, reasons: tuple[str, ...] | list[str], width: int) -> str:
    """The decision, then each reason once, fitting LINES lines of `width` cells."""
    reasons = list(dict.fromkeys(r.strip() for r in reasons if r.strip()))
    full = f"{head}: {' · '.join(reasons)}" if reasons else head
    if _lines(full, width) <= LINES:
        return full
    words = full.split(" ")
    while words and _lines(" ".join(words) + MORE, width) > LINES:
        words.pop()
    return (" ".join(words).rstrip(" ·:") + MORE) if words else head


def _lines(text: str, width: int) -> int:
    """How many lines `text` takes wrapped at spaces in `width` cells."""
    if width <= 0:
        return 1
    lines, used = 1, 0
    for word in text.split(" "):
        size = cell_len(word)
        if used == 0:
            used = size
        elif used + 1 + size <= width:
            used += 1 + size
        else:
            lines, used = lines + 1, size
        while used > width:  # a word longer than a line is broken anywhere
            lines, used = lines + 1, used - width
    return lines


class ReferralBanner(Static):
    DEFAULT_CSS = """
    ReferralBanner {
        display: none;
        height: auto;
        max-height: 2;
        padding: 0 1;
        background: $error;
        color: $text;
        text-style: bold;
    }
    ReferralBanner.-shown { display: block; }
    """

    _result: Result | None = None

    def show_result(self, result: Result | None) -> None:
        self._result = result
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        result = self._result
        width = self.content_size.width or (self.app.size.width - 2)
        text = banner_text(result, width) if result is not None else None
        self.set_class(text is not None, "-shown")
        self.update(Text(text) if text else "")
