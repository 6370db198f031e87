"""Reading a file a user named: a regular file, of a bounded size, decoded as UTF-8.

Rule files, case files and expectation files are data from anywhere (a shared
folder, a download), so reading one must neither hang (a FIFO, a terminal), nor
exhaust memory (`/dev/zero`, a 1 GB file), nor fail with a bare codec message:
a file that is not UTF-8 is refused with the line and column of its first bad
byte, counted as the parser counts them.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024

#: A rule file of 45,000 rules is about 5 MB; checking costs ~100 bytes of memory per
#: byte of rules, so the cap keeps one file within about a gigabyte.
RULE_FILE_LIMIT = 10 * MB
#: A case file is a client's intake: a few kilobytes.
CASE_FILE_LIMIT = 1 * MB
#: An expectation file states part of one consultation's JSON.
EXPECTATION_FILE_LIMIT = 4 * MB


@dataclass(frozen=True)
class NotUtf8:
    """Where decoding stopped: 1-based line and column (in characters), and the text
    with each bad byte shown as U+FFFD, for an excerpt with a caret."""

    byte: int  # its offset
    value: int  # the byte itself
    line: int
    column: int
    text: str


class ReadProblem(Exception):
    """A file that cannot be read as text; `message` says why in words, `not_utf8`
    where decoding failed when that is the reason."""

    def __init__(self, message: str, not_utf8: NotUtf8 | None = None):
        super().__init__(message)
        self.message = message
        self.not_utf8 = not_utf8


def read_text(path: str | Path, limit: int, what: str = "file") -> str:
    """The text of `path`; raise ReadProblem for anything but a regular UTF-8 file of
    at most `limit` bytes. Never blocks on a FIFO or a device."""
    data = read_bytes(path, limit, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        where = locate(data, error.start)
        raise ReadProblem(
            f"this {what} is not UTF-8 text: byte 0x{where.value:02x} at line "
            f"{where.line}, column {where.column} cannot be decoded", where) from None


def read_bytes(path: str | Path, limit: int, what: str = "file") -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise ReadProblem(f"cannot read the {what}: {error.strerror or error}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise ReadProblem(f"this {what} is {_kind(info.st_mode)}, not a regular file")
        if info.st_size > limit:
            raise ReadProblem(f"this {what} is {_size(info.st_size)}; the limit is "
                              f"{_size(limit)}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(descriptor, min(limit + 1 - total, MB))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:  # it grew while being read
            raise ReadProblem(f"this {what} is larger than the limit of {_size(limit)}")
        return b"".join(chunks)
    except OSError as error:
        raise ReadProblem(f"cannot read the {what}: {error.strerror or error}") from None
    finally:
        os.close(descriptor)


def locate(data: bytes, bad: int) -> NotUtf8:
    """Line and column of byte `bad` as the parser counts them (CRLF and CR are one
    line break; a byte-order mark is no part of the first line)."""
    prefix = data[:bad].decode("utf-8").removeprefix("\ufeff")
    folded = prefix.replace("\r\n", "\n").replace("\r", "\n")
    line = folded.count("\n") + 1
    column = len(folded) - (folded.rfind("\n") + 1) + 1
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return NotUtf8(bad, data[bad], line, column, text.replace("\r\n", "\n").replace("\r", "\n"))


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _size(count: int) -> str:
    if count >= 1024 * MB:
        return f"{count / (1024 * MB):.1f} GB"
    if count >= MB:
        return f"{count / MB:.1f} MB"
    return f"{count:,} bytes"
