"""Declarations: collect them, resolve their attributes and values, and the settings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import get_close_matches

from cexpert.language import syntax_tree as st
from cexpert.language.check.names import article, meant, meant_as_written, plain, span_of
from cexpert.language.knowledge import (
    Entry,
)
from cexpert.language.schema import (
    CUES,
    INSTRUCTIONS,
    REQUIRED,
    SCHEMA,
    SETTINGS,
    SINGLE,
    VISIT_CHANGES,
    quantity_problem,
)
from cexpert.language.syntax_tree import name_key

#: What `extend` may add to a declaration of another file.
EXTENSIBLE = ("aka", "tags", "substitutes", "covers", "note", *INSTRUCTIONS, "source")


def _missing(decl: st.Declaration) -> bool:
    """A declaration lacks a required attribute (E107 would be reported on it)."""
    given = {a.key for a in decl.attributes}
    return any(key not in given for key in REQUIRED.get(decl.kind, ()))


class DeclarationChecks:
    """Checks of the vocabulary: each declaration, its attributes, the settings."""

    # --- declarations -------------------------------------------------------------
    def collect_declarations(self) -> None:
        for file in self.files:
            for statement in file.statements:
                if not isinstance(statement, st.Declaration):
                    continue
                kind, ident = statement.kind, statement.id
                previous = self.decls[kind].get(ident)
                if previous is not None:
                    self.declared_twice(previous, statement)
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
                self._add_names(statement)
        self.apply_extensions()

    def declared_twice(self, previous: st.Declaration, again: st.Declaration) -> None:
        """E101 at the newer of the two: the one missing a required attribute when the
        other has them all (an author adding tags from their own file), else the later."""
        kept, dropped, where = previous, again, "first declared"
        if _missing(previous) and not _missing(again):
            kept, dropped, where = again, previous, "declared"
            self.decls[again.kind][again.id] = again
            self._add_names(again)
        other_file = kept.span.file != dropped.span.file
        self.error(
            "E101", f"{dropped.kind} '{dropped.id}' is declared twice", dropped.id_span,
            notes=(f"{where} at {kept.id_span}",),
            help=f"to add aliases, tags or substitutes from this file, write 'extend "
            f"{dropped.kind} {dropped.id} ...'" if other_file else None,
        )

    def apply_extensions(self) -> None:
        """Merge each `extend KIND ID ...` into the declaration it names."""
        for file in self.files:
            for statement in file.statements:
                if isinstance(statement, st.Extension):
                    self._extend(statement)

    def _extend(self, ext: st.Extension) -> None:
        decl = self.decls.get(ext.kind, {}).get(ext.id)
        if decl is None:
            self.error("E201", f"unknown {ext.kind} '{ext.id}': 'extend' adds to a "
                       "declaration", ext.id_span,
                       help=meant(ext.id, self.decls.get(ext.kind, {})))
            return
        attributes = list(decl.attributes)
        for attribute in ext.attributes:
            if attribute.key not in EXTENSIBLE:
                self.error("E103", f"'extend' cannot change '{attribute.key}'",
                           attribute.span, expected=", ".join(EXTENSIBLE),
                           help="change the declaration itself")
                continue
            at = next((i for i, a in enumerate(attributes) if a.key == attribute.key), None)
            if at is None or attribute.key in ("aka", "note"):
                attributes.append(attribute)
            else:
                same = attributes[at]
                attributes[at] = st.Attribute(same.key, same.values + attribute.values,
                                              same.span)
        merged = st.Declaration(decl.kind, decl.id, decl.id_span, decl.title,
                                tuple(attributes), decl.span)
        self.decls[ext.kind][ext.id] = merged
        self._add_names(merged)

    def _add_names(self, statement: st.Declaration) -> None:
        kind, ident = statement.kind, statement.id
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
                    plain(v) for a in decl.attributes if a.key == "aka" for v in a.values
                )
                title = decl.title.value if decl.title else ident.replace("_", " ")
                entries[kind][ident] = Entry(
                    kind, ident, title, aliases, attributes, decl.span, order)
        self.check_views(entries)
        self.check_regions(entries)
        self.check_instructions(entries)
        return entries

    def check_regions(self, entries: dict[str, dict[str, Entry]]) -> None:
        """A region cannot lie within itself, however many steps around."""
        for region in entries.get("region", {}).values():
            seen = [region.id]
            outer = region.one("within")
            while outer is not None and outer not in seen:
                seen.append(outer)
                entry = entries["region"].get(outer)
                outer = entry.one("within") if entry else None
            if outer == region.id:
                decl = self.decls["region"][region.id]
                span = next(a.span for a in decl.attributes if a.key == "within")
                self.error("E106", f"region '{region.id}' lies within itself: "
                           f"{' within '.join([*seen, region.id])}", span)

    def check_instructions(self, entries: dict[str, dict[str, Entry]]) -> None:
        """An exercise's home instructions: 2-4 cues (E106); all parts or none (W306);
        a rotation's `toward`/`away` muscles among those it works (E106)."""
        for exercise in entries["exercise"].values():
            decl = self.decls["exercise"][exercise.id]

            def span(key: str, decl=decl) -> st.Span:
                return next((a.span for a in decl.attributes if a.key == key), decl.id_span)

            cues = exercise.many("cues")
            if "cues" in exercise.attributes and not CUES[0] <= len(cues) <= CUES[1]:
                self.error("E106", f"'cues' takes {CUES[0]} to {CUES[1]} cues, not "
                           f"{len(cues)}", span("cues"),
                           help="a client remembers a few short cues: keep the ones that "
                           "matter most")
            given = [k for k in INSTRUCTIONS if k in exercise.attributes]
            if given and len(given) < len(INSTRUCTIONS):
                missing = [k for k in INSTRUCTIONS if k not in given]
                self.warn("W306", f"the instructions of exercise '{exercise.id}' have no "
                          f"{', '.join(repr(m) for m in missing)}", decl.id_span,
                          help="a client at home needs " + ", ".join(INSTRUCTIONS),
                          notes=("instructions: setup, 2-4 cues, what to feel, the common "
                                 "mistake, an easier and a harder version",))
            works = {*exercise.many("targets"), *exercise.many("covers")}
            for key in ("toward", "away"):
                strays = [m for m in exercise.many(key) if m not in works]
                if strays:
                    self.error("E106", f"'{key}' names {', '.join(strays)}, which exercise "
                               f"'{exercise.id}' does not target or cover", span(key),
                               help="a rotation turns toward or away from the side of the "
                               "muscles it works")

    def resolve_attributes(self, decl: st.Declaration) -> dict[str, tuple]:
        schema = SCHEMA[decl.kind]
        out: dict[str, tuple] = {}
        for attribute in decl.attributes:
            spec = schema.get(attribute.key)
            if spec is None:
                allowed = ", ".join(sorted(schema))
                self.error(
                    "E103", f"{article(decl.kind)} has no attribute '{attribute.key}'",
                    attribute.span, expected=allowed,
                )
                continue
            if attribute.key in out and attribute.key not in ("aka", "note"):
                self.error("E104", f"'{attribute.key}' is given twice", attribute.span)
                continue
            values = self.resolve_values(attribute, spec, tuple(schema))
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

    def resolve_values(self, attribute: st.Attribute, spec: object,
                       attributes: tuple[str, ...] = ()) -> list:
        if spec == "flag":
            if attribute.values:
                self.error("E106", f"'{attribute.key}' takes no value", attribute.span)
            return [True]
        out = []
        for value in attribute.values:
            if self.misspelled_attribute(value, attribute.key, attributes):
                continue
            resolved = self.resolve_value(value, spec, attribute.key)
            if resolved is not None:
                out.append(resolved)
        return out

    def resolve_value(self, value: st.Value, spec: object, key: str):
        if spec in ("number", "number_or_text") and isinstance(value, st.Number):
            return self.number(value, key)
        if spec == "number":
            self.error("E106", f"'{key}' takes a number", span_of(value))
            return None
        if spec == "number_or_text":
            return plain(value)
        if spec in ("text", "word"):
            if spec == "text" and isinstance(value, st.Number):
                return value.as_int if value.as_int is not None else value.value
            text = plain(value)
            return text if spec == "text" else name_key(text)
        if isinstance(spec, tuple):
            word = name_key(plain(value))
            if word not in spec:
                self.error(
                    "E106", f"'{plain(value)}' is not a valid {key}", span_of(value),
                    expected=", ".join(spec), help=meant(word, spec),
                )
                return None
            return word
        if not isinstance(value, st.Name):
            self.error("E106", f"'{key}' takes {article(str(spec))} name", span_of(value))
            return None
        if spec == "equipment" and value.key == "none":
            return "none"
        return self.resolve_name(value, (str(spec),))

    def misspelled_attribute(self, value: st.Value, key: str,
                             attributes: tuple[str, ...]) -> bool:
        """`phase inhibit targts iliacus`: a misspelled attribute reads as more words of
        the value before it; report the attribute (E103), not an unknown 'inhibit targts'."""
        if not isinstance(value, st.Name) or value.quoted or value.span.line != \
                value.span.end_line:
            return False
        words = value.text.split()
        for at, word in enumerate(words[1:], 1):
            found = get_close_matches(word.lower(), attributes, n=1, cutoff=0.75)
            if not found or word.lower() in attributes:
                continue
            column = value.span.column + len(" ".join(words[:at])) + 1
            span = st.Span(value.span.file, value.span.line, column, value.span.line,
                           column + len(word))
            self.error(
                "E103", f"unknown attribute '{word}'", span,
                help=f"did you mean '{found[0]}'?",
                notes=(f"'{word}' reads as part of the {key} '{' '.join(words[:at + 1])}...'",),
            )
            return True
        return False

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
                    help=meant(view, assessment.many("views")),
                )

    # --- names ----------------------------------------------------------------------
    def resolve_name(self, name: st.Name, kinds: Sequence[str]) -> str | None:
        """The id `name` refers to among `kinds`, or None after reporting why not."""
        ids = self.names.ids(name.key, tuple(kinds))
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
                "E203", f"'{name.text}' is {article(kind)} ('{ident}'), but "
                f"{article(wanted)} is expected here", name.span,
            )
            return None
        candidates = self.names.keys_of(kinds)
        hint = meant_as_written(name, candidates)
        words = name.text.split()
        reserved = [i for i, w in enumerate(words) if w.lower() in ("overactive", "underactive")]
        if reserved and 0 < reserved[0] < len(words) - 1:  # `adductors underactive x`
            at = reserved[0]
            hint = (f"a new list starts at '{words[at]}': separate it with ';', "
                    f"as in '{' '.join(words[:at])}; {' '.join(words[at:])}'")
        elif words and words[0].lower() in ("and", "or"):  # `overactive and tfl`
            hint = (f"'{words[0]}' joins conditions, not names: write "
                    f"'{' '.join(words[1:])}' alone, or separate the names of a list with ','")
        elif len(words) > 1 and (change := get_close_matches(
                words[0].lower(), VISIT_CHANGES, n=1, cutoff=0.7)) and "finding" in kinds:
            hint = (f"did you mean '{change[0]}' instead of '{words[0]}'? "  # `persist X`
                    f"('{change[0]} {' '.join(words[1:])}' compares with the previous visit)")
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
                        expected=", ".join(SETTINGS), help=meant(statement.key, SETTINGS),
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
