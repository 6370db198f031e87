"""The parser's tables are cached as JSON in a folder only this user can write, and
verified before use; Lark's pickle in the shared temporary folder is never read, so
a file planted there runs nothing (issue 10)."""

from __future__ import annotations

import os
import pickle
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import lark.lark
from lark import Lark

from cexpert.language.parse import PARSER_OPTIONS
from cexpert.language.parser_tables import cache_key, load_parser
from cexpert.resources import grammar_path, rules_dir

SAMPLE = 'muscle tfl "TFL"\nrule r when heels rise then overactive tfl\n'


def lark_cache_location(shared: Path) -> str:
    """Where Lark's `cache=True` read its pickle for our grammar in folder `shared` (with
    the options as cexpert passed them before, in that order: they are part of the
    name), asked of Lark itself by recording the name it opens."""
    opened: list[str] = []

    def record(name, mode="r", **_):
        opened.append(name)
        raise FileNotFoundError(name)

    real_open, real_tempdir = lark.lark.FS.open, tempfile.tempdir
    lark.lark.FS.open, tempfile.tempdir = record, str(shared)
    try:
        Lark.open(str(grammar_path()), **PARSER_OPTIONS, strict=False, cache=True)
    except FileNotFoundError:
        pass
    finally:
        lark.lark.FS.open, tempfile.tempdir = real_open, real_tempdir
    return opened[0]


class Planted:
    """Unpickling this touches the marker file: code from a rule-file cache ran."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_planted_pickle_in_larks_shared_cache_location_never_runs(tmp_path):
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    marker = tmp_path / "payload-ran"
    planted = Path(lark_cache_location(shared))
    assert planted.parent == shared
    planted.write_bytes(b"0" * 64 + b"\n" + pickle.dumps(Planted(marker)))
    env = {**os.environ, "TMPDIR": str(shared), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-m", "cexpert.cli", "check", str(rules_dir())],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()


def test_the_tables_are_cached_in_a_private_folder_as_json(tmp_path):
    folder = tmp_path / "cache" / "parser"
    load_parser(grammar_path(), PARSER_OPTIONS, folder)
    (cached,) = folder.iterdir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600
    assert cached.read_bytes().startswith(b'{"key":')  # JSON, not a pickle


def test_cached_tables_parse_as_the_grammar_does(tmp_path):
    folder = tmp_path / "parser"
    built = load_parser(grammar_path(), PARSER_OPTIONS, folder)
    loaded = load_parser(grammar_path(), PARSER_OPTIONS, folder)
    assert loaded is not built
    assert loaded.parse(SAMPLE) == Lark.open(str(grammar_path()), **PARSER_OPTIONS
                                             ).parse(SAMPLE)


def test_a_cache_file_for_another_grammar_is_not_used(tmp_path):
    folder = tmp_path / "parser"
    load_parser(grammar_path(), PARSER_OPTIONS, folder)
    (cached,) = folder.iterdir()
    text = grammar_path().read_text(encoding="utf-8")
    stale = cached.read_text(encoding="utf-8").replace(cache_key(text, PARSER_OPTIONS),
                                                       "0" * 64)
    cached.write_text(stale, encoding="utf-8")
    assert load_parser(grammar_path(), PARSER_OPTIONS, folder).parse(SAMPLE)
    assert cache_key(text, PARSER_OPTIONS) in cached.read_text(encoding="utf-8")


def test_a_corrupt_cache_file_is_rebuilt(tmp_path):
    folder = tmp_path / "parser"
    load_parser(grammar_path(), PARSER_OPTIONS, folder)
    (cached,) = folder.iterdir()
    cached.write_text('{"key": truncated', encoding="utf-8")
    assert load_parser(grammar_path(), PARSER_OPTIONS, folder).parse(SAMPLE)


def test_a_cache_folder_others_can_write_is_never_read(tmp_path, monkeypatch):
    folder = tmp_path / "parser"
    load_parser(grammar_path(), PARSER_OPTIONS, folder)
    folder.chmod(0o777)
    read: list[str] = []
    monkeypatch.setattr("cexpert.language.parser_tables._read",
                        lambda path, key: read.append(str(path)))
    assert load_parser(grammar_path(), PARSER_OPTIONS, folder).parse(SAMPLE)
    assert read == []


def test_a_cache_file_others_can_write_is_not_used(tmp_path):
    folder = tmp_path / "parser"
    load_parser(grammar_path(), PARSER_OPTIONS, folder)
    (cached,) = folder.iterdir()
    cached.chmod(0o666)
    from cexpert.language.parser_tables import _read
    text = grammar_path().read_text(encoding="utf-8")
    assert _read(cached, cache_key(text, PARSER_OPTIONS)) is None


def test_without_a_usable_cache_folder_the_parser_is_built_in_memory(tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("", encoding="utf-8")
    assert load_parser(grammar_path(), PARSER_OPTIONS, blocked / "parser").parse(SAMPLE)
    assert load_parser(grammar_path(), PARSER_OPTIONS, None).parse(SAMPLE)
