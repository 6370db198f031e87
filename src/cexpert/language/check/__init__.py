"""Check a parsed knowledge base and resolve it into `knowledge.KnowledgeBase`.

Pure and total: every problem becomes a `Diagnostic` (all of them, not the
first), nothing raises. The vocabulary is a typed name table, as in
rule-engine: each reference is looked up for the kind its place expects, so
an unknown name gets a "did you mean" and a name of the wrong kind says what
it is. Rules are then stratified: a cycle of rules that would re-fire forever,
or one through `not` (whose result would depend on firing order), is rejected.

One module per concern: `declarations` (the vocabulary and settings), `rules`
(conditions and conclusions), `strata` (cycles and usefulness); `schema` and
`names` are what they share.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from cexpert.language import syntax_tree as st
from cexpert.language.check.consistency import ConsistencyChecks
from cexpert.language.check.declarations import DeclarationChecks
from cexpert.language.check.names import NameTable
from cexpert.language.check.rules import RuleChecks
from cexpert.language.check.strata import Producers, StrataChecks
from cexpert.language.diagnostics import ERROR, WARNING, Diagnostic
from cexpert.language.knowledge import KbRule, KnowledgeBase
from cexpert.language.syntax_tree import name_key


class Checker(DeclarationChecks, RuleChecks, StrataChecks, ConsistencyChecks):
    """Holds the diagnostics of one check; `run` returns the knowledge base or None."""

    def __init__(self, files: Sequence[st.RuleFile], path: str, kb_hash: str,
                 profile: str | None = None):
        self.files = files
        self.path = path
        self.hash = kb_hash
        self.profile = name_key(profile) if profile else None  # overrides the setting
        self.diagnostics: list[Diagnostic] = []
        self.error_count = 0  # kept as errors are added: counting them per rule is quadratic
        self.names = NameTable()
        self.decls: dict[str, dict[str, st.Declaration]] = defaultdict(dict)
        self.unloaded_rules: tuple[KbRule, ...] = ()  # other profiles' rules, for the lints

    # reporting
    def error(self, code: str, message: str, span: st.Span | None, **extra) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, ERROR, **extra))
        self.error_count += 1

    def warn(self, code: str, message: str, span: st.Span | None, **extra) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, WARNING, **extra))

    def run(self) -> KnowledgeBase | None:
        self.collect_declarations()
        entries = self.resolve_declarations()
        settings = self.resolve_settings(entries)
        self.check_consistency(entries, settings)
        rules = self.resolve_rules(entries, settings)
        producers = Producers(rules)
        rules = self.stratify(rules, producers)
        self.check_usefulness(rules, entries, producers)
        if any(d.is_error for d in self.diagnostics):
            return None
        return KnowledgeBase(
            path=self.path, hash=self.hash, entries=entries, rules=tuple(rules),
            settings=settings, files=tuple(f.path for f in self.files),
            rules_by_id={r.id: r for r in rules},
            unloaded_rules=self.unloaded_rules,
        )


def check(files: Sequence[st.RuleFile], path: str, kb_hash: str,
          profile: str | None = None) -> tuple[KnowledgeBase | None, list[Diagnostic]]:
    """Check parsed files into a knowledge base; `profile` overrides `setting profile`."""
    checker = Checker(files, path, kb_hash, profile)
    kb = checker.run()
    return kb, checker.diagnostics
