"""Check a parsed knowledge base and resolve it into `knowledge.KnowledgeBase`.

Pure and total: every problem becomes a `Diagnostic` (all of them, not the
first), nothing raises. The vocabulary is a typed name table, as in
rule-engine: each reference is looked up for the kind its place expects, so
an unknown name gets a "did you mean" and a name of the wrong kind says what
it is. Rules are then stratified: a cycle of rules that would re-fire forever,
or one through `not` (whose result would depend on firing order), is rejected.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from cexpert.language import syntax_tree as st
from cexpert.language.diagnostics import ERROR, WARNING, Diagnostic, suggest
from cexpert.language.knowledge import (
    AllOf,
    AnyOf,
    Atom,
    Conclude,
    Cond,
    Entry,
    KbRule,
    KnowledgeBase,
    NoneOf,
)
from cexpert.language.syntax_tree import name_key

# --- the schema of declarations: which attribute takes which values -----------------
# A value spec is a declared kind ("muscle"), "text", "number", "word" (a free
# value), a "one of" tuple of allowed words, or "flag" (no value).
SIDES = ("left", "right")
STATES = ("overactive", "underactive")

SCHEMA: dict[str, dict[str, object]] = {
    "assessment": {"views": "word", "sided": "flag", "scored": "number", "aka": "text",
                   "note": "text"},
    "muscle": {"region": "word", "group": "word", "aka": "text", "note": "text"},
    "finding": {"in": "assessment", "view": "word", "checkpoint": "checkpoint",
                "side": SIDES, "sided": "flag", "clears": "finding", "aka": "text",
                "note": "text"},
    "condition": {"group": "word", "statuses": "word", "aka": "text", "note": "text"},
    "limitation": {"aka": "text", "note": "text"},
    "equipment": {"aka": "text", "note": "text"},
    "dysfunction": {"checkpoint": "checkpoint", "aka": "text", "note": "text"},
    "exercise": {"phase": "phase", "targets": "muscle", "covers": "muscle",
                 "equipment": "equipment", "position": "text", "sets": "number",
                 "reps": "number_or_text", "hold": "number", "tempo": "text",
                 "substitutes": "exercise", "tags": "word", "integrates": "checkpoint",
                 "unilateral": "flag", "aka": "text", "note": "text"},
    "phase": {"treats": (*STATES, "checkpoints"), "cap": "number", "sets": "number",
              "reps": "number_or_text", "hold": "number", "tempo": "text", "aka": "text",
              "note": "text"},
    "checkpoint": {"group": "word", "aka": "text", "note": "text"},
}
REQUIRED = {"finding": ("in",), "exercise": ("phase",), "phase": ("treats",)}
SINGLE = {"in", "view", "checkpoint", "side", "clears", "phase", "position", "sets", "reps",
          "hold", "tempo", "treats", "cap", "group", "region", "scored"}

SETTINGS: dict[str, object] = {
    "checkpoint_order": "checkpoint",
    "assessment_order": "assessment",
    "fms_order": "finding",
    "profile": "word",
    "firing_limit": "number",
}

#: Numbers with a meaning: counts are whole numbers from 1, durations are positive.
QUANTITIES = {"cap": "count", "sets": "count", "reps": "count", "scored": "count",
              "firing_limit": "count", "hold": "seconds"}


def quantity_problem(key: str, number: float) -> str | None:
    """Why `number` cannot be the value of `key`, or None when it can."""
    kind = QUANTITIES.get(key)
    if kind == "count" and (number < 1 or not float(number).is_integer()):
        return f"'{key}' takes a whole number of at least 1, not {number:g}"
    if kind == "seconds" and number <= 0:
        return f"'{key}' takes a number of seconds above 0, not {number:g}"
    return None


SIDE_WORDS = {
    "same_side": "same", "same": "same", "stance_leg": "same", "stance_side": "same",
    "opposite_side": "opposite", "opposite": "opposite", "other_side": "opposite",
    "opposite_leg": "opposite", "both_sides": "both", "both": "both",
    "lower_side": "lower", "lower_scoring_side": "lower", "weaker_side": "lower",
    "higher_side": "higher", "higher_scoring_side": "higher",
    "left": "left", "right": "right",
}
URGENCIES = ("urgent", "routine")
DERIVED_KINDS = ("overactive", "underactive", "dysfunction", "referral", "fms_priority")
FACT_KIND_TO_DECL = {
    "finding": "finding", "pain": "finding", "condition": "condition",
    "dysfunction": "dysfunction", "overactive": "muscle", "underactive": "muscle",
    "cleared": "condition", "equipment": "equipment", "limitation": "limitation",
}
#: Kinds a bare name in a condition may be, tried in this order.
BARE_CONDITION_KINDS = ("finding", "condition", "dysfunction", "limitation", "equipment")
ANY = "any"


@dataclass
class NameTable:
    """key -> [(kind, id)] for every id, alias and display name."""

    by_key: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, text: str, kind: str, id: str) -> None:
        entries = self.by_key[name_key(text)]
        if (kind, id) not in entries:
            entries.append((kind, id))

    def lookup(self, name: st.Name, kinds: Sequence[str]) -> list[tuple[str, str]]:
        found = self.by_key.get(name.key, [])
        return [(k, i) for k, i in found if k in kinds]

    def anything(self, name: st.Name) -> list[tuple[str, str]]:
        return list(self.by_key.get(name.key, []))

    def keys_of(self, kinds: Sequence[str]) -> list[str]:
        return [key for key, items in self.by_key.items() if any(k in kinds for k, _ in items)]


class Checker:
    """Holds the diagnostics of one check; `run` returns the knowledge base or None."""

    def __init__(self, files: Sequence[st.RuleFile], path: str, kb_hash: str,
                 profile: str | None = None):
        self.files = files
        self.path = path
        self.hash = kb_hash
        self.profile = name_key(profile) if profile else None  # overrides the setting
        self.diagnostics: list[Diagnostic] = []
        self.names = NameTable()
        self.decls: dict[str, dict[str, st.Declaration]] = defaultdict(dict)

    # reporting
    def error(self, code: str, message: str, span: st.Span | None, **extra) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, ERROR, **extra))

    def warn(self, code: str, message: str, span: st.Span | None, **extra) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, WARNING, **extra))

    def run(self) -> KnowledgeBase | None:
        self.collect_declarations()
        entries = self.resolve_declarations()
        settings = self.resolve_settings(entries)
        rules = self.resolve_rules(entries, settings)
        rules = self.stratify(rules)
        self.check_usefulness(rules, entries)
        if any(d.is_error for d in self.diagnostics):
            return None
        return KnowledgeBase(
            path=self.path, hash=self.hash, entries=entries, rules=tuple(rules),
            settings=settings, files=tuple(f.path for f in self.files),
            rules_by_id={r.id: r for r in rules},
        )

    # --- declarations -------------------------------------------------------------
    def collect_declarations(self) -> None:
        for file in self.files:
            for statement in file.statements:
                if not isinstance(statement, st.Declaration):
                    continue
                kind, ident = statement.kind, statement.id
                previous = self.decls[kind].get(ident)
                if previous is not None:
                    self.error(
                        "E101", f"{kind} '{ident}' is declared twice", statement.id_span,
                        notes=(f"first declared at {previous.id_span}",),
                    )
                    continue
                if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", ident):
                    self.error(
                        "E102", f"'{ident}' is not a valid id", statement.id_span,
                        help="ids are letters, digits and underscores, e.g. gluteus_medius",
                    )
                self.decls[kind][ident] = statement
                self.names.add(ident, kind, ident)
                if statement.title is not None:
                    self.names.add(statement.title.value, kind, ident)
                for attribute in statement.attributes:
                    if attribute.key == "aka":
                        for value in attribute.values:
                            text = value.value if isinstance(value, st.Text) else getattr(
                                value, "text", None)
                            if text:
                                self.names.add(text, kind, ident)

    def resolve_declarations(self) -> dict[str, dict[str, Entry]]:
        entries: dict[str, dict[str, Entry]] = {}
        for kind in SCHEMA:
            entries[kind] = {}
            for order, (ident, decl) in enumerate(self.decls.get(kind, {}).items()):
                attributes = self.resolve_attributes(decl)
                aliases = tuple(
                    _plain(v) for a in decl.attributes if a.key == "aka" for v in a.values
                )
                title = decl.title.value if decl.title else ident.replace("_", " ")
                entries[kind][ident] = Entry(
                    kind, ident, title, aliases, attributes, decl.span, order)
        self.check_views(entries)
        return entries

    def resolve_attributes(self, decl: st.Declaration) -> dict[str, tuple]:
        schema = SCHEMA[decl.kind]
        out: dict[str, tuple] = {}
        for attribute in decl.attributes:
            spec = schema.get(attribute.key)
            if spec is None:
                allowed = ", ".join(sorted(schema))
                self.error(
                    "E103", f"{_a(decl.kind)} has no attribute '{attribute.key}'",
                    attribute.span, expected=allowed,
                )
                continue
            if attribute.key in out and attribute.key not in ("aka", "note"):
                self.error("E104", f"'{attribute.key}' is given twice", attribute.span)
                continue
            values = self.resolve_values(attribute, spec)
            if attribute.key in SINGLE and len(values) > 1:
                self.error("E105", f"'{attribute.key}' takes one value", attribute.span)
            if spec != "flag" and not attribute.values:
                self.error("E106", f"'{attribute.key}' needs a value", attribute.span)
            out[attribute.key] = out.get(attribute.key, ()) + tuple(values)
        for key in REQUIRED.get(decl.kind, ()):
            if key not in out and not any(a.key == key for a in decl.attributes):
                self.error(
                    "E107", f"{decl.kind} '{decl.id}' needs '{key}'", decl.id_span,
                    help=f"add '{key} ...' to the declaration",
                )
        return out

    def number(self, value: st.Number, key: str) -> int | float | None:
        problem = quantity_problem(key, value.value)
        if problem is not None:
            self.error("E106", problem, value.span)
            return None
        return value.as_int if value.as_int is not None else value.value

    def resolve_values(self, attribute: st.Attribute, spec: object) -> list:
        if spec == "flag":
            if attribute.values:
                self.error("E106", f"'{attribute.key}' takes no value", attribute.span)
            return [True]
        out = []
        for value in attribute.values:
            resolved = self.resolve_value(value, spec, attribute.key)
            if resolved is not None:
                out.append(resolved)
        return out

    def resolve_value(self, value: st.Value, spec: object, key: str):
        if spec in ("number", "number_or_text") and isinstance(value, st.Number):
            return self.number(value, key)
        if spec == "number":
            self.error("E106", f"'{key}' takes a number", _span(value))
            return None
        if spec == "number_or_text":
            return _plain(value)
        if spec in ("text", "word"):
            if spec == "text" and isinstance(value, st.Number):
                return value.as_int if value.as_int is not None else value.value
            text = _plain(value)
            return text if spec == "text" else name_key(text)
        if isinstance(spec, tuple):
            word = name_key(_plain(value))
            if word not in spec:
                self.error(
                    "E106", f"'{_plain(value)}' is not a valid {key}", _span(value),
                    expected=", ".join(spec), help=_mean(word, spec),
                )
                return None
            return word
        if not isinstance(value, st.Name):
            self.error("E106", f"'{key}' takes {_a(str(spec))} name", _span(value))
            return None
        if spec == "equipment" and value.key == "none":
            return "none"
        return self.resolve_name(value, (str(spec),))

    def check_views(self, entries: dict[str, dict[str, Entry]]) -> None:
        for finding in entries["finding"].values():
            view = finding.one("view")
            assessment = entries["assessment"].get(finding.one("in") or "")
            if view and assessment and assessment.many("views") and \
                    view not in assessment.many("views"):
                decl = self.decls["finding"][finding.id]
                span = next(a.span for a in decl.attributes if a.key == "view")
                self.error(
                    "E106", f"'{view}' is not a view of {assessment.id}", span,
                    expected=", ".join(assessment.many("views")),
                    help=_mean(view, assessment.many("views")),
                )

    # --- names ----------------------------------------------------------------------
    def resolve_name(self, name: st.Name, kinds: Sequence[str]) -> str | None:
        """The id `name` refers to among `kinds`, or None after reporting why not."""
        found = self.names.lookup(name, kinds)
        ids = sorted({i for _, i in found})
        if name.key in ids:  # an exact id beats aliases and display names
            ids = [name.key]
        if len(ids) == 1:
            return ids[0]
        wanted = " or ".join(kinds)
        if len(ids) > 1:
            self.error(
                "E202", f"'{name.text}' is ambiguous: it names {', '.join(ids)}", name.span,
                help="write the id instead",
            )
            return None
        other = self.names.anything(name)
        if other:
            kind, ident = other[0]
            self.error(
                "E203", f"'{name.text}' is {_a(kind)} ('{ident}'), but {_a(wanted)} is expected "
                "here", name.span,
            )
            return None
        candidates = self.names.keys_of(kinds)
        hint = _mean_as_written(name, candidates)
        words = name.text.split()
        reserved = [i for i, w in enumerate(words) if w.lower() in ("overactive", "underactive")]
        if reserved and 0 < reserved[0] < len(words) - 1:  # `adductors underactive x`
            at = reserved[0]
            hint = (f"a new list starts at '{words[at]}': separate it with ';', "
                    f"as in '{' '.join(words[:at])}; {' '.join(words[at:])}'")
        elif words and words[0].lower() in ("and", "or"):  # `overactive and tfl`
            hint = (f"'{words[0]}' joins conditions, not names: write "
                    f"'{' '.join(words[1:])}' alone, or separate the names of a list with ','")
        elif reserved:  # `glute medius underactive`
            hint = (f"'{words[reserved[0]]}' must come before the muscles it applies to, "
                    "e.g. 'underactive glute medius'")
        self.error(
            "E201", f"unknown {wanted} '{name.text}'", name.span, help=hint,
            notes=(f"no {wanted} of that name is declared",) if not candidates else (),
        )
        return None

    # --- settings -------------------------------------------------------------------
    def resolve_settings(self, entries) -> dict[str, tuple]:
        out: dict[str, tuple] = {}
        for file in self.files:
            for statement in file.statements:
                if not isinstance(statement, st.Setting):
                    continue
                spec = SETTINGS.get(statement.key)
                if spec is None:
                    self.error(
                        "E110", f"unknown setting '{statement.key}'", statement.key_span,
                        expected=", ".join(SETTINGS), help=_mean(statement.key, SETTINGS),
                    )
                    continue
                if statement.key in out:
                    self.error("E111", f"setting '{statement.key}' is given twice",
                               statement.key_span)
                    continue
                values = [self.resolve_value(v, spec, statement.key) for v in statement.values]
                out[statement.key] = tuple(v for v in values if v is not None)
        return out

    # --- rules ------------------------------------------------------------------------
    def resolve_rules(self, entries, settings) -> list[KbRule]:
        rules: list[KbRule] = []
        seen: dict[str, st.Rule] = {}
        order = 0
        for file in self.files:
            default_source = file_source = None
            for statement in file.statements:
                if isinstance(statement, st.FileSource):
                    default_source = file_source = statement.source.value
                elif isinstance(statement, st.Section):
                    default_source = (statement.source.value if statement.source is not None
                                      else file_source)
                elif isinstance(statement, st.Rule):
                    rule = self.resolve_rule(statement, file, default_source, order, seen)
                    order += 1
                    if rule is not None:
                        rules.append(rule)
        if self.profile is not None:
            known = sorted({r.profile for r in rules if r.profile})
            if self.profile not in known:
                self.error("E112", f"no rule belongs to the profile '{self.profile}'", None,
                           expected=", ".join(known) or "(this knowledge base has none)",
                           help=_mean(self.profile, known))
            settings["profile"] = (self.profile,)
        profile = (settings.get("profile") or (None,))[0]
        return [r for r in rules if r.profile is None or r.profile == profile]

    def resolve_rule(self, rule: st.Rule, file: st.RuleFile, default_source: str | None,
                     order: int, seen: dict[str, st.Rule]) -> KbRule | None:
        errors_before = self._error_count()
        condition = self.resolve_condition(rule.condition)
        conclusions = self.resolve_conclusions(rule.conclusions)
        rule_id = rule.id or _generated_id(file.path, condition)
        if rule.generated:
            n = 2
            base = rule_id
            while rule_id in seen:
                rule_id = f"{base}#{n}"
                n += 1
        elif rule_id in seen:
            self.error("E204", f"rule '{rule_id}' is defined twice", rule.id_span,
                       notes=(f"first defined at {seen[rule_id].id_span}",))
            return None
        seen[rule_id] = rule
        if rule.salience is not None and rule.salience.as_int is None:
            self.error("E206", "salience must be a whole number", rule.salience.span)
        source = rule.source.value if rule.source else default_source
        if not source:
            self.warn("W205", f"rule '{rule_id}' cites no source", rule.id_span,
                      help="add 'source \"...\"' to the rule, its section or its file")
        if self._error_count() > errors_before:
            return None
        text = _source_text(file.source, rule.span)
        salience = (rule.salience.as_int or 0) if rule.salience else 0
        return KbRule(
            id=rule_id, title=rule.title.value if rule.title else _first_line(text),
            source=source or "", file=file.path, line=rule.span.line, text=text,
            condition=condition, conclusions=tuple(conclusions), salience=salience,
            order=order, stratum=0, table_row=_is_table_row(condition, conclusions),
            profile=name_key(rule.profile) if rule.profile else None, span=rule.span,
        )

    def _error_count(self) -> int:
        return sum(1 for d in self.diagnostics if d.is_error)

    def resolve_condition(self, node: st.Condition) -> Cond:
        if isinstance(node, st.All):
            return AllOf(tuple(self.resolve_condition(o) for o in node.operands))
        if isinstance(node, st.Any):
            return AnyOf(tuple(self.resolve_condition(o) for o in node.operands))
        if isinstance(node, st.Not):
            return NoneOf(self.resolve_condition(node.operand))
        if isinstance(node, st.ReferralTest):
            return Atom("referral", None, node.span)
        if isinstance(node, st.AlwaysTest):
            return Atom("client", None, node.span)
        if isinstance(node, st.FmsPriorityTest):
            return Atom("fms_priority", self._fms_subject(node.test, allow_total=False),
                        node.span)
        if isinstance(node, st.ParqTest):
            if isinstance(node.question, st.Number):
                return Atom("parq", str(node.question.as_int), node.span)
            if node.question.key not in ("yes", ANY):
                self.error("E206", f"'parq {node.question.text}' is not a test", node.span,
                           expected="'parq yes' (any question) or 'parq N'")
            return Atom("parq", None, node.span)
        if isinstance(node, st.Comparison):
            operator = "==" if node.operator == "=" else node.operator
            if node.quantity == "age":
                return Atom("age", None, node.span, operator, node.value.value)
            subject = self._fms_subject(node.subject)
            return Atom("fms", subject, node.span, operator, node.value.value)
        if isinstance(node, st.Asymmetry):
            return Atom("asymmetry", self._fms_subject(node.subject, allow_total=False),
                        node.span)
        return self.resolve_fact_test(node)

    def _fms_subject(self, name: st.Name | None, allow_total: bool = True) -> str | None:
        if name is None or name.key == ANY:
            return None
        if name.key == "total" and allow_total:
            return "total"
        return self.resolve_name(name, ("finding",))

    def resolve_fact_test(self, node: st.FactTest) -> Cond:
        if node.status is not None:
            return self.resolve_condition_status(node)
        kind = node.kind
        if kind in ("followup",):
            if node.name.key not in ("yes", ANY):
                self.error("E206", f"'followup {node.name.text}' is not a test", node.span,
                           expected="'followup yes'")
            return Atom("followup", None, node.span)
        if kind is None:
            found = self.names.lookup(node.name, BARE_CONDITION_KINDS)
            kinds = sorted({k for k, _ in found})
            if len(kinds) > 1:
                self.error(
                    "E202", f"'{node.name.text}' is ambiguous: it is a "
                    f"{' and a '.join(kinds)}", node.span,
                    help=f"write '{kinds[0]} {node.name.text}' to say which",
                )
                return Atom("finding", None, node.span)
            kind = kinds[0] if kinds else "finding"
            ident = self.resolve_name(node.name, (kind,) if kinds else BARE_CONDITION_KINDS)
            return Atom(kind, ident, node.span)
        if node.name.key == ANY and kind in ("overactive", "underactive", "dysfunction"):
            return Atom(kind, None, node.span)
        if node.name.key == ANY and kind == "pain":
            return Atom("finding", None, node.span, scope="pain")
        ident = self.resolve_name(node.name, (FACT_KIND_TO_DECL[kind],))
        if kind == "pain" and ident:
            finding = self.decls["finding"].get(ident)
            assessment = _attribute_text(finding, "in") if finding else None
            if assessment and name_key(assessment) != "pain":
                self.error("E203", f"'{node.name.text}' is not a pain region", node.span)
        atom_kind = {"pain": "finding", "cleared": "cleared"}.get(kind, kind)
        return Atom(atom_kind, ident, node.span)

    def resolve_condition_status(self, node: st.FactTest) -> Cond:
        """`condition diabetes is advanced`: the status must be one the condition declares."""
        assert node.status is not None
        if node.kind not in (None, "condition"):
            self.error("E206", f"'is' tests the status of a condition, not of {_a(node.kind)}",
                       node.status.span, help=f"write 'condition {node.name.text} is "
                       f"{node.status.text}' for a condition")
            return Atom("condition", None, node.span)
        ident = self.resolve_name(node.name, ("condition",))
        if ident is None:
            return Atom("condition", None, node.span)
        declared = self.decls["condition"].get(ident)
        statuses = [name_key(_plain(v)) for a in (declared.attributes if declared else ())
                    if a.key == "statuses" for v in a.values]
        status = node.status.key
        if status not in statuses:
            self.error(
                "E206", f"'{node.status.text}' is not a status of the condition '{ident}'",
                node.status.span, expected=", ".join(statuses) or None,
                help=_mean(status, statuses) if statuses else
                f"declare its statuses: 'condition {ident} \"...\" statuses "
                f"{node.status.text}, ...'",
            )
        return Atom("condition", ident, node.span, scope=status)

    def resolve_conclusions(self, items: Iterable[st.Conclusion]) -> list[Conclude]:
        out: list[Conclude] = []
        positions: dict[str, int] = defaultdict(int)

        def add(kind: str, data: dict, span: st.Span) -> None:
            out.append(Conclude(kind, data, span, positions[kind]))
            positions[kind] += 1

        for item in items:
            if isinstance(item, st.MuscleState):
                muscle = self.resolve_name(item.muscle, ("muscle",))
                side = self._side(item.side)
                if muscle:
                    add(item.state, {"muscle": muscle, "side": side}, item.span)
            elif isinstance(item, st.Dysfunction):
                ident = self.resolve_name(item.name, ("dysfunction",))
                if ident:
                    add("dysfunction", {"dysfunction": ident}, item.span)
            elif isinstance(item, st.Prescribe):
                ident = self.resolve_name(item.exercise, ("exercise",))
                if ident:
                    add("prescribe", {"exercise": ident}, item.span)
            elif isinstance(item, st.Refer):
                urgency = item.urgency.key if item.urgency else "routine"
                if urgency not in URGENCIES:
                    self.error("E206", f"'{item.urgency.text}' is not an urgency",
                               item.urgency.span, expected=", ".join(URGENCIES),
                               help=_mean(urgency, URGENCIES))
                add("refer", {"urgency": urgency, "reason": item.reason.value}, item.span)
            elif isinstance(item, st.HoldProgram):
                add("hold", {"reason": item.reason.value}, item.span)
            elif isinstance(item, st.Exclude):
                add("exclude", self._exclusion(item), item.span)
            elif isinstance(item, st.Substitute):
                original = self.resolve_name(item.original, ("exercise",))
                replacement = self.resolve_name(item.replacement, ("exercise",))
                add("substitute", {"exercise": original, "with": replacement,
                                   "reason": item.reason.value}, item.span)
            elif isinstance(item, st.SetDose):
                add("dose", self._dose(item), item.span)
            elif isinstance(item, st.Reassess):
                unit = item.unit.key
                factor = {"week": 1, "weeks": 1, "days": 1 / 7, "day": 1 / 7}.get(unit)
                if factor is None:
                    self.error("E206", f"'{item.unit.text}' is not a unit of time",
                               item.unit.span, expected="weeks, days")
                    factor = 1
                if item.amount.value <= 0:
                    self.error("E206", "a reassessment comes after more than 0 "
                               f"{item.unit.text}", item.amount.span)
                weeks = item.amount.value * factor
                add("reassess", {"weeks": int(weeks) if float(weeks).is_integer() else weeks},
                    item.span)
            elif isinstance(item, st.Note):
                add("note", {"text": item.text.value}, item.span)
            elif isinstance(item, st.FmsTarget):
                test = None if item.test.key == ANY else self.resolve_name(
                    item.test, ("finding",))
                add("fms_target", {"test": test}, item.span)
        return out

    def _side(self, name: st.Name | None) -> str:
        if name is None:
            return "same"
        side = SIDE_WORDS.get(name.key)
        if side is None:
            self.error(
                "E206", f"'{name.text}' is not a side", name.span,
                expected="same side, opposite side, stance leg, both sides, left, right, "
                "lower side, higher side",
                help=_mean_as_written(name, SIDE_WORDS),
            )
            return "same"
        return side

    def _exclusion(self, item: st.Exclude) -> dict:
        data: dict[str, object] = {"phases": [], "exercises": [], "tags": [], "muscles": [],
                                   "reason": item.reason.value}
        kinds = {"phase": ("phases", "phase"), "exercise": ("exercises", "exercise"),
                 "for": ("muscles", "muscle")}
        for part in item.parts:
            if part.by == "tagged":
                data["tags"] = [*data["tags"], *(n.key for n in part.names)]
                continue
            field_name, kind = kinds[part.by]
            ids = [self.resolve_name(n, (kind,)) for n in part.names]
            data[field_name] = [*data[field_name], *(i for i in ids if i)]
        return data

    def _dose(self, item: st.SetDose) -> dict:
        target = self.names.lookup(item.target, ("phase", "exercise"))
        kind, ident = (target[0] if len(target) == 1 else (None, None))
        if kind is None:
            self.resolve_name(item.target, ("phase", "exercise"))
        dose = {}
        for d in item.items:
            value = d.value.value
            if isinstance(d.value, st.Number):
                value = self.number(d.value, d.variable)
                if value is None:
                    continue
            dose[d.variable] = value
        return {"target_kind": kind, "target": ident, "dose": dose}

    # --- stratification ----------------------------------------------------------------
    def stratify(self, rules: list[KbRule]) -> list[KbRule]:
        """Give each rule a stratum; report positive cycles and cycles through `not`."""
        edges: dict[str, list[tuple[str, bool]]] = {r.id: [] for r in rules}
        producers = _Producers(rules)
        for rule in rules:
            for predicate, negated in _tested(rule.condition):
                for producer in producers.of(predicate):
                    edges[rule.id].append((producer.id, negated))
        by_id = {r.id: r for r in rules}
        stratum: dict[str, int] = {}
        state: dict[str, int] = {}
        reported: set[frozenset[str]] = set()

        def visit(rule_id: str, path: list[tuple[str, bool]]) -> int:
            if state.get(rule_id) == 2:
                return stratum[rule_id]
            if state.get(rule_id) == 1:
                at = next(i for i, (r, _) in enumerate(path) if r == rule_id)
                cycle = path[at:]
                key = frozenset(r for r, _ in cycle)
                if key not in reported:
                    reported.add(key)
                    self._report_cycle(cycle, by_id)
                return 0
            state[rule_id] = 1
            level = 0
            for dep, negated in edges[rule_id]:
                below = visit(dep, [*path, (rule_id, negated)])
                level = max(level, below + (1 if negated else 0))
            state[rule_id] = 2
            stratum[rule_id] = level
            return level

        for rule in rules:
            visit(rule.id, [])
        return [_replace(r, stratum=stratum.get(r.id, 0)) for r in rules]

    def _report_cycle(self, cycle: list[tuple[str, bool]], by_id: dict[str, KbRule]) -> None:
        names = [r for r, _ in cycle]
        first = by_id[names[0]]
        chain = " → ".join([*names, names[0]])
        if any(negated for _, negated in cycle):
            self.error(
                "E302", "these rules depend on each other through 'not', so their result "
                "would depend on firing order", first.span, notes=(f"cycle: {chain}",),
                help="break the cycle: a rule must not (indirectly) negate its own conclusion",
            )
        else:
            self.error(
                "E301", "these rules would re-fire forever: each one's conclusion feeds the "
                "next", first.span, notes=(f"cycle: {chain}",),
                help="remove one link of the cycle",
            )

    # --- rules that can never fire, conclusions nothing uses ------------------------------
    def check_usefulness(self, rules: list[KbRule], entries) -> None:
        producers = _Producers(rules)
        for rule in rules:
            for predicate, negated in _tested(rule.condition):
                kind, ident = predicate
                if negated or kind not in DERIVED_KINDS:
                    continue
                if not producers.of(predicate):
                    what = f"{kind} {ident}" if ident else kind
                    self.error(
                        "E303", f"rule '{rule.id}' can never fire: no rule concludes "
                        f"'{what}'", rule.span,
                    )
        tested = {p for r in rules for p, _ in _tested(r.condition)}
        treated = _treated_muscles(entries)
        for rule in rules:
            for c in rule.conclusions:
                if c.kind not in STATES:
                    continue
                muscle = c.data["muscle"]
                if (c.kind, muscle) in tested or (c.kind, None) in tested:
                    continue
                if muscle not in treated.get(c.kind, set()):
                    self.warn(
                        "W304", f"nothing uses '{c.kind} {muscle}': no exercise of a phase "
                        f"that treats {c.kind} muscles targets it, and no rule tests it",
                        c.span, help=f"declare an exercise that targets {muscle}",
                    )


# --- helpers ----------------------------------------------------------------------------


def check(files: Sequence[st.RuleFile], path: str, kb_hash: str,
          profile: str | None = None) -> tuple[KnowledgeBase | None, list[Diagnostic]]:
    """Check parsed files into a knowledge base; `profile` overrides `setting profile`."""
    checker = Checker(files, path, kb_hash, profile)
    kb = checker.run()
    return kb, checker.diagnostics


def _plain(value: st.Value) -> str:
    if isinstance(value, st.Text):
        return value.value
    if isinstance(value, st.Name):
        return value.text
    return str(value.as_int if value.as_int is not None else value.value)


def _span(value: st.Value) -> st.Span:
    return value.span


def _mean(word: str, options: Iterable[str]) -> str | None:
    found = suggest(word, list(options))
    return f"did you mean '{found[0]}'?" if found else None


def _mean_as_written(name: st.Name, keys: Iterable[str]) -> str | None:
    """'did you mean' for a name, spelled as the author spells: spaces unless they wrote '_'."""
    found = suggest(name.key, list(keys))
    if not found:
        return None
    shown = found[0] if "_" in name.text else found[0].replace("_", " ")
    return f"did you mean '{shown}'?"


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _attribute_text(decl: st.Declaration, key: str) -> str | None:
    for attribute in decl.attributes:
        if attribute.key == key and attribute.values:
            return _plain(attribute.values[0])
    return None


def _generated_id(path: str, condition: Cond) -> str:
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".cex")
    atoms = [a.id or a.kind for a in _atoms(condition)]
    return f"{stem}.{'+'.join(str(a) for a in atoms) or 'rule'}"


def _atoms(cond: Cond) -> list[Atom]:
    if isinstance(cond, Atom):
        return [cond]
    if isinstance(cond, NoneOf):
        return _atoms(cond.operand)
    return [a for o in cond.operands for a in _atoms(o)]


def _tested(cond: Cond, negated: bool = False) -> list[tuple[tuple[str, str | None], bool]]:
    if isinstance(cond, Atom):
        return [((cond.kind, cond.id), negated)]
    if isinstance(cond, NoneOf):
        return _tested(cond.operand, True)
    return [t for o in cond.operands for t in _tested(o, negated)]


def _produced(rule: KbRule) -> list[tuple[str, str | None]]:
    out = []
    for c in rule.conclusions:
        if c.kind in STATES:
            out.append((c.kind, c.data["muscle"]))
        elif c.kind == "dysfunction":
            out.append(("dysfunction", c.data["dysfunction"]))
        elif c.kind == "refer":
            out.append(("referral", None))
        elif c.kind == "fms_target":  # the priority is computed from every target
            out.append(("fms_priority", None))
    return out


class _Producers:
    """Which rules can produce a tested predicate; an id of None means any id."""

    def __init__(self, rules: Sequence[KbRule]):
        self.exact: dict[tuple[str, str | None], list[KbRule]] = defaultdict(list)
        self.by_kind: dict[str, list[KbRule]] = defaultdict(list)
        self.wildcard: dict[str, list[KbRule]] = defaultdict(list)
        for rule in rules:
            for kind, ident in dict.fromkeys(_produced(rule)):
                self.by_kind[kind].append(rule)
                if ident is None:
                    self.wildcard[kind].append(rule)
                else:
                    self.exact[(kind, ident)].append(rule)

    def of(self, predicate: tuple[str, str | None]) -> list[KbRule]:
        kind, ident = predicate
        found = self.by_kind.get(kind, []) if ident is None else [
            *self.exact.get(predicate, []), *self.wildcard.get(kind, [])]
        return list({r.id: r for r in found}.values())


def _treated_muscles(entries) -> dict[str, set[str]]:
    treated: dict[str, set[str]] = defaultdict(set)
    for exercise in entries["exercise"].values():
        phase = entries["phase"].get(exercise.one("phase") or "")
        if phase is None:
            continue
        state = phase.one("treats")
        treated[state].update(exercise.many("targets"))
        treated[state].update(exercise.many("covers"))
    return treated


def _is_table_row(condition: Cond, conclusions: Sequence[Conclude]) -> bool:
    """One entered finding implying muscle states: compiled as data, not as a rule."""
    return (
        isinstance(condition, Atom) and condition.kind == "finding"
        and condition.id is not None
        and bool(conclusions) and all(c.kind in STATES for c in conclusions)
    )


def _source_text(text: str, span: st.Span) -> str:
    lines = text.split("\n")[span.line - 1 : span.end_line]
    return "\n".join(line.rstrip() for line in lines).strip()


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0][:80]


def _replace(rule: KbRule, **changes) -> KbRule:
    return replace(rule, **changes)
