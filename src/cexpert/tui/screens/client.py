"""The client: details, health conditions and the PAR-Q+ screen, from the knowledge base.

On the Health page, a ticked condition that declares statuses (`statuses controlled,
uncontrolled`) gets a row of radio buttons just below its list: "not stated" or one
of its statuses (see `widgets.status` for why radio buttons rather than more ticks).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import (
    Checkbox,
    Input,
    Label,
    RadioSet,
    SelectionList,
    TabbedContent,
    TabPane,
)

from cexpert.tui.keys import PAGES
from cexpert.tui.messages import ConsultationChanged
from cexpert.tui.screens.base import BaseScreen, Command
from cexpert.tui.state import Consultation
from cexpert.tui.vocab import PARQ_QUESTIONS, condition_statuses, group_title, grouped
from cexpert.tui.widgets.field import FieldInput
from cexpert.tui.widgets.findings import ChoiceList
from cexpert.tui.widgets.status import ConditionStatus
from cexpert.tui.widgets.tick import TickBox

PANES = (("details", "Details"), ("health", "Health"), ("parq", "PAR-Q+"))


class ClientScreen(BaseScreen):
    CSS_PATH = "client.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [k.binding() for k in PAGES]

    def body(self) -> ComposeResult:
        kb = self.capp.service.kb
        with TabbedContent(id="client-tabs"):
            with TabPane("Details", id="details"), VerticalScroll(can_focus=False):
                with Horizontal(classes="field-row"):
                    yield Label("Name", classes="field-label")
                    yield FieldInput(placeholder="Client's name", id="name", compact=True)
                with Horizontal(classes="field-row"):
                    yield Label("Age", classes="field-label")
                    yield FieldInput(placeholder="years", id="age", max_length=4, compact=True)
                    yield Label("", id="age-error", classes="field-error")
                with Horizontal(classes="field-row"):
                    yield Label("Goals", classes="field-label")
                    yield FieldInput(placeholder="separate goals with ;  e.g. run a 10k; ski",
                                id="goals", compact=True)
                yield TickBox(Content("Any equipment (unrestricted); untick to choose"),
                               True, id="unrestricted", compact=True)
                yield ChoiceList(((e.id, e.name) for e in kb.of("equipment").values()),
                                 "Equipment available", id="equipment", disabled=True)
                yield ChoiceList(((e.id, e.name) for e in kb.of("limitation").values()),
                                 "Limitations", id="limitations")
            with TabPane("Health", id="health"), VerticalScroll(can_focus=False):
                for n, (group, entries) in enumerate(grouped(kb, "condition")):
                    yield ChoiceList(((e.id, e.name) for e in entries),
                                     group_title(group) or "Conditions",
                                     id=f"conditions-{n}", classes="conditions")
                    for entry in entries:
                        statuses = condition_statuses(kb, entry.id)
                        if statuses:
                            status = ConditionStatus(entry.id, entry.name, statuses,
                                                     id=f"status-{entry.id}",
                                                     classes="condition-status")
                            status.display = False
                            yield status
                        if entry.flag("regional"):
                            regions = tuple(kb.of("region"))
                            where = ConditionStatus(
                                entry.id, entry.name, regions, what="where",
                                labels=tuple(kb.name_of("region", r).lower()
                                             for r in regions),
                                id=f"region-{entry.id}", classes="condition-region")
                            where.display = False
                            yield where
            with TabPane("PAR-Q+", id="parq"), VerticalScroll(can_focus=False):
                yield ChoiceList(((str(n), f"{n}. {q}") for n, q in
                                  enumerate(PARQ_QUESTIONS, 1)),
                                 "PAR-Q+: tick each question answered yes", id="parq-yes")
                yield TickBox(Content("A follow-up question (pages 2-3) was answered yes"),
                               id="followup", compact=True)
                yield ChoiceList(((e.id, e.name) for e in kb.of("condition").values()),
                                 "Medical clearance on record for", id="cleared")

    def load_state(self, state: Consultation) -> None:
        for ident, value in (("#name", state.name), ("#age", state.text_of("age")),
                             ("#goals", "; ".join(state.goals))):
            field = self.query_one(ident, Input)
            with field.prevent(Input.Changed):
                field.value = value
        self._show_age_error()
        unrestricted = self.query_one("#unrestricted", Checkbox)
        with unrestricted.prevent(Checkbox.Changed):
            unrestricted.value = state.equipment is None
        equipment = self.query_one("#equipment", ChoiceList)
        equipment.disabled = state.equipment is None
        equipment.set_selected(state.equipment or ())
        self.query_one("#limitations", ChoiceList).set_selected(state.limitations)
        for conditions in self.query(".conditions").results(ChoiceList):
            conditions.set_selected(state.conditions)
        self._show_statuses()
        self.query_one("#parq-yes", ChoiceList).set_selected(str(n) for n in state.parq_yes)
        followup = self.query_one("#followup", Checkbox)
        with followup.prevent(Checkbox.Changed):
            followup.value = state.followup_yes
        self.query_one("#cleared", ChoiceList).set_selected(state.cleared)
        self.show_page("details")  # another client: from the top, never the last one's page

    def _changed(self) -> None:
        self.post_message(ConsultationChanged())

    def _show_statuses(self) -> None:
        """A status row for each ticked condition that declares statuses, showing its own."""
        for row in self.query(".condition-status").results(ConditionStatus):
            row.display = row.condition in self.state.conditions
            row.show(self.state.status_of(row.condition))
        for row in self.query(".condition-region").results(ConditionStatus):
            row.display = row.condition in self.state.conditions
            row.show(self.state.region_of(row.condition))

    def _show_age_error(self) -> None:
        error = self.state.errors.get("age", "")
        self.query_one("#age-error", Label).update(Text(error))
        self.query_one("#age", Input).set_class(bool(error), "-invalid")

    @on(Input.Changed, "#name")
    def _name(self, event: Input.Changed) -> None:
        self.state.set_name(event.value)
        self.capp.update_title()
        self._changed()

    @on(Input.Changed, "#age")
    def _age(self, event: Input.Changed) -> None:
        self.state.set_age_text(event.value)
        self._show_age_error()
        self._changed()

    @on(Input.Changed, "#goals")
    def _goals(self, event: Input.Changed) -> None:
        self.state.set_goals_text(event.value)
        self._changed()

    @on(Checkbox.Changed, "#unrestricted")
    def _unrestricted(self, event: Checkbox.Changed) -> None:
        equipment = self.query_one("#equipment", ChoiceList)
        equipment.disabled = event.value
        self.state.set_equipment(None if event.value else equipment.selected)
        self._changed()

    @on(Checkbox.Changed, "#followup")
    def _followup(self, event: Checkbox.Changed) -> None:
        self.state.set_followup(event.value)
        self._changed()

    @on(SelectionList.SelectedChanged)
    def _lists(self, event: SelectionList.SelectedChanged) -> None:
        selected = event.selection_list.selected
        ident = event.selection_list.id or ""
        if ident == "equipment":
            self.state.set_equipment(selected)
        elif ident == "limitations":
            self.state.set_limitations(selected)
        elif ident == "cleared":
            self.state.set_cleared(selected)
        elif ident == "parq-yes":
            self.state.set_parq(int(q) for q in selected)
        elif ident.startswith("conditions-"):
            chosen = [c for lst in self.query(".conditions").results(ChoiceList)
                      for c in lst.selected]
            self.state.set_conditions(chosen)
            self._show_statuses()
        else:
            return
        self._changed()

    @on(RadioSet.Changed, ".condition-status")
    def _status(self, event: RadioSet.Changed) -> None:
        row = event.radio_set
        assert isinstance(row, ConditionStatus)
        revision = self.state.revision
        self.state.set_condition_status(row.condition, row.status_at(event.index))
        if self.state.revision != revision:
            self._changed()

    @on(RadioSet.Changed, ".condition-region")
    def _region(self, event: RadioSet.Changed) -> None:
        row = event.radio_set
        assert isinstance(row, ConditionStatus)
        revision = self.state.revision
        self.state.set_condition_region(row.condition, row.status_at(event.index))
        if self.state.revision != revision:
            self._changed()

    def action_next_page(self, step: int = 1) -> None:
        tabs = self.query_one("#client-tabs", TabbedContent)
        ids = [p for p, _ in PANES]
        self.show_page(ids[(ids.index(tabs.active) + step) % len(ids)])

    def action_previous_page(self) -> None:
        self.action_next_page(-1)

    def focus_name(self) -> None:
        self.show_page("details")

    def show_page(self, pane: str) -> None:
        """Show a page with the focus on its first field (at its top), wherever it was."""
        self.query_one("#client-tabs", TabbedContent).active = pane
        self._focus_first(pane)

    def _focus_first(self, pane_id: str) -> None:
        pane = self.query_one(f"#{pane_id}", TabPane)
        first = next((w for w in pane.query("*") if w.focusable), None)
        for scroll in pane.query(VerticalScroll):
            scroll.scroll_home(animate=False)
        if first is not None:
            self.set_focus(first)

    async def focus_entry(self) -> None:
        self._focus_first(self.query_one("#client-tabs", TabbedContent).active)

    def palette_commands(self) -> list[Command]:
        return [(f"Client page: {title}", f"Show the {title} page of the client",
                 lambda p=pane: self.show_page(p)) for pane, title in PANES]
