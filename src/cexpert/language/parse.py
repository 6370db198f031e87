"""Parse rule text into the syntax tree, reporting every broken statement.

Lark's LALR parser with positions does the work; a Transformer turns its tree
into the frozen dataclasses of `syntax_tree`, and does nothing else. To report
every syntax error rather than the first, a file that fails is split into its
statements (a statement starts at column 1) and each is parsed on its own.
"""

from __future__ import annotations

import re
from difflib import get_close_matches
from functools import cache

from lark import Lark, Token, Transformer
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)

from cexpert.language import syntax_tree as st
from cexpert.language.diagnostics import Diagnostic, suggest
from cexpert.language.limits import MAX_NESTING, MAX_NUMBER
from cexpert.language.parse_driver import Driver
from cexpert.language.parser_tables import default_folder, load_parser
from cexpert.resources import grammar_path

#: Words with a fixed meaning. They may appear in a name only inside quotes
#: where the grammar expects them (see README, "Reserved words").
RESERVED = (
    "and", "or", "not", "when", "then", "because", "rule", "source", "salience",
    "profile", "overactive", "underactive", "include", "section", "setting", "always",
    "is", "at",
)

DECLARATION_KINDS = (
    "assessment", "muscle", "finding", "condition", "equipment", "dysfunction",
    "exercise", "phase", "checkpoint", "limitation", "clinician", "region",
)


PARSER_OPTIONS = {"parser": "lalr", "lexer": "contextual", "propagate_positions": True,
                  "maybe_placeholders": True}


@cache
def parser(strict: bool = False) -> Lark:
    """The LALR parser; `strict=True` makes any grammar conflict an error.

    The tables come from a verified JSON cache in the user's own cache folder
    (`parser_tables`), never from Lark's pickle in the shared temporary folder."""
    if strict:
        return Lark.open(str(grammar_path()), strict=True, **PARSER_OPTIONS)
    return load_parser(grammar_path(), PARSER_OPTIONS, default_folder())


def parse_text(text: str, path: str) -> tuple[st.RuleFile, list[Diagnostic]]:
    """Parse one file's text. Never raises for any input; errors are diagnostics."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.removeprefix("\ufeff")  # a byte-order mark is no part of the first line
    try:
        return st.RuleFile(path, text, _parse_fast(text, path, 0)), []
    except LarkError:
        pass  # Lark itself fails on the same token or callback: straight to the statements
    except Exception:  # anything else the driver refuses, Lark decides
        try:
            return st.RuleFile(path, text, _parse_with_lark(text, path, 0)), []
        except (LarkError, RecursionError):
            pass
    statements: list[st.Statement] = []
    diagnostics: list[Diagnostic] = []
    for offset, chunk in split_statements(text):
        try:
            statements.extend(_parse_chunk(chunk, path, offset))
        except (UnexpectedInput, _ContinuationError) as error:
            diagnostics.append(_syntax_diagnostic(error, chunk, path, offset))
        except _NumberError as error:
            diagnostics.append(_number_diagnostic(error))
        except (LarkError, RecursionError) as error:
            span = st.Span(path, offset + 1, 1, offset + 1, 2)
            if isinstance(error, RecursionError):
                diagnostics.append(Diagnostic(
                    "E001", "cannot parse this statement: its conditions nest too deeply",
                    span, help=f"a rule's conditions may nest at most {MAX_NESTING} levels of "
                    "'and', 'or', 'not' and parentheses"))
            else:
                diagnostics.append(Diagnostic("E001", f"cannot parse this statement: {error}",
                                              span))
    return st.RuleFile(path, text, tuple(statements)), diagnostics


def split_statements(text: str) -> list[tuple[int, str]]:
    """Cut a file at each line that starts a statement; return (line offset, text)."""
    chunks: list[tuple[int, str]] = []
    start, current = 0, []
    for number, line in enumerate(text.split("\n")):
        starts_statement = bool(line) and not line[0].isspace() and not line.startswith("#")
        if starts_statement and current:
            chunks.append((start, "\n".join(current)))
            start, current = number, []
        current.append(line)
    if current:
        chunks.append((start, "\n".join(current)))
    return chunks


def _parse_chunk(text: str, path: str, line_offset: int) -> tuple[st.Statement, ...]:
    """One statement: by the driver, or by Lark when the driver refuses (Lark's
    exceptions are what the diagnostics are made of)."""
    try:
        return _parse_fast(text, path, line_offset)
    except Exception:  # whatever it was, Lark raises its own or succeeds
        return _parse_with_lark(text, path, line_offset)


def _parse_fast(text: str, path: str, line_offset: int) -> tuple[st.Statement, ...]:
    return driver().parse(text, ToSyntaxTree(path, line_offset))


def _parse_with_lark(text: str, path: str, line_offset: int) -> tuple[st.Statement, ...]:
    return ToSyntaxTree(path, line_offset).transform(parser().parse(text))


@cache
def driver() -> Driver:
    """The LALR driver over the parser's own tables and lexer (`parse_driver`)."""
    return Driver(parser(), ToSyntaxTree)


# --- from Lark's tree to ours -------------------------------------------------------


class ToSyntaxTree(Transformer):
    """Builds syntax-tree nodes only: no evaluation, no state beyond the file.

    Every callback takes `(position, *children)`, the position being the node's
    `(line, column, end_line, end_column)` or None (see `span`). `parse_driver` calls
    them at each reduction; for a tree Lark built, `_call_userfunc` calls them
    directly because Lark's `v_args` wrapper rebuilds itself on every call, a third
    of the transform's time."""

    def __init__(self, path: str, line_offset: int):
        super().__init__(visit_tokens=False)  # no token callbacks: tokens pass as they are
        self.path = path
        self.offset = line_offset

    def _call_userfunc(self, tree, new_children=None):
        children = tree.children if new_children is None else new_children
        callback = getattr(self, tree.data, None)
        if callback is None:
            return self.__default__(tree.data, children, tree.meta)
        meta = tree.meta
        position = None if getattr(meta, "empty", True) else (
            meta.line, meta.column, meta.end_line, meta.end_column)
        return callback(position, *children)

    def span(self, position: tuple[int, int, int, int] | None) -> st.Span:
        """The node's span from `(line, column, end_line, end_column)` in the chunk,
        as the driver passes it (and `_call_userfunc` makes of Lark's meta); a node
        that covers no token (None) is a zero-width span at the chunk's start."""
        if position is None:
            return st.Span(self.path, self.offset + 1, 1, self.offset + 1, 1)
        line, column, end_line, end_column = position
        offset = self.offset
        return st.Span(self.path, line + offset, column, end_line + offset, end_column)

    def token_span(self, token: Token) -> st.Span:
        return st.Span(
            self.path, token.line + self.offset, token.column,
            token.end_line + self.offset, token.end_column,
        )

    # statements
    def start(self, meta, *statements):
        return tuple(s for s in statements if s is not None)

    def declaration(self, meta, kind, ident, title, *attributes):
        return st.Declaration(
            kind, str(ident), self.token_span(ident), self._text(title), attributes,
            self.span(meta),
        )

    def kind(self, meta, token):
        return str(token)

    def attribute(self, meta, key, values):
        return st.Attribute(key, tuple(values or ()), self.span(meta))

    def attribute_name(self, meta, token):
        return str(token)

    def values(self, meta, *values):
        return tuple(values)

    def extension(self, meta, kind, ident, *attributes):
        return st.Extension(kind, str(ident), self.token_span(ident), attributes,
                            self.span(meta))

    def include(self, meta, path):
        return st.Include(self._text(path), self.span(meta))

    def section(self, meta, title, source=None):
        return st.Section(self._text(title), self._text(source), self.span(meta))

    def file_source(self, meta, source):
        return st.FileSource(self._text(source), self.span(meta))

    def setting(self, meta, key, values):
        return st.Setting(str(key), self.token_span(key), tuple(values), self.span(meta))

    # rules
    def rule(self, meta, ident, title, *rest):
        options = [r for r in rest if isinstance(r, tuple) and r and r[0] == "option"]
        (body,) = [r for r in rest if not (isinstance(r, tuple) and r and r[0] == "option")]
        condition, conclusions, arrow = body
        return self._rule(
            meta, str(ident), self.token_span(ident), self._text(title),
            condition, conclusions, options, arrow, generated=False,
        )

    def arrow_rule(self, meta, first, *rest):
        options = [r for r in rest if isinstance(r, tuple) and r and r[0] == "option"]
        parts = [r for r in rest if not (isinstance(r, tuple) and r and r[0] == "option")]
        conclusions = parts[-1]
        tests = [st.FactTest(None, first, first.span), *parts[:-2]]
        condition = tests[0] if len(tests) == 1 else st.All(tuple(tests), self.span(meta))
        return self._rule(
            meta, "", first.span, None, condition, conclusions, options, True, generated=True,
        )

    def _rule(self, meta, ident, id_span, title, condition, conclusions, options, arrow,
              generated):
        found = {kind: value for _, kind, value in options}
        return st.Rule(
            id=ident, id_span=id_span, title=title, condition=condition,
            conclusions=conclusions, source=found.get("source"),
            salience=found.get("salience"), profile=found.get("profile"),
            arrow=arrow, generated=generated, span=self.span(meta),
        )

    def arrow_body(self, meta, condition, arrow, conclusions):
        return (condition, conclusions, True)

    def when_body(self, meta, condition, conclusions):
        return (condition, conclusions, False)

    def source_option(self, meta, text):
        return ("option", "source", self._text(text))

    def salience_option(self, meta, number):
        return ("option", "salience", number)

    def profile_option(self, meta, word):
        return ("option", "profile", str(word))

    # conditions
    def or_condition(self, meta, *operands):
        return st.Any(tuple(operands), self.span(meta))

    def and_condition(self, meta, *operands):
        return st.All(tuple(operands), self.span(meta))

    def negation(self, meta, operand):
        return st.Not(operand, self.span(meta))

    def fact_test(self, meta, kind, name, status=None, regions=None):
        return st.FactTest(kind, name, self.span(meta), status, regions)

    def fact_region(self, meta, *names):
        return tuple(names)

    def fact_kind(self, meta, token):
        return str(token)

    def comparison(self, meta, quantity, operator, number):
        kind, subject, *extra = quantity
        measure = extra[0] if kind == "measure" else None
        state = extra[0] if kind == "evidence" else None
        return st.Comparison(kind, subject, str(operator), number, self.span(meta),
                             measure, state)

    def age(self, meta):
        return ("age", None)

    def fms_score(self, meta, name):
        return ("fms", name)

    def measure(self, meta, word, name):
        return ("measure", name, st.Name(str(word), self.token_span(word)))

    def visit_count(self, meta):
        return ("visits", None)

    def visit_change(self, meta, change, name, visits):
        number = self.number(meta, visits) if visits is not None else None
        return st.VisitChange(change, name, number, self.span(meta))

    def change(self, meta, token):
        return str(token)

    def evidence(self, meta, state, name):
        return ("evidence", name, state)

    def asymmetry(self, meta, name):
        return st.Asymmetry(name, self.span(meta))

    def referral_test(self, meta, urgency=None):
        return st.ReferralTest(self.span(meta), urgency)

    def always_test(self, meta):
        return st.AlwaysTest(self.span(meta))

    def fms_priority_test(self, meta, name):
        return st.FmsPriorityTest(name, self.span(meta))

    def note(self, meta, text):
        return st.Note(self._text(text), self.span(meta))

    def stop_rule(self, meta, text):
        return st.Stop(self._text(text), self.span(meta))

    def parq_test(self, meta, question):
        return st.ParqTest(question, self.span(meta))

    def clearance(self, meta, subject, by, within):
        return st.ClearanceTest(subject, tuple(by or ()), within, self.span(meta))

    def clearance_by(self, meta, *names):
        return names

    def clearance_within(self, meta, number):
        return self.number(meta, number)

    # conclusions: a bare name continues the list before it
    def conclusions(self, meta, *items):
        out: list = []
        state: str | None = None
        side: st.Name | None = None
        last_kind: str | None = None
        for prefix, item in items:
            if prefix is not None:
                side = prefix
            if isinstance(item, tuple) and item[0] == "state":
                _, state, muscle, span = item
                out.append(st.MuscleState(state, muscle, side, span))
                last_kind = "state"
            elif isinstance(item, tuple) and item[0] == "continuation":
                _, name, span = item
                if last_kind == "state" and state is not None:
                    out.append(st.MuscleState(state, name, side, span))
                elif last_kind == "dysfunction":
                    out.append(st.Dysfunction(name, span))
                elif last_kind == "prescribe":
                    out.append(st.Prescribe(name, span))
                else:
                    raise _continuation_error(name)
            else:
                out.append(item)
                last_kind = _LIST_KINDS.get(type(item), "other")
        return tuple(out)

    def item(self, meta, prefix, conclusion):
        return (prefix, conclusion)

    def side_prefix(self, meta, name):
        return name

    def state(self, meta, token):
        return str(token)

    def muscle_state(self, meta, state, name):
        return ("state", state, name, self.span(meta))

    def continuation(self, meta, name):
        return ("continuation", name, self.span(meta))

    def dysfunction(self, meta, name):
        return st.Dysfunction(name, self.span(meta))

    def prescribe(self, meta, name):
        return st.Prescribe(name, self.span(meta))

    def refer(self, meta, urgency, reason):
        return st.Refer(urgency, self._text(reason), self.span(meta))

    def hold_program(self, meta, reason):
        return st.HoldProgram(self._text(reason), self.span(meta))

    def exclude(self, meta, *parts):
        *exclusions, reason = parts
        return st.Exclude(tuple(exclusions), self._text(reason), self.span(meta))

    def exclusion(self, meta, by, *names):
        return st.Exclusion(by, tuple(names), self.span(meta))

    def exclusion_by(self, meta, token):
        return str(token)

    def substitute(self, meta, original, replacement, reason):
        return st.Substitute(original, replacement, self._text(reason), self.span(meta))

    def set_dose(self, meta, *parts):
        *items, target = parts
        return st.SetDose(tuple(items), target, self.span(meta))

    def dose_item(self, meta, variable, value):
        if isinstance(value, Token):
            value = self._text(value)
        return st.DoseItem(variable, value, self.span(meta))

    def dose_variable(self, meta, token):
        return str(token)

    def reassess(self, meta, number, unit):
        return st.Reassess(self.number(meta, number), unit, self.span(meta))

    def fms_target(self, meta, name):
        return st.FmsTarget(name, self.span(meta))

    def suggest_test(self, meta, name, how, reason):
        return st.SuggestTest(name, self._text(how), self._text(reason), self.span(meta))

    # names and literals
    def words(self, meta, *words):
        return st.Name(" ".join(words), self.span(meta))  # tokens are str: a plain str

    def quoted(self, meta, token):
        return st.Name(unescape(str(token)), self.token_span(token), quoted=True)

    def number(self, meta, token):
        value = float(token)  # a 400-digit number is inf here: refused, never passed on
        if not abs(value) <= MAX_NUMBER:
            raise _NumberError(str(token), self.token_span(token))
        return st.Number(value, self.token_span(token))

    def _text(self, token: Token | None) -> st.Text | None:
        if token is None:
            return None
        return st.Text(unescape(str(token)), self.token_span(token))


#: The conclusions a bare name after them continues (besides muscle states).
_LIST_KINDS = {st.Dysfunction: "dysfunction", st.Prescribe: "prescribe"}

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def unescape(literal: str) -> str:
    """Decode a string literal's escapes (\\n, \\t, \\", \\\\); others stay as written."""
    body = literal[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), body)


class _ContinuationError(LarkError):
    def __init__(self, name: st.Name):
        super().__init__(f"'{name.text}' continues no list")
        self.name = name


class _NumberError(LarkError):
    def __init__(self, written: str, span: st.Span):
        super().__init__(f"number out of range: {written[:20]}")
        self.written = written
        self.span = span


def _number_diagnostic(error: _NumberError) -> Diagnostic:
    digits = sum(c.isdigit() for c in error.written)
    shown = error.written if len(error.written) <= 20 else \
        f"{error.written[:12]}… ({digits} digits)"
    return Diagnostic(
        "E004", f"the number {shown} is out of range", error.span,
        help=f"numbers in rules lie between -{MAX_NUMBER:,} and {MAX_NUMBER:,}",
    )


def _continuation_error(name: st.Name) -> _ContinuationError:
    return _ContinuationError(name)


# --- syntax errors in words a rule author can act on -----------------------------------

_TERMINAL_WORDS = {
    "WORD": "a name",
    "STRING": "a quoted string",
    "SIGNED_NUMBER": "a number",
    "_NL": "end of line",
    "$END": "end of file",
    "ARROW": "'→' (or '->')",
    "COMPARE": "a comparison (<, <=, =, !=, >=, >)",
    "COMMA": "','",
    "SEMICOLON": "';'",
    "COLON": "':'",
    "LPAR": "'('",
    "RPAR": "')'",
}


def describe_terminal(name: str) -> str:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    try:
        pattern = parser().get_terminal(name).pattern
    except (KeyError, AttributeError):
        return name.lower()
    if pattern.type == "str":
        return f"'{pattern.value}'"
    return name.lower()


def _expected_words(expected: set[str] | frozenset[str]) -> str:
    words = sorted({describe_terminal(t) for t in expected})
    keywords = [w for w in words if w.startswith("'") and w[1:-1].isalpha()]
    others = [w for w in words if w not in keywords]
    if len(keywords) > 8:
        keywords = [*keywords[:8], "..."]
    return ", ".join(others + keywords)


def _syntax_diagnostic(
    error: UnexpectedInput, chunk: str, path: str, offset: int
) -> Diagnostic:
    if isinstance(error, _ContinuationError):
        first = error.name.text.split()[0]
        found = suggest(first.lower(), CONCLUSION_WORDS)
        return Diagnostic(
            "E003",
            f"'{error.name.text}' does not continue a list of muscles, dysfunctions or "
            "exercises",
            error.name.span,
            help=f"did you mean '{found[0]}' instead of '{first}'?" if found else
            "start the item with what it is, e.g. 'overactive', 'underactive', "
            "'dysfunction' or 'prescribe'",
        )
    line = (error.line or 1) + offset
    column = error.column or 1
    if isinstance(error, UnexpectedToken):
        token = error.token
        width = max(1, len(str(token))) if token.type not in ("$END", "_NL") else 1
        expected = _expected_words(_acceptable(error))
        found = _describe_found(token)
        span = st.Span(path, line, column, line, column + width)
        if token.type == "_NL" and not chunk[token.end_pos:].strip():
            found = "end of the statement"  # only blank lines and comments follow
        if token.type == "$END":  # the statement stopped short: point just past its end
            found = "end of the statement"
            last = chunk.rstrip().split("\n")
            end_line, end_column = offset + len(last), len(last[-1]) + 1
            span = st.Span(path, end_line, end_column, end_line, end_column + 1)
        return Diagnostic(
            "E001", f"unexpected {found}", span, expected=expected,
            help=_keyword_hint(token, error.expected, chunk)
            or _misspelled_keyword(chunk, _acceptable(error)),
        )
    if isinstance(error, UnexpectedCharacters):
        char = chunk.split("\n")[error.line - 1][error.column - 1 : error.column]
        span = st.Span(path, line, column, line, column + 1)
        hint = None
        if char == '"':
            hint = "a string ends on the line it starts; close it with '\"'"
        return Diagnostic(
            "E002", f"unexpected character {char!r}", span,
            expected=_expected_words(error.allowed or set()) or None, help=hint,
        )
    if isinstance(error, UnexpectedEOF):
        last = chunk.rstrip("\n").split("\n")
        span = st.Span(path, offset + len(last), len(last[-1]) + 1, offset + len(last),
                       len(last[-1]) + 2)
        return Diagnostic(
            "E001", "the statement ends too early", span,
            expected=_expected_words(set(error.expected)),
        )
    return Diagnostic("E001", str(error), st.Span(path, line, column, line, column + 1))


def _acceptable(error: UnexpectedToken) -> set[str]:
    """The terminals truly acceptable here (LALR's merged lookaheads overstate them)."""
    interactive = getattr(error, "interactive_parser", None)
    if interactive is not None:
        try:
            return set(interactive.accepts()) or set(error.expected)
        except LarkError:
            pass
    return set(error.expected)


def _describe_found(token: Token) -> str:
    if token.type == "$END":
        return "end of file"
    if token.type == "_NL":
        return "end of line"
    if token.type == "WORD":
        return f"name '{token}'"
    if token.type == "STRING":
        return f"string {token}"
    return f"'{token}'"


#: Words that start a conclusion, for 'did you mean' on a misspelled one.
CONCLUSION_WORDS = ("overactive", "underactive", "dysfunction", "prescribe", "refer",
                    "exclude", "substitute", "note", "reassess", "hold", "suggest", "stop")


#: Keywords that are no misspelling of another ('assessed' is not 'reassess').
_OTHER_KEYWORDS = ("assessed", "evidence", "suggest", "test", "with", "cleared", "within")


def _keywords(expected) -> list[str]:
    """The keywords (quoted words) among the terminals the parser expected."""
    words = (describe_terminal(t) for t in expected)
    return [w[1:-1] for w in words if w.startswith("'") and w[1:-1].isalpha()]


def _misspelled_keyword(chunk: str, expected) -> str | None:
    """'did you mean' for a keyword misspelled earlier in the statement.

    A misspelled `then` or `when` reads as part of a name, so the parser only fails
    at the statement's end; look back for a word close to a keyword the statement
    lacks (`thn`, `whn`, `overactiv`)."""
    words = re.findall(r"[A-Za-z_]+", re.sub(r'"[^"\n]*"|#[^\n]*', " ", chunk))
    present = {w.lower() for w in words}
    wanted = set(_keywords(expected))
    if words and words[0].lower() == "rule":
        wanted |= {"when", "then", "source", "salience", "profile"}
    wanted |= set(CONCLUSION_WORDS) | {"because"}
    wanted -= present
    for word in words:
        if word.lower() in RESERVED or word.lower() in _OTHER_KEYWORDS:
            continue
        found = get_close_matches(word.lower(), sorted(wanted), n=1, cutoff=0.75)
        if found:
            return f"did you mean '{found[0]}' instead of '{word}'?"
    return None


def _keyword_hint(token: Token, expected, chunk: str) -> str | None:
    """'did you mean' for a misspelled keyword, at the token or the statement start."""
    keywords = _keywords(expected)
    if token.type == "WORD" and keywords:
        found = suggest(str(token).lower(), keywords)
        if found:
            return f"did you mean '{found[0]}'?"
    first = chunk.lstrip().split(maxsplit=1)[0] if chunk.strip() else ""
    statement_words = {*DECLARATION_KINDS, "rule", "setting", "include", "section", "source",
                       "extend"}
    if first and first not in statement_words and "->" not in chunk and "→" not in chunk:
        found = suggest(first.lower(), sorted(statement_words))
        if found:
            return f"a statement starts with a keyword or is an arrow rule; " \
                   f"did you mean '{found[0]}' instead of '{first}'?"
    if str(token).lower() in ("and", "or") and any(
            describe_terminal(t) == "','" for t in expected):
        return f"'{token}' joins conditions; separate the names of a list with ','"
    if token.type == "WORD" and str(token).lower() in RESERVED:
        return f"'{token}' is a reserved word; quote a name that contains it"
    return None
