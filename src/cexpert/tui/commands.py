"""Command-palette entries for every action, and for what the current screen offers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape

if TYPE_CHECKING:
    from cexpert.tui.app import CexpertApp

Entry = tuple[str, str, Callable[[], object]]


def app_commands(app: CexpertApp) -> list[Entry]:
    def go(mode: str) -> Callable[[], object]:
        return lambda: app.action_go(mode)

    return [
        ("Clients: open a client", "Pick a case file from the clients folder (F2, Ctrl+O)",
         go("clients")),
        ("Client: details, health, PAR-Q+", "Edit the client and the screening (F3)",
         go("client")),
        ("Assess: enter findings", "Assessment pages with live conclusions (F4)",
         go("assess")),
        ("Results: conclusions", "Referral, dysfunctions, muscles, FMS, conflicts (F5)",
         go("results")),
        ("Program: the session", "Phases, targets, dose and exclusions (F6)",
         go("program")),
        ("What if: toggle a finding", "Preview the difference one finding makes (F7)",
         app.action_what_if),
        ("Why not: ask about a muscle", "Which rule conditions failed (F8)",
         app.action_why_not),
        ("Export the program", "Markdown notes and an HTML handout (F9)", app.action_export),
        ("Replay the chaining", "Step through each rule firing, for teaching (Ctrl+R)",
         app.action_replay),
        ("Lessons", "The teaching course; predict first, then reveal (Ctrl+L)",
         app.action_lessons),
        ("Save the case file", "Write the consultation as TOML (Ctrl+S)", app.action_save),
        ("Save as…", "Write the case file under another name", app.action_save_as),
        ("New client", "Start an empty consultation (Ctrl+N)", app.action_new_client),
        ("Toggle light/dark theme", "Switch between the light and dark themes (Ctrl+T)",
         app.action_toggle_theme),
        ("Help: keys and screens", "Every key binding (F1)", app.action_help),
        ("Quit", "Leave cexpert, asking to save changes first (Ctrl+Q)",
         app.action_quit),
    ]


class ConsultationCommands(Provider):
    """The app's actions, then the entries of the screen the palette was opened on."""

    def _entries(self) -> Iterable[Entry]:
        app: CexpertApp = self.app  # type: ignore[assignment]
        yield from app_commands(app)
        commands = getattr(self.screen, "palette_commands", None)
        if commands is not None:
            yield from commands()

    async def discover(self) -> Hits:
        for title, help_text, callback in self._entries():
            yield DiscoveryHit(Content(title), callback, text=title, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, highlight(matcher, title), callback, text=title,
                          help=escape(help_text))


def highlight(matcher: Matcher, title: str) -> Content:
    """The title with the matched letters marked, never read as markup (user text)."""
    content = Content(title)
    _, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for offset in offsets:
        if not title[offset].isspace():
            content = content.stylize("bold underline", offset, offset + 1)
    return content
