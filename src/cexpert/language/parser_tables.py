"""The parser's LALR tables, built once and kept where only this user can write.

Building the tables from `grammar/cex.lark` takes about a second, so they are
cached. Not with Lark's `cache=True`: that unpickles a file with a predictable
name in the shared temporary folder before checking anything, so a file planted
there runs code. Here the tables are JSON (loading JSON never runs code) in the
user cache folder (0700, owned by the user, checked before every read), named
and stamped with a hash of the grammar, Lark's version and the options, and
written atomically. Anything unexpected (a foreign owner, loose permissions, a
stale or corrupt file, a read-only home) means building the tables in memory.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cexpert.language.private_files import private_folder, read_private

if TYPE_CHECKING:
    from lark import Lark
# Lark (json, hashlib too) is imported where the tables are read or built, so that finding
# the cache folder (the knowledge-base cache shares it) costs a cold start none of them

FORMAT = 2  # bump when the file layout below changes


def load_parser(grammar: Path, options: dict[str, Any], folder: Path | None) -> Lark:
    """The parser for `grammar`, from the cache in `folder` when it holds a verified
    copy, else built (and saved there when the folder is private to this user)."""
    from lark import Lark

    text = grammar.read_text(encoding="utf-8")
    key = cache_key(text, options)
    path = folder / f"cex-{key[:32]}.json" if folder is not None else None
    if path is not None and private_folder(folder):
        cached = _read(path, key)
        if cached is not None:
            return cached
    built = Lark(text, **options)
    if path is not None and private_folder(folder, create=True):
        _write(path, key, built)
    return built


def default_folder() -> Path | None:
    """`<user cache>/cexpert/parser`, or None when there is no usable home.

    On Linux this is platformdirs' rule ($XDG_CACHE_HOME if absolute, else ~/.cache)
    without importing platformdirs, a fifth of a cold start's parser load."""
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not os.path.isabs(base):
            base = os.path.expanduser("~/.cache")
        return Path(base) / "cexpert" / "parser" if os.path.isabs(base) else None
    try:
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("cexpert", appauthor=False)) / "parser"
    except Exception:  # no home, no platformdirs: build in memory
        return None


def cache_key(grammar: str, options: dict[str, Any]) -> str:
    """What the tables depend on: the grammar, Lark's version, the options, the format."""
    import hashlib
    import json

    import lark

    stamp = json.dumps([FORMAT, lark.__version__, sorted(options.items()), grammar])
    return hashlib.sha256(stamp.encode()).hexdigest()


def _read(path: Path, key: str) -> Lark | None:
    import json

    from lark import Lark

    raw = read_private(path)
    if raw is None:
        return None
    try:
        document = json.loads(raw)
        if not isinstance(document, dict) or document.get("key") != key:
            return None
        return Lark._load_from_dict(_int_keys(document["data"]), _memo(document["memo"]))
    except Exception:  # stale, truncated or foreign content: rebuild
        return None


def _write(path: Path, key: str, built: Lark) -> None:
    """Write atomically (a temporary file in the folder, then rename), 0600."""
    import json

    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    data, memo = built.memo_serialize([TerminalDef, Rule])
    text = json.dumps({"key": key, "data": data, "memo": memo}, separators=(",", ":"))
    import tempfile  # only when writing: it costs a cold start ~10 ms to import

    try:
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tables-")
    except OSError:
        return
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _int_keys(data: dict) -> dict:
    """JSON keeps only string keys: the parse table's states, their actions and its
    token numbers are ints again (Lark rebuilds the action tuples itself)."""
    table = data["parser"]["parser"]
    table["states"] = {int(state): {int(token): action for token, action in actions.items()}
                       for state, actions in table["states"].items()}
    table["tokens"] = {int(number): name for number, name in table["tokens"].items()}
    return data


def _memo(memo: dict) -> dict:
    """The memo of rules and terminals, keyed by int, `empty_indices` as tuples."""
    out = {}
    for number, item in memo.items():
        options = item.get("options") if isinstance(item, dict) else None
        if isinstance(options, dict) and isinstance(options.get("empty_indices"), list):
            options["empty_indices"] = tuple(options["empty_indices"])
        out[int(number)] = item
    return out
