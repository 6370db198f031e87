"""The client database's operations, each one transaction.

Records carry a version (clients) or a revision (draft visits); a save names the one it
read and is refused when the database holds a newer one (StaleRecord), so two trainers,
or a TUI and the CLI, never silently overwrite each other. A closed visit is never
changed: a correction is a new version with the old one kept. Posture photos are kept
beside a visit (not in its entered data): see `attach_photos`.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace

import sqlalchemy as sa

from cexpert.store.records import (
    VIEWS,
    Clearance,
    ClientDetails,
    ClientRecord,
    ClientSummary,
    ClosedVisit,
    Condition,
    Note,
    NotFound,
    Photo,
    ResultSummary,
    StaleRecord,
    StoredResult,
    StoreError,
    Visit,
    canonical,
    checked_photo,
)
from cexpert.store.schema import (
    clearances,
    client_shares,
    clients,
    notes,
    photos,
    results,
    visits,
)


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def today() -> str:
    return datetime.date.today().isoformat()


def new_client_id() -> str:
    return f"c-{uuid.uuid4().hex[:12]}"


class Store:
    """The client database (SQLite or PostgreSQL) behind one SQLAlchemy engine."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as connection:
            connection.execution_options(immediate=True)
            with connection.begin():
                yield connection

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as connection, connection.begin():
            yield connection

    # --- clients -------------------------------------------------------------------------
    def create_client(self, details: ClientDetails, *, id: str | None = None,
                      created_at: str | None = None, updated_at: str | None = None,
                      version: int = 1) -> ClientRecord:
        stamp = created_at or now()
        record = ClientRecord(id or new_client_id(), details, version, stamp,
                              updated_at or stamp)
        with self._write() as c:
            c.execute(clients.insert().values(id=record.id, **_details_row(details),
                                              version=record.version,
                                              created_at=record.created_at,
                                              updated_at=record.updated_at))
        return record

    def update_client(self, client_id: str, details: ClientDetails, expected_version: int
                      ) -> ClientRecord:
        with self._write() as c:
            done = c.execute(clients.update()
                             .where(clients.c.id == client_id,
                                    clients.c.version == expected_version)
                             .values(**_details_row(details), version=expected_version + 1,
                                     updated_at=now()))
            if done.rowcount == 0:
                stored = _client(c, client_id)
                raise StaleRecord(
                    f"client {client_id} was saved elsewhere since you opened it (version "
                    f"{stored.version}, yours {expected_version}): reload it, or keep "
                    f"yours as a new version by saving it again after reloading")
            return _client(c, client_id)

    def client(self, client_id: str) -> ClientRecord:
        with self._read() as c:
            return _client(c, client_id)

    def has_client(self, client_id: str) -> bool:
        with self._read() as c:
            return c.execute(sa.select(clients.c.id).where(clients.c.id == client_id)
                             ).first() is not None

    def clients(self) -> list[ClientSummary]:
        """Every client with its number of visits and latest visit date, by name."""
        # every visit has one version 1, and its versions share its date (index 0003)
        count = (sa.select(visits.c.client_id, sa.func.count().label("n"),
                           sa.func.max(visits.c.date).label("last"))
                 .where(visits.c.version == 1)
                 .group_by(visits.c.client_id).subquery())
        query = (sa.select(clients.c.id, clients.c.name, clients.c.age, count.c.n,
                           count.c.last)
                 .outerjoin(count, count.c.client_id == clients.c.id)
                 .order_by(clients.c.name, clients.c.id))
        with self._read() as c:
            return [ClientSummary(r.id, r.name, r.age, r.n or 0, r.last)
                    for r in c.execute(query)]

    def find(self, text: str) -> list[ClientSummary]:
        """Clients whose id is `text`, else whose name starts with it (case-insensitive)."""
        everyone = self.clients()
        exact = [s for s in everyone if s.id == text]
        if exact:
            return exact
        key = text.casefold()
        return [s for s in everyone if s.name.casefold().startswith(key)]

    def match(self, name: str, age: int | None) -> list[ClientSummary]:
        """Clients with this name (case-insensitive) and age: an imported case file's."""
        key = name.strip().casefold()
        return [s for s in self.clients() if s.name.strip().casefold() == key and s.age == age]

    def share(self, client_id: str, trainer: str) -> None:
        """Let `trainer` (a database role) see and change this client too."""
        with self._write() as c:
            _client(c, client_id)
            c.execute(client_shares.insert().values(client_id=client_id, trainer=trainer))

    # --- visits --------------------------------------------------------------------------
    def history(self, client_id: str) -> list[Visit]:
        """The current version of each visit, in date order, with its result's summary
        (not its JSON: `visit()` loads that) and the notes of all its versions."""
        latest = (sa.select(visits.c.number, sa.func.max(visits.c.version).label("v"))
                  .where(visits.c.client_id == client_id)
                  .group_by(visits.c.number).subquery())
        light = [c for c in results.c if c.name not in ("result", "program")]
        query = (sa.select(visits, *light)
                 .join(latest, sa.and_(latest.c.number == visits.c.number,
                                       latest.c.v == visits.c.version))
                 .outerjoin(results, results.c.visit_id == visits.c.id)
                 .where(visits.c.client_id == client_id)
                 .order_by(visits.c.date, visits.c.number))
        with self._read() as c:
            _client(c, client_id)
            rows = c.execute(query).all()
            notes_by = _visit_notes(c, client_id, [r.number for r in rows])
        return [_visit(r, notes_by.get(r.number, ())) for r in rows]

    def visit(self, client_id: str, number: int, version: int | None = None) -> Visit:
        """One visit (its current version unless `version` is given); the current version
        carries the notes of every version, a given one only its own."""
        with self._read() as c:
            row = _visit_row(c, client_id, number, version)
            if version is None:
                return _visit(row, _visit_notes(c, client_id, [number]).get(number, ()))
            return _visit(row, _notes(c, [row.id]).get(row.id, ()))

    def versions(self, client_id: str, number: int) -> list[Visit]:
        """Every version of a visit, oldest first (corrections keep the old ones)."""
        query = (sa.select(visits, results).outerjoin(results,
                                                      results.c.visit_id == visits.c.id)
                 .where(visits.c.client_id == client_id, visits.c.number == number)
                 .order_by(visits.c.version))
        with self._read() as c:
            rows = c.execute(query).all()
            notes_by = _notes(c, [r.id for r in rows])
        if not rows:
            raise NotFound(f"client {client_id} has no visit {number}")
        return [_visit(r, notes_by.get(r.id, ())) for r in rows]

    def all_versions(self, client_id: str) -> list[Visit]:
        """Every version of every visit, by number then version (for export)."""
        query = (sa.select(visits, results).outerjoin(results,
                                                      results.c.visit_id == visits.c.id)
                 .where(visits.c.client_id == client_id)
                 .order_by(visits.c.number, visits.c.version))
        with self._read() as c:
            rows = c.execute(query).all()
            notes_by = _notes(c, [r.id for r in rows])
        return [_visit(r, notes_by.get(r.id, ())) for r in rows]

    def draft(self, client_id: str) -> Visit | None:
        """The client's visit still open as a draft, if any (to offer to resume it)."""
        with self._read() as c:
            row = c.execute(sa.select(visits, results)
                            .outerjoin(results, results.c.visit_id == visits.c.id)
                            .where(visits.c.client_id == client_id,
                                   visits.c.status == "draft")
                            .order_by(visits.c.number.desc()).limit(1)).first()
        return _visit(row) if row else None

    def save_draft(self, client_id: str, case_toml: str, entered: str, *,
                   number: int | None = None, expected_revision: int | None = None,
                   date: str | None = None, trainer: str = "") -> Visit:
        """Create (number None) or update a draft visit. Updating names the revision it
        read; a newer one in the database is refused (StaleRecord)."""
        with self._write() as c:
            if number is None:
                _client(c, client_id)
                number = _next_number(c, client_id)
                c.execute(visits.insert().values(
                    client_id=client_id, number=number, version=1, status="draft",
                    revision=1, date=date or today(), trainer=trainer, case_toml=case_toml,
                    entered=entered, created_at=now()))
            else:
                row = _visit_row(c, client_id, number, None)
                if row.status == "closed":
                    raise ClosedVisit(f"visit {number} of client {client_id} is closed: "
                                      f"a correction is saved as a new version")
                if row.revision != expected_revision:
                    raise _stale_visit(client_id, number, row.revision, expected_revision)
                values = {"case_toml": case_toml, "entered": entered,
                          "revision": row.revision + 1}
                if date is not None:
                    values["date"] = date
                done = c.execute(visits.update().where(visits.c.id == row.id,
                                                       visits.c.revision == row.revision)
                                 .values(**values))
                if done.rowcount != 1:  # pragma: no cover - the write lock prevents it
                    raise _stale_visit(client_id, number, None, expected_revision)
            return _visit(_visit_row(c, client_id, number, None))

    def close_visit(self, client_id: str, number: int, expected_revision: int,
                    result: StoredResult) -> Visit:
        """Close a draft with its consultation's result; from now on it never changes."""
        with self._write() as c:
            row = _visit_row(c, client_id, number, None)
            if row.status == "closed":
                raise ClosedVisit(f"visit {number} of client {client_id} is already closed")
            if row.revision != expected_revision:
                raise _stale_visit(client_id, number, row.revision, expected_revision)
            c.execute(visits.update().where(visits.c.id == row.id)
                      .values(status="closed", revision=row.revision + 1))
            c.execute(results.insert().values(visit_id=row.id, **_result_row(result)))
            return _visit(_visit_row(c, client_id, number, None))

    def record_visit(self, client_id: str, case_toml: str, entered: str,
                     result: StoredResult | None, *, date: str | None = None,
                     trainer: str = "", number: int | None = None, version: int = 1,
                     status: str = "closed", revision: int = 1,
                     created_at: str | None = None,
                     notes_: tuple[Note, ...] = (),
                     photos_: tuple[Photo, ...] = ()) -> Visit:
        """Add a visit in one go (an import): closed with its result, unless told; its
        photos (with their bytes, checked as `attach_photos` checks them, and against
        their stated media type and sha256) go on the visit's first version."""
        incoming = _incoming_photos(number, photos_)
        with self._write() as c:
            _client(c, client_id)
            number = number if number is not None else _next_number(c, client_id)
            visit_id = c.execute(visits.insert().values(
                client_id=client_id, number=number, version=version, status=status,
                revision=revision, date=date or today(), trainer=trainer,
                case_toml=case_toml, entered=entered, created_at=created_at or now())
            ).inserted_primary_key[0]
            if result is not None:
                c.execute(results.insert().values(visit_id=visit_id, **_result_row(result)))
            for note in notes_:
                c.execute(notes.insert().values(visit_id=visit_id, text=note.text,
                                                author=note.author,
                                                created_at=note.created_at))
            if incoming:
                first = visit_id if version == 1 else _first_version_id(c, client_id, number)
                _add_missing_photos(c, first, incoming)
            return _visit(_visit_row(c, client_id, number, version),
                          _notes(c, [visit_id]).get(visit_id, ()))

    def import_visit(self, client_id: str | None, details: ClientDetails, case_toml: str,
                     entered: str, result: StoredResult, *, date: str, trainer: str = "",
                     new_id: str | None = None) -> Visit:
        """A case file's visit, in one transaction: of a new client (`client_id` None; it
        keeps `new_id` when given), or a new visit of `client_id`, whose details the file
        updates when it is the client's newest visit (the version moves on, so anyone
        holding the old details is told to reload rather than overwrite them)."""
        with self._write() as c:
            if client_id is None:
                client_id, stamp = new_id or new_client_id(), now()
                c.execute(clients.insert().values(id=client_id, **_details_row(details),
                                                  version=1, created_at=stamp,
                                                  updated_at=stamp))
            else:
                current = _client(c, client_id)
                latest = c.execute(sa.select(sa.func.max(visits.c.date))
                                   .where(visits.c.client_id == client_id)).scalar()
                if latest is None or date >= latest:
                    keep = replace(details, notes=current.details.notes)
                    c.execute(clients.update().where(clients.c.id == client_id)
                              .values(**_details_row(keep), version=current.version + 1,
                                      updated_at=now()))
            number = _next_number(c, client_id)
            visit_id = c.execute(visits.insert().values(
                client_id=client_id, number=number, version=1, status="closed", revision=1,
                date=date, trainer=trainer, case_toml=case_toml, entered=entered,
                created_at=now())).inserted_primary_key[0]
            c.execute(results.insert().values(visit_id=visit_id, **_result_row(result)))
            return _visit(_visit_row(c, client_id, number, 1))

    def correct_visit(self, client_id: str, number: int, expected_version: int,
                      case_toml: str, entered: str, result: StoredResult,
                      trainer: str = "") -> Visit:
        """A correction of a closed visit: a new closed version; the old one is kept."""
        with self._write() as c:
            row = _visit_row(c, client_id, number, None)
            if row.version != expected_version:
                raise StaleRecord(
                    f"visit {number} of client {client_id} was corrected elsewhere since "
                    f"you opened it (version {row.version}, yours {expected_version}): "
                    f"reload it, or keep yours as a new version by correcting the reloaded "
                    f"visit")
            visit_id = c.execute(visits.insert().values(
                client_id=client_id, number=number, version=row.version + 1,
                status="closed", revision=1, date=row.date, trainer=trainer or row.trainer,
                case_toml=case_toml, entered=entered, created_at=now())
            ).inserted_primary_key[0]
            c.execute(results.insert().values(visit_id=visit_id, **_result_row(result)))
            return _visit(_visit_row(c, client_id, number, None))

    def add_note(self, client_id: str, number: int, text: str, author: str = "") -> Note:
        """A free-text note on a visit (notes may be added to a closed visit)."""
        note = Note(text, author, now())
        with self._write() as c:
            row = _visit_row(c, client_id, number, None)
            c.execute(notes.insert().values(visit_id=row.id, text=note.text,
                                            author=note.author, created_at=note.created_at))
        return note

    # --- posture photos --------------------------------------------------------------------
    def attach_photo(self, client_id: str, number: int, view: str, data: bytes) -> Photo:
        """Attach one posture photo (front, side or back) to visit `number`; see
        `attach_photos`."""
        return self.attach_photos(client_id, number, {view: data})[0]

    def attach_photos(self, client_id: str, number: int, images: Mapping[str, bytes]
                      ) -> list[Photo]:
        """Attach posture photos ({view: the image's bytes}) to visit `number`, all or
        none, in one transaction; each replaces the visit's photo of that view, if any.

        The bytes must be a JPEG, PNG or WebP image (told by their first bytes, never by a
        file name) of at most MAX_PHOTO_BYTES; StoreError otherwise, before anything is
        written.

        A photo may be attached to a closed visit, as a note may: it is not part of what
        was entered and no consultation reads it, so the closed visit's entered data and
        result stay exactly what they were. It belongs to the visit (the session), not to
        one version of its data, so it is kept on the visit's first version and a
        correction keeps it.

        Attaching a view again replaces the photo instead of keeping the old one as
        history: a retake at the same visit is taken because the first was unusable
        (blurred, cut off, the wrong angle), the record is of how the client stood that
        day, and every kept retake would grow the database by megabytes that no report
        shows. The database holds one photo per visit and view itself (a unique
        constraint), so no two saves can leave two. Export the record first to keep one."""
        if not images:
            raise StoreError("no photo given (front, side or back)")
        checked = {view: (data, *checked_photo(view, data)) for view, data in images.items()}
        stamp = now()
        with self._write() as c:
            visit_id = _first_version_id(c, client_id, number, lock=True)
            c.execute(photos.delete().where(photos.c.visit_id == visit_id,
                                            photos.c.view.in_(list(checked))))
            made = [Photo(client_id, number, view, media, digest, len(data), stamp, data)
                    for view, (data, media, digest) in checked.items()]
            _insert_photos(c, visit_id, made)
        return sorted(made, key=_photo_order)

    def photos(self, client_id: str, number: int | None = None, *,
               with_data: bool = False, view: str | None = None) -> list[Photo]:
        """The client's posture photos (of visit `number` only, and of one `view`, when
        given), by visit number then view (front, side, back); their bytes only
        `with_data` (a list for `show` needs none)."""
        columns = [visits.c.number, photos.c.view, photos.c.media_type, photos.c.sha256,
                   photos.c.size, photos.c.created_at]
        query = (sa.select(*columns, *([photos.c.data] if with_data else []))
                 .join(visits, visits.c.id == photos.c.visit_id)
                 .where(visits.c.client_id == client_id))
        if number is not None:
            query = query.where(visits.c.number == number)
        if view is not None:
            query = query.where(photos.c.view == view)
        with self._read() as c:
            _client(c, client_id)
            if number is not None:
                _first_version_id(c, client_id, number)
            rows = c.execute(query).all()
        return sorted((_photo(client_id, r) for r in rows), key=_photo_order)

    def photo(self, client_id: str, number: int, view: str) -> Photo:
        """One photo of a visit, with its bytes."""
        found = self.photos(client_id, number, with_data=True, view=view)
        if not found:
            raise NotFound(f"visit {number} of client {client_id} has no {view} photo")
        return found[0]

    def import_photos(self, client_id: str, number: int, given: tuple[Photo, ...]) -> int:
        """Add, as they were (dates kept), the photos of views visit `number` has none of
        (an import into a client already here); one the visit has is never replaced. How
        many were added."""
        incoming = _incoming_photos(number, given)
        with self._write() as c:
            return _add_missing_photos(c, _first_version_id(c, client_id, number, lock=True),
                                       incoming)

    # --- clearances ----------------------------------------------------------------------
    def add_clearance(self, client_id: str, what: str, by_whom: str, date: str,
                      scope: str, created_at: str | None = None) -> Clearance:
        clearance = Clearance(what, by_whom, date, scope, created_at or now())
        with self._write() as c:
            _client(c, client_id)
            c.execute(clearances.insert().values(client_id=client_id, what=what,
                                                 by_whom=by_whom, date=date, scope=scope,
                                                 created_at=clearance.created_at))
        return clearance

    def clearances(self, client_id: str) -> list[Clearance]:
        with self._read() as c:
            rows = c.execute(sa.select(clearances).where(clearances.c.client_id == client_id)
                             .order_by(clearances.c.date, clearances.c.id)).all()
        return [Clearance(r.what, r.by_whom, r.date, r.scope, r.created_at) for r in rows]


# --- rows ↔ records -------------------------------------------------------------------------
def _details_row(d: ClientDetails) -> dict:
    return {"name": d.name, "age": d.age, "goals": canonical(list(d.goals)),
            "conditions": canonical([{"id": x.id, "status": x.status, "region": x.region}
                                     for x in d.conditions]),
            "equipment": None if d.equipment is None else canonical(list(d.equipment)),
            "limitations": canonical(list(d.limitations)), "notes": d.notes}


def _client(c: sa.Connection, client_id: str) -> ClientRecord:
    row = c.execute(sa.select(clients).where(clients.c.id == client_id)).first()
    if row is None:
        raise NotFound(f"no client {client_id}")
    equipment = None if row.equipment is None else tuple(json.loads(row.equipment))
    details = ClientDetails(
        row.name, row.age, tuple(json.loads(row.goals)),
        tuple(Condition(**x) for x in json.loads(row.conditions)), equipment,
        tuple(json.loads(row.limitations)), row.notes)
    return ClientRecord(row.id, details, row.version, row.created_at, row.updated_at,
                        row.owner)


def _next_number(c: sa.Connection, client_id: str) -> int:
    top = c.execute(sa.select(sa.func.max(visits.c.number))
                    .where(visits.c.client_id == client_id)).scalar()
    return (top or 0) + 1


def _visit_row(c: sa.Connection, client_id: str, number: int, version: int | None):
    query = (sa.select(visits, results).outerjoin(results, results.c.visit_id == visits.c.id)
             .where(visits.c.client_id == client_id, visits.c.number == number))
    if version is not None:
        query = query.where(visits.c.version == version)
    row = c.execute(query.order_by(visits.c.version.desc()).limit(1)).first()
    if row is None:
        raise NotFound(f"client {client_id} has no visit {number}"
                       + (f" version {version}" if version is not None else ""))
    return row


def _visit(row, visit_notes: tuple[Note, ...] = ()) -> Visit:
    result = summary = None
    if row.visit_id is not None:
        summary = ResultSummary(row.schema_version, row.kb_hash, row.kb_path,
                                row.program_status, bool(row.referral), row.fms_total,
                                row.findings)
        if "result" in row._fields:
            result = StoredResult(*vars(summary).values(), row.program, row.result)
    return Visit(row.client_id, row.number, row.version, row.status, row.revision, row.date,
                 row.trainer, row.case_toml, row.entered, row.created_at, result,
                 visit_notes, summary)


def _notes(c: sa.Connection, visit_ids: list[int]) -> dict[int, tuple[Note, ...]]:
    if not visit_ids:
        return {}
    out: dict[int, list[Note]] = {}
    for r in c.execute(sa.select(notes).where(notes.c.visit_id.in_(visit_ids))
                       .order_by(notes.c.created_at, notes.c.id)):
        out.setdefault(r.visit_id, []).append(Note(r.text, r.author, r.created_at))
    return {k: tuple(v) for k, v in out.items()}


def _visit_notes(c: sa.Connection, client_id: str, numbers: list[int]
                 ) -> dict[int, tuple[Note, ...]]:
    """Notes by visit number, from every version: a note is stored on the version it was
    added to (export keeps that), yet it is about the visit, so a correction keeps it."""
    if not numbers:
        return {}
    out: dict[int, list[Note]] = {}
    query = (sa.select(visits.c.number, notes.c.text, notes.c.author, notes.c.created_at)
             .join(visits, visits.c.id == notes.c.visit_id)
             .where(visits.c.client_id == client_id, visits.c.number.in_(numbers))
             .order_by(notes.c.created_at, notes.c.id))
    for r in c.execute(query):
        out.setdefault(r.number, []).append(Note(r.text, r.author, r.created_at))
    return {k: tuple(v) for k, v in out.items()}


def _first_version_id(c: sa.Connection, client_id: str, number: int, *,
                      lock: bool = False) -> int:
    """The id of the visit's first version (where its photos are kept); `lock` holds the
    row until the transaction ends (PostgreSQL), so two saves of its photos queue."""
    query = sa.select(visits.c.id).where(visits.c.client_id == client_id,
                                         visits.c.number == number, visits.c.version == 1)
    found = c.execute(query.with_for_update() if lock else query).scalar()
    if found is None:
        raise NotFound(f"client {client_id} has no visit {number}")
    return found


def _incoming_photos(number: int | None, given: tuple[Photo, ...]) -> list[Photo]:
    """Photos to be stored as they are (an import): each checked as an attached one is,
    and against the media type, sha256 and size it states; one per view."""
    out, seen = [], set()
    where = f"visit {number}" if number is not None else "the visit"
    for p in given:
        if p.data is None:
            raise StoreError(f"{where}: the {p.view} photo has no image data")
        media, digest = checked_photo(p.view, p.data)
        if (media, digest, len(p.data)) != (p.media_type, p.sha256, p.size):
            raise StoreError(f"{where}: the {p.view} photo's data do not match its "
                             f"media type, sha256 or size")
        if p.view in seen:
            raise StoreError(f"{where} has two {p.view} photos")
        seen.add(p.view)
        out.append(p)
    return out


def _insert_photos(c: sa.Connection, visit_id: int, made: list[Photo]) -> None:
    for p in made:
        c.execute(photos.insert().values(visit_id=visit_id, view=p.view,
                                         media_type=p.media_type, data=p.data,
                                         sha256=p.sha256, size=p.size,
                                         created_at=p.created_at))


def _add_missing_photos(c: sa.Connection, visit_id: int, incoming: list[Photo]) -> int:
    """Insert the photos of views the visit has none of; how many."""
    have = set(c.execute(sa.select(photos.c.view)
                         .where(photos.c.visit_id == visit_id)).scalars())
    new = [p for p in incoming if p.view not in have]
    _insert_photos(c, visit_id, new)
    return len(new)


def _photo(client_id: str, row) -> Photo:
    data = bytes(row.data) if "data" in row._fields else None
    return Photo(client_id, row.number, row.view, row.media_type, row.sha256, row.size,
                 row.created_at, data)


def _photo_order(p: Photo) -> tuple[int, int]:
    return p.number, VIEWS.index(p.view)


def _result_row(r: StoredResult) -> dict:
    return {"schema_version": r.schema_version, "kb_hash": r.kb_hash, "kb_path": r.kb_path,
            "program_status": r.program_status, "referral": r.referral,
            "fms_total": r.fms_total, "findings": r.findings, "program": r.program,
            "result": r.result}


def _stale_visit(client_id: str, number: int, stored: int | None, yours: int | None
                 ) -> StaleRecord:
    return StaleRecord(
        f"visit {number} of client {client_id} was saved elsewhere since you opened it "
        f"(revision {stored}, yours {yours}): reload it, or keep yours as a new version")
