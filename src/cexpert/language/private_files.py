"""The one test of "ours and nobody else's" for what cexpert reads back from its user
cache (the parser tables, the checked knowledge bases): a folder or file that another
user could write is never trusted, and a symlink is never followed."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def private_folder(folder: Path, create: bool = False) -> bool:
    """The folder exists (made 0700 if `create`), is ours, and nobody else can read or
    write it; a symlink or a folder in the wrong hands is never trusted."""
    try:
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return False
    return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
            and not info.st_mode & 0o077)


def read_private(path: Path) -> bytes | None:
    """The file's bytes if it is a regular file of ours that nobody else can write
    (opened without following a symlink, checked on the open descriptor); else None."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if (not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid()
                or info.st_mode & 0o022):
            return None
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read()
    except OSError:
        return None
    finally:
        os.close(descriptor)
