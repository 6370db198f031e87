"""Run Lark's LALR tables with our callbacks at each reduction, building no Lark tree.

`Lark.parse` with `propagate_positions` builds a `Tree` per node, computes its
`Meta` through four wrappers per reduction, and then our Transformer walks the
tree again: two thirds of the parse. This driver feeds the same lexer's tokens
through the same parse table and, at each reduction, does what Lark's wrappers
would (position propagation, child filtering with placeholders, inlining of `_rule`
and `?rule`) on plain tuples, then calls the transformer's callback directly with
the node's position as `(line, column, end_line, end_column)`, or None when the node
covers no token (Lark's empty meta).

It only ever parses valid text the way Lark would: any failure (a syntax error, an
error raised by a callback, a statement nested deeper than `MAX_DEPTH`) raises, and
the caller parses again with Lark itself, whose exceptions the diagnostics are made
of. So the diagnostics come from one code path only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from lark import Lark, Token
from lark.lexer import ContextualLexer, UnlessCallback
from lark.parsers.lalr_analysis import Shift

#: Parser stack entries beyond which the driver gives up and Lark parses (and its
#: transformer reports a RecursionError as a nesting diagnostic, exactly as before).
#: Real statements stay below 40; Lark's recursion fails only beyond several hundred.
MAX_DEPTH = 100

Position = tuple[int, int, int, int]
#: Where a stack value's container lies (Lark's `container_*`, what a parent's
#: position is made of): a token's own place; a node's span, widened to its parent's
#: children when the parent inlines it (`"(" condition ")"`); None for no token.
Entry = Position | None


class Fallback(Exception):
    """The driver cannot stand in for Lark on this text: parse it with Lark."""


@dataclass(frozen=True, slots=True)
class _Plan:
    """What Lark's tree builder does for one grammar rule, precomputed."""

    size: int  # symbols of the expansion (values popped)
    origin: str  # the nonterminal reduced to (the goto)
    callback: Callable[..., Any] | None  # the transformer's method; None: a `_rule`, whose
    # children list the parent splices into its own
    include: tuple[tuple[int, bool, int], ...] | None  # (index, splice, Nones before)
    append_none: int  # Nones after the last child (maybe_placeholders)
    expand1: bool  # `?rule`: a single child stands for the node
    passthrough: bool  # expand1 with one symbol and nothing filtered: the child as it is
    splice: bool  # a `_rule` without a callback: its children list, for the parent
    shape: object  # which of the driver's in-place reductions applies, or _GENERAL
    before: tuple[None, ...] = ()  # _PADDED: the placeholders before the one child
    after: tuple[None, ...] = ()  # _PADDED: and after it
    appended: int = 0  # _APPEND: the index of the symbol appended to the list


#: The shapes of reduction the driver does in place, most of them (see `_shape`).
_PASSTHROUGH, _CALL, _SPREAD, _PADDED, _WRAP, _CALL_ALL, _APPEND, _GENERAL = (
    "passthrough", "call", "spread", "padded", "wrap", "call all", "append", "general")


class Driver:
    """The parse table, the lexer and one plan per rule of a built `Lark` parser."""

    def __init__(self, lark: Lark, transformer_class: type):
        frontend = lark.parser
        table = frontend.parser.parser.parse_table
        self.start_state = table.start_states["start"]
        self.end_state = table.end_states["start"]
        plans: dict[Any, _Plan] = {}
        #: state -> terminal or nonterminal -> the next state (an int, shift or goto)
        #: or the plan of the rule to reduce by
        self.actions: dict[int, dict[str, int | _Plan]] = {}
        for state, actions in table.states.items():
            row: dict[str, int | _Plan] = {}
            for symbol, (action, arg) in actions.items():
                if action is Shift:
                    row[symbol] = arg
                else:
                    if arg not in plans:
                        plans[arg] = _plan(arg, transformer_class,
                                           lark.options.maybe_placeholders)
                    row[symbol] = plans[arg]
            self.actions[state] = row
        self.lexers = _scanners(frontend.lexer)

    def parse(self, text: str, transformer: Any) -> Any:
        """The start rule's value for `text`; raises on anything Lark would not accept.

        One token at a time through the LALR automaton: reduce as the table says, then
        shift it (or, at `$END`, reduce up to the start rule and return its value).
        The reductions of one symbol (a third of them) change the stacks' tops in
        place; the others go through `_reduce`, which does what Lark's wrappers do."""
        actions, end_state = self.actions, self.end_state
        states = [self.start_state]
        values: list[Any] = []
        entries: list[Entry] = []
        for kind, token, entry in self._tokens(text, states):
            while True:
                try:
                    plan = actions[states[-1]][kind]
                except KeyError:
                    raise Fallback("unexpected token") from None  # Lark: UnexpectedToken
                if plan.__class__ is int:
                    if token is None:
                        raise Fallback("shift at the end")
                    states.append(plan)
                    values.append(token)
                    entries.append(entry)
                    if len(states) > MAX_DEPTH:
                        raise Fallback("nested too deeply")
                    break
                shape = plan.shape
                if shape is _CALL:  # `kind: WORD`: the callback on the one child
                    values[-1] = plan.callback(transformer, entries[-1], values[-1])
                elif shape is _SPREAD:  # `name: _name_words -> words`: on its children
                    values[-1] = plan.callback(transformer, entries[-1], *values[-1])
                elif shape is _PADDED:  # `item: [side_prefix] conclusion`: with Nones
                    values[-1] = plan.callback(transformer, entries[-1], *plan.before,
                                               values[-1], *plan.after)
                elif shape is _WRAP:  # `_name_words: WORD`: a list the parent splices
                    values[-1] = [values[-1]]
                elif shape is _CALL_ALL:  # `muscle_state: state name`: on every child
                    size = plan.size
                    container = _covering(entries[-size:])
                    value = plan.callback(transformer, container, *values[-size:])
                    del values[1 - size:]
                    values[-1] = value
                    del entries[1 - size:]
                    entries[-1] = container
                    del states[1 - size:]
                elif shape is _APPEND:  # `_rule: _rule "," x`: the list grows in place
                    size = plan.size
                    values[-size].append(values[plan.appended - size])
                    del values[1 - size:]
                    entries[-size] = _covering(entries[-size:])
                    del entries[1 - size:]
                    del states[1 - size:]
                elif shape is not _PASSTHROUGH:  # `?rule: child`: the child as it stands
                    _reduce(plan, states, values, entries, transformer)
                goto = states[-1] = actions[states[-2]][plan.origin]
                if token is None and goto == end_state:
                    return values[-1]
        raise Fallback("no end")  # unreachable: `$END` reduces to the start rule or raises

    def _tokens(self, text: str, states: list[int]) -> Iterator[tuple[str, Any, Entry]]:
        """Lark's contextual lexer: each token with its type and position, then `$END`.
        Reads the parser's state for each token, so it lexes as the parse goes."""
        lexers = self.lexers
        position, line, line_start, length = 0, 1, 0, len(text)
        while position < length:
            scanner = lexers[states[-1]]
            for alternation in scanner.alternations:
                match = alternation[0].match(text, position)
                if match is not None:
                    break
            else:
                raise Fallback("no terminal matches")  # Lark: UnexpectedCharacters
            index = match.lastindex  # the terminal's group: it closes last
            kind, newline, ignored, keyword = alternation[1][index]
            value = match.group(index)
            position = match.end()
            start, start_line = position - len(value), line
            column = start - line_start + 1
            if newline:
                newlines = value.count("\n")
                if newlines:
                    line += newlines
                    line_start = start + value.rindex("\n") + 1
            if ignored:
                continue
            token = _new_str(Token, value)
            if keyword:
                kind = scanner.seen.get((kind, value)) or scanner.keyword(kind, value)
            end_column = position - line_start + 1
            token.type, token.value, token.start_pos = kind, value, start
            token.line, token.column, token.end_pos = start_line, column, position
            token.end_line, token.end_column = line, end_column
            yield kind, token, (start_line, column, line, end_column)
        yield "$END", None, None


_new_str = str.__new__


@dataclass(slots=True)
class _Scanner:
    """One contextual lexer's terminals (Lark's `BasicLexer`), for the driver's loop:
    the same compiled alternations, tried in the same order."""

    #: each compiled alternation, with its terminals by group number: (name, may hold
    #: a newline, ignored, may be a keyword)
    alternations: tuple[tuple[Any, dict[int, tuple[str, bool, bool, bool]]], ...]
    keywords: dict[str, Any]  # a terminal -> Lark's callback that retypes a keyword
    seen: dict[tuple[str, str], str]  # (terminal, text) -> the type the callback gave

    def keyword(self, kind: str, value: str) -> str:
        """What Lark's `UnlessCallback` makes of a WORD that is a keyword here."""
        found = self.seen.get((kind, value))
        if found is None:
            found = self.keywords[kind](Token(kind, value)).type
            self.seen[(kind, value)] = found
        return found


def _scanners(lexer: Any) -> dict[int, _Scanner]:
    """The driver's scanner for each parser state, from Lark's contextual lexer."""
    if not isinstance(lexer, ContextualLexer) or lexer.root_lexer.user_callbacks:
        raise Fallback("not the contextual lexer this driver reproduces")
    made: dict[int, _Scanner] = {}
    out = {}
    for state, basic in lexer.lexers.items():
        if id(basic) not in made:
            scanner = basic.scanner  # builds Lark's alternations and keyword callbacks
            if not all(isinstance(c, UnlessCallback) for c in basic.callback.values()):
                raise Fallback("a lexer callback this driver does not reproduce")
            alternations = tuple(
                (pattern, {index: (name, name in basic.newline_types,
                                   name in basic.ignore_types, name in basic.callback)
                           for name, index in pattern.groupindex.items()})
                for pattern in _skipping_blanks(scanner._mres, basic))
            made[id(basic)] = _Scanner(alternations, dict(basic.callback), {})
        out[state] = made[id(basic)]
    return out


#: What may follow a blank in the probes for a terminal that starts with one.
_TAILS = ("", " ", "\t", "a", "Z", "0", "_", '"', "#", "\n", "-", "+", "→", "(", ",", ";", ":")


def _skipping_blanks(alternations: list[Any], basic: Any) -> tuple[Any, ...]:
    """Lark's alternations, each after `[ \t]*`: the spaces before a token are matched
    with it instead of as a token of their own (which Lark drops: `%ignore /[ \t]+/`).

    The same tokens: no terminal but that ignored one can start with a space or a tab,
    so Lark too would match the whole run of blanks, then the token after them."""
    blanks = [t for t in basic.terminals if t.name in basic.ignore_types
              and t.pattern.to_regexp() == "[ \t]+"]
    probes = [blank + tail for blank in " \t" for tail in _TAILS]
    starts_blank = [t for t in basic.terminals if t not in blanks
                    and any(re.match(t.pattern.to_regexp(), p) for p in probes)]
    if not blanks or starts_blank:
        return tuple(alternations)
    return tuple(re.compile(f"[ \t]*(?:{a.pattern})", a.flags) for a in alternations)


def _reduce(plan: _Plan, states: list[int], values: list[Any], entries: list[Entry],
            transformer: Any) -> None:
    """One reduction as Lark's wrappers do it, leaving the node's value and entry on top
    of the stacks (in the popped symbols' last place, for the goto to replace):
    PropagatePositions (on the unfiltered children: a node spans from its first child's
    container to its last one's), ChildFilter (placeholders, spliced `_rule`s),
    ExpandSingleChild, then the callback."""
    size = plan.size
    if size:
        raw = values[-size:]
        raw_entries = entries[-size:]
        if size > 1:
            del states[1 - size:]
        del values[-size:]
        del entries[-size:]
        container = _covering(raw_entries)
    else:
        raw, raw_entries, container = [], [], None
        states.append(states[-1])  # a place for the goto
    include = plan.include
    if include is None:
        children = raw
    else:
        children = []
        for index, splice, nones in include:
            if nones:
                children += [None] * nones
            if not splice:
                children.append(raw[index])
            elif children:
                children += raw[index]
            else:  # left recursion (`_rule: _rule x`): extend the list in place, as Lark
                children = raw[index]
        if plan.append_none:
            children += [None] * plan.append_none
    callback = plan.callback
    if plan.expand1 and len(children) == 1:
        value, entry = _single(children[0], raw, raw_entries, container)
    elif callback is not None:
        value, entry = callback(transformer, container, *children), container
    elif plan.splice:
        value, entry = children, container
    else:
        raise Fallback(f"no callback for {plan.origin}")  # Lark would build a Tree
    values.append(value)
    entries.append(entry)


def _covering(raw_entries: list[Entry]) -> Entry:
    """A node's container: from its first child's (with a token) to its last one's."""
    first, last = raw_entries[0], raw_entries[-1]
    if first is None or last is None:
        first = next((e for e in raw_entries if e is not None), None)
        last = next((e for e in reversed(raw_entries) if e is not None), None)
    if first is None or first is last:
        return first
    return (first[0], first[1], last[2], last[3])


def _single(child: Any, raw: list[Any], raw_entries: list[Entry], container: Position | None
            ) -> tuple[Any, Entry]:
    """ExpandSingleChild: the one child stands for the node; PropagatePositions then
    widens a node's container to the parent's children (`"(" condition ")"`)."""
    if child is None:
        return None, None  # a placeholder: no position, as in Lark
    index = next((i for i, v in enumerate(raw) if v is child), None)
    if index is None:
        raise Fallback("a single child from a spliced rule")
    entry = raw_entries[index]
    if entry is None:
        raise Fallback("an empty node inlined")  # Lark would give it its parent's start
    if isinstance(child, Token):
        return child, entry  # Lark moves no position onto a token
    return child, container if container is not None else entry


def _plan(rule: Any, transformer_class: type, placeholders: bool) -> _Plan:
    """Lark's `maybe_create_child_filter` and callback lookup, for one rule."""
    options = rule.options
    name = rule.alias or options.template_source or rule.origin.name
    # a `_rule`'s tree is spliced into its parent's before Lark's Transformer sees it
    callback = None if name.startswith("_") else getattr(transformer_class, name, None)
    empty = options.empty_indices if placeholders else ()
    expansion = rule.expansion
    if empty:
        pattern = "".join(str(int(b)) for b in empty)
        nones_at = [len(ones) for ones in pattern.split("0")]
    else:
        nones_at = [0] * (len(expansion) + 1)
    include: list[tuple[int, bool, int]] = []
    pending = 0
    for index, symbol in enumerate(expansion):
        pending += nones_at[index]
        if options.keep_all_tokens or not (symbol.is_term and symbol.filter_out):
            splice = not symbol.is_term and symbol.name.startswith("_")
            include.append((index, splice, pending))
            pending = 0
    pending += nones_at[len(expansion)]
    needed = bool(empty) or len(include) < len(expansion) or any(s for _, s, _ in include)
    expand1 = bool(options.expand1 and not rule.alias)
    plan = _Plan(
        size=len(expansion), origin=rule.origin.name,
        callback=callback if callable(callback) else None,
        include=tuple(include) if needed else None, append_none=pending if needed else 0,
        expand1=expand1, passthrough=expand1 and len(expansion) == 1 and not needed,
        splice=rule.origin.name.startswith("_") and not expand1, shape=_GENERAL,
    )
    return _shaped(plan)


def _shaped(plan: _Plan) -> _Plan:
    """The plan with the in-place reduction that does what `_reduce` would, if any:
    one symbol (whose container is the node's, and which no `?rule` expands), a callback
    on all the symbols, or a `_rule` adding one symbol to the list its first one made."""
    include, size = plan.include, plan.size
    if plan.passthrough:
        return replace(plan, shape=_PASSTHROUGH)
    if size == 1 and not plan.expand1:
        if plan.callback is not None:
            if include is None:
                return replace(plan, shape=_CALL)
            if include == ((0, True, 0),) and not plan.append_none:
                return replace(plan, shape=_SPREAD)
            if len(include) == 1 and include[0][:2] == (0, False):
                return replace(plan, shape=_PADDED, before=(None,) * include[0][2],
                               after=(None,) * plan.append_none)
        elif plan.splice and include is None:
            return replace(plan, shape=_WRAP)
    if size > 1 and not plan.expand1 and plan.callback is not None and include is None:
        return replace(plan, shape=_CALL_ALL)
    if (plan.splice and plan.callback is None and size > 1 and not plan.append_none
            and include is not None and len(include) == 2 and include[0] == (0, True, 0)
            and include[1][1:] == (False, 0)):
        return replace(plan, shape=_APPEND, appended=include[1][0])
    return plan
