"""Writing a file a user will read back (a formatted rule file, an export, a handout)
so that a crash or a full disk never leaves half of it: beside the file, flushed to
disk, then renamed over it. Case files have their own, stricter save
(`store/casefile.py`: a changed file refused, modes kept, the folder fsynced)."""

from __future__ import annotations

import os
from pathlib import Path


def write_text_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8, newlines as given), or leave it as it was."""
    import tempfile  # here: `cexpert check` imports this module, and writes nothing

    handle, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
