"""Case files on disk: read with a stamp, saved atomically, never over someone else's edit.

A case file is client health data that a trainer edits by hand and in the TUI,
sometimes in two sessions at once. So a save

- never tears: the text goes to a temporary file in the same folder, is flushed
  to disk (fsync), renamed over the old file (`os.replace`, atomic on POSIX) and
  the folder is flushed too; when any step fails the old file is left as it was
  and the error says which step failed and why, in words;
- never overwrites an edit made since the file was opened: the file's content
  hash is recorded when it is read (`Stamp`) and checked, under a lock on the
  folder, just before the rename; a changed file is `ChangedOnDisk`;
- never writes through a symbolic link to a file elsewhere without being told to
  (`SymlinkRefused` names the target; `follow_link=True` saves to the target);
- creates new files 0600 and new folders 0700 (health data), and keeps the mode
  of a file it replaces.

Reading is bounded: a FIFO, a device or a huge file is refused with a reason,
never read (`/dev/zero` or a FIFO in `clients/` would hang the client picker).
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

try:  # POSIX: a lock on the folder makes check-then-rename one step between sessions
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

MAX_BYTES = 1_000_000  # far above any hand-written case file; a bigger file is not one
FILE_MODE = 0o600
FOLDER_MODE = 0o700


class CaseFileError(Exception):
    """A case file that could not be read or saved; the message says why, in words."""


class SaveError(CaseFileError):
    """The save failed; the file on disk is as it was before the save."""


class ChangedOnDisk(SaveError):
    """The file was changed (or created) by someone else since it was opened."""

    def __init__(self, path: Path, created: bool = False):
        self.path = path
        what = "was created by another program" if created else "was changed on disk"
        super().__init__(f"{path} {what} since you opened it: not saved, so that "
                         "change is not lost. Reload it, or save yours under another name")


class SymlinkRefused(SaveError):
    """The case file is a symbolic link: saving would replace the file it points to."""

    def __init__(self, path: Path, target: Path):
        self.path = path
        self.target = target
        super().__init__(f"{path} is a link to {target}: not saved there without asking. "
                         f"Save to {target} itself, or under another name")


@dataclass(frozen=True)
class Stamp:
    """What a case file held when it was read or written: its content hash and size."""

    sha256: str
    size: int

    @classmethod
    def of(cls, data: bytes) -> Stamp:
        return cls(hashlib.sha256(data).hexdigest(), len(data))


@dataclass(frozen=True)
class Saved:
    """A finished save: where, what is now on disk, and a warning if durability is unsure."""

    path: Path
    stamp: Stamp
    warning: str | None = None


# --- reading -----------------------------------------------------------------------------
def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """A regular file's bytes, at most `limit`; CaseFileError for anything else."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise CaseFileError(f"cannot read {path}: {_why(error)}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise CaseFileError(f"{path} is a folder, not a case file")
        if not stat.S_ISREG(info.st_mode):
            raise CaseFileError(f"{path} is not a regular file (a device, pipe or socket): "
                                "not read")
        if info.st_size > limit:
            raise CaseFileError(f"{path} is {info.st_size:,} bytes: too big for a case file "
                                f"(at most {limit:,})")
        chunks, size = [], 0
        while chunk := os.read(fd, 65536):
            size += len(chunk)
            if size > limit:
                raise CaseFileError(f"{path} is too big for a case file (over {limit:,} "
                                    "bytes)")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        raise CaseFileError(f"cannot read {path}: {_why(error)}") from None
    finally:
        with suppress(OSError):  # read-only: nothing to lose
            os.close(fd)


def read_case_file(path: Path) -> tuple[str, Stamp]:
    """The text of a case file and its stamp, from one read (so they agree)."""
    data = read_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise CaseFileError(f"{path} is not UTF-8 text (byte {error.start + 1}, line {line})"
                            ) from None
    return text, Stamp.of(data)


def current_stamp(path: Path) -> Stamp | None:
    """The stamp of what `path` holds now, or None if there is no file there."""
    try:
        return Stamp.of(read_bytes(path))
    except CaseFileError:
        if not os.path.lexists(path):
            return None
        raise


# --- saving ------------------------------------------------------------------------------
ANY = Stamp("any", -1)  # `expected=ANY`: replace whatever is there (an explicit Save as)


def save_case_file(path: Path, text: str, expected: Stamp | None,
                   follow_link: bool = False) -> Saved:
    """Write `text` to `path` atomically.

    `expected` is the stamp recorded when the file was opened (None: the file must
    not exist yet, e.g. a new client; ANY: the trainer chose to replace it). Raises
    ChangedOnDisk, SymlinkRefused or SaveError; after any of them the old file is
    exactly as it was."""
    path = Path(path)
    if os.path.islink(path):
        target = Path(os.path.realpath(path))
        if not follow_link:
            raise SymlinkRefused(path, target)
        path = target
    data = text.encode("utf-8")
    folder = path.parent if str(path.parent) else Path(".")
    _make_folder(folder)
    with _locked(folder) as folder_fd:
        _check_unchanged(path, expected)
        mode = _mode_to_keep(path)
        temp = _write_temp(folder, path.name, data, mode)
        try:
            _step("replacing the old file", os.replace, temp, path)
        except SaveError:
            _discard(temp)
            raise
        warning = None
        try:
            os.fsync(folder_fd)
        except OSError as error:
            warning = (f"Saved {path}, but the folder could not be flushed to disk "
                       f"({_why(error)}): if the machine loses power now the old version "
                       "may come back")
    return Saved(path, Stamp.of(data), warning)


def _make_folder(folder: Path) -> None:
    if folder.is_dir():
        return
    for part in (folder, *folder.parents):
        if os.path.lexists(part) and not part.is_dir():
            raise SaveError(f"Not saved: {part} is a file, not a folder: choose another folder")
    try:
        folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    except OSError as error:
        raise SaveError(f"Not saved: cannot make the folder {folder}: {_why(error)}") from None


@contextmanager
def _locked(folder: Path) -> Iterator[int]:
    """The folder, opened (to fsync it) and locked against other cexpert saves in it."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as error:
        raise SaveError(f"Not saved: cannot open the folder {folder}: {_why(error)}") from None
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        with suppress(OSError):  # the save is done (or has failed with its own reason)
            os.close(fd)  # closing releases the lock


def _check_unchanged(path: Path, expected: Stamp | None) -> None:
    if expected is ANY:
        return
    try:
        now = current_stamp(path)
    except CaseFileError as error:
        raise SaveError(f"Not saved: {error}") from None
    if now is None:
        return  # nothing there (deleted since it was opened): nothing to lose
    if expected is None:
        raise ChangedOnDisk(path, created=True)
    if now != expected:
        raise ChangedOnDisk(path)


def _mode_to_keep(path: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return FILE_MODE


def _write_temp(folder: Path, name: str, data: bytes, mode: int) -> Path:
    """The new text in a temporary file beside the target, flushed to disk."""
    try:
        fd, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".saving")
    except OSError as error:
        raise SaveError(f"Not saved: cannot create a file in {folder}: {_why(error)}; "
                        "the old file is unchanged") from None
    temp = Path(temp_name)
    written = False
    try:
        view = memoryview(data)
        while view:
            view = view[_step("writing", os.write, fd, view):]
        if mode != FILE_MODE:
            _step("setting the file's permissions", os.fchmod, fd, mode)
        _step("flushing to disk", os.fsync, fd)
        written = True
    except SaveError:
        _discard(temp)
        raise
    finally:
        try:
            os.close(fd)
        except OSError as error:
            if written:  # else the error being raised already says what failed
                _discard(temp)
                raise SaveError(f"Not saved: closing the new file failed ({_why(error)}); "
                                "the old file is unchanged") from None
    return temp


def _step(doing: str, call, *args):
    try:
        return call(*args)
    except OSError as error:
        raise SaveError(f"Not saved: {doing} failed ({_why(error)}); the old file is "
                        "unchanged") from None


def _discard(temp: Path) -> None:
    with suppress(OSError):  # at worst a leftover ".name.*.saving"; the old file is intact
        os.unlink(temp)


def _why(error: OSError) -> str:
    """An OSError in words a trainer can act on."""
    words = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EROFS: "the disk is read-only",
        errno.EACCES: "no permission",
        errno.EPERM: "not permitted",
        errno.ENOENT: "no such file or folder",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EISDIR: "it is a folder",
        errno.EIO: "the disk reported an input/output error",
    }
    reason = words.get(error.errno or 0, error.strerror or str(error))
    where = f" ({error.filename})" if error.filename else ""
    return reason + where
