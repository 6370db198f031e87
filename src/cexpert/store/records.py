"""What the store hands out: frozen records, and the errors a user can act on.

Error messages name ids and versions, never a client's details (those stay in the
database), so they are safe in a log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from cexpert.engine.case import Case, EarlierVisit

# Assessments whose findings are not movement compensations (the FMS is scored, its
# clearing tests and reported pain are screens): the progress chart counts the others.
NOT_MOVEMENT = frozenset({"fms", "fms_clearing", "pain"})


class StoreError(Exception):
    """A problem with the client database, worded for the user."""


class NotFound(StoreError):
    pass


class StaleRecord(StoreError):
    """A save over a newer version of the record: someone else saved it meanwhile."""


class ClosedVisit(StoreError):
    """A closed visit is never changed: a correction is a new version."""


@dataclass(frozen=True)
class Condition:
    id: str
    status: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class ClientDetails:
    name: str
    age: int | None = None
    goals: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    equipment: tuple[str, ...] | None = None  # None: unrestricted
    limitations: tuple[str, ...] = ()
    notes: str = ""

    @classmethod
    def of_case(cls, case: Case, notes: str = "") -> ClientDetails:
        c = case.client
        return cls(c.name, c.age, c.goals,
                   tuple(Condition(x.id, x.status, x.region) for x in c.conditions),
                   c.equipment, c.limitations, notes)


@dataclass(frozen=True)
class ClientRecord:
    id: str
    details: ClientDetails
    version: int
    created_at: str
    updated_at: str
    owner: str = ""


@dataclass(frozen=True)
class ClientSummary:
    id: str
    name: str
    age: int | None
    visits: int
    last_visit: str | None


@dataclass(frozen=True)
class ResultSummary:
    """What the history shows of a visit's result, without its JSON (kept light)."""

    schema_version: int
    kb_hash: str
    kb_path: str
    program_status: str
    referral: bool
    fms_total: int | None
    findings: int


@dataclass(frozen=True)
class StoredResult:
    """A consultation's result as stored, with the figures the history shows."""

    schema_version: int
    kb_hash: str
    kb_path: str
    program_status: str
    referral: bool
    fms_total: int | None
    findings: int
    program: str  # canonical JSON
    result: str   # canonical JSON: the whole --format json contract

    @classmethod
    def of_json(cls, data: Mapping[str, Any]) -> StoredResult:
        kb = data.get("knowledge_base", {})
        fms = data.get("fms") or {}
        return cls(int(data["schema_version"]), str(kb.get("hash", "")),
                   str(kb.get("path", "")), str(data["program_status"]),
                   bool(data["referral"]["required"]), fms.get("total"),
                   movement_findings(data), canonical(data["program"]), canonical(data))

    def as_json(self) -> dict[str, Any]:
        return json.loads(self.result)

    @property
    def summary(self) -> ResultSummary:
        return ResultSummary(self.schema_version, self.kb_hash, self.kb_path,
                             self.program_status, self.referral, self.fms_total,
                             self.findings)


@dataclass(frozen=True)
class Note:
    text: str
    author: str
    created_at: str


@dataclass(frozen=True)
class Visit:
    client_id: str
    number: int
    version: int
    status: str  # draft | closed
    revision: int
    date: str
    trainer: str
    case_toml: str
    entered: str  # canonical JSON of what was entered
    created_at: str
    result: StoredResult | None = None  # None in a history (see `summary`) or a draft
    notes: tuple[Note, ...] = ()
    summary: ResultSummary | None = None  # None: not consulted yet (a draft)

    @property
    def closed(self) -> bool:
        return self.status == "closed"


@dataclass(frozen=True)
class Clearance:
    what: str
    by_whom: str
    date: str
    scope: str
    created_at: str


# --- posture photos ----------------------------------------------------------------------
VIEWS = ("front", "side", "back")
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# The image formats a photo may be, by the first bytes of the file (never its name).
MAGIC = (("image/jpeg", 0, b"\xff\xd8\xff"),
         ("image/png", 0, b"\x89PNG\r\n\x1a\n"),
         ("image/webp", 8, b"WEBP"))  # after "RIFF" and the chunk size
MEDIA_TYPES = tuple(media for media, _, _ in MAGIC)


@dataclass(frozen=True)
class Photo:
    """A posture photo of a visit: one per view (front, side, back).

    `data` is the image's bytes, or None where only the list was read
    (`Store.photos(..., with_data=False)`); `sha256` is the hex digest of the bytes."""

    client_id: str
    number: int  # the visit's number
    view: str    # front | side | back
    media_type: str  # image/jpeg | image/png | image/webp
    sha256: str
    size: int
    created_at: str
    data: bytes | None = field(default=None, repr=False)


def media_type_of(data: bytes) -> str | None:
    """The image format the bytes start with (JPEG, PNG or WebP), else None."""
    for media, at, magic in MAGIC:
        if data[at:at + len(magic)] == magic and (media != "image/webp"
                                                   or data[:4] == b"RIFF"):
            return media
    return None


def checked_photo(view: str, data: bytes) -> tuple[str, str]:
    """(media type, sha256) of a photo's bytes; StoreError when the view is not one of
    VIEWS, the bytes are empty, too large, or not a JPEG, PNG or WebP image. The message
    names only the view and the size, never anything the image holds."""
    if view not in VIEWS:
        raise StoreError(f"'{view}' is not a photo view (one of {', '.join(VIEWS)})")
    if not data:
        raise StoreError(f"the {view} photo is empty")
    if len(data) > MAX_PHOTO_BYTES:
        raise StoreError(f"the {view} photo is {megabytes(len(data))}, over the "
                         f"{MAX_PHOTO_BYTES // (1024 * 1024)} MB limit "
                         f"({MAX_PHOTO_BYTES:,} bytes): save it smaller, e.g. as a JPEG")
    media = media_type_of(data)
    if media is None:
        raise StoreError(f"the {view} photo is not a JPEG, PNG or WebP image (read from "
                         f"its first bytes, whatever its name says)")
    return media, hashlib.sha256(data).hexdigest()


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def canonical(data: Any) -> str:
    """One spelling of a JSON value, so equal records are equal bytes."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entered(case: Case) -> str:
    """What the trainer entered in a visit (screening, findings, FMS, clearing tests)."""
    return canonical({
        "screening": asdict(case.screening),
        "observations": [asdict(o) for o in case.observations],
        "fms": [asdict(s) for s in case.fms],
        "clearing": [asdict(c) for c in case.clearing],
    })


def movement_findings(result: Mapping[str, Any]) -> int:
    """The number of movement-assessment findings entered (not FMS, clearing or pain)."""
    return sum(1 for f in result.get("facts", {}).values()
               if f.get("kind") == "finding"
               and f.get("data", {}).get("assessment") not in NOT_MOVEMENT)


def earlier_visits(history: Sequence[Visit], before: Visit | None = None,
                   date: str | None = None) -> tuple[EarlierVisit, ...]:
    """The closed visits a visit is compared with, oldest first, as the rules read them
    (`resolved X`, `persists X`, `visits >= N`): those before `before` in the history's
    order, or, for a new visit, those dated on or before `date` (every one without it)."""
    out = []
    for visit in history:
        if before is not None and (visit.date, visit.number) >= (before.date, before.number):
            break
        if date is not None and visit.date > date:
            continue
        if visit.closed:
            out.append(EarlierVisit(visit.date, entered_findings(visit.entered)))
    return tuple(out)


def entered_findings(entered_json: str) -> tuple[str, ...]:
    """The finding ids a visit's `entered` JSON lists, in order, once each."""
    try:
        data = json.loads(entered_json)
    except ValueError:
        return ()
    found = [o.get("finding") for o in data.get("observations", ())
             if isinstance(o, Mapping) and isinstance(o.get("finding"), str)]
    return tuple(dict.fromkeys(found))
