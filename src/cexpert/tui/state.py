"""The consultation being edited: one state object, written as a case file.

`Consultation` holds what the trainer entered, in the case file's own terms
(ids the knowledge base declares), plus the text of inputs that are not valid
yet. It is written with tomlkit into the document it was read from, so comments
and untouched values survive a save, and it is consulted by parsing that very
text: what the TUI shows is exactly what `cexpert infer` gives for the saved
file. No Textual here.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Array, InlineTable, Table

from cexpert.engine.case import BOTH, SIDES, Case, ClientCondition, Observation, parse_case
from cexpert.language.knowledge import KnowledgeBase
from cexpert.language.span import name_key
from cexpert.store.casefile import (
    ANY,
    CaseFileError,
    Saved,
    Stamp,
    read_bytes,
    read_case_file,
    save_case_file,
)
from cexpert.tui.vocab import (
    FMS,
    FMS_CLEARING,
    condition_statuses,
    fms_highest,
    observed_side,
)

HEADER = ("cexpert case file. Re-run it with: cexpert infer FILE "
          "(or open it in the TUI: cexpert FILE)")
AGE_ERROR = "Age must be a whole number of years, 1-129"
Path_ = tuple[str, ...]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "client"


class Consultation:
    """One client's intake, screening and assessment, as entered."""

    def __init__(self, kb: KnowledgeBase, path: Path | None = None):
        self.kb = kb
        self.path = path
        self.name = ""
        self.age: int | None = None
        self.goals: list[str] = []
        self.conditions: dict[str, ClientCondition] = {}
        self.equipment: list[str] | None = None  # None: unrestricted
        self.limitations: list[str] = []
        self.parq_yes: set[int] = set()
        self.followup_yes = False
        self.cleared: list[str] = []
        self.observations: dict[Observation, None] = {}  # an ordered set
        self.fms: dict[str, tuple[int | None, int | None]] = {}
        self.clearing: dict[tuple[str, str], bool] = {}
        self.texts: dict[str, str] = {}  # raw text of number inputs, by field key
        self.errors: dict[str, str] = {}  # field key -> what is wrong with its text
        self.revision = 0
        self.saved_revision = 0
        self.stamp: Stamp | None = None  # what the file held when read or last saved
        self._doc = tomlkit.document()
        for line in HEADER.split(". "):
            self._doc.add(tomlkit.comment(line.rstrip(".") + "."))
        self._written: dict[Path_, Any] = {}  # what the document holds now, canonically
        self._keys: dict[Path_, str] = {}  # document keys spelled otherwise (aliases)
        self._saved_content = self.content()

    # --- reading -------------------------------------------------------------------------
    @classmethod
    def from_file(cls, kb: KnowledgeBase, path: str | Path) -> Consultation:
        """Read a case file; raise CaseError (every problem listed) if it cannot be used."""
        from cexpert.engine.case import CaseError

        path = Path(path)
        try:
            text, stamp = read_case_file(path)
        except CaseFileError as error:
            raise CaseError(str(path), [str(error)]) from None
        state = cls.from_text(kb, text, path)
        state.stamp = stamp
        return state

    @classmethod
    def from_text(cls, kb: KnowledgeBase, text: str, path: Path | None = None
                  ) -> Consultation:
        case = parse_case(text, str(path or "<case>"), kb)
        state = cls(kb, path)
        state._fill(case)
        state._doc = tomlkit.parse(text)
        state._keys = state._document_keys()
        state._written = state.canonical()
        state.mark_saved()
        return state

    def _fill(self, case: Case) -> None:
        c = case.client
        self.name, self.age, self.goals = c.name, c.age, list(c.goals)
        self.conditions = {x.id: x for x in c.conditions}
        self.equipment = None if c.equipment is None else [
            e for e in c.equipment if e != "none"]
        self.limitations = list(c.limitations)
        s = case.screening
        self.parq_yes, self.followup_yes, self.cleared = set(s.parq_yes), s.followup_yes, list(
            s.cleared)
        self.observations = dict.fromkeys(case.observations)
        self.fms = {f.test: (f.left, f.right) for f in case.fms}
        self.clearing = {(x.test, x.side): x.positive for x in case.clearing}
        if self.age is not None:
            self.texts["age"] = str(self.age)
        for test, (left, right) in self.fms.items():
            for side, value in zip(self.fms_sides(test), (left, right), strict=False):
                self.texts[f"fms.{test}.{side}"] = "" if value is None else str(value)

    def _document_keys(self) -> dict[Path_, str]:
        """FMS keys written as names or aliases in the file, so a change overwrites them."""
        keys: dict[Path_, str] = {}
        fms = self._doc.get(FMS)
        if isinstance(fms, dict):
            for key in fms:
                if key == "clearing":
                    continue
                ident = self._resolve(key, FMS)
                if ident:
                    keys[(FMS, ident)] = key
            clearing = fms.get("clearing")
            if isinstance(clearing, dict):
                for key in clearing:
                    ident = self._resolve(key, FMS_CLEARING)
                    if ident:
                        keys[(FMS, "clearing", ident)] = key
        return keys

    def _resolve(self, text: str, scope: str) -> str | None:
        key = name_key(text)
        entries = [e for e in self.kb.of("finding").values() if e.one("in") == scope]
        for entry in entries:
            if entry.id == key:
                return entry.id
        for entry in entries:
            if key in {name_key(entry.name), *(name_key(a) for a in entry.aliases)}:
                return entry.id
        return None

    # --- questions the screens ask --------------------------------------------------------
    @property
    def dirty(self) -> bool:
        """Whether what is entered differs from the file (not whether anything was touched:
        a tick then an untick leaves the client unchanged)."""
        return self.content() != self._saved_content

    def content(self) -> tuple[dict[Path_, Any], dict[str, str]]:
        """What a save would write, plus the text of entries not valid yet."""
        return self.canonical(), {k: self.texts.get(k, "") for k in sorted(self.errors)}

    def mark_saved(self) -> None:
        self.saved_revision = self.revision
        self._saved_content = self.content()

    @property
    def title(self) -> str:
        return self.name or "New client"

    def fms_sides(self, test: str) -> tuple[str, ...]:
        entry = self.kb.get("finding", test)
        return SIDES if entry is not None and entry.flag("sided") else (BOTH,)

    def is_observed(self, assessment: str, finding: str, side: str) -> bool:
        side = observed_side(self.kb, finding, side)
        return Observation(assessment, finding, side) in self.observations

    def observed_in(self, assessment: str, side: str) -> list[str]:
        return [o.finding for o in self.observations
                if o.assessment == assessment and (side == BOTH or o.side == side)]

    def text_of(self, key: str) -> str:
        return self.texts.get(key, "")

    def field_name(self, key: str) -> str:
        """The words for a field key: 'fms.hurdle_step.left' -> 'Hurdle step, left'."""
        if key == "age":
            return "Age"
        parts = key.split(".")
        if parts[0] == "fms" and len(parts) > 1:
            name = self.kb.name_of("finding", parts[1])
            side = parts[2] if len(parts) > 2 else BOTH
            return name if side == BOTH else f"{name}, {side}"
        return key

    def error_messages(self) -> list[str]:
        """What must be fixed before saving, each naming its field."""
        out = []
        for key, message in self.errors.items():
            name = self.field_name(key)
            line = message if message.startswith(name) else f"{name}: {message}"
            if line not in out:
                out.append(line)
        return out

    # --- changes (each returns the error for that field, or None) -------------------------
    def _changed(self) -> None:
        self.revision += 1

    def set_name(self, name: str) -> None:
        if name.strip() != self.name:
            self.name = name.strip()
            self._changed()

    def set_age_text(self, text: str) -> str | None:
        changed = text != self.texts.get("age", "")
        self.texts["age"] = text
        text = text.strip()
        age, error = None, None
        if text:
            try:
                age = int(text)
            except ValueError:
                error = AGE_ERROR
            else:
                if not 0 < age < 130:
                    age, error = None, AGE_ERROR
        self._set_error("age", error)
        self.age = age
        if changed:
            self._changed()
        return error

    def set_goals_text(self, text: str) -> None:
        goals = [g.strip() for g in re.split(r"[;\n]", text) if g.strip()]
        if goals != self.goals:
            self.goals = goals
            self._changed()

    def set_conditions(self, ids: Iterable[str]) -> None:
        ids = list(ids)
        if ids != list(self.conditions):
            self.conditions = {i: self.conditions.get(i, ClientCondition(i)) for i in ids}
            self._changed()

    def set_condition_status(self, condition: str, status: str | None) -> None:
        """The status of a condition (one it declares), or None for no status.

        A condition not ticked yet is ticked with its status; clearing the status of a
        condition not ticked does nothing. Written as `{ id = ..., status = ... }`, or as
        the plain id once the status is cleared (a region, if any, is kept)."""
        if status is not None and status not in condition_statuses(self.kb, condition):
            raise ValueError(f"'{status}' is not a status of {condition}: "
                             f"use {', '.join(condition_statuses(self.kb, condition))}")
        current = self.conditions.get(condition)
        if current is None:
            if status is not None:
                self.conditions[condition] = ClientCondition(condition, status)
                self._changed()
        elif current.status != status:
            self.conditions[condition] = replace(current, status=status)
            self._changed()

    def set_condition_region(self, condition: str, region: str | None) -> None:
        """Where a regional condition is (a declared body region), or None for not
        stated; like a status, it ticks a condition not ticked yet."""
        if region is not None and self.kb.get("region", region) is None:
            raise ValueError(f"'{region}' is not a body region of the rules")
        current = self.conditions.get(condition)
        if current is None:
            if region is not None:
                self.conditions[condition] = ClientCondition(condition, region=region)
                self._changed()
        elif current.region != region:
            self.conditions[condition] = replace(current, region=region)
            self._changed()

    def region_of(self, condition: str) -> str | None:
        current = self.conditions.get(condition)
        return current.region if current is not None else None

    def status_of(self, condition: str) -> str | None:
        current = self.conditions.get(condition)
        return current.status if current is not None else None

    def set_equipment(self, ids: Iterable[str] | None) -> None:
        value = None if ids is None else list(ids)
        if value != self.equipment:
            self.equipment = value
            self._changed()

    def set_limitations(self, ids: Iterable[str]) -> None:
        self._set_list("limitations", ids)

    def set_cleared(self, ids: Iterable[str]) -> None:
        self._set_list("cleared", ids)

    def _set_list(self, attribute: str, ids: Iterable[str]) -> None:
        ids = list(ids)
        if ids != getattr(self, attribute):
            setattr(self, attribute, ids)
            self._changed()

    def set_parq(self, questions: Iterable[int]) -> None:
        questions = set(questions)
        if questions != self.parq_yes:
            self.parq_yes = questions
            self._changed()

    def set_followup(self, yes: bool) -> None:
        if yes != self.followup_yes:
            self.followup_yes = yes
            self._changed()

    def set_observed(self, assessment: str, finding: str, side: str, on: bool) -> None:
        item = Observation(assessment, finding, observed_side(self.kb, finding, side))
        if on and item not in self.observations:
            self.observations[item] = None
            self._changed()
        elif not on and item in self.observations:
            del self.observations[item]
            self._changed()

    def toggle(self, assessment: str, finding: str, side: str) -> bool:
        """Flip one finding; return whether it is now entered."""
        on = not self.is_observed(assessment, finding, side)
        self.set_observed(assessment, finding, side, on)
        return on

    def set_group(self, assessment: str, side: str, offered: Iterable[str],
                  selected: Iterable[str]) -> None:
        """A list of findings was edited: `selected` of `offered` are now entered."""
        chosen = set(selected)
        for finding in offered:
            self.set_observed(assessment, finding, side, finding in chosen)

    def set_fms_text(self, test: str, side: str, text: str) -> str | None:
        """A score typed for one side of a test (or BOTH); the error, or None."""
        key = f"fms.{test}.{side}"
        changed = text != self.texts.get(key, "")
        self.texts[key] = text
        highest = fms_highest(self.kb)
        text = text.strip()
        value, error = None, None
        if text:
            try:
                value = int(text)
            except ValueError:
                error = f"Scores are whole numbers 0-{highest}"
            else:
                if not 0 <= value <= highest:
                    value, error = None, f"Scores are whole numbers 0-{highest}"
        self._set_error(key, error)
        sides = self.fms_sides(test)
        left, right = self.fms.get(test, (None, None))
        if side in ("left", BOTH):
            left = value
        if side in ("right", BOTH):
            right = value
        if left is None and right is None:
            self.fms.pop(test, None)
        else:
            self.fms[test] = (left, right)
        missing = len(sides) == 2 and (left is None) != (right is None) and not any(
            self.errors.get(f"fms.{test}.{s}", "").startswith("Scores") for s in sides)
        self._set_error(f"fms.{test}", "Score both sides" if missing else None)
        if changed:
            self._changed()
        return error

    def set_clearing(self, test: str, side: str, positive: bool) -> None:
        if self.clearing.get((test, side)) != positive:
            self.clearing[(test, side)] = positive
            self._changed()

    def _set_error(self, key: str, error: str | None) -> None:
        if error:
            self.errors[key] = error
        else:
            self.errors.pop(key, None)

    # --- the case file ------------------------------------------------------------------------
    def canonical(self) -> dict[Path_, Any]:
        """Every value the case file should hold, by its place in the file, using ids."""
        out: dict[Path_, Any] = {}
        if self.name:
            out[("client", "name")] = self.name
        if self.age is not None:
            out[("client", "age")] = self.age
        if self.goals:
            out[("client", "goals")] = list(self.goals)
        if self.conditions:
            out[("client", "conditions")] = [_condition(c) for c in self.conditions.values()]
        if self.equipment is not None:
            out[("client", "equipment")] = list(self.equipment) or ["none"]
        if self.limitations:
            out[("client", "limitations")] = list(self.limitations)
        if self.parq_yes:
            out[("screening", "parq_yes")] = sorted(self.parq_yes)
        if self.followup_yes:
            out[("screening", "followup_yes")] = True
        if self.cleared:
            out[("screening", "cleared")] = list(self.cleared)
        for assessment in self._assessment_order():
            value = self._observations_value(assessment)
            if value:
                out[("assessment", assessment)] = value
        for test, (left, right) in self.fms.items():
            if left is None or right is None:
                continue  # incomplete: reported as an error, not written
            sided = len(self.fms_sides(test)) == 2
            out[(FMS, test)] = {"left": left, "right": right} if sided else left
        tests: dict[str, dict[str, bool]] = {}
        for (test, side), positive in self.clearing.items():
            tests.setdefault(test, {})[side] = positive
        for test, sides in tests.items():
            out[(FMS, "clearing", test)] = sides[BOTH] if BOTH in sides else {
                s: sides[s] for s in SIDES if s in sides}
        return out

    def _assessment_order(self) -> list[str]:
        present = dict.fromkeys(o.assessment for o in self.observations)
        declared = [a for a in self.kb.of("assessment") if a in present]
        return declared + [a for a in present if a not in declared]

    def _observations_value(self, assessment: str) -> Any:
        items = [o for o in self.observations if o.assessment == assessment]
        if not items:
            return None
        fixed = {o.finding for o in items if observed_side(self.kb, o.finding, BOTH) != BOTH}
        entry = self.kb.get("assessment", assessment)
        per_side = (entry is not None and entry.flag("sided")) or any(
            o.side != BOTH and o.finding not in fixed for o in items)
        if not per_side:
            return list(dict.fromkeys(o.finding for o in items))
        sides: dict[str, list[str]] = {}
        for o in items:
            for side in (SIDES if o.side == BOTH else (o.side,)):
                sides.setdefault(side, []).append(o.finding)
        return {s: sides[s] for s in SIDES if s in sides}

    def to_toml(self) -> str:
        """The case file text: the document read (comments kept), with every change applied."""
        now = self.canonical()
        for place in [*self._written, *(p for p in now if p not in self._written)]:
            if now.get(place) == self._written.get(place):
                continue
            if place in now:
                self._put(place, now[place])
            else:
                self._remove(place)
        self._written = now
        return tomlkit.dumps(self._doc)

    def _table(self, parts: Path_) -> Table:
        table: Any = self._doc
        for part in parts:
            if part not in table or not isinstance(table[part], dict):
                table[part] = tomlkit.table()
            table = table[part]
        return table

    def _put(self, place: Path_, value: Any) -> None:
        """Set a value, editing the one written in place when it can (so the comments and
        the layout inside an array, and entries spelled as aliases, survive)."""
        table = self._table(place[:-1])
        key = self._keys.get(place, place[-1])
        old = self._written.get(place)
        if key in table and old is not None and _merge(table[key], old, value):
            return
        table[key] = _item(value)

    def _remove(self, place: Path_) -> None:
        table: Any = self._doc
        for part in place[:-1]:
            if part not in table:
                return
            table = table[part]
        key = self._keys.pop(place, place[-1])
        if key in table:
            del table[key]

    def to_case(self) -> Case:
        """The case exactly as `cexpert infer` reads the saved file."""
        return parse_case(self.to_toml(), str(self.path or "<new client>"), self.kb)

    def default_path(self, folder: Path, fresh: bool = False) -> Path:
        """A file name from the client's name; `fresh`: never the file open now either."""
        base = folder / f"{slug(self.name)}.toml"
        n = 2
        while os.path.lexists(base) and (fresh or base != self.path):
            base = folder / f"{slug(self.name)}-{n}.toml"
            n += 1
        return base

    def save(self, path: Path | None = None, replace: bool = False,
             follow_link: bool = False) -> Saved:
        """Write the case file atomically (see store.casefile); raise ValueError if an
        entry is not valid yet, SaveError (old file intact) if it cannot be written.

        Saving over the file this consultation was read from checks that nobody changed
        it since; saving to another existing file needs `replace` (an explicit choice)."""
        if self.errors:
            raise ValueError("; ".join(self.errors.values()))
        target = Path(path or self.path or "")
        if not str(target) or target.is_dir():
            raise ValueError("no file name to save to")
        same = self.path is not None and _same_file(target, self.path)
        expected = self.stamp if same else ANY if replace else None
        saved = save_case_file(target, self.to_toml(), expected, follow_link=follow_link)
        self.path = saved.path  # the link's target when asked to follow a link
        self.stamp = saved.stamp
        self.mark_saved()
        return saved


def _same_file(a: Path, b: Path) -> bool:
    return os.path.abspath(a) == os.path.abspath(b)


def _condition(c: ClientCondition) -> Any:
    if c.status is None and c.region is None and not c.measures:
        return c.id
    data: dict[str, Any] = {"id": c.id}
    if c.status is not None:
        data["status"] = c.status
    if c.region is not None:
        data["region"] = c.region
    for measure, value in c.measures:  # `weeks = 20`: kept as the case file gave it
        data[measure] = value
    return data


def _merge(existing: Any, old: Any, new: Any) -> bool:
    """Edit `existing` (the document's item that holds `old`, canonically) to hold `new`,
    keeping the items that stay; False (nothing changed) when that is not possible."""
    if isinstance(existing, Array) and isinstance(old, list) and isinstance(new, list):
        if len(existing) != len(old) or len(set(map(repr, old))) != len(old):
            return False  # duplicates or a shape we cannot pair item by item
        kept = [v for v in old if v in new]
        rest = iter(new)
        if not all(v in rest for v in kept):
            return False  # reordered: rewrite the array
        for i in reversed(range(len(old))):
            if old[i] not in new:
                del existing[i]
        for i, v in enumerate(new):
            if v not in kept:
                existing.insert(i, _item(v))
        return True
    if isinstance(existing, InlineTable):
        return False  # one line, no comments inside: rewritten, spaced as by hand
    if isinstance(existing, dict) and isinstance(old, dict) and isinstance(new, dict):
        for key in [k for k in old if k not in new]:
            if key not in existing:
                return False
        for key in [k for k in old if k not in new]:
            del existing[key]
        for key, value in new.items():
            if old.get(key) == value:
                continue
            if key in existing and key in old and _merge(existing[key], old[key], value):
                continue
            existing[key] = _item(value)
        return True
    return False


def _item(value: Any) -> Any:
    if isinstance(value, dict):
        # Spaced, as case files are written by hand: { id = "hypertension", status = "controlled" }
        table = tomlkit.inline_table()
        if value:
            table.add(tomlkit.ws(" "))
        for k, v in value.items():
            table[k] = _item(v)
        if value:
            table.add(tomlkit.ws(" "))
        return table
    if isinstance(value, list):
        array = tomlkit.array()
        for v in value:
            array.append(_item(v))
        return array
    return value


def file_problem(error: OSError, path: Path) -> str:
    """An OSError in words a trainer can act on: what is wrong with which path."""
    where = Path(error.filename) if error.filename else path
    if isinstance(error, PermissionError):
        return f"No permission to write to {where}: choose another folder"
    if isinstance(error, (FileExistsError, NotADirectoryError)):
        return f"{where} is a file, not a folder: choose another folder"
    if isinstance(error, IsADirectoryError):
        return f"{where} is a folder: add a file name"
    return f"Cannot write {path}: {error.strerror or error}"


@dataclass(frozen=True)
class CaseFileInfo:
    path: Path
    name: str
    detail: str
    readable: bool


def describe_case_file(path: Path) -> CaseFileInfo:
    """What the client picker shows for a file, read leniently (never raises)."""
    try:
        data = tomllib.loads(read_bytes(path).decode("utf-8"))
    except (CaseFileError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return CaseFileInfo(path, path.stem, f"cannot be read: {error}", False)
    client = data.get("client") if isinstance(data.get("client"), dict) else {}
    name = client.get("name") if isinstance(client.get("name"), str) else ""
    parts = []
    if isinstance(client.get("age"), int):
        parts.append(f"age {client['age']}")
    goals = client.get("goals")
    if isinstance(goals, list) and goals:
        parts.append(", ".join(str(g) for g in goals))
    return CaseFileInfo(path, name or path.stem, " · ".join(parts), True)
