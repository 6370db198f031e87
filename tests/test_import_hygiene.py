"""Specifications for what each entry point imports: a fast CLI, a core without UI or engine.

Checked in a fresh interpreter, since this test session has imported everything.
"""

from __future__ import annotations

import subprocess
import sys

import pytest


def imported_after(module: str) -> set[str]:
    """The top-level packages loaded by `import module` in a fresh interpreter."""
    code = (f"import sys\nimport {module}\n"
            "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


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
