"""The single door to the engine for the CLI and the TUI.

Load a knowledge base once, compile it once per thread (Experta rule classes
hold per-class state, so engines are never shared between threads), and run
consultations, explanations and what-if comparisons on plain data.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cexpert.engine.case import Case, EarlierVisit, Observation, load_case, parse_case
from cexpert.engine.compile import Engine
from cexpert.engine.infer import consult
from cexpert.engine.result import Result
from cexpert.language.diagnostics import DiagnosticError
from cexpert.language.knowledge import KnowledgeBase
from cexpert.language.load import Loaded, load
from cexpert.resources import rules_dir

if TYPE_CHECKING:  # imported by the methods that use them: a handout needs none of them
    from cexpert.explain.reassessment import Comparison
    from cexpert.explain.trace import Step
    from cexpert.explain.what_if import Change
    from cexpert.explain.why import WhyNode
    from cexpert.explain.why_not import WhyNot


class Service:
    """One knowledge base, ready to consult from any thread."""

    def __init__(self, kb: KnowledgeBase, paths: Sequence[str | Path] | None = None):
        self.kb = kb
        self.paths = tuple(paths or ())  # where it was loaded from; () the shipped rules
        self._local = threading.local()
        self._lock = threading.Lock()
        self._newest = 0

    @classmethod
    def open(cls, paths: Sequence[str | Path] | None = None) -> Service:
        """Load and check a knowledge base; raise DiagnosticError if it has errors."""
        loaded = load_kb(paths)
        if loaded.kb is None:
            raise DiagnosticError([d for d in loaded.diagnostics if d.is_error])
        return cls(loaded.kb, paths)

    # --- the rule files, watched ---------------------------------------------------------
    def rules_stamp(self) -> tuple[tuple[str, int | None, int | None], ...]:
        """(file, mtime, size) of every rule file loaded and every `.cex` file now in the
        folders it was loaded from: changes when an author saves, adds or removes one."""
        files = set(self.kb.files)
        for root in (Path(p) for p in self.paths or (rules_dir(),)):
            if root.is_dir():
                files |= {str(f) for f in root.rglob("*.cex")}
        stamp = []
        for file in sorted(files):
            try:
                info = os.stat(file)
                stamp.append((file, info.st_mtime_ns, info.st_size))
            except OSError:
                stamp.append((file, None, None))
        return tuple(stamp)

    def reload(self) -> tuple[Service | None, Loaded]:
        """The same folders loaded again: a new Service, or None and the diagnostics."""
        loaded = load_kb(self.paths or None)
        if loaded.kb is None:
            return None, loaded
        return Service(loaded.kb, self.paths), loaded

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

    def consult(self, case: Case, record: bool = False) -> Result:
        """`record` keeps the agenda of every firing (trace, Replay): costs nothing if not."""
        return consult(self.kb, self.engine, case, record)

    # --- newest request wins ---------------------------------------------------------
    def ticket(self) -> int:
        """A number for a new request; only the newest one's result is wanted."""
        with self._lock:
            self._newest += 1
            return self._newest

    def is_newest(self, ticket: int) -> bool:
        return ticket == self._newest

    def consult_if_newest(self, case: Case, ticket: int) -> Result | None:
        """Consult unless a newer request came in meanwhile (then None)."""
        if not self.is_newest(ticket):
            return None
        result = self.consult(case)
        return result if self.is_newest(ticket) else None

    # --- explanations ----------------------------------------------------------------
    def why(self, result: Result, fact_id: str) -> WhyNode:
        from cexpert.explain.why import why

        return why(result, self.kb, fact_id)

    def why_not(self, result: Result, state: str, muscle: str) -> WhyNot:
        from cexpert.explain.why_not import why_not

        return why_not(result, self.kb, state, muscle)

    def steps(self, result: Result) -> tuple[Step, ...]:
        """The chaining replayed, one step per firing (for a class to step through)."""
        from cexpert.explain.trace import steps

        return steps(result, self.kb)

    def describe(self, result: Result, fact_id: str) -> str:
        """One fact of `result` in a trainer's words."""
        from cexpert.explain.describe import describe

        return describe(result.facts[fact_id], self.kb)

    def what_if(self, case: Case, assessment: str, finding: str, side: str = "both",
                before: Result | None = None) -> tuple[Result, Result, tuple[Change, ...]]:
        """Toggle one finding and compare: (before, after, changes). `before`, the
        case's own result when the caller has it, saves consulting it again."""
        from cexpert.explain.what_if import diff

        toggled = Observation(assessment, finding, side)
        observations = tuple(o for o in case.observations if o != toggled)
        if len(observations) == len(case.observations):
            observations = (*case.observations, toggled)
        before = before if before is not None else self.consult(case)
        after = self.consult(replace(case, observations=observations))
        return before, after, diff(before, after)

    # --- across visits -----------------------------------------------------------------
    def compare(self, before: Mapping[str, Any], after: Mapping[str, Any]) -> Comparison:
        """Two stored results (the JSON contract) compared: a reassessment's progress, or
        an old consultation against the same visit re-run on today's rules."""
        return compare_results(before, after)

    def rerun(self, case_toml: str, path: str = "<stored visit>",
              previous: Sequence[EarlierVisit] = ()) -> Result:
        """A stored visit's case, as written then, consulted on this knowledge base
        (compared with the `previous` visits unless the case lists its own)."""
        case = self.parse_case(case_toml, path)
        if previous and not case.previous:
            case = replace(case, previous=tuple(previous))
        return self.consult(case)


def compare_results(before: Mapping[str, Any], after: Mapping[str, Any]) -> Comparison:
    """Two stored results compared; needs no knowledge base (each carries its own hash)."""
    from cexpert.explain.reassessment import compare

    return compare(before, after)


SHIPPED = "<shipped rules>"


def load_kb(paths: Sequence[str | Path] | None = None, profile: str | None = None
            ) -> Loaded:
    """The knowledge base at `paths`, or the shipped one (labelled the same everywhere),
    with `profile` instead of its `setting profile` when given; from the user's
    verified cache when these files were checked before (language/kb_cache.py)."""
    if paths:
        return load(list(paths), profile=profile, cache=True)
    return load([rules_dir()], label=SHIPPED, profile=profile, cache=True)
