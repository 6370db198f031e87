"""Two stored visits compared (FMS per test and total, findings resolved / new /
persisting, muscles, program), from their stored results, and a progress chart of
every consulted visit: FMS total and movement findings by visit. A visit with an
incomplete FMS is a gap in the FMS line, never a 0."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static
from textual_plotext import PlotextPlot

from cexpert.present.progress import comparison_text
from cexpert.tui.widgets.footer import KeysFooter


def segments(values: list[int | None]) -> list[list[tuple[int, int]]]:
    """Runs of (index, value) without a None: each is drawn as one line, so a missing
    value leaves a gap instead of falling to 0."""
    out: list[list[tuple[int, int]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            if out[-1]:
                out.append([])
        else:
            out[-1].append((i + 1, value))
    return [s for s in out if s]


class CompareScreen(Screen):
    CSS_PATH = "compare.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    def __init__(self, client: Any, visits: list[Any], first: Any, second: Any) -> None:
        super().__init__()
        self.client = client
        self.visits = [v for v in visits if v.summary is not None]  # consulted ones
        self.first, self.second = first, second
        self.text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="compare-title")
        yield PlotextPlot(id="progress")
        with VerticalScroll(id="compare-body"):
            yield Static(Text("Reading both visits…", style="dim italic"), id="comparison")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        c = self.client
        self.query_one("#compare-title", Static).update(Text.assemble(
            (c.name or "(no name)", "bold"), ("  " + c.id, "dim"),
            f"  visit {self.first.number} ({self.first.date}) → visit {self.second.number} "
            f"({self.second.date})"))
        self.draw()
        self.load()

    def draw(self) -> None:
        plot = self.query_one("#progress", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.title("FMS total and movement findings by visit")
        fms = [v.summary.fms_total for v in self.visits]
        found = [v.summary.findings for v in self.visits]
        for n, run in enumerate(segments(fms)):
            plt.plot([x for x, _ in run], [y for _, y in run], marker="dot", color="green",
                     label="FMS total" if n == 0 else None)
        for n, run in enumerate(segments(found)):
            plt.plot([x for x, _ in run], [y for _, y in run], marker="dot", color="orange",
                     label="findings" if n == 0 else None)
        if self.visits:
            plt.xticks(list(range(1, len(self.visits) + 1)),
                       [v.date[2:] for v in self.visits])
            plt.xlim(0.5, len(self.visits) + 0.5)
        top = max([y for y in [*fms, *found] if y is not None] or [1])
        plt.ylim(0, top + 1)
        plot.refresh()

    @work(thread=True, exclusive=True, group="compare")
    def load(self) -> None:
        records = self.app.records  # type: ignore[attr-defined]
        try:
            before, after = (records.call(lambda store, v=v: store.visit(
                self.client.id, v.number, v.version).result.as_json())
                for v in (self.first, self.second))
        except Exception as error:  # a StoreError: worded for the user
            self.app.call_from_thread(self._show, f"The client database could not be read: "
                                                  f"{error}")
            return
        comparison = self.app.service.compare(before, after)  # type: ignore[attr-defined]
        title = (f"Visit {self.first.number} ({self.first.date}) → visit "
                 f"{self.second.number} ({self.second.date}), from the stored results")
        self.app.call_from_thread(self._show, comparison_text(title, comparison))

    def _show(self, text: str) -> None:
        self.text = text
        self.query_one("#comparison", Static).update(Text(text))

    def action_back(self) -> None:
        self.dismiss()
