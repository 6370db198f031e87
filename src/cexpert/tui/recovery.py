"""What survives a bug: the traceback in a log file, the consultation in a recovery copy.

Written the moment an unexpected exception reaches the app, before anything is
drawn, so that even if the error screen itself cannot be shown nothing the
trainer entered is lost. Both go to user-only folders (the consultation is
health data; a traceback can quote it).
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from cexpert.store.casefile import CaseFileError, save_case_file
from cexpert.tui.state import Consultation, slug

CRASH_EXIT = 70  # sysexits EX_SOFTWARE: a bug, not a problem with the rules or the case


@dataclass(frozen=True)
class Crash:
    """An unexpected exception, where its details went and where the consultation is."""

    summary: str  # "ValueError: boom"
    log: Path | None
    copy: Path | None  # the recovery copy of the consultation, if it could be written
    problem: str | None  # why the copy (or the log) could not be written


def recovery_folder() -> Path:
    return Path(platformdirs.user_state_dir("cexpert")) / "recovery"


def record(error: BaseException, state: Consultation, folder: Path | None = None) -> Crash:
    """Write the log and the recovery copy; never raises (this runs while handling a bug)."""
    folder = folder or recovery_folder()
    when = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    summary = "".join(traceback.format_exception_only(type(error), error)).strip()
    problems = []
    log = folder / f"crash-{when}.log"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(details)
    except OSError as failure:
        problems.append(f"the log could not be written ({failure.strerror or failure})")
        log = None
    copy: Path | None = folder / f"{slug(state.name)}-{when}.toml"
    try:
        save_case_file(copy, recovery_text(state), None)
    except CaseFileError as failure:
        problems.append(f"the recovery copy could not be written ({failure})")
        copy = None
    return Crash(summary, log, copy, "; ".join(problems) or None)


def recovery_text(state: Consultation) -> str:
    """The consultation as a case file, with any text not valid yet kept as comments."""
    try:
        text = state.to_toml()
    except Exception as failure:  # the bug may be in the state itself: keep what we can
        text = f"# The case file could not be written ({failure!r}); what was entered:\n" + \
            "".join(f"# {k} = {v!r}\n" for k, v in vars(state).items() if not k.startswith("_"))
    pending = [f"# {state.field_name(key)}: {state.texts.get(key, '')!r} ({message})\n"
               for key, message in state.errors.items() if key in state.texts]
    if pending:
        text += "\n# Entered but not valid yet, as typed:\n" + "".join(pending)
    source = f"# Recovered after a bug; the client's file: {state.path}\n" if state.path else \
        "# Recovered after a bug; the client had not been saved yet\n"
    return source + text
