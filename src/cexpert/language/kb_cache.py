"""A checked knowledge base kept between runs, so a consultation need not parse.

Parsing and checking the shipped rules costs a cold `cexpert infer` more than all
its other work; the result depends only on the rule files, the paths they were
given as, the profile and cexpert itself. So the knowledge base and its
diagnostics are kept under the parser tables' policy (issue 10, see
`parser_tables`): in the user cache folder (0700, ours, checked before every read),
written atomically 0600, ignored when anything is unexpected.

The file is a pickle read by an unpickler that admits no global but the frozen
dataclasses of `cexpert.language` (the knowledge base, its rules, conditions,
spans and diagnostics): loading it builds those and nothing else, so a planted
file cannot run code. It is named by a hash of what was asked (paths, label,
profile, working folder) and stamped with a hash of cexpert's own modules and
grammar; inside, every file the knowledge base was read from is listed with the
sha256 of its bytes, and each is read and hashed again before the entry is used
(directory roots listed again too), so an edited, added or removed rule file
means a fresh parse. A stale, corrupt or foreign file is ignored and rewritten.
CEXPERT_KB_CACHE=off turns the cache off (every load parses and checks).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import io
import os
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cexpert.language.private_files import private_folder, read_private

try:  # CPython's own SHA-256, as the standard library's random takes _sha512: hashlib
    # loads OpenSSL first (≈ 4 ms of a cold start) for the ≈ 200 kB a cached load hashes
    from _sha256 import sha256  # Python 3.11
except ImportError:
    try:
        from _sha2 import sha256  # 3.12 and later
    except ImportError:
        from hashlib import sha256

FORMAT = 1
KEEP = 32  # entries kept; the least recently used beyond that are removed on a write
_ADMITTED_MODULES = ("cexpert.language.knowledge", "cexpert.language.span",
                     "cexpert.language.diagnostics")
_code_stamp: str | None = None


def folder() -> Path | None:
    """`<user cache>/cexpert/kb`, beside the parser tables; None (no cache) when the
    environment says CEXPERT_KB_CACHE=off."""
    if os.environ.get("CEXPERT_KB_CACHE", "").lower() == "off":
        return None
    from cexpert.language.parser_tables import default_folder

    parser = default_folder()
    return parser.parent / "kb" if parser is not None else None


def code_stamp() -> str:
    """cexpert's modules and grammar, by path, size and modification time (what
    Python itself checks before reusing a module's bytecode). Listed by os.walk, not
    Path.rglob and Path sorting: a third of the time, ≈ 3 ms of every cached load."""
    global _code_stamp
    if _code_stamp is None:
        from cexpert.resources import grammar_path

        package = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
        digest = sha256(str(FORMAT).encode())
        entries = sorted(os.path.join(folder, name) for folder, _, names in os.walk(package)
                         for name in names if name.endswith(".py"))
        entries.append(str(grammar_path()))
        for path in entries:
            info = os.stat(path)
            digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
        _code_stamp = digest.hexdigest()
    return _code_stamp


@contextlib.contextmanager
def paused_collector():
    """No garbage collection inside (then as it was): building a large structure that
    is all kept, the collector only walks the growing heap again and again."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextlib.contextmanager
def kept_for_the_process():
    """For a command that owns its process (the CLI's): no collection while the
    knowledge base is built, then all of it frozen out of later collections, which
    would only walk it again. What an earlier round froze (under --watch) is unfrozen
    and collected first, or its cycles would stay frozen, round after round."""
    if gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()
    with paused_collector():
        yield
        gc.freeze()


def request_key(paths: Sequence[str | Path], label: str | None, profile: str | None) -> str:
    asked = [str(p) for p in paths] + [str(Path(p).resolve()) for p in paths]
    text = "\0".join([str(FORMAT), os.getcwd(), repr(label), repr(profile), *asked])
    return sha256(text.encode()).hexdigest()


class _Admitting(pickle.Unpickler):
    """Builds our frozen dataclasses; refuses every other global (so no code runs)."""

    def find_class(self, module: str, name: str) -> Any:
        if module in _ADMITTED_MODULES:
            import importlib

            found = getattr(importlib.import_module(module), name, None)
            if isinstance(found, type) and dataclasses.is_dataclass(found):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not admitted")


def read(paths: Sequence[str | Path], label: str | None, profile: str | None,
         expand: Callable[[Path], list[Path] | None]) -> tuple[Any, dict[str, str]] | None:
    """(payload, sources) when a verified entry exists, else None.

    `expand(root)` lists a root's rule files as loading would (None on any problem)."""
    where = folder()
    if where is None or not private_folder(where):
        return None
    path = where / f"kb-{request_key(paths, label, profile)[:40]}.pickle"
    data = read_private(path)
    if data is None:
        return None
    try:
        with paused_collector():  # nothing unpickled is garbage: 0.47 s -> 0.16 s at 10k
            entry = _Admitting(io.BytesIO(data)).load()
        if not (isinstance(entry, dict) and entry.get("code") == code_stamp()):
            return None
        for root, listed in entry["roots"]:
            if [str(p) for p in (expand(Path(root)) or ())] != listed:
                return None
        for display, digest in entry["files"]:
            raw = _read_plain(display)
            if raw is None or sha256(raw).hexdigest() != digest:
                return None
        with contextlib.suppress(OSError):  # recently used: kept when others are pruned
            os.utime(path)
        return entry["payload"], dict(entry["sources"])
    except Exception:  # stale, truncated, foreign: parse afresh
        return None


def write(paths: Sequence[str | Path], label: str | None, profile: str | None,
          roots: list[tuple[str, list[str]]], sources: dict[str, str], payload: Any) -> None:
    """Keep `payload` for these paths, stamped with every file's content hash."""
    where = folder()
    if where is None:
        return
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return
    if not private_folder(where):
        return
    files = []
    for display in sources:
        raw = _read_plain(display)
        if raw is None:
            return
        files.append((display, sha256(raw).hexdigest()))
    entry = {"code": code_stamp(), "roots": roots, "files": files, "sources": sources,
             "payload": payload}
    try:
        data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # something not plain in the payload: do not keep it
        return
    import tempfile

    path = where / f"kb-{request_key(paths, label, profile)[:40]}.pickle"
    try:
        descriptor, temporary = tempfile.mkstemp(dir=where, prefix=".kb-")
    except OSError:
        return
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
    _prune(where)


def _prune(where: Path) -> None:
    """Keep the KEEP most recently used entries (every KB path asked for, a test's
    temporary folders included, would otherwise leave one for good)."""
    try:
        entries = sorted(((p.stat().st_mtime_ns, p) for p in where.glob("kb-*.pickle")),
                         reverse=True)
    except OSError:
        return
    for _, old in entries[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _read_plain(display: str) -> bytes | None:
    try:
        with open(display, "rb") as handle:
            return handle.read()
    except OSError:
        return None
