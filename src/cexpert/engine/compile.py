"""Compile a checked knowledge base into an Experta engine. The only Experta module.

Rules are compiled by shape, because one Experta rule per DSL rule scales
badly (see bench/): a *table row* ("a finding implies these muscles") becomes
a `Row` fact, and one general Experta rule joins rows with the findings
entered. Every other rule becomes its own Experta rule, built at run time
from its condition: `or` is split into one rule per branch (Experta's OR fires
once per matching branch anyway), `not` becomes NOT, comparisons become field
predicates that never see an unbound value.

Firing order is ours, not Experta's: a custom strategy orders activations by
stratum, salience, then knowledge-base order, then the ids of the matched
facts, so the same case gives the same output byte for byte.

For teaching, a run can be *recorded* (`Engine.run(..., record=True)`): at each
firing, the working memory so far, the agenda as the strategy ordered it, the
activation chosen and the criterion that put it ahead of the runner-up, and the
facts it added. The record is taken from the live agenda during the run, never
reconstructed; an ordinary run does not record and pays one `is None` test per
agenda update.
"""

from __future__ import annotations

import collections
import collections.abc
import inspect
import logging
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# Experta's watchers call logging.basicConfig() on import; give the root logger
# a handler first so that nothing Experta logs reaches a terminal or the TUI.
if not logging.getLogger().handlers:
    logging.getLogger().addHandler(logging.NullHandler())
logging.getLogger("experta").setLevel(logging.ERROR)

# Experta 1.9.4 pins frozendict 1.2, which subclasses `collections.Mapping` (removed
# in Python 3.10). This project overrides the pin ([tool.uv] in pyproject.toml), but
# a wheel installed with plain pip or `uv pip` gets 1.2: give it the alias it needs.
if not hasattr(collections, "Mapping"):
    collections.Mapping = collections.abc.Mapping  # type: ignore[attr-defined]

from experta import AND, AS, MATCH, NOT, Fact, KnowledgeEngine, P, Rule  # noqa: E402
from experta.abstract import Strategy  # noqa: E402
from experta.fact import InitialFact  # noqa: E402
from experta.fieldconstraint import ANDFC, NOTFC, ORFC, L  # noqa: E402
from experta.matchers import ReteMatcher  # noqa: E402
from experta.matchers.rete.check import FeatureCheck  # noqa: E402
from experta.matchers.rete.mixins import ChildNode, NoMemory  # noqa: E402
from experta.matchers.rete.nodes import FeatureTesterNode  # noqa: E402
from experta.matchers.rete.utils import prepare_rule  # noqa: E402

from cexpert.engine.agenda import Activation, Recorder, Recording  # noqa: E402
from cexpert.language.kb_cache import paused_collector  # noqa: E402
from cexpert.language.knowledge import (  # noqa: E402
    AnyOf,
    Atom,
    Cond,
    KbRule,
    KnowledgeBase,
    NoneOf,
    atoms_of,
)

COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, "==": operator.eq, "!=": operator.ne,
    ">": operator.gt, ">=": operator.ge,
}


@dataclass(frozen=True)
class WorkingFact:
    """A fact as the engine matches it: what it is, which id and side, its fact id."""

    kind: str
    id: str | None
    fid: str
    side: str = "both"
    value: float | None = None
    scope: str | None = None  # the assessment a finding was entered in
    of: str | None = None  # a clearance: the fact id of what it clears
    region: str | None = None  # a condition: the body region it was recorded at


class FiringLimitExceeded(RuntimeError):
    """Raised when rules keep firing past the limit: a runaway cycle."""

    def __init__(self, limit: int, last_rules: Sequence[str]):
        super().__init__(
            f"stopped after {limit} rule firings; the rules keep re-firing "
            f"(last: {', '.join(last_rules)})"
        )
        self.limit = limit
        self.last_rules = tuple(last_rules)


#: Called once per firing with (rule, premise fact ids, side of the subject
#: finding); returns the new working facts to declare.
Conclude = Callable[[KbRule, tuple[str, ...], str], list[WorkingFact]]


class W(Fact):
    """Working memory: one input, builtin or derived fact."""


class Row(Fact):
    """A table-row rule as data: rule index `r`, finding `finding`."""


class _Ordered(Strategy):
    """Stratum first, then salience, then knowledge-base order, then fact ids."""

    def __init__(self, meta: dict[str, tuple[int, int, int, int]], rules: Sequence[KbRule]):
        super().__init__()
        self.meta = meta
        self.rules = rules
        self.recorder: Recorder | None = None

    def _rule_of(self, activation) -> KbRule:
        name = activation.rule.__name__
        if name == "cex_table_row":
            row = next(f for f in activation.facts if isinstance(f, Row))
            return self.rules[row["r"]]
        return self.rules[self.meta[name][3]]

    def key(self, activation) -> tuple:
        facts = sorted(f["__factid__"] for f in activation.facts)
        rule = self._rule_of(activation)
        return (-rule.stratum, rule.salience, -rule.order, tuple(-i for i in facts))

    def described(self, activation) -> Activation:
        rule = self._rule_of(activation)
        facts = sorted((f for f in activation.facts if isinstance(f, W)),
                       key=lambda f: f["__factid__"])
        return Activation(rule.id, tuple(f["fid"] for f in facts), rule.stratum,
                          rule.salience, rule.order)

    def _update_agenda(self, agenda, added, removed) -> None:
        if removed:  # Experta reports removals as new objects: compare by identity of match
            gone = {_identity(a) for a in removed}
            agenda.activations = [a for a in agenda.activations if _identity(a) not in gone]
        for activation in added:
            activation.key = self.key(activation)
            if self.recorder is not None:
                activation.cex = self.described(activation)
            agenda.activations.append(activation)
        agenda.activations.sort(key=lambda a: a.key)
        if self.recorder is not None:
            self.recorder.agenda = list(agenda.activations)


class _Dispatch:
    """A node's children behind one callback that calls only those that can pass.

    Experta hands each fact to every child of an alpha node, and a node testing
    `kind == "finding"` has a child per `id == "..."` the rules mention (hundreds
    at 10k rules). The children testing one field against a string literal are
    indexed by that literal: a fact reaches the children whose literal equals its
    value, plus every other child, in the children's original order. Each child
    still runs its own test, so what passes is what passed before."""

    def __init__(self, what: str, children: list, literal: dict[int, str]):
        self.what = what
        self.children = children  # the original list: walks and resets still see it
        self.rest = [c.callback for i, c in enumerate(children) if i not in literal]
        self.table: dict[str, list] = {}
        for value in dict.fromkeys(literal.values()):
            self.table[value] = [c.callback for i, c in enumerate(children)
                                 if literal.get(i, value) == value]

    def reset(self) -> None:
        for child in self.children:
            child.node.reset()

    def __call__(self, token) -> None:
        (fact,) = token.data
        value = fact.get(self.what)
        # only a str can equal a str literal; anything else reaches the other children
        callbacks = self.table.get(value, self.rest) if type(value) is str else self.rest
        for callback in callbacks:
            callback(token)


DISPATCH_AT = 4  # literal children of one node, on one field, worth a table


def _literal(node) -> tuple[str, str] | None:
    """(field, value) when `node` tests one plain field against a str literal."""
    if not isinstance(node, FeatureTesterNode):
        return None
    check = node.matcher
    if not (isinstance(check, FeatureCheck) and isinstance(check.how, L)):
        return None
    what, value = check.what, check.how.value
    if (check.how.__bind__ is not None or not isinstance(what, str) or "__" in what
            or what.isnumeric() or type(value) is not str):
        return None
    return what, value


class _Matcher(ReteMatcher):
    """Experta's Rete network, matched the same way with less work per change.

    - Literal tests dispatch through a dict (`_Dispatch`).
    - Only the conflict sets a change reached are polled for activations, in the
      order Experta polls them all (rules x changes at 50k rules, otherwise).
    - `reset` wipes each node with a memory once, instead of walking every path.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        nodes: dict[int, Any] = {}
        stack = [self.root_node]
        while stack:
            node = stack.pop()
            if id(node) in nodes:
                continue
            nodes[id(node)] = node
            stack.extend(child.node for child in node.children)
        self._memories = [n for n in nodes.values() if not isinstance(n, NoMemory)]
        self._touched: list = []
        for position, csn in enumerate(self._get_conflict_set_nodes()):
            csn._cex_position = position
            csn._activate = self._watched(csn, csn._activate)
        for node in nodes.values():
            self._index(node)

    def _watched(self, csn, activate):
        touched = self._touched

        def watched(token):
            touched.append(csn)
            return activate(token)

        return watched

    @staticmethod
    def _index(node) -> None:
        by_field: dict[str, dict[int, str]] = {}
        for position, child in enumerate(node.children):
            literal = _literal(child.node)
            if literal is not None:
                by_field.setdefault(literal[0], {})[position] = literal[1]
        if not by_field:
            return
        what, literal = max(by_field.items(), key=lambda item: len(item[1]))
        if len(literal) >= DISPATCH_AT:
            dispatch = _Dispatch(what, list(node.children), literal)
            node.children = [ChildNode(dispatch, dispatch)]

    @staticmethod
    def prepare_ruleset(engine):
        return {_prepared(rule) for rule in engine.get_rules()}

    def changes(self, adding=None, deleting=None):
        if deleting is not None:
            for deleted in deleting:
                self.root_node.remove(deleted)
        if adding is not None:
            for added in adding:
                self.root_node.add(added)
        added: list = []
        removed: list = []
        if self._touched:
            touched = {id(c): c for c in self._touched}.values()
            self._touched.clear()
            for csn in sorted(touched, key=lambda c: c._cex_position):
                c_added, c_removed = csn.get_activations()
                added.extend(c_added)
                removed.extend(c_removed)
        return added, removed

    def reset(self):
        for node in self._memories:
            node._reset()


def _prepared(rule: Rule) -> Rule:
    """The rule as Experta's `prepare_rule` leaves it, without its rewriting when the
    rule is already a flat conjunction of facts and negated facts (every branch
    `_branches` makes but those negating a conjunction): Experta rewrites each rule to
    a fixed point, rebuilding it several times, and that was a third of compiling."""
    if not all(_flat(element) for element in rule):
        return prepare_rule(rule)
    if not rule or isinstance(rule[0], NOT):
        return rule.new_conditions(InitialFact(), *rule)
    return rule.new_conditions(*rule)


def _flat(element) -> bool:
    """A fact (or a negated fact) that disjunctive normal form leaves as it is."""
    if isinstance(element, NOT) and len(element) == 1:
        element = element[0]
    return isinstance(element, Fact) and not any(
        isinstance(value, ORFC | ANDFC | NOTFC) for value in element.values())


def _identity(activation) -> tuple:
    return (activation.rule.__name__, frozenset(f["__factid__"] for f in activation.facts))


class Engine:
    """One compiled engine. Not thread-safe: Experta rules hold per-class state,
    so build one Engine per thread (the class is built per instance)."""

    def __init__(self, kb: KnowledgeBase):
        # the network is all kept: collections while building it only re-walk the heap
        with paused_collector():
            self._build(kb)

    def _build(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.rules = kb.rules
        self.rows_by_finding: dict[str, list[int]] = {}
        self._conclude: Conclude | None = None
        self._limit = 0
        self._fired: list[str] = []
        self._recorder: Recorder | None = None
        self._recorded: Callable[[], Sequence[str]] | None = None
        self.recording: Recording | None = None
        tested = {atom.kind for rule in self.rules for atom in atoms_of(rule.condition)}
        #: a rule counts visits (`visits >= 4`): a first visit then declares `visits` too
        self.counts_visits = "visits" in tested
        #: a rule tests `evidence ...`: only then are the counts made facts
        self.counts_evidence = "evidence" in tested
        attributes: dict[str, Any] = {}
        meta: dict[str, tuple[int, int, int, int]] = {}
        for index, rule in enumerate(self.rules):
            if rule.table_row:
                assert isinstance(rule.condition, Atom)
                self.rows_by_finding.setdefault(rule.condition.id, []).append(index)
                continue
            for branch, patterns in enumerate(_branches(rule.condition)):
                name = f"cex_r{index}_{branch}"
                attributes[name] = Rule(*patterns)(self._rhs(name, rule))
                meta[name] = (rule.stratum, rule.salience, rule.order, index)
        attributes["cex_table_row"] = Rule(
            AS.finding << W(kind="finding", id=MATCH.finding_id),
            AS.row << Row(finding=MATCH.finding_id),
        )(self._table_rhs())
        rules = self.rules

        class Ordered(_Ordered):
            def __init__(self):
                super().__init__(meta, rules)

        attributes["__strategy__"] = Ordered
        attributes["__matcher__"] = _Matcher
        engine_class = type("CompiledKnowledgeBase", (KnowledgeEngine,), attributes)
        self.engine = engine_class()

    def run(self, initial: Sequence[WorkingFact], conclude: Conclude, limit: int,
            then: Callable[[], list[WorkingFact]] | None = None, record: bool = False,
            recorded: Callable[[], Sequence[str]] | None = None) -> int:
        """Forward-chain from `initial` to a fixed point; return the number of firings.

        `then` is called at each fixed point for builtin facts that need the whole
        of it (the FMS priority needs every target); chaining resumes until it
        has nothing new. With `record`, `self.recording` holds the run's agenda;
        `recorded` then names every fact the last conclusion made, working or not
        (an exclusion is recorded but never matched).
        """
        self._conclude, self._limit, self._fired = conclude, limit, []
        recorder = Recorder() if record else None
        self._recorded = recorded
        self._recorder = self.engine.strategy.recorder = recorder
        self.recording = None
        try:
            self._run(initial, then)
        finally:
            self.engine.strategy.recorder = self._recorder = None
        if recorder is not None:
            self.recording = recorder.recording()
        return len(self._fired)

    def _run(self, initial: Sequence[WorkingFact],
             then: Callable[[], list[WorkingFact]] | None) -> None:
        self.engine.reset()
        if self._recorder is not None:
            self._recorder.memory.extend(f.fid for f in initial)
        facts = [_to_experta(f) for f in initial]
        for f in initial:
            if f.kind == "finding":
                for index in self.rows_by_finding.get(f.id or "", []):
                    facts.append(Row(r=index, finding=f.id))
        if facts:
            self.engine.declare(*facts)
        self.engine.run()
        while then is not None and (more := then()):
            if self._recorder is not None:
                self._recorder.memory.extend(f.fid for f in more)
            self.engine.declare(*(_to_experta(f) for f in more))
            self.engine.run()

    # --- right-hand sides ----------------------------------------------------------
    def _fire(self, rule: KbRule, bound: list) -> None:
        self._fired.append(rule.id)
        if len(self._fired) > self._limit:
            raise FiringLimitExceeded(self._limit, self._fired[-3:])
        premises = tuple(f["fid"] for f in bound)
        side = next((f["side"] for f in bound if f["kind"] == "finding"), "both")
        assert self._conclude is not None
        new = self._conclude(rule, premises, side)
        if self._recorder is not None:
            made = self._recorded() if self._recorded else [f.fid for f in new]
            self._recorder.step([f.fid for f in new], made)
        if new:
            self.engine.declare(*(_to_experta(f) for f in new))

    def _rhs(self, name: str, rule: KbRule):
        def rhs(*_args, **context):
            bound = [context[k] for k in sorted(context, key=_pattern_index) if
                     k.startswith("p")]
            # a rule with nothing positive to match (`always`, only `not`) rests on
            # the consultation itself: the client fact, so every chain ends in input
            self._fire(rule, bound or [context[k] for k in ("client",) if k in context])

        rhs.__name__ = name
        rhs.__signature__ = _RHS_SIGNATURE
        return rhs

    def _table_rhs(self):
        def rhs(*_args, **context):
            self._fire(self.rules[context["row"]["r"]], [context["finding"]])

        rhs.__name__ = "cex_table_row"
        rhs.__signature__ = _RHS_SIGNATURE
        return rhs


#: every right-hand side takes `(*_args, **context)`: Experta asks for the signature
#: each time it rewrites a rule (thousands of times per build), so it is computed once
_RHS_SIGNATURE = inspect.signature(lambda *_args, **context: None)


def _pattern_index(key: str) -> int:
    return int(key[1:]) if key[1:].isdigit() else 10**6


def _to_experta(fact: WorkingFact) -> W:
    return W(kind=fact.kind, id=fact.id, side=fact.side, value=fact.value, fid=fact.fid,
             scope=fact.scope, of=fact.of, region=fact.region)


# --- conditions to Experta patterns -----------------------------------------------------


def _branches(condition: Cond) -> list[list]:
    """Disjunctive normal form, one Experta pattern list per branch."""
    branches = []
    for conjunct in _dnf(condition):
        counter = iter(range(10**6))
        patterns = []
        anchor: str | None = None  # the variable a bare `cleared` refers to
        anchored = _anchored(conjunct)
        for position, item in enumerate(conjunct):
            if isinstance(item, NoneOf):
                patterns.extend(_negated(item.operand, anchor))
            else:
                name = f"p{next(counter)}"
                bind = f"fid{position}" if position in anchored else None
                patterns.append(getattr(AS, name) << _pattern(item, anchor, bind))
                if not _is_correlated(item):
                    anchor = bind
        if not any(not isinstance(i, NoneOf) for i in conjunct):
            patterns.insert(0, _always())
        branches.append(patterns)
    return branches


def _dnf(condition: Cond) -> list[list]:
    if isinstance(condition, Atom | NoneOf):
        return [[condition]]
    if isinstance(condition, AnyOf):
        return [b for o in condition.operands for b in _dnf(o)]
    result: list[list] = [[]]
    for operand in condition.operands:
        result = [left + right for left in result for right in _dnf(operand)]
    return result


def _is_correlated(item) -> bool:
    return isinstance(item, Atom) and item.kind == "cleared" and item.correlated


def _mentions_correlated(item) -> bool:
    if isinstance(item, Atom):
        return _is_correlated(item)
    if isinstance(item, NoneOf):
        return _mentions_correlated(item.operand)
    return any(_mentions_correlated(o) for o in item.operands)


def _anchored(conjunct: list) -> set[int]:
    """Positions of the positive tests a later bare `cleared` refers to (the last
    positive test before it that is not itself a clearance)."""
    out: set[int] = set()
    last: int | None = None
    for position, item in enumerate(conjunct):
        if _mentions_correlated(item) and last is not None:
            out.add(last)
        if not isinstance(item, NoneOf) and not _is_correlated(item):
            last = position
    return out


def _negated(operand: Cond, anchor: str | None = None) -> list:
    """not (b1 or b2 ...) = not b1 and not b2, each branch a conjunction."""
    out = []
    for conjunct in _dnf(operand):
        patterns = _unbound(conjunct, anchor)
        out.append(NOT(patterns[0]) if len(patterns) == 1 else NOT(AND(*patterns)))
    return out


def _unbound(conjunct: list, anchor: str | None = None) -> list:
    """Patterns of a conjunction inside a negation: nothing bound, nothing a premise
    (a bare `cleared` still refers to the test before the negation)."""
    patterns = []
    for item in conjunct:
        if isinstance(item, NoneOf):
            patterns.extend(_negated(item.operand, anchor))
        else:
            patterns.append(_pattern(item, anchor))
    return patterns


def _always():
    return AS.client << W(kind="client")


def _pattern(atom: Atom, anchor: str | None = None, bind: str | None = None) -> W:
    fields: dict[str, Any] = {"kind": atom.kind}
    if bind is not None:
        fields["fid"] = getattr(MATCH, bind)
    if atom.kind == "cleared":
        if atom.correlated and anchor is not None:
            fields["of"] = getattr(MATCH, anchor)
        if atom.by:  # a clearance recorded without its clinician counts for any (README)
            fields["scope"] = P(lambda v, by=atom.by: v is None or v in by)
    if atom.regions is not None:  # `at any`: recorded somewhere; else at one of these
        fields["region"] = P(lambda v, r=frozenset(atom.regions): v is not None and (
            "*" in r or v in r))
    if atom.kind == "fms" and atom.id == "total":
        fields["kind"] = "fms_total"
    elif atom.id is not None:
        fields["id"] = atom.id
    if atom.scope is not None:
        fields["scope"] = atom.scope
    if atom.operator is not None:
        compare, limit = COMPARE[atom.operator], atom.value
        fields["value"] = P(lambda v, c=compare, x=limit: v is not None and c(v, x))
    return W(**fields)
