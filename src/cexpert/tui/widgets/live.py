"""Live conclusions beside (wide) or below (narrow) the entry pages."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Static

from cexpert.engine.result import Result
from cexpert.language.knowledge import KnowledgeBase
from cexpert.present.rows import result_rows
from cexpert.present.words import evidence_words, muscle_text, program_status_words
from cexpert.tui.widgets.result_list import ResultList


def summary_text(result: Result | None, kb: KnowledgeBase, errors: int = 0) -> Text:
    """The conclusions in a few wrapped lines, for narrow terminals."""
    text = Text()
    if result is None:
        return Text("Working out the conclusions…", style="dim italic")
    if errors:
        text.append(f"⚠ {errors} entr{'y needs' if errors == 1 else 'ies need'} fixing · ",
                    style="bold red")
    text.append("Dysfunctions: ", style="bold")
    text.append(" · ".join(f"{d.rank} {d.name}" for d in result.dysfunctions) or "none")
    for state, label in (("overactive", "Overactive"), ("underactive", "Underactive")):
        items = [m for m in result.muscles if m.state == state]
        text.append(f"\n{label}: ", style="bold")
        text.append(" · ".join(f"{muscle_text(m)} ({evidence_words(m.score)})" for m in items)
                    or "none")
    if result.conflicts:
        text.append("\nConflicts: ", style="bold yellow")
        text.append(" · ".join(c.name for c in result.conflicts))
    if result.fms is not None:
        f = result.fms
        text.append("\nFMS: ", style="bold")
        text.append(f"total {f.total}" if f.total is not None else "partial")
        if f.asymmetries:
            text.append(" · asymmetric: " + ", ".join(kb.name_of("finding", t)
                                                      for t in f.asymmetries))
        if f.priority:
            text.append(" · priority: " + kb.name_of("finding", f.priority[0]))
    text.append(f"\nProgram: {program_status_words(result.program_status)}, "
                f"{len(result.program)} exercises", style="dim")
    return text


class SizedByLayout(Widget):
    """A widget whose new scrollable size, found by a layout, asks for no second layout.

    Textual lays the whole screen out again on the next frame (1/60 s) when a layout
    finds that a widget's scrollable size changed. For the summary (its height is its
    text's) and its scrolling pane nothing else depends on that size: a scroll bar
    that must appear or go asks for its own layout. Without this every update of the
    narrow summary was laid out and painted twice."""

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size,
                      layout: bool = True) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)


class Summary(SizedByLayout, Static):
    """The conclusions in a few lines (narrow terminals)."""


class LiveResults(SizedByLayout, Vertical):
    """The newest conclusions; a summary when narrow, a navigable list when wide."""

    DEFAULT_CSS = """
    LiveResults { height: 1fr; }
    LiveResults > #live-summary { height: auto; padding: 0 1; }
    """

    def __init__(self, kb: KnowledgeBase, **kwargs):
        super().__init__(**kwargs)
        self.kb = kb

    def compose(self) -> ComposeResult:
        yield Summary(id="live-summary")
        yield ResultList(id="live-list")

    def show_result(self, result: Result | None, errors: int = 0) -> None:
        self.query_one("#live-summary", Static).update(summary_text(result, self.kb, errors))
        if result is not None:
            self.query_one(ResultList).show_rows(result_rows(result, self.kb))
        self.border_title = "Conclusions (live)"
