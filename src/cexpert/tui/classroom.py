"""The app as one browser session of `cexpert serve`: run by textual-serve, one process per
browser, with no terminal of its own (textual-serve's web driver talks through pipes).

    python -m cexpert.tui.classroom [--demo] [--projector] [--clients DIR] [--rules PATH]

`--demo` is the classroom: the shipped teaching cases, read-only (nothing is saved, no
client folder is read, quitting never asks to save). `--projector` starts in the
high-contrast theme. With `CEXPERT_SCREEN_LOG=DIR` set (the browser tests do), the app
writes its screen as plain text to DIR/screen-PID.txt whenever it changes: an oracle for
a test that cannot read the canvas the browser draws on.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from textual.app import App
from textual.theme import Theme

#: High contrast for a projector at the back of a room: white and yellow on black,
#: no tinted surfaces that wash out, a strong focus colour. Large text is the browser's
#: font size (`cexpert serve --projector` serves the page at 28 px).
PROJECTOR = Theme(
    name="projector", primary="#ffff00", secondary="#00ffff", accent="#ffff00",
    foreground="#ffffff", background="#000000", surface="#000000", panel="#1a1a1a",
    success="#00ff00", warning="#ffaf00", error="#ff5f5f", boost="#333333", dark=True,
    variables={"block-cursor-foreground": "#000000", "block-cursor-background": "#ffff00",
               "footer-key-foreground": "#ffff00", "input-selection-background": "#ffff00 40%",
               "border": "#ffffff", "border-blurred": "#aaaaaa"},
)

SCREEN_LOG = "CEXPERT_SCREEN_LOG"


def screen_text(app: App) -> str:
    """What the app shows now, as plain text, one line per row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


class ScreenLog:
    """Writes the screen as text to a file whenever it changes (atomically: tmp + rename)."""

    def __init__(self, app: App, folder: Path):
        self.app = app
        self.path = folder / f"screen-{os.getpid()}.txt"
        self.last = ""

    def start(self) -> None:
        self.app.set_interval(0.2, self.write)

    def write(self) -> None:
        try:
            text = screen_text(self.app)
        except Exception:  # between screens: try again on the next tick
            return
        if text != self.last:
            self.last = text
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(text, encoding="utf-8")
            temporary.replace(self.path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cexpert.tui.classroom")
    parser.add_argument("--demo", action="store_true")
    parser.add_argument("--projector", action="store_true")
    parser.add_argument("--clients", default="clients")
    parser.add_argument("--rules", action="append")
    args = parser.parse_args(argv)

    from cexpert.language import diagnostics as diag
    from cexpert.service import Service, load_kb
    from cexpert.tui.app import make_app

    loaded = load_kb(None if args.demo else args.rules)  # the demo: shipped rules only
    if loaded.kb is None:
        sys.stderr.write(diag.render_text(loaded.diagnostics, loaded.sources))
        return 1
    app = make_app(Service(loaded.kb), clients_dir=args.clients, demo=args.demo,
                   projector=args.projector)
    log = os.environ.get(SCREEN_LOG)
    if log:
        app.screen_log = ScreenLog(app, Path(log))
    return int(app.run() or 0)


if __name__ == "__main__":
    sys.exit(main())
