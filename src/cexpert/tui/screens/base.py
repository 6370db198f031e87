"""What every consultation screen shares: header, referral banner, footer, live data.

Screens read the app's `consultation` (the state being edited) and `result`
(the newest conclusions) and refresh when either changes; a screen that is not
on display refreshes when it is shown again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Tabs

from cexpert.engine.result import Result
from cexpert.tui.state import Consultation
from cexpert.tui.widgets.banner import ReferralBanner
from cexpert.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from cexpert.tui.app import CexpertApp

Command = tuple[str, str, object]  # (title, help, callback)


class BaseScreen(Screen):
    """A screen of the consultation, kept up to date with the app's state and result."""

    SHOWS_RESULT = True
    _resumed = False  # shown, and not suspended since

    @property
    def capp(self) -> CexpertApp:
        return self.app  # type: ignore[return-value]

    @property
    def state(self) -> Consultation:
        return self.capp.consultation

    def compose(self) -> ComposeResult:
        self._size_classes()
        yield Header()
        yield ReferralBanner()
        yield from self.body()
        yield KeysFooter(compact=True)

    def body(self) -> ComposeResult:
        yield from ()

    def _size_classes(self) -> None:
        """The breakpoint classes (-narrow, -wide) for the terminal's size, before the
        widgets are styled. Textual sets them on the screen's first Resize, after it has
        styled, laid out and painted the screen once without them: a wrong first frame
        and the whole screen styled and laid out twice. (The same computation as
        `Screen._on_resize`, which Textual keeps inline, with no method to call.)"""
        width, height = self.app.size
        horizontal = (self.app.HORIZONTAL_BREAKPOINTS if self.HORIZONTAL_BREAKPOINTS is None
                      else self.HORIZONTAL_BREAKPOINTS) or []
        vertical = (self.app.VERTICAL_BREAKPOINTS if self.VERTICAL_BREAKPOINTS is None
                    else self.VERTICAL_BREAKPOINTS) or []
        wanted = (self._get_breakpoint_classes(width, horizontal)
                  | self._get_breakpoint_classes(height, vertical))
        self.update_classes({name: name in wanted for _, name in (*horizontal, *vertical)},
                            animate=False)

    async def _dispatch_message(self, message: Message) -> None:
        """A bug in a screen's handler goes to the app's error screen; the screen's message
        loop (which Textual would end) lives on, so the session can still be saved."""
        try:
            await super()._dispatch_message(message)
        except Exception as error:
            self.app._handle_exception(error)

    def on_mount(self) -> None:
        self._seen_state: object = None
        self._seen_result: object = None
        self.watch(self.app, "result", self._result_changed, init=False)
        self.watch(self.app, "consultation", self._state_changed, init=False)
        self.call_after_refresh(self.refresh_all)
        self.call_after_refresh(self._settle_focus)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if self._resumed:  # Textual sends two when a mode is first shown
            event.refresh_styles = False  # restyled at the first; nothing to do again
        self._resumed = True
        self.refresh_all()
        self.call_after_refresh(self._settle_focus)

    def on_screen_suspend(self) -> None:
        self._resumed = False

    async def _settle_focus(self) -> None:
        """Start in the entries, not on the page tabs (where Space and typing do nothing)."""
        if self.is_current and (self.focused is None or isinstance(self.focused, Tabs)):
            await self.focus_entry()

    def refresh_all(self) -> None:
        if self._seen_state is not self.state:
            self._seen_state = self.state
            self.load_state(self.state)
        if self.SHOWS_RESULT and self._seen_result is not self.capp.result:
            self._seen_result = self.capp.result
            self.query_one(ReferralBanner).show_result(self.capp.result)
            self.show_result(self.capp.result)

    def _result_changed(self, _result: Result | None) -> None:
        if self.is_current:
            self.refresh_all()

    def _state_changed(self, _state: Consultation) -> None:
        if self.is_current:
            self.refresh_all()

    # --- for subclasses ---------------------------------------------------------------
    def load_state(self, state: Consultation) -> None:
        """A different consultation was opened: show its values."""

    def show_result(self, result: Result | None) -> None:
        """New conclusions arrived."""

    async def focus_entry(self) -> None:
        """Put the focus on the first thing to fill in or read."""

    def palette_commands(self) -> Iterable[Command]:
        """Command-palette entries that only make sense on this screen."""
        return ()
