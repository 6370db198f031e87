"""References that resolve but can never do anything: errors, because they are silent.

A misspelled tag in `exclude tagged ...` excludes nothing, a rule of a profile no
`setting profile` lists is never loaded, and a substitute from another phase would
put an exercise in the wrong part of the session. Each of these passes the name
checks, so each is caught here, with "did you mean" where a close name exists.
"""

from __future__ import annotations

import re

from cexpert.language import syntax_tree as st
from cexpert.language.check.names import article, meant, meant_as_written
from cexpert.language.syntax_tree import name_key


class ConsistencyChecks:
    """Checks that need the whole vocabulary: tags, profiles, substitutes' phases."""

    def check_consistency(self, entries, settings) -> None:
        tags = {t for kind in ("exercise", "assessment", "finding")  # tests too (next tests)
                for e in entries[kind].values() for t in e.many("tags")}
        profiles = [name_key(str(p)) for p in settings.get("profile", ())]
        for file in self.files:
            for statement in file.statements:
                if isinstance(statement, st.Rule):
                    self._check_rule_profile(statement, file, profiles)
                    for item in statement.conclusions:
                        if isinstance(item, st.Exclude):
                            self._check_tags(item, tags)
                        elif isinstance(item, st.Substitute):
                            self._check_substitute_phase(item, entries)
        self._check_declared_substitutes(entries)
        self._check_ties(entries, settings)

    def _check_tags(self, item: st.Exclude, tags: set[str]) -> None:
        for part in item.parts:
            if part.by != "tagged":
                continue
            for name in part.names:
                if name.key in tags:
                    continue
                self.error(
                    "E201", f"unknown tag '{name.text}': no exercise is tagged so, "
                    "so this excludes nothing", name.span,
                    help=meant_as_written(name, tags),
                    notes=(f"tags in use: {', '.join(sorted(tags)) or '(none)'}",),
                )

    def _check_rule_profile(self, rule: st.Rule, file: st.RuleFile,
                            profiles: list[str]) -> None:
        if rule.profile is None or name_key(rule.profile) in profiles:
            return
        span = _profile_span(rule, file) or rule.id_span
        if profiles:
            self.error(
                "E207", f"no 'setting profile' selects the profile '{rule.profile}', "
                "so this rule is never loaded", span,
                expected=", ".join(profiles), help=meant(name_key(rule.profile), profiles),
                notes=("'setting profile DEFAULT, OTHER...' lists the profiles: the first "
                       "is loaded, the others can be chosen with --profile",),
            )
        else:
            self.error(
                "E207", f"the rule belongs to the profile '{rule.profile}', but no "
                "'setting profile' lists any profile, so it is never loaded", span,
                help=f"add 'setting profile {rule.profile}' (the first profile listed is "
                "loaded, the others can be chosen with --profile)",
            )

    def _check_substitute_phase(self, item: st.Substitute, entries) -> None:
        original = self._quiet_exercise(item.original, entries)
        replacement = self._quiet_exercise(item.replacement, entries)
        if original is None or replacement is None:
            return  # unknown names are reported where they are resolved
        self._same_phase(original, replacement, item.replacement.span)

    def _check_declared_substitutes(self, entries) -> None:
        for exercise in entries["exercise"].values():
            decl = self.decls["exercise"].get(exercise.id)
            spans = {name_key(v.text): v.span for a in (decl.attributes if decl else ())
                     if a.key == "substitutes" for v in a.values if isinstance(v, st.Name)}
            for other_id in exercise.many("substitutes"):
                other = entries["exercise"].get(other_id)
                if other is None:
                    continue
                span = next((s for k, s in spans.items()
                             if other_id in [i for _, i in self.names.by_key.get(k, [])]),
                            exercise.span)
                self._same_phase(exercise, other, span)

    def _same_phase(self, original, replacement, span: st.Span) -> None:
        a, b = original.one("phase"), replacement.one("phase")
        if a is None or b is None or a == b:
            return
        self.error(
            "E208", f"'{replacement.id}' is {article(b)} exercise and cannot stand in for "
            f"'{original.id}', {article(a)} exercise", span,
            help=f"substitute an exercise of the {a} phase",
        )

    def _check_ties(self, entries, settings) -> None:
        """W305: two exercises equally good for a muscle (or a checkpoint) in one phase
        that `setting exercise_preference` does not order: the choice falls to their ids."""
        listed = set(settings.get("exercise_preference", ()))
        groups: dict[tuple, list[str]] = {}
        for exercise in entries["exercise"].values():
            phase = entries["phase"].get(exercise.one("phase") or "")
            if phase is None:
                continue
            if phase.one("treats") == "checkpoints":
                keys = [(phase.id, c, 0) for c in exercise.many("integrates")]
            else:
                served = [*exercise.many("targets"), *exercise.many("covers")]
                keys = [(phase.id, m, served.index(m)) for m in dict.fromkeys(served)]
            for key in keys:
                groups.setdefault(key, []).append(exercise.id)
        reported: set[tuple[str, str]] = set()
        for (phase, target, _), ids in groups.items():
            undecided = sorted(i for i in ids if i not in listed)
            for later in undecided[1:]:
                pair = (undecided[0], later)
                if pair in reported:
                    continue
                reported.add(pair)
                newer = max(pair, key=lambda i: entries["exercise"][i].order)
                self.warn(
                    "W305", f"'{pair[0]}' and '{later}' are equally good for '{target}' in "
                    f"the {phase} phase, and nothing says which comes first",
                    self.decls["exercise"][newer].id_span,
                    help="list the one to prefer in 'setting exercise_preference'",
                    notes=(f"until then '{pair[0]}' comes first, by its id",),
                )

    def _quiet_exercise(self, name: st.Name, entries):
        found = sorted({i for _, i in self.names.lookup(name, ("exercise",))})
        if name.key in found:
            found = [name.key]
        return entries["exercise"].get(found[0]) if len(found) == 1 else None


def _profile_span(rule: st.Rule, file: st.RuleFile) -> st.Span | None:
    """The span of the profile's name (the syntax tree keeps only its text)."""
    lines = file.source.split("\n")
    for number in range(rule.span.line, min(rule.span.end_line, len(lines)) + 1):
        line = lines[number - 1]
        for match in re.finditer(r"\bprofile\s+(\S+)", line):
            if match.group(1) == rule.profile:
                start = match.start(1) + 1
                return st.Span(file.path, number, start, number, start + len(rule.profile))
    return None
