"""The knowledge-base cache: the same knowledge base, never stale, never runs a planted file."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cexpert.language import kb_cache
from cexpert.language.load import load
from cexpert.resources import rules_dir


@pytest.fixture
def kb_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    shutil.copytree(rules_dir(), tmp_path / "rules")
    return tmp_path


def _entry(kb_dir):
    return next((kb_dir / "cache" / "cexpert" / "kb").glob("kb-*.pickle"))


def test_a_cached_load_is_the_same_knowledge_base(kb_dir):
    fresh = load(["rules"], cache=True)
    cached = load(["rules"], cache=True)
    assert fresh.files and not cached.files  # the second came from the cache
    assert cached.kb == fresh.kb == load(["rules"]).kb
    assert cached.diagnostics == fresh.diagnostics and cached.sources == fresh.sources
    assert os.stat(kb_dir / "cache" / "cexpert" / "kb").st_mode & 0o777 == 0o700
    assert os.stat(_entry(kb_dir)).st_mode & 0o777 == 0o600


def test_an_edited_added_or_removed_rule_file_is_parsed_again(kb_dir):
    load(["rules"], cache=True)
    first = sorted((kb_dir / "rules").rglob("*.cex"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert load(["rules"], cache=True).files  # edited: parsed
    assert not load(["rules"], cache=True).files  # and kept again
    extra = kb_dir / "rules" / "zz_extra.cex"
    extra.write_text("# nothing\n", encoding="utf-8")
    assert load(["rules"], cache=True).files
    extra.unlink()
    assert load(["rules"], cache=True).files


def test_a_planted_entry_is_never_executed(kb_dir, tmp_path):
    load(["rules"], cache=True)
    marker = tmp_path / "ran"

    class Planted:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    _entry(kb_dir).write_bytes(pickle.dumps({"code": kb_cache.code_stamp(),
                                             "payload": Planted()}))
    assert load(["rules"], cache=True).kb is not None  # ignored, parsed afresh
    assert not marker.exists()
    assert not load(["rules"], cache=True).files  # and rewritten


def test_a_folder_others_can_write_is_not_used(kb_dir):
    load(["rules"], cache=True)
    os.chmod(kb_dir / "cache" / "cexpert" / "kb", 0o777)
    assert load(["rules"], cache=True).files


def test_the_environment_can_turn_it_off(kb_dir, monkeypatch):
    monkeypatch.setenv("CEXPERT_KB_CACHE", "off")
    load(["rules"], cache=True)
    assert load(["rules"], cache=True).files
    assert not (kb_dir / "cache" / "cexpert" / "kb").exists()


def test_only_the_most_recently_used_entries_are_kept(kb_dir, monkeypatch):
    monkeypatch.setattr(kb_cache, "KEEP", 2)
    for name in ("a", "b", "c"):
        shutil.copytree(kb_dir / "rules", kb_dir / name)
        load([name], cache=True)
    assert len(list((kb_dir / "cache" / "cexpert" / "kb").glob("kb-*.pickle"))) == 2
    assert not load(["c"], cache=True).files  # the newest is still there


@given(st.lists(st.binary(max_size=300), max_size=4))
def test_the_caches_sha256_is_hashlibs(chunks):
    """The cache hashes without loading OpenSSL: the digests are hashlib's."""
    ours, theirs = kb_cache.sha256(), hashlib.sha256()
    for chunk in chunks:
        ours.update(chunk)
        theirs.update(chunk)
    assert ours.hexdigest() == theirs.hexdigest()
    assert kb_cache.sha256(b"".join(chunks)).hexdigest() == theirs.hexdigest()

