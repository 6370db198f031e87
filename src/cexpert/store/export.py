"""A client's whole record as versioned JSON, and back: nothing is locked in.

`dumps(export_client(store, id))` is the same bytes after an import into another
database and an export from there (ids, versions, dates, results and photos all kept).

Format versions: 1 has no photos; 2 adds each visit's posture photos, listed with the
visit's first version (where they are kept): view, media type, sha256, size, date and
the bytes in base64. Both are read; export writes 2.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit

from cexpert.store.records import (
    ClientDetails,
    Condition,
    Note,
    Photo,
    StoredResult,
    StoreError,
    Visit,
    canonical,
)
from cexpert.store.repository import Store

FORMAT = "cexpert-client-record"
FORMAT_VERSION = 2
READS = (1, 2)  # the format versions import_record reads


def export_client(store: Store, client_id: str, *, with_photos: bool = True
                  ) -> dict[str, Any]:
    """The client's whole record; without the photos (every visit's list empty) when
    `with_photos` is false: for a caller that reads only the client (`clients show`)."""
    client = store.client(client_id)
    d = client.details
    photos: dict[int, list[Photo]] = {}
    for photo in store.photos(client_id, with_data=True) if with_photos else ():
        photos.setdefault(photo.number, []).append(photo)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "client": {
            "id": client.id, "name": d.name, "age": d.age, "goals": list(d.goals),
            "conditions": [{"id": c.id, "status": c.status, "region": c.region}
                           for c in d.conditions],
            "equipment": None if d.equipment is None else list(d.equipment),
            "limitations": list(d.limitations), "notes": d.notes,
            "version": client.version, "created_at": client.created_at,
            "updated_at": client.updated_at,
        },
        "clearances": [{"what": c.what, "by_whom": c.by_whom, "date": c.date,
                        "scope": c.scope, "created_at": c.created_at}
                       for c in store.clearances(client_id)],
        "visits": [_visit(v, photos.get(v.number, []) if v.version == 1 else [])
                   for v in store.all_versions(client_id)],
    }


def _visit(v: Visit, photos: list[Photo]) -> dict[str, Any]:
    return {
        "number": v.number, "version": v.version, "status": v.status,
        "revision": v.revision, "date": v.date, "trainer": v.trainer,
        "created_at": v.created_at, "case_toml": v.case_toml,
        "entered": json.loads(v.entered),
        "notes": [{"text": n.text, "author": n.author, "created_at": n.created_at}
                  for n in v.notes],
        "result": None if v.result is None else v.result.as_json(),
        "photos": [{"view": p.view, "media_type": p.media_type, "sha256": p.sha256,
                    "size": p.size, "created_at": p.created_at,
                    "data": base64.b64encode(p.data or b"").decode("ascii")}
                   for p in photos],
    }


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def is_record(data: Any) -> bool:
    return isinstance(data, dict) and data.get("format") == FORMAT


@dataclass(frozen=True)
class Imported:
    client_id: str
    created: bool
    visits_added: int
    photos_added: int = 0


def import_record(store: Store, record: dict[str, Any], where: str = "record") -> Imported:
    """Add an exported record: a new client as it was, or the visits and clearances an
    existing client (same id) does not have yet."""
    if record.get("format_version") not in READS:
        raise StoreError(f"{where}: format_version {record.get('format_version')!r} is not "
                         f"one this cexpert reads ({', '.join(map(str, READS))})")
    try:
        return _import(store, record)
    except (KeyError, TypeError, ValueError) as error:
        raise StoreError(f"{where}: not a complete client record ({error!r} missing or "
                         f"malformed)") from None


def _import(store: Store, record: dict[str, Any]) -> Imported:
    c = record["client"]
    client_id = str(c["id"])
    created = not store.has_client(client_id)
    if created:
        details = ClientDetails(
            str(c["name"]), c["age"], tuple(c["goals"]),
            tuple(Condition(x["id"], x.get("status"), x.get("region"))
                  for x in c["conditions"]),
            None if c["equipment"] is None else tuple(c["equipment"]),
            tuple(c["limitations"]), str(c["notes"]))
        store.create_client(details, id=client_id, created_at=c["created_at"],
                            updated_at=c["updated_at"], version=int(c["version"]))
    have = {(v.number, v.version) for v in store.all_versions(client_id)}
    added = photos_added = 0
    for v in record["visits"]:
        photos = _photos(client_id, v) if record["format_version"] >= 2 else ()
        if (v["number"], v["version"]) in have:
            if photos:  # a visit here already: the photos of views it has none of
                photos_added += store.import_photos(client_id, int(v["number"]), photos)
            continue
        result = None if v["result"] is None else StoredResult.of_json(v["result"])
        store.record_visit(
            client_id, v["case_toml"], canonical(v["entered"]), result, date=v["date"],
            trainer=v["trainer"], number=int(v["number"]), version=int(v["version"]),
            status=v["status"], revision=int(v["revision"]), created_at=v["created_at"],
            notes_=tuple(Note(n["text"], n["author"], n["created_at"]) for n in v["notes"]),
            photos_=photos)
        added += 1
        photos_added += len(photos)
    known = {(x.what, x.by_whom, x.date, x.scope) for x in store.clearances(client_id)}
    for x in record["clearances"]:
        if (x["what"], x["by_whom"], x["date"], x["scope"]) not in known:
            store.add_clearance(client_id, x["what"], x["by_whom"], x["date"], x["scope"],
                                created_at=x["created_at"])
    return Imported(client_id, created, added, photos_added)


def _photos(client_id: str, v: dict[str, Any]) -> tuple[Photo, ...]:
    """A visit's photos as the record lists them (the store checks them on import)."""
    return tuple(Photo(client_id, int(v["number"]), str(p["view"]), str(p["media_type"]),
                       str(p["sha256"]), int(p["size"]), str(p["created_at"]),
                       base64.b64decode(p["data"], validate=True))
                 for p in v["photos"])


def visit_as_case_file(visit: Visit) -> str:
    """The visit's case TOML as written, with its client's id and the visit's date, so the
    file imports back as this visit of this client."""
    document = tomlkit.parse(visit.case_toml)
    document["date"] = tomlkit.date(visit.date)
    client = document.get("client")
    if client is None:
        client = tomlkit.table()
        document["client"] = client
    client["id"] = visit.client_id
    return tomlkit.dumps(document)


def write_visits_as_toml(store: Store, client_id: str, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for visit in store.history(client_id):
        path = folder / f"visit-{visit.number:02d}-{visit.date}.toml"
        path.write_text(visit_as_case_file(visit), encoding="utf-8")
        written.append(path)
    return written
