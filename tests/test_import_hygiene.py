"""Specifications for what each entry point imports: a fast CLI, a core without UI or engine.

Checked in a fresh interpreter, since this test session has imported everything.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_after(module: str) -> set[str]:
    """The top-level packages loaded by `import module` in a fresh interpreter."""
    code = (f"import sys\nimport {module}\n"
            "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def from_the_cache(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """`code` run twice in fresh interpreters sharing a new cache folder: the first run
    fills the knowledge-base cache, the second (returned) reads it."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("CEXPERT_KB_CACHE", None)
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=120, env=env, cwd=ROOT)
        assert done.returncode == 0, done.stderr
    return done


def test_importing_the_cli_does_not_import_textual():
    loaded = imported_after("cexpert.cli")
    assert "cexpert" in loaded
    assert "textual" not in loaded


def test_importing_the_cli_does_not_import_experta():
    assert "experta" not in imported_after("cexpert.cli")


@pytest.mark.parametrize("module", ["cexpert.language.parse", "cexpert.language.check",
                                    "cexpert.language.load"])
def test_parsing_and_checking_do_not_import_experta(module):
    assert "experta" not in imported_after(module)


def test_the_compiler_is_what_imports_experta():
    assert "experta" in imported_after("cexpert.engine.compile")


def test_a_consultation_from_the_cache_builds_no_syntax_tree(tmp_path):
    """A cached knowledge base is data: reading it needs neither Lark, the checker nor
    the syntax tree's classes (the first run fills the cache, the second reads it)."""
    code = ("import sys\nfrom cexpert.service import Service, load_kb\n"
            "service = Service(load_kb().kb)\n"
            "service.consult(service.read_case('examples/runner.toml'))\n"
            "print('\\n'.join(sorted(sys.modules)))")
    loaded = set(from_the_cache(code, tmp_path).stdout.split())
    assert "lark" not in loaded
    assert "cexpert.language.syntax_tree" not in loaded
    assert "cexpert.language.check" not in loaded


def test_a_json_consultation_imports_no_explanation(tmp_path):
    """`infer --format json` prints the result as data: no why tree, no trainer's words,
    no renderer, no spelling suggestions (each is imported when first asked for)."""
    code = ("import sys, contextlib, io\nfrom cexpert.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['infer', 'examples/runner.toml', '--format', 'json'])\n"
            "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)")
    loaded = set(from_the_cache(code, tmp_path).stderr.split())
    assert "cexpert.engine.result" in loaded
    assert not {m for m in loaded if m.startswith("cexpert.explain")}
    assert "difflib" not in loaded
