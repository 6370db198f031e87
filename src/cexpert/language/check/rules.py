"""Rules and their conditions: each name resolved for the kind its place expects."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from cexpert.language import limits
from cexpert.language import syntax_tree as st
from cexpert.language.check.names import (
    article,
    attribute_text,
    meant,
    meant_as_written,
    plain,
)
from cexpert.language.knowledge import (
    AllOf,
    AnyOf,
    Atom,
    Conclude,
    Cond,
    KbRule,
    NoneOf,
    atoms_of,
)
from cexpert.language.schema import (
    ANY,
    BARE_CONDITION_KINDS,
    FACT_KIND_TO_DECL,
    ITS_LIMB,
    ITS_REGION,
    PLACEHOLDERS,
    REGION_REFERENCES,
    SIDE_PREFIXES,
    STATES,
    TEST_BY_TEST,
    URGENCIES,
)
from cexpert.language.syntax_tree import name_key


class RuleChecks:
    """Checks of rules: conditions, conclusions, exclusions and doses."""

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
                           help=meant(self.profile, known))
            settings["profile"] = (self.profile,)
        profile = (settings.get("profile") or (None,))[0]
        self.unloaded_rules = tuple(r for r in rules if r.profile not in (None, profile))
        return [r for r in rules if r.profile is None or r.profile == profile]

    def resolve_rule(self, rule: st.Rule, file: st.RuleFile, default_source: str | None,
                     order: int, seen: dict[str, st.Rule]) -> KbRule | None:
        errors_before = self.error_count
        condition = self.resolve_condition(rule.condition)
        for atom in _unanchored_clearances(condition):
            self.error("E206", "a 'cleared' without a subject clears the test before it, "
                       "and nothing is tested before it here", atom.span,
                       help="test what it clears first, e.g. 'pain any and not cleared by "
                       "physician', or name it: 'cleared pregnancy by ...'")
        for problem in limits.problems(condition):
            self.error("E209", f"this rule is too large for the engine: {problem}",
                       rule.condition.span, help="split it into smaller rules, e.g. one "
                       "per alternative, or conclude a dysfunction and test that")
        conclusions = self.resolve_conclusions(rule.conclusions)
        self.check_region_references(condition, conclusions, rule)
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
        if self.error_count > errors_before:
            return None
        text = _source_text(file.lines, rule.span)
        salience = (rule.salience.as_int or 0) if rule.salience else 0
        return KbRule(
            id=rule_id, title=rule.title.value if rule.title else _first_line(text),
            source=source or "", file=file.path, line=rule.span.line, text=text,
            condition=condition, conclusions=tuple(conclusions), salience=salience,
            order=order, stratum=0, table_row=_is_table_row(condition, conclusions),
            profile=name_key(rule.profile) if rule.profile else None, span=rule.span,
        )

    def resolve_condition(self, node: st.Condition) -> Cond:
        if isinstance(node, st.All):
            return AllOf(tuple(self.resolve_condition(o) for o in node.operands))
        if isinstance(node, st.Any):
            return AnyOf(tuple(self.resolve_condition(o) for o in node.operands))
        if isinstance(node, st.Not):
            return NoneOf(self.resolve_condition(node.operand))
        if isinstance(node, st.ReferralTest):
            return Atom("referral", self._urgency(node.urgency), node.span)
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
        if isinstance(node, st.ClearanceTest):
            return self.resolve_clearance(node)
        if isinstance(node, st.VisitChange):
            return self.resolve_visit_change(node)
        if isinstance(node, st.Comparison):
            operator = "==" if node.operator == "=" else node.operator
            if node.quantity == "age":
                return Atom("age", None, node.span, operator, node.value.value)
            if node.quantity == "measure":
                return self.resolve_measure(node, operator)
            if node.quantity == "visits":
                if node.value.as_int is None or node.value.value < 0:
                    self.error("E206", "'visits' counts whole visits: compare it with a "
                               "whole number such as 'visits >= 4'", node.value.span)
                return Atom("visits", None, node.span, operator, node.value.value)
            if node.quantity == "evidence":
                assert node.subject is not None
                muscle = (None if node.subject.key == ANY
                          else self.resolve_name(node.subject, ("muscle",)))
                value = node.value.value
                if node.value.as_int is None or value < 0:
                    self.error("E206", "evidence counts findings: compare it with a whole "
                               "number", node.value.span)
                return Atom("evidence", muscle, node.span, operator, value, scope=node.state)
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

    def resolve_measure(self, node: st.Comparison, operator: str) -> Cond:
        """`weeks of pregnancy >= 14`: a measure the condition declares (`measures`)."""
        assert node.subject is not None and node.measure is not None
        ident = self.resolve_name(node.subject, ("condition",))
        measure = node.measure.key
        if ident is not None:
            measures = self._declared_words("condition", ident, "measures")
            if measure not in measures:
                self.error(
                    "E206", f"'{node.measure.text}' is not a measure of the condition "
                    f"'{ident}'", node.measure.span, expected=", ".join(measures) or None,
                    help=meant(measure, measures) if measures else
                    f"declare it: 'condition {ident} \"...\" measures {measure}'")
        return Atom("measure", ident, node.span, operator, node.value.value, scope=measure)

    def _declared_words(self, kind: str, ident: str, key: str) -> list[str]:
        declared = self.decls[kind].get(ident)
        return [name_key(plain(v)) for a in (declared.attributes if declared else ())
                if a.key == key for v in a.values]

    def _flagged(self, kind: str, ident: str, key: str) -> bool:
        declared = self.decls[kind].get(ident)
        return bool(declared) and any(a.key == key for a in declared.attributes)

    def resolve_fact_test(self, node: st.FactTest) -> Cond:
        if node.regions is not None:
            return self.resolve_condition_region(node)
        if node.status is not None:
            return self.resolve_condition_status(node)
        kind = node.kind
        if kind == "assessed":
            return self.resolve_assessed(node)
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
            assessment = attribute_text(finding, "in") if finding else None
            if assessment and name_key(assessment) != "pain":
                self.error("E203", f"'{node.name.text}' is not a pain region", node.span)
        atom_kind = {"pain": "finding"}.get(kind, kind)
        return Atom(atom_kind, ident, node.span)

    def resolve_assessed(self, node: st.FactTest) -> Cond:
        """`assessed T`: T was entered. A finding entered in an assessment (or an FMS
        score, a clearing test) says so; an `assessed` fact only stands for what leaves
        no other: an assessment entered empty, a clearing test recorded negative."""
        ident = self.resolve_test(node.name)
        span = node.span
        if ident is None:
            return Atom("assessed", None, span)
        finding = self.decls["finding"].get(ident)
        if finding is None and ident == "fms":
            return Atom("fms", None, span)
        if finding is None:
            return AnyOf((Atom("finding", None, span, scope=ident), Atom("assessed", ident, span)))
        if name_key(attribute_text(finding, "in") or "") == "fms":
            return Atom("fms", ident, span)
        return AnyOf((Atom("finding", ident, span, scope="fms_clearing"),
                      Atom("assessed", ident, span)))

    def resolve_test(self, name: st.Name) -> str | None:
        """An assessment, or a finding that is a test of its own (an FMS test, a clearing
        test): what `suggest test` and `assessed` name."""
        tests = [f.id for f in self.decls["finding"].values()
                 if name_key(attribute_text(f, "in") or "") in TEST_BY_TEST]
        found = [(k, i) for k, i in self.names.lookup(name, ("assessment", "finding"))
                 if k == "assessment" or i in tests]
        ids = sorted({i for _, i in found})
        if name.key in ids:
            ids = [name.key]
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            self.error("E202", f"'{name.text}' is ambiguous: it names {', '.join(ids)}",
                       name.span, help="write the id instead")
            return None
        candidates = [*self.names.keys_of(("assessment",)), *tests]
        other = self.names.anything(name)
        self.error(
            "E201", f"unknown assessment '{name.text}'", name.span,
            help=meant_as_written(name, candidates) or (
                f"'{name.text}' is {article(other[0][0])}, not a test one can run"
                if other else None),
            notes=("a test is an assessment, an FMS test or an FMS clearing test",),
        )
        return None

    def resolve_clearance(self, node: st.ClearanceTest) -> Cond:
        """`cleared [CONDITION] [by CLINICIAN, ...] [within N months]`."""
        ident = None
        if node.subject is not None:
            ident = self.resolve_name(node.subject, ("condition",))
        by = tuple(i for i in (self.resolve_name(n, ("clinician",)) for n in node.by) if i)
        within = None
        if node.within is not None:
            if node.within.as_int is None or node.within.value < 1:
                self.error("E206", "'within' takes a whole number of months of at least 1",
                           node.within.span)
            within = node.within.value
        return Atom("cleared", ident, node.span, "<" if within is not None else None,
                    within, by=by, correlated=node.subject is None)

    def _urgency(self, name: st.Name | None) -> str | None:
        """`referral urgent`: the urgency tested (a referral fact's id is its urgency)."""
        if name is None:
            return None
        if name.key not in URGENCIES:
            self.error("E206", f"'{name.text}' is not an urgency", name.span,
                       expected=", ".join(URGENCIES), help=meant(name.key, URGENCIES))
            return None
        return name.key

    def resolve_condition_region(self, node: st.FactTest) -> Cond:
        """`condition varicose_veins at lower leg`: a condition declared `regional`,
        recorded at one of the regions (or within or around one); `at any`: at some region."""
        assert node.regions is not None
        base = replace(node, regions=None)
        atom = self.resolve_fact_test(base)
        if not isinstance(atom, Atom) or atom.kind != "condition":
            self.error("E206", "'at' tests where a condition was recorded, not "
                       f"{article(atom.kind if isinstance(atom, Atom) else 'test')}",
                       node.regions[0].span,
                       help=f"write 'condition {node.name.text} at ...' for a condition")
            return atom
        if atom.id is not None and not self._flagged("condition", atom.id, "regional"):
            self.error("E206", f"the condition '{atom.id}' is not declared 'regional', so "
                       "no case records where it is", node.regions[0].span,
                       help=f"add 'regional' to the declaration of '{atom.id}' if where it "
                       "is matters")
        if any(n.key == ANY for n in node.regions):
            return replace(atom, regions=("*",))
        ids = [i for i in (self.resolve_name(n, ("region",)) for n in node.regions) if i]
        return replace(atom, regions=self._overlapping(ids))

    def _around(self, region: str) -> list[str]:
        out = [region]
        while (decl := self.decls["region"].get(out[-1])) is not None:
            outer = attribute_text(decl, "within")
            if outer is None or name_key(outer) in out:
                break
            out.append(name_key(outer))
        return out

    def _overlapping(self, regions: Sequence[str]) -> tuple[str, ...]:
        """Every declared region that is, lies within or lies around one of `regions`:
        a condition recorded for the whole leg is at the calf, and one of the calf is in
        the leg (the region named in a rule matches both)."""
        return tuple(r for r in self.decls["region"]
                     if any(x in self._around(r) or r in self._around(x) for x in regions))

    def check_region_references(self, condition: Cond, conclusions: list[Conclude],
                                rule: st.Rule) -> None:
        """`exclude ... at its region` takes the region of the condition the rule matched,
        so the rule must test a condition with 'at'."""
        uses = [c for c in conclusions if c.kind == "exclude"
                and {ITS_REGION, ITS_LIMB} & set(c.data.get("regions") or ())]
        tested = any(a.kind == "condition" and a.regions is not None
                     for a in _positive_atoms(condition))
        for conclusion in uses:
            if not tested:
                self.error("E206", "'at its region' takes the region of a condition tested "
                           "with 'at', and this rule tests none", conclusion.span,
                           help="test it, e.g. 'when condition varicose_veins at any', or "
                           "name the region: 'at lower leg'")

    def resolve_visit_change(self, node: st.VisitChange) -> Cond:
        """`resolved X`, `new X`, `persists X [for N visits]`: X an entered finding
        (not an FMS test, whose scores `fms X` compares), or `any`."""
        ident = None
        if node.finding.key != ANY:
            ident = self.resolve_name(node.finding, ("finding",))
            entry = self.decls["finding"].get(ident) if ident else None
            assessment = attribute_text(entry, "in") if entry else None
            if assessment and name_key(assessment) in ("fms", "fms_clearing"):
                self.error("E203", f"'{node.finding.text}' is an FMS test, not a finding "
                           f"entered in an assessment; '{node.change}' compares findings",
                           node.finding.span, help="compare its score instead, e.g. "
                           f"'fms {node.finding.text} <= 1'")
        if node.visits is None:
            return Atom(node.change, ident, node.span)
        if node.change != "persists":
            self.error("E206", f"'for ... visits' counts how long a finding persists; "
                       f"'{node.change}' compares this visit with the previous one only",
                       node.visits.span, help=f"write 'persists {node.finding.text} for "
                       f"{node.visits.value:g} visits', or drop 'for ... visits'")
        elif node.visits.as_int is None or node.visits.value < 2:
            self.error("E206", "a finding persists over 2 visits or more: 'for N visits' "
                       "takes a whole number of at least 2", node.visits.span)
        return Atom(node.change, ident, node.span, ">=", node.visits.value)

    def resolve_condition_status(self, node: st.FactTest) -> Cond:
        """`condition diabetes is advanced`: the status must be one the condition declares."""
        assert node.status is not None
        if node.kind not in (None, "condition"):
            self.error("E206", f"'is' tests the status of a condition, not of {article(node.kind)}",
                       node.status.span, help=f"write 'condition {node.name.text} is "
                       f"{node.status.text}' for a condition")
            return Atom("condition", None, node.span)
        ident = self.resolve_name(node.name, ("condition",))
        if ident is None:
            return Atom("condition", None, node.span)
        declared = self.decls["condition"].get(ident)
        statuses = [name_key(plain(v)) for a in (declared.attributes if declared else ())
                    if a.key == "statuses" for v in a.values]
        status = node.status.key
        if status not in statuses:
            self.error(
                "E206", f"'{node.status.text}' is not a status of the condition '{ident}'",
                node.status.span, expected=", ".join(statuses) or None,
                help=meant(status, statuses) if statuses else
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
            if item.__class__ is st.MuscleState:  # most conclusions, with no text to check
                muscle = self.resolve_name(item.muscle, ("muscle",))
                side = self._side(item.side)
                if muscle:
                    add(item.state, {"muscle": muscle, "side": side}, item.span)
                continue
            self.check_placeholders(getattr(item, "reason", None) or getattr(item, "text", None))
            self.check_placeholders(getattr(item, "how", None))
            if isinstance(item, st.Dysfunction):
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
                               help=meant(urgency, URGENCIES))
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
            elif isinstance(item, st.SuggestTest):
                test = self.resolve_test(item.test)
                if test:
                    add("suggest", {"test": test, "with": item.how.value if item.how else None,
                                    "reason": item.reason.value}, item.span)
            elif isinstance(item, st.Stop):
                add("stop", {"text": item.text.value}, item.span)
            elif isinstance(item, st.FmsTarget):
                test = None if item.test.key == ANY else self.resolve_name(
                    item.test, ("finding",))
                add("fms_target", {"test": test}, item.span)
        return out

    def check_placeholders(self, text: st.Text | None) -> None:
        """A reason's `{placeholder}` must be one the engine fills from what was matched."""
        if text is None:
            return
        for word in re.findall(r"\{(\w*)\}", text.value):
            if word not in PLACEHOLDERS:
                self.error("E206", f"'{{{word}}}' is not a placeholder", text.span,
                           expected=", ".join(f"{{{p}}}" for p in PLACEHOLDERS),
                           help=meant(word, PLACEHOLDERS))

    def _side(self, name: st.Name | None) -> str:
        if name is None:
            return "same"
        side = SIDE_PREFIXES.get(name.key)
        if side is None:
            self.error(
                "E206", f"'{name.text}' is not a side", name.span,
                expected="same side, opposite side, stance leg, both sides, left, right, "
                "lower side, higher side",
                help=meant_as_written(name, SIDE_PREFIXES),
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
            if part.by == "at":
                regions = [REGION_REFERENCES.get(n.key) or self.resolve_name(n, ("region",))
                           for n in part.names]
                data["regions"] = [*data.get("regions", []), *(r for r in regions if r)]
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


def _positive_atoms(cond: Cond) -> list[Atom]:
    """The atoms a firing matches (not those under a 'not')."""
    if isinstance(cond, Atom):
        return [cond]
    if isinstance(cond, NoneOf):
        return []
    return [a for o in cond.operands for a in _positive_atoms(o)]


def _unanchored_clearances(cond: Cond, anchored: bool = False) -> list[Atom]:
    """Bare `cleared` tests with no positive test before them in their `and`."""
    if isinstance(cond, Atom):
        return [cond] if cond.kind == "cleared" and cond.correlated and not anchored else []
    if isinstance(cond, NoneOf):
        return _unanchored_clearances(cond.operand, anchored)
    if isinstance(cond, AnyOf):
        return [a for o in cond.operands for a in _unanchored_clearances(o, anchored)]
    out: list[Atom] = []
    for operand in cond.operands:
        out += _unanchored_clearances(operand, anchored)
        bare = isinstance(operand, Atom) and operand.kind == "cleared" and operand.correlated
        anchored = anchored or not (isinstance(operand, NoneOf) or bare)
    return out


def _generated_id(path: str, condition: Cond) -> str:
    stem = path.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".cex")
    atoms = [a.id or a.kind for a in atoms_of(condition)]
    return f"{stem}.{'+'.join(str(a) for a in atoms) or 'rule'}"


def _is_table_row(condition: Cond, conclusions: Sequence[Conclude]) -> bool:
    """One entered finding implying muscle states: compiled as data, not as a rule."""
    return (
        isinstance(condition, Atom) and condition.kind == "finding"
        and condition.id is not None
        and bool(conclusions) and all(c.kind in STATES for c in conclusions)
    )


def _source_text(lines: Sequence[str], span: st.Span) -> str:
    """The rule as written, from the file's line index (never re-split per rule)."""
    lines = lines[span.line - 1 : span.end_line]
    return "\n".join(line.rstrip() for line in lines).strip()


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0][:80]


