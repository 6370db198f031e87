"""Assessment entry, one page per assessment, with the conclusions updating live."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import SelectionList, Static, TabbedContent, TabPane

from cexpert.engine.result import Result
from cexpert.tui.keys import PAGES
from cexpert.tui.messages import ConsultationChanged
from cexpert.tui.screens.base import BaseScreen, Command
from cexpert.tui.state import Consultation
from cexpert.tui.vocab import FMS, entry_pages, fms_page_label
from cexpert.tui.widgets.findings import FindingList, FmsForm
from cexpert.tui.widgets.live import LiveResults


class AssessScreen(BaseScreen):
    CSS_PATH = "assess.tcss"
    AUTO_FOCUS = ""  # not the page tabs first: the first page's first entry (on_mount)
    BINDINGS: ClassVar[list[BindingType]] = [k.binding() for k in PAGES] + [
        Binding(str(n), f"page({n})", f"Page {n}", show=False) for n in range(1, 10)]

    def __init__(self) -> None:
        super().__init__()
        kb = self.capp.service.kb
        self.pages = entry_pages(kb)
        self.fms_label = fms_page_label(kb)
        self.page_ids = [f"page-{p.assessment}" for p in self.pages]
        if self.fms_label:
            self.page_ids.append(f"page-{FMS}")

    def body(self) -> ComposeResult:
        with Horizontal(id="assess-body"):
            with TabbedContent(id="pages"):
                for page in self.pages:
                    yield TabPane(Content(page.label), id=f"page-{page.assessment}")
                if self.fms_label:
                    yield TabPane(Content(self.fms_label), id=f"page-{FMS}")
            yield LiveResults(self.capp.service.kb, id="live")

    def page_widgets(self, page_id: str) -> list[Widget]:
        """A page's entry widgets, made when the page is first shown (a faster start)."""
        if page_id == f"page-{FMS}":
            return [FmsForm(self.state, id="fms-form")]
        page = next(p for p in self.pages if f"page-{p.assessment}" == page_id)
        widgets: list[Widget] = []
        if len(page.groups) > 1 or page.note:
            hint = page.title + (f": {page.note}" if page.note else "")
            widgets.append(Static(Content(hint), classes="page-hint"))
        widgets += [FindingList(group, id=f"list-{page.assessment}-{group.key}",
                                classes="findings") for group in page.groups]
        return widgets

    async def ensure_page(self, page_id: str) -> None:
        pane = self.query_one(f"#{page_id}", TabPane)
        if pane.children:
            return
        await pane.mount(VerticalScroll(*self.page_widgets(page_id), can_focus=False))
        for findings in pane.query(FindingList):
            findings.load(self.state)

    async def on_mount(self) -> None:
        super().on_mount()
        if self.page_ids:  # its first entry focused before the first frame
            await self.show_page(self.page_ids[0])

    def load_state(self, state: Consultation) -> None:
        """Another client: their entries, from the first page (never the page the previous
        client was left on, where the first Space would tick a finding out of sight)."""
        for findings in self.query(FindingList):
            findings.load(state)
        for form in self.query(FmsForm):
            form.load(state)
        if self.page_ids:
            self.run_worker(self.show_page(self.page_ids[0], focus=True),
                            group="first-page", exclusive=True)

    def show_result(self, result: Result | None) -> None:
        self.query_one(LiveResults).show_result(result, len(self.state.errors))

    @on(SelectionList.SelectedChanged, ".findings")
    def _findings(self, event: SelectionList.SelectedChanged) -> None:
        findings = event.selection_list
        assert isinstance(findings, FindingList)
        group = findings.group
        self.state.set_group(group.assessment, group.side, findings.offered, findings.selected)
        self.post_message(ConsultationChanged(edited=event.time))

    # --- pages --------------------------------------------------------------------------
    async def show_page(self, page_id: str, focus: bool = True) -> None:
        """Show a page (made on first use) and put the focus in it at once, so keys typed
        straight after the page key land in the page."""
        self.query_one("#pages", TabbedContent).active = page_id
        await self.ensure_page(page_id)
        if focus:
            pane = self.query_one(f"#{page_id}", TabPane)
            for scroll in pane.query(VerticalScroll):
                scroll.scroll_home(animate=False)
            first = next((w for w in pane.query("*") if w.focusable), None)
            if first is not None:
                self.set_focus(first)

    @on(TabbedContent.TabActivated, "#pages")
    async def _activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id:
            await self.ensure_page(event.pane.id)

    async def focus_entry(self) -> None:
        tabs = self.query_one("#pages", TabbedContent)
        if tabs.active:
            await self.show_page(tabs.active)

    async def action_page(self, n: int) -> None:
        if 1 <= n <= len(self.page_ids):
            await self.show_page(self.page_ids[n - 1])

    async def action_next_page(self, step: int = 1) -> None:
        tabs = self.query_one("#pages", TabbedContent)
        index = self.page_ids.index(tabs.active) if tabs.active in self.page_ids else 0
        await self.show_page(self.page_ids[(index + step) % len(self.page_ids)])

    async def action_previous_page(self) -> None:
        await self.action_next_page(-1)

    def palette_commands(self) -> list[Command]:
        out: list[Command] = [(f"Page: {p.label}", f"{p.title}: enter its findings",
                               lambda i=f"page-{p.assessment}": self.show_page(i))
                              for p in self.pages]
        if self.fms_label:
            out.append((f"Page: {self.fms_label}", "Functional Movement Screen scores",
                        lambda: self.show_page(f"page-{FMS}")))
        return out
