"""The single door to the engine for the CLI and the TUI.

Load a knowledge base once, compile it once per thread (Experta rule classes
hold per-class state, so engines are never shared between threads), and run
consultations, explanations and what-if comparisons on plain data.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from cexpert.case import Case, load_case, parse_case
from cexpert.compile import Engine
from cexpert.diagnostics import DiagnosticError
from cexpert.infer import consult
from cexpert.knowledge import KnowledgeBase
from cexpert.load import Loaded, load
from cexpert.resources import rules_dir
from cexpert.result import Result


class Service:
    """One knowledge base, ready to consult from any thread."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self._local = threading.local()

    @classmethod
    def open(cls, paths: Sequence[str | Path] | None = None) -> Service:
        """Load and check a knowledge base; raise DiagnosticError if it has errors."""
        loaded = load_kb(paths)
        if loaded.kb is None:
            raise DiagnosticError([d for d in loaded.diagnostics if d.is_error])
        return cls(loaded.kb)

    @property
    def engine(self) -> Engine:
        engine = getattr(self._local, "engine", None)
        if engine is None:
            engine = Engine(self.kb)
            self._local.engine = engine
        return engine

    def read_case(self, path: str | Path) -> Case:
        return load_case(path, self.kb)

    def parse_case(self, text: str, path: str = "<case>") -> Case:
        return parse_case(text, path, self.kb)

    def consult(self, case: Case) -> Result:
        return consult(self.kb, self.engine, case)


SHIPPED = "<shipped rules>"


def load_kb(paths: Sequence[str | Path] | None = None) -> Loaded:
    """The knowledge base at `paths`, or the shipped one (labelled the same everywhere)."""
    if paths:
        return load(list(paths))
    return load([rules_dir()], label=SHIPPED)
