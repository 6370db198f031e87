"""The layering contract: data flows one way, and the folders say which.

    language → engine → explain → present → service → cli, tui
    beside them: authoring (the rule author's tools) and store (the database)

Read from the source with `ast` rather than by import-linter: the contract is a
dozen lines of data here, it also sees imports made inside functions (the lazy
ones that import-linter's static graph treats the same), and it needs no new
dependency. A test per rule, so a failure names the rule that was broken.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "cexpert"

# Each layer, and the layers of cexpert it must never import.
FORBIDDEN = {
    "resources": {"language", "engine", "explain", "present", "service", "cli", "tui",
                  "authoring", "store"},
    "language": {"engine", "explain", "present", "service", "cli", "tui", "authoring", "store"},
    "engine": {"explain", "present", "service", "cli", "tui", "authoring", "store"},
    "explain": {"present", "service", "cli", "tui", "authoring", "store"},
    "present": {"service", "cli", "tui", "authoring", "store"},
    "authoring": {"service", "cli", "tui", "store"},
    "store": {"explain", "present", "service", "cli", "tui", "authoring"},
    "service": {"cli", "tui"},
    "cli": {"tui"},  # except lazily, inside a function: see below
    "tui": {"cli"},
}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _layer(path: Path) -> str:
    part = path.relative_to(PACKAGE).parts[0]
    return part.removesuffix(".py")


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module imported, at module level?) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = set(map(id, tree.body))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            found += [(name, id(node) in top) for name in names]
    return found


def _cexpert_layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "cexpert" and len(parts) > 1 else None


def _violations(rule) -> list[str]:
    out = []
    for path in _modules():
        for module, at_top in _imports(path):
            problem = rule(path, module, at_top)
            if problem:
                out.append(f"{path.relative_to(PACKAGE)} imports {module}: {problem}")
    return out


def test_every_module_belongs_to_a_known_layer():
    unknown = {_layer(p) for p in _modules()} - set(FORBIDDEN) - {"__init__"}
    assert not unknown, f"add these folders to the layering contract: {sorted(unknown)}"


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_of_a_later_one(layer):
    def rule(path, module, at_top):
        target = _cexpert_layer(module)
        if _layer(path) != layer or target not in FORBIDDEN[layer]:
            return None
        if layer == "cli" and target == "tui" and not at_top:
            return None  # the entry point opens the TUI lazily
        return f"{layer} must not import {target}"

    assert _violations(rule) == []


def test_only_the_cli_entry_point_imports_the_tui_lazily():
    def rule(path, module, at_top):
        if _cexpert_layer(module) != "tui" or _layer(path) == "tui":
            return None
        if path.relative_to(PACKAGE).as_posix() == "cli/main.py" and not at_top:
            return None
        return "only cli/main.py may open the TUI, inside a function"

    assert _violations(rule) == []


def test_only_the_compiler_imports_experta():
    def rule(path, module, at_top):
        if module.split(".")[0] != "experta":
            return None
        if path.relative_to(PACKAGE).as_posix() == "engine/compile.py":
            return None
        return "only engine/compile.py imports Experta"

    assert _violations(rule) == []


def test_only_the_tui_imports_textual():
    def rule(path, module, at_top):
        if module.split(".")[0] != "textual" or _layer(path) == "tui":
            return None
        return "only tui/ imports Textual"

    assert _violations(rule) == []


def test_the_contract_sees_a_forbidden_import(tmp_path):
    """The checker itself can fail: a planted file importing a later layer is caught."""
    planted = tmp_path / "bad.py"
    planted.write_text("def f():\n    from cexpert.tui.app import make_app\n")
    assert _imports(planted) == [("cexpert.tui.app.make_app", False)]
