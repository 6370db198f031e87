"""A rule file is data, confined to its knowledge base: `include` resolves only inside
the knowledge base's root (the folder given, or the folder of the file given), after
symlinks; what lies outside is never read, and an include cycle is reported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cexpert.language.diagnostics import render_text
from cexpert.language.load import load

VOCABULARY = 'source "t"\nmuscle tfl "TFL"\n'


def errors(loaded) -> list[str]:
    return [d.message for d in loaded.diagnostics if d.is_error]


def kb_with(tmp_path: Path, include: str) -> Path:
    root = tmp_path / "kb"
    root.mkdir(exist_ok=True)
    (root / "main.cex").write_text(f'{VOCABULARY}include "{include}"\n', encoding="utf-8")
    return root


@pytest.mark.parametrize("target", ["/etc/passwd", "/proc/self/environ"])
def test_an_absolute_include_is_refused_and_prints_none_of_the_file(tmp_path, target,
                                                                    monkeypatch):
    monkeypatch.setenv("CEXPERT_SECRET_FOR_TEST", "hunter2")
    loaded = load([kb_with(tmp_path, target)])
    assert errors(loaded) == [f'include "{target}" is outside the knowledge base']
    shown = render_text(loaded.diagnostics, loaded.sources)
    assert target in shown
    assert "root:" not in shown and "hunter2" not in shown
    assert target not in loaded.sources


def test_including_the_filesystem_root_is_an_error_not_an_oserror(tmp_path):
    loaded = load([kb_with(tmp_path, "/")])
    assert errors(loaded) == ['include "/" is outside the knowledge base']


def test_a_dotdot_escape_is_refused(tmp_path):
    (tmp_path / "outside.cex").write_text('muscle secret "Secret"\n', encoding="utf-8")
    loaded = load([kb_with(tmp_path, "../outside.cex")])
    assert errors(loaded) == ['include "../outside.cex" is outside the knowledge base']
    assert not any("outside.cex" in name for name in loaded.sources)


def test_a_symlink_inside_the_root_is_resolved_before_it_is_trusted(tmp_path):
    (tmp_path / "outside.cex").write_text('muscle secret "Secret"\n', encoding="utf-8")
    root = kb_with(tmp_path, "inside.cex")
    os.symlink(tmp_path / "outside.cex", root / "inside.cex")
    loaded = load([root / "main.cex"])
    assert errors(loaded) == ['include "inside.cex" is outside the knowledge base']


def test_a_symlink_in_a_knowledge_base_folder_pointing_outside_is_not_read(tmp_path):
    (tmp_path / "outside.cex").write_text('muscle secret "Secret"\n', encoding="utf-8")
    root = tmp_path / "kb"
    root.mkdir()
    (root / "main.cex").write_text(VOCABULARY, encoding="utf-8")
    os.symlink(tmp_path / "outside.cex", root / "link.cex")
    loaded = load([root])
    assert errors(loaded) == [f"{root / 'link.cex'} links to a file outside the knowledge "
                              f"base ({root}); it is not read"]
    assert not any("Secret" in text for text in loaded.sources.values())


def test_an_include_inside_the_root_still_works(tmp_path):
    root = kb_with(tmp_path, "parts/more.cex")
    (root / "parts").mkdir()
    (root / "parts" / "more.cex").write_text('muscle soleus "Soleus"\n', encoding="utf-8")
    loaded = load([root / "main.cex"])
    assert loaded.ok and set(loaded.kb.of("muscle")) == {"tfl", "soleus"}


def test_an_include_cycle_is_reported_not_dropped(tmp_path):
    root = kb_with(tmp_path, "b.cex")
    (root / "b.cex").write_text('include "main.cex"\n', encoding="utf-8")
    loaded = load([root / "main.cex"])
    assert errors(loaded) == ["include cycle: main.cex → b.cex → main.cex"]


def test_a_file_included_twice_without_a_cycle_is_read_once(tmp_path):
    root = tmp_path / "kb"
    root.mkdir()
    (root / "main.cex").write_text('source "t"\ninclude "a.cex"\ninclude "b.cex"\n',
                                   encoding="utf-8")
    (root / "a.cex").write_text('include "shared.cex"\n', encoding="utf-8")
    (root / "b.cex").write_text('include "shared.cex"\n', encoding="utf-8")
    (root / "shared.cex").write_text('muscle tfl "TFL"\n', encoding="utf-8")
    loaded = load([root / "main.cex"])
    assert loaded.ok and errors(loaded) == []
