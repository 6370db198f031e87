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

import bisect
import collections
import collections.abc
import contextlib
import inspect
import itertools
import logging
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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

from experta import AND, AS, MATCH, NOT, OR, Fact, KnowledgeEngine, P, Rule  # noqa: E402
from experta.abstract import Strategy  # noqa: E402
from experta.activation import Activation as ExpertaActivation  # noqa: E402
from experta.agenda import Agenda  # noqa: E402
from experta.fact import InitialFact  # noqa: E402
from experta.factlist import FactList  # noqa: E402
from experta.fieldconstraint import ANDFC, NOTFC, ORFC, L  # noqa: E402
from experta.fieldconstraint import P as PredicateFC  # noqa: E402
from experta.fieldconstraint import W as WildcardFC  # noqa: E402
from experta.matchers import ReteMatcher  # noqa: E402
from experta.matchers.rete.check import (  # noqa: E402
    FactCapture,
    FeatureCheck,
    SameContextCheck,
    TypeCheck,
)
from experta.matchers.rete.mixins import ChildNode, NoMemory  # noqa: E402
from experta.matchers.rete.nodes import (  # noqa: E402
    ConflictSetNode,
    FeatureTesterNode,
    NotNode,
    OrdinaryMatchNode,
)
from experta.matchers.rete.utils import (  # noqa: E402
    extract_facts,
    generate_checks,
    prepare_rule,
    wire_rule,
)

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

if TYPE_CHECKING:  # recording is for teaching: its module loads when a run records
    from cexpert.engine.agenda import Activation, Recorder, Recording

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

    def __init__(self, kind: str, id: str | None, fid: str, side: str = "both",
                 value: float | None = None, scope: str | None = None, of: str | None = None,
                 region: str | None = None) -> None:
        """The generated one, without its `object.__setattr__` per field (a consultation
        makes one per fact it declares)."""
        fields = self.__dict__
        fields["kind"], fields["id"], fields["fid"], fields["side"] = kind, id, fid, side
        fields["value"], fields["scope"], fields["of"], fields["region"] = (
            value, scope, of, region)


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
        from cexpert.engine.agenda import Activation

        rule = self._rule_of(activation)
        facts = sorted((f for f in activation.facts if isinstance(f, W)),
                       key=lambda f: f["__factid__"])
        return Activation(rule.id, tuple(f["fid"] for f in facts), rule.stratum,
                          rule.salience, rule.order)

    def _update_agenda(self, agenda, added, removed) -> None:
        """The agenda kept sorted by key, each new activation inserted after those of an
        equal key: the order a stable sort of old-then-new would give, without sorting
        the whole agenda again at every update (hundreds of activations at 50k rules)."""
        if removed:  # Experta reports removals as new objects: compare by identity of match
            gone = {_identity(a) for a in removed}
            agenda.activations = [a for a in agenda.activations if _identity(a) not in gone]
        activations = agenda.activations
        for activation in added:
            activation.key = self.key(activation)
            if self.recorder is not None:
                activation.cex = self.described(activation)
            bisect.insort_right(activations, activation, key=_KEY)
        if self.recorder is not None:
            self.recorder.agenda = list(agenda.activations)


_KEY = operator.attrgetter("key")


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
        self.literal = literal
        self.rest, self.table = _by_literal([c.callback for c in children], literal)

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


def _by_literal(items: list, literal: dict[int, str]) -> tuple[list, dict[str, list]]:
    """The items without a literal, and for each literal the items a fact with that
    value reaches (its own and those without one), all in their original order: one
    pass, where a pass per literal was quadratic in a node's children."""
    rest: list = []
    table: dict[str, list] = {value: [] for value in literal.values()}
    for position, item in enumerate(items):
        if position in literal:
            table[literal[position]].append(item)
            continue
        rest.append(item)
        for reached in table.values():
            reached.append(item)
    return rest, table


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


# --- the network, run without Experta's per-node overhead ----------------------------
#
# Experta's nodes copy the token at every activation (a namedtuple whose constructor
# type-checks every fact), look fields up by splitting their names, and format log
# calls: about 15 Python calls per node a fact reaches. `_Runtime` runs the very
# network Experta built (same nodes, same children in the same order, same memories
# in the same order, same checks) through one closure per node input, with tokens
# as plain tuples `(valid, facts, context)` whose context is never changed once made
# (a node that binds makes a new one), so nothing needs copying.

_MISSING = object()


class _Unsupported(Exception):
    """A node or check the runtime does not know: Experta runs the network itself."""


Token = tuple  # (valid: bool, facts: frozenset, context: dict), never mutated
Callback = Callable[[Token], None]


def _same_context(left: dict, right: dict) -> bool:
    """Experta's SameContextCheck: the bindings two tokens share agree."""
    for key, value in left.items():
        if key[0] is False:
            raise RuntimeError(f'Negated value "{key[1]}" present before capture.')
        if key in right and value != right[key]:
            return False
        if (False, key) in right and value == right[(False, key)]:
            return False
    return True


def _merged(context: dict, match: collections.abc.Mapping) -> dict | None:
    """The context with a test's bindings added, or None when they contradict it
    (FeatureTesterNode's rule)."""
    for key, value in match.items():
        if isinstance(key, tuple):  # a negated binding
            if key[1] in context and context[key[1]] == value:
                return None
        else:
            if context.get(key, value) != value:
                return None
            if (False, key) in context and context[(False, key)] == value:
                return None
    merged = dict(context)
    merged.update(match)
    return merged


def _plain_field(check: FeatureCheck) -> str | None:
    """The field a check reads when Experta reads it as `fact[what]`."""
    what = check.what
    if isinstance(what, str) and "__" not in what and not what.isnumeric():
        return what
    return None


#: one test of an alpha chain: (field, literal, predicate) (the predicate None for a
#: literal), or one binding: (None, name, field) (field None: the fact itself)
Step = tuple


def _chain_step(check) -> Step | None:
    """A check as one step of `_chain` (or of `_tester`'s own closures), if it is one of
    the shapes they run themselves."""
    if isinstance(check, FeatureCheck) and _plain_field(check) is not None:
        how, what = check.how, _plain_field(check)
        if isinstance(how, L) and how.__bind__ is None:
            return (what, how.value, None)
        if isinstance(how, PredicateFC) and how.__bind__ is None:
            return (what, None, how.match)
        if isinstance(how, WildcardFC) and how.__bind__ is not None:
            return (None, how.__bind__, what)
    if isinstance(check, FactCapture):
        return (None, check.bind, None)
    return None


def _tester(check, callbacks: tuple[Callback, ...]) -> Callback:
    """A FeatureTesterNode: its test, then its children with the (maybe bound) token."""
    if isinstance(check, TypeCheck):
        return _type_tester(check.fact_type, callbacks)
    step = _chain_step(check)
    if step is None:
        return _generic_tester(check, callbacks)
    what, value, match = step
    if what is None:  # a binding: value is its name, match the field (None: the fact)
        return (_capture_tester(value, callbacks) if match is None
                else _binding_tester(match, value, callbacks))
    return (_literal_tester(what, value, callbacks) if match is None
            else _predicate_tester(what, match, callbacks))


def _alpha_chain(node) -> tuple[list[Step], Any]:
    """The steps of the path from `node` down while each node has one child that
    `_chain` can run, and the node it ends at (`node` alone: a path of one)."""
    steps, last = [_chain_step(node.matcher)], node
    while (steps[-1] is not None and len(last.children) == 1
           and _tests_itself(last.children[0])
           and _chain_step(last.children[0].node.matcher) is not None):
        last = last.children[0].node
        steps.append(_chain_step(last.matcher))
    return steps, last


def _keyed(child: ChildNode, what: str) -> str | None:
    """The str a child of a dispatch on `what` needs `what` to equal, when the path it
    runs (`_alpha_chain`) tests that too (`kind == "parq"` under `fid` bound): the
    dispatch's table sends only a fact with that value there, and any other fact
    would fail that test."""
    if not _tests_itself(child):
        return None
    steps, _ = _alpha_chain(child.node)
    if len(steps) == 1:
        return None  # a literal test on `what` alone is the dispatch's own
    for step in steps:
        if step is not None and step[0] == what and step[2] is None and \
                type(step[1]) is str:
            return step[1]
    return None


def _chain(steps: list[Step], callbacks: tuple[Callback, ...]) -> Callback:
    """A path of alpha nodes each with one child (`kind == ...` under `fid` bound,
    `id == ...` then the fact captured): one closure, the tests first, in their order,
    then the bindings, in theirs. Alpha nodes keep no memory and test only the fact and
    the bindings made on the path, so a fact passes the path, bound the same way, or
    it does not, whichever order they are made in; a fact most tests turn away is
    turned away before anything is bound."""
    tests = tuple(step for step in steps if step[0] is not None)
    binds = tuple((name, what) for first, name, what in steps if first is None)

    def activate(token: Token) -> None:
        (fact,) = token[1]
        for what, value, match in tests:
            actual = fact.get(what, _MISSING)
            if actual is _MISSING or not (value == actual if match is None else match(actual)):
                return
        context = token[2]
        for name, what in binds:
            if what is None:  # FactCapture
                negated = (False, name)
                if ((name in context and context[name] != fact)
                        or (negated in context and context[negated] == fact)):
                    return
                context = {**context, name: fact}
            else:
                actual = fact.get(what, _MISSING)
                if actual is _MISSING:
                    return
                context = _merged(context, {name: actual})
                if context is None:
                    return
        bound = (token[0], token[1], context) if binds else token
        for callback in callbacks:
            callback(bound)

    return activate


def _type_tester(fact_type: type, callbacks: tuple[Callback, ...]) -> Callback:
    def activate(token: Token) -> None:
        (fact,) = token[1]
        if type(fact) == fact_type:  # noqa: E721 (Experta's test)
            for callback in callbacks:
                callback(token)

    return activate


def _literal_tester(what: str, value: Any, callbacks: tuple[Callback, ...]) -> Callback:
    def activate(token: Token) -> None:
        (fact,) = token[1]
        actual = fact.get(what, _MISSING)
        if actual is not _MISSING and value == actual:
            for callback in callbacks:
                callback(token)

    return activate


def _predicate_tester(what: str, match: Callable, callbacks: tuple[Callback, ...]
                      ) -> Callback:
    def activate(token: Token) -> None:
        (fact,) = token[1]
        actual = fact.get(what, _MISSING)
        if actual is not _MISSING and match(actual):
            for callback in callbacks:
                callback(token)

    return activate


def _binding_tester(what: str, bind: str, callbacks: tuple[Callback, ...]) -> Callback:
    def activate(token: Token) -> None:
        (fact,) = token[1]
        actual = fact.get(what, _MISSING)
        if actual is _MISSING:
            return
        context = _merged(token[2], {bind: actual})
        if context is not None:
            bound = (token[0], token[1], context)
            for callback in callbacks:
                callback(bound)

    return activate


def _capture_tester(bind: str, callbacks: tuple[Callback, ...]) -> Callback:
    negated = (False, bind)

    def activate(token: Token) -> None:
        (fact,) = token[1]
        context = token[2]
        if not context:  # nothing bound yet (a pattern's first test), nothing to agree with
            bound = (token[0], token[1], {bind: fact})
        elif ((bind in context and context[bind] != fact)
              or (negated in context and context[negated] == fact)):
            return
        else:
            bound = (token[0], token[1], {**context, bind: fact})
        for callback in callbacks:
            callback(bound)

    return activate


def _generic_tester(check, callbacks: tuple[Callback, ...]) -> Callback:
    if not callable(check):
        raise _Unsupported(check)

    def activate(token: Token) -> None:
        (fact,) = token[1]
        match = check(fact)
        if not match:
            return
        if isinstance(match, collections.abc.Mapping):
            context = _merged(token[2], match)
            if context is None:
                return
            token = (token[0], token[1], context)
        for callback in callbacks:
            callback(token)

    return activate


def _table(what: str, rest: tuple[Callback, ...], table: dict[str, tuple[Callback, ...]]
           ) -> Callback:
    """A `_Dispatch`: the callbacks its table gives for the fact's value of `what`."""

    def activate(token: Token) -> None:
        (fact,) = token[1]
        value = fact.get(what)
        for callback in (table.get(value, rest) if type(value) is str else rest):
            callback(token)

    return activate


def _tests_itself(child: ChildNode) -> bool:
    """An alpha node called as Experta wires it: its test, then its children."""
    return (type(child.node) is FeatureTesterNode
            and getattr(child.callback, "__func__", None) is FeatureTesterNode.activate)


class _Join:
    """An OrdinaryMatchNode: each side's tokens, joined with the other side's."""

    def __init__(self, callbacks: tuple[Callback, ...], filled: list):
        self.left: list[tuple[frozenset, dict]] = []
        self.right: list[tuple[frozenset, dict]] = []
        self.callbacks = callbacks
        self.filled = filled

    def port(self, is_left: bool) -> Callback:
        own, other = (self.left, self.right) if is_left else (self.right, self.left)
        callbacks, filled = self.callbacks, self.filled

        def activate(token: Token) -> None:
            valid, data, context = token
            if valid:
                if not own:
                    filled.append(own)
                own.append((data, context))
            else:
                with contextlib.suppress(ValueError):
                    own.remove((data, context))
            for other_data, other_context in other:
                if not (_same_context(context, other_context) if is_left
                        else _same_context(other_context, context)):
                    continue
                joined = {k: v for k, v in context.items() if isinstance(k, str)}
                for k, v in other_context.items():
                    if not isinstance(k, tuple):
                        joined[k] = v
                out = (valid, data | other_data, joined)
                for callback in callbacks:
                    callback(out)

        return activate


class _Not:
    """A NotNode: left tokens pass while no right token matches them."""

    def __init__(self, callbacks: tuple[Callback, ...], filled: list):
        # left: (facts, frozen context) -> [matches, facts, context], in Experta's order
        self.left: dict[tuple, list] = {}
        self.right: list[tuple[frozenset, dict]] = []
        self.callbacks = callbacks
        self.filled = filled

    def activate_left(self, token: Token) -> None:
        valid, data, context = token
        key = (data, frozenset(context.items()))
        if valid and not self.left:
            self.filled.append(self.left)
        if not self.right:
            if valid:
                self.left[key] = [0, data, context]
            else:
                del self.left[key]
            for callback in self.callbacks:
                callback(token)
            return
        count = 0
        for _, right_context in self.right:
            if _same_context(context, right_context):
                count += 1
                if not valid:
                    break
        if count == 0:
            for callback in self.callbacks:
                callback(token)
        if valid:
            self.left[key] = [count, data, context]
        else:
            del self.left[key]

    def activate_right(self, token: Token) -> None:
        valid, data, context = token
        if valid:
            if not self.right:
                self.filled.append(self.right)
            self.right.append((data, context))
            inc = 1
        else:
            inc = -1
            self.right.remove((data, context))
        for entry in self.left.values():
            if not _same_context(entry[2], context):
                continue
            entry[0] += inc
            if (entry[0] == 0 and inc == -1) or (entry[0] == 1 and inc == 1):
                out = (inc == -1, entry[1], entry[2])
                for callback in self.callbacks:
                    callback(out)


class _Terminal:
    """A ConflictSetNode: the activations and deactivations of one rule since polled."""

    def __init__(self, node: ConflictSetNode, touched: list, filled: list):
        self.rule = node.rule
        self._cex_position: int = node._cex_position  # the order Experta polls it in
        self.memory: set = set()  # emptied at reset; pending activations stay, as in Experta
        #: (facts, frozen context) -> its activation, made once per change polled: Experta
        #: made one per token and hashed it (every fact of its context again) in a set
        self.added: dict[tuple, ExpertaActivation] = {}
        self.removed: dict[tuple, ExpertaActivation] = {}
        self.touched = touched
        self.filled = filled

    def activate(self, token: Token) -> None:
        """Experta's ConflictSetNode: a match is new unless its removal is pending, and
        the other way round. Two activations are equal in Experta when their facts and
        bindings are (the rule is this node's): the key `info` says exactly that, since
        the patterns compiled here never bind a negated value (no tuple keys)."""
        self.touched.append(self)
        valid, data, context = token
        info = (data, frozenset(context.items()))
        if valid:
            if info not in self.memory:
                if not self.memory:
                    self.filled.append(self.memory)
                self.memory.add(info)
                if self.removed.pop(info, None) is None:
                    self.added[info] = self._activation(data, context)
        else:
            try:
                self.memory.remove(info)
            except ValueError:
                pass
            else:
                if self.added.pop(info, None) is None:
                    self.removed[info] = self._activation(data, context)

    def _activation(self, data: frozenset, context: dict) -> ExpertaActivation:
        return ExpertaActivation(self.rule, data,
                                 {k: v for k, v in context.items() if isinstance(k, str)})

    def get_activations(self) -> tuple[list, list]:
        out = (list(self.added.values()), list(self.removed.values()))
        self.added.clear()
        self.removed.clear()
        return out


class _Runtime:
    """The closures of one network, built once per engine."""

    def __init__(self, root, touched: list):
        self.touched = touched
        self.built: dict[tuple[int, str], Callback] = {}
        self.stateful: dict[int, Any] = {}
        #: each node memory that became non-empty since the last reset, emptied in place
        #: then (the closures hold them): a consultation fills a few of tens of thousands
        self.filled: list = []
        self.roots = self._callbacks(root.children)
        self.by_type = self._by_type(root.children)

    def add(self, fact) -> None:
        token = (True, frozenset((fact,)), {})
        for callback in self.by_type.get(type(fact), ()):
            callback(token)

    def remove(self, fact) -> None:
        token = (False, frozenset((fact,)), {})
        for callback in self.by_type.get(type(fact), ()):
            callback(token)

    def _by_type(self, roots) -> dict[type, tuple[Callback, ...]]:
        """The root's children test a fact's type (`TypeCheck`, one per class the rules
        match): for each class, the callbacks of the nodes that pass it, in the roots'
        order, reached by one look-up instead of a test per root."""
        by_type: dict[type, list[Callback]] = {}
        for child in roots:
            node = child.node
            if not _tests_itself(child) or type(node.matcher) is not TypeCheck:
                raise _Unsupported(node)
            by_type.setdefault(node.matcher.fact_type, []).extend(
                self._callbacks(node.children))
        return {kind: tuple(callbacks) for kind, callbacks in by_type.items()}

    def reset(self) -> None:
        for memory in self.filled:
            memory.clear()
        self.filled.clear()

    def _callbacks(self, children) -> tuple[Callback, ...]:
        return tuple(self._callback(child) for child in children)

    def _callback(self, child: ChildNode) -> Callback:
        node, callback = child
        port = getattr(getattr(callback, "__func__", None), "__name__", "")
        if isinstance(node, _Dispatch):
            port = "dispatch"
        elif getattr(callback, "__self__", None) is not node:
            raise _Unsupported(callback)
        key = (id(node), port)
        if key not in self.built:
            self.built[key] = self._build(node, port)
        return self.built[key]

    def _build(self, node, port: str) -> Callback:
        if port == "dispatch":
            return self._dispatch(node)
        if type(node) is FeatureTesterNode and port == "activate":
            steps, last = _alpha_chain(node)
            if len(steps) > 1:
                return _chain(steps, self._callbacks(last.children))
            return _tester(node.matcher, self._callbacks(node.children))
        if type(node) is ConflictSetNode and port == "activate":
            return self._state(node, lambda: _Terminal(node, self.touched, self.filled)).activate
        if type(node) in (OrdinaryMatchNode, NotNode) and type(node.matcher) is not \
                SameContextCheck:
            raise _Unsupported(node.matcher)  # the joins below test shared bindings only
        if type(node) is OrdinaryMatchNode and port in ("activate_left", "activate_right"):
            join = self._state(node, lambda: _Join(self._callbacks(node.children), self.filled))
            return join.port(port == "activate_left")
        if type(node) is NotNode and port in ("activate_left", "activate_right"):
            state = self._state(node, lambda: _Not(self._callbacks(node.children), self.filled))
            return getattr(state, port)
        raise _Unsupported(node)

    def _state(self, node, make: Callable[[], Any]) -> Any:
        if id(node) not in self.stateful:
            self.stateful[id(node)] = make()
        return self.stateful[id(node)]

    def _dispatch(self, dispatch: _Dispatch) -> Callback:
        """`_Dispatch`'s table, each child testing the literal it is indexed by
        replaced by its own children: a fact the table sends there passes that test
        (its value is that str), so the children are called as the test would call
        them, at the same point in the same order."""
        rest: list[Callback] = []
        table: dict[str, list[Callback]] = {value: [] for value in dispatch.literal.values()}
        for position, child in enumerate(dispatch.children):
            if position in dispatch.literal:
                table[dispatch.literal[position]].extend(
                    self._callbacks(child.node.children) if _tests_itself(child)
                    else (self._callback(child),))
                continue
            callback = self._callback(child)
            keyed = _keyed(child, dispatch.what)
            if keyed is not None:  # it tests the field too: only that value reaches it
                table.setdefault(keyed, list(rest)).append(callback)
                continue
            rest.append(callback)
            for reached in table.values():
                reached.append(callback)
        what = dispatch.what
        return _table(what, tuple(rest),
                      {value: tuple(callbacks) for value, callbacks in table.items()})


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
        try:
            self._runtime: _Runtime | None = _Runtime(self.root_node, self._touched)
        except _Unsupported:
            self._runtime = None  # Experta's own nodes run it, as before

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

    @staticmethod
    def build_alpha_part(ruleset, root_node):
        """Experta's alpha network: the same ranking of checks and rules, the same nodes
        in the same order, with each pattern's checks made, sorted and walked once where
        Experta does it again for every rule the pattern appears in (equal patterns
        follow the same path to the same terminal)."""
        ruleset = ruleset.copy()
        ruleset.add(Rule(InitialFact()))  # Experta's: the InitialFact branch always exists
        rule_facts = {rule: extract_facts(rule) for rule in ruleset}
        # as Experta's comprehension has it: the first of equal patterns is the key, the
        # last one's checks the value (its FactCapture is named after it)
        last: dict = {}
        for fact in itertools.chain.from_iterable(rule_facts.values()):
            last[fact] = fact
        fact_checks = {fact: set(generate_checks(made)) for fact, made in last.items()}
        # Experta's Counter of checks and its tie-break on hash(check), by identity: its
        # checks are interned (one object per test), so equal is identical, and a
        # check's hash is a Python __hash__ over its pattern, taken once here
        rank: collections.Counter = collections.Counter()
        hashes: dict[int, int] = {}
        for checks in fact_checks.values():
            for check in checks:
                rank[id(check)] += 1
                if id(check) not in hashes:
                    hashes[id(check)] = hash(check)

        def check_order(check) -> tuple:
            if isinstance(check, TypeCheck):
                return (float("inf"), hashes[id(check)])
            if isinstance(check, FactCapture):
                return (float("-inf"), hashes[id(check)])
            return (rank[id(check)], hashes[id(check)])

        def rule_order(rule) -> float:
            facts = rule_facts[rule]
            return sum(rank[id(c)] for fact in facts for c in fact_checks[fact]) / len(facts)

        terminals: dict = {}
        for rule in sorted(ruleset, key=rule_order, reverse=True):
            for fact in rule_facts[rule]:
                if fact not in terminals:
                    checks = sorted(fact_checks[fact], key=check_order, reverse=True)
                    terminals[fact] = _alpha_path(root_node, checks)
        return terminals

    @staticmethod
    def build_beta_part(ruleset, alpha_terminals):
        """Experta's beta network, node for node and child for child: Experta's
        `wire_rule` registers a new `singledispatch` function per rule, and resolving
        its types afresh for each rule was a third of compiling the network. Rules
        with a `test`, `exists` or `forall` still go through it."""
        for rule in ruleset:
            for lhs in rule[0] if isinstance(rule[0], OR) else (rule,):
                if not _joins_only(lhs):
                    wire_rule(rule, alpha_terminals, lhs=lhs)
                    continue
                last = _wired(lhs, alpha_terminals)
                terminal = ConflictSetNode(rule)
                last.add_child(terminal, terminal.activate)

    def changes(self, adding=None, deleting=None):
        network = self._runtime if self._runtime is not None else self.root_node
        if deleting is not None:
            for deleted in deleting:
                network.remove(deleted)
        if adding is not None:
            for added in adding:
                network.add(added)
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
        if self._runtime is not None:
            self._runtime.reset()
            return
        for node in self._memories:
            node._reset()


class _FactList(FactList):
    """Experta's fact list, declaring the facts this module builds without the checks
    they cannot fail: they have no schema, no special keys, no logging wanted.

    Two facts are the same when their class and values are: every fact declared here
    is made by `_to_experta` or `_fact(Row, ...)`, which give each class's fields in
    one order, so the values in order say what Experta's frozenset of items says. The
    fact's hash (Experta works it out from its items when first asked, and asks for
    every token) is that key's, taken here once: equal facts still hash alike."""

    @staticmethod
    def _get_fact_id(fact):
        """The key `declare` gives a fact, for Experta's `retract`."""
        return (fact.__class__, *(v for k, v in fact.items() if k != "__factid__"))

    def declare(self, fact):
        fact_id = (fact.__class__, *fact.values())  # no special key yet
        counter = self.reference_counter  # a Counter, without its __missing__ call
        if not self.duplication and fact_id in counter:
            return None
        idx = self.last_index
        dict.__setitem__(fact, "__factid__", idx)
        fact._hash = hash(fact_id)
        self[idx] = fact
        self.last_index = idx + 1
        self.added.append(fact)
        counter[fact_id] = counter.get(fact_id, 0) + 1
        return fact


class _Engine(KnowledgeEngine):
    """Experta's engine, run the same way without what costs and does nothing here:
    no deffacts to look up but the initial fact, no log lines to format (nor the test
    of whether to), no conditional elements in the facts this module declares, and no
    keyword arguments built for a right-hand side that reads the context as it is."""

    def reset(self, **kwargs):
        self.agenda = Agenda()
        self.facts = _FactList()
        self.matcher.reset()
        self.declare(InitialFact())
        self.running = False

    def declare(self, *facts):
        last = None
        declare = self.facts.declare
        for fact in facts:
            last = declare(fact)
        if not self.running:
            self._match()
        return last

    def _match(self) -> None:
        """Experta's `get_activations` and `update_agenda`: the facts declared since
        the last match through the network, its activations onto the agenda. Nothing
        declared, nothing reached: the network's changes come only from facts (a
        recording still takes the agenda as it stands, as at every update)."""
        facts = self.facts
        added, removed = facts.added, facts.removed
        if added or removed:
            facts.added, facts.removed = [], []
            self.strategy._update_agenda(self.agenda, *self.matcher.changes(added, removed))
        elif self.strategy.recorder is not None:
            self.strategy._update_agenda(self.agenda, (), ())

    def run(self, steps=float("inf")):
        self.running = True
        activations = self.agenda.activations
        while steps > 0 and self.running:
            self._match()
            activations = self.agenda.activations  # the strategy may replace the list
            if not activations:
                break
            activation = activations.pop()  # Agenda.get_next
            steps -= 1
            activation.rule._wrapped.fire(activation.context)
        self.running = False


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


def _alpha_path(node, checks: list):
    """The alpha node at the end of `checks` from `node`, each step the child testing
    that check, made when there is none yet (Experta's walk)."""
    for check in checks:
        for child in node.children:
            if child.node.matcher is check:
                node = child.node
                break
        else:
            child = FeatureTesterNode(check)
            node.add_child(child, child.activate)
            node = child
    return node


def _joins_only(element) -> bool:
    """Facts, negated facts and conjunctions of them: what `_wired` wires."""
    if isinstance(element, Fact | NOT):
        return True
    return isinstance(element, AND | Rule) and all(_joins_only(e) for e in element)


def _wired(element, alpha_terminals: dict):
    """The last beta node of `element`, as Experta's `wire_rule` builds it: a
    (negated) fact is its alpha terminal; a conjunction joins left to right, each
    join a NotNode when its right side is negated."""
    if isinstance(element, Fact):
        return alpha_terminals[element]
    if isinstance(element, NOT):
        return alpha_terminals[element[0]]
    if len(element) == 1:
        return _wired(element[0], alpha_terminals)
    node = None
    for first, second in itertools.pairwise(element):
        join = NotNode if isinstance(second, NOT) else OrdinaryMatchNode
        if node is None:
            node = join(SameContextCheck())
            left = _wired(first, alpha_terminals)
        else:
            left, node = node, join(SameContextCheck())
        right = _wired(second, alpha_terminals)
        left.add_child(node, node.activate_left)
        right.add_child(node, node.activate_right)
    return node


def _identity(activation) -> tuple:
    return (activation.rule.__name__, frozenset(f["__factid__"] for f in activation.facts))


class Engine:
    """One compiled engine. Not thread-safe: Experta rules hold per-class state,
    so build one Engine per thread (the class is built per instance)."""

    def __init__(self, kb: KnowledgeBase, stock_nodes: bool = False):
        """`stock_nodes`: Experta's own ReteMatcher matches (its rule preparation, its
        nodes and memories, every conflict set polled), for differential tests of
        `_Matcher` and `_Runtime`; the strategy and the right-hand sides are the same."""
        # the network is all kept: collections while building it only re-walk the heap
        with paused_collector():
            self._build(kb, ReteMatcher if stock_nodes else _Matcher)

    def _build(self, kb: KnowledgeBase, matcher: type[ReteMatcher]) -> None:
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
        #: the FMS tests declared (a total needs them all): counted here once, since a
        #: consultation scanning every finding was a sixth of one at 50k rules
        self.fms_tests = sum(1 for f in kb.of("finding").values() if f.one("in") == "fms")
        attributes: dict[str, Any] = {}
        meta: dict[str, tuple[int, int, int, int]] = {}
        for index, rule in enumerate(self.rules):
            if rule.table_row:
                assert isinstance(rule.condition, Atom)
                self.rows_by_finding.setdefault(rule.condition.id, []).append(index)
                continue
            for branch, patterns in enumerate(_branches(rule.condition)):
                name = f"cex_r{index}_{branch}"
                attributes[name] = Rule(*patterns)(self._rhs(name, rule, patterns))
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
        attributes["__matcher__"] = matcher
        engine_class = type("CompiledKnowledgeBase", (_Engine,), attributes)
        self.engine = engine_class()

    @property
    def network(self) -> str:
        """Which code matches: "runtime" (`_Runtime`'s closures), "experta" (Experta's
        nodes run by `_Matcher`, for a network the runtime does not know) or "stock"."""
        matcher = self.engine.matcher
        if not isinstance(matcher, _Matcher):
            return "stock"
        return "runtime" if matcher._runtime is not None else "experta"

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
        recorder = None
        if record:
            from cexpert.engine.agenda import Recorder

            recorder = Recorder()
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
                    facts.append(_fact(Row, r=index, finding=f.id))
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

    def _rhs(self, name: str, rule: KbRule, patterns: list):
        """The right-hand side of one branch: `fire(context)`, called by `_Engine.run`
        with the activation's context, the matched facts in pattern order (`p0`,
        `p1`, ... as `_branches` names them), worked out here once for every firing."""
        names = tuple(sorted((bind for bind in (_bound_name(p) for p in patterns)
                              if bind is not None and bind.startswith("p")),
                             key=_pattern_index))

        def fire(context: dict) -> None:
            # a rule with nothing positive to match (`always`, only `not`) rests on
            # the consultation itself: the client fact, so every chain ends in input
            self._fire(rule, [context[k] for k in names] if names else
                       [context[k] for k in ("client",) if k in context])

        return _right_hand_side(name, fire)

    def _table_rhs(self):
        def fire(context: dict) -> None:
            self._fire(self.rules[context["row"]["r"]], [context["finding"]])

        return _right_hand_side("cex_table_row", fire)


def _right_hand_side(name: str, fire: Callable[[dict], None]):
    """What Experta's `Rule` wraps: a function named `name` taking `(*_args,
    **context)`, and `fire`, the same called with the context dict as it is."""

    def rhs(*_args, **context):
        fire(context)

    rhs.__name__ = name
    rhs.__signature__ = _RHS_SIGNATURE
    rhs.fire = fire
    return rhs


def _bound_name(pattern) -> str | None:
    """The name a pattern is bound to (`AS.p0 << W(...)`), if it is a bound fact."""
    return pattern.__bind__ if isinstance(pattern, Fact) else None


#: every right-hand side takes `(*_args, **context)`: Experta asks for the signature
#: each time it rewrites a rule (thousands of times per build), so it is computed once
_RHS_SIGNATURE = inspect.signature(lambda *_args, **context: None)


def _pattern_index(key: str) -> int:
    return int(key[1:]) if key[1:].isdigit() else 10**6


def _to_experta(fact: WorkingFact) -> W:
    """`_fact(W, ...)` of a working fact, its fields always in this order."""
    made = dict.__new__(W)
    dict.update(made, kind=fact.kind, id=fact.id, side=fact.side, value=fact.value,
                fid=fact.fid, scope=fact.scope, of=fact.of, region=fact.region)
    made._Fact__defaults = {}
    return made


def _fact(cls: type, **fields: Any):
    """`cls(**fields)` without Experta's per-field `freeze` dispatch: every value here
    is a str, a number, None or a field constraint (a pattern's `P(...)` or
    `MATCH.x`), all hashable, which `freeze` returns as they are."""
    made = dict.__new__(cls)
    dict.update(made, fields)
    made._Fact__defaults = {}
    return made


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
    return _fact(W, **fields)
