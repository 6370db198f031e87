"""The consultation TUI (Textual). Imported only when `cexpert` runs without a subcommand."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def run(case: str | None = None, clients: str | Path = "clients",
        rules: Sequence[str] | None = None, db: str | None = None) -> int:
    """Open the TUI; return an exit code (1: knowledge base errors, 2: unusable case file)."""
    from cexpert.engine.case import CaseError
    from cexpert.language import diagnostics as diag
    from cexpert.service import Service, load_kb

    loaded = load_kb(rules)
    if loaded.kb is None:
        sys.stderr.write(diag.render_text(loaded.diagnostics, loaded.sources))
        return 1
    service = Service(loaded.kb, rules)
    if case is not None and Path(case).exists():
        from cexpert.tui.state import Consultation

        try:
            Consultation.from_file(service.kb, case)
        except CaseError as error:
            sys.stderr.write(f"error: the case file cannot be used\n{error}\n")
            return 2
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        sys.stderr.write("error: the consultation TUI needs a terminal; for a report use "
                         "`cexpert infer CASE.toml`\n")
        return 2
    from cexpert.tui.app import make_app
    from cexpert.tui.records import database_for_tui, import_marker

    app = make_app(service, case_path=case, clients_dir=clients, db=database_for_tui(db),
                   import_marker=import_marker())
    code = app.run()
    if app.crash is not None:
        from cexpert.tui.recovery import CRASH_EXIT

        crash = app.crash
        sys.stderr.write(f"cexpert: a bug ({crash.summary}); it is not your input.\n")
        if crash.log is not None:
            sys.stderr.write(f"  details for a bug report: {crash.log}\n")
        if crash.copy is not None:
            sys.stderr.write(f"  your consultation was kept in: {crash.copy}\n")
        return CRASH_EXIT
    return int(code or 0)
