"""Key bindings as data: the app's bindings, the help screen and the footer read this.

Global actions use F-keys, ctrl+keys and escape, which work even while an
input field has focus (a focused Input swallows letters).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Key:
    keys: str
    action: str
    description: str
    show: bool = True
    priority: bool = False

    @property
    def display(self) -> str:
        return " / ".join(key_words(k) for k in self.keys.split(","))

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.description, show=self.show,
                       priority=self.priority)


def key_words(key: str) -> str:
    """A key as people write it: 'ctrl+pagedown' -> 'Ctrl+PgDn', 'f1' -> 'F1'."""
    words = {"ctrl": "Ctrl", "shift": "Shift", "alt": "Alt", "escape": "Esc",
             "pagedown": "PgDn", "pageup": "PgUp", "enter": "Enter", "space": "Space"}
    return "+".join(words.get(part, part.upper() if len(part) <= 3 else part.capitalize())
                    for part in key.split("+"))


GLOBAL = (
    Key("f1", "app.help", "Help"),
    Key("f2", "app.go('clients')", "Clients", show=False),
    Key("f3", "app.go('client')", "Client"),
    Key("f4", "app.go('assess')", "Assess"),
    Key("f5", "app.go('results')", "Results"),
    Key("f6", "app.go('program')", "Program"),
    Key("f7", "app.what_if", "What if", show=False),
    Key("f8", "app.why_not", "Why not", show=False),
    Key("f9", "app.export", "Export"),
    Key("ctrl+r", "app.replay", "Replay", show=False),
    Key("ctrl+l", "app.lessons", "Lessons", show=False),
    Key("ctrl+s", "app.save", "Save", priority=True),
    Key("ctrl+n", "app.new_client", "New client", show=False, priority=True),
    Key("ctrl+o", "app.go('clients')", "Open a client", show=False),
    Key("ctrl+t", "app.toggle_theme", "Light/dark", show=False),
    Key("ctrl+q", "app.quit", "Quit", show=False, priority=True),
)

# Never cut from the footer, however narrow the terminal (see widgets.footer).
ESSENTIAL = frozenset({"app.go('program')", "app.export", "app.save"})

# Focus moves at once, before the keys typed after Tab are delivered: as ordinary
# (bubbling) bindings they could land in the field being left when typing fast.
FOCUS = (
    Key("tab", "app.focus_next", "Next field", show=False, priority=True),
    Key("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
)

# Priority: checked before the focused widget, so they work from a text field or a list.
PAGES = (
    Key("ctrl+pagedown,alt+right", "next_page", "Next page", show=False, priority=True),
    Key("ctrl+pageup,alt+left", "previous_page", "Previous page", show=False, priority=True),
)

# Shown on the help screen only: what Textual's widgets already do.
WIDGETS = (
    ("Tab / Shift+Tab", "Move between fields and lists"),
    ("Up / Down", "Move in a list or tree"),
    ("Space", "Tick or untick the highlighted finding or option"),
    ("Enter", "Open: a client, or the reasoning chain of a conclusion"),
    ("Left / Right", "Switch pages when the page tabs have focus"),
    ("Left / Right, Space", "A condition's status (Health page): move, then choose"),
    ("1-9", "Jump to an assessment page (when no input field has focus)"),
    ("Ctrl+P", "Command palette: every action, searchable"),
    ("Esc", "Back / close"),
)
