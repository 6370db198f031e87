"""A client's whole record as versioned JSON, and back: nothing is locked in.

`dumps(export_client(store, id))` is the same bytes after an import into another
database and an export from there (ids, versions, dates and results all kept).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit

from cexpert.store.records import (
    ClientDetails,
    Condition,
    Note,
    StoredResult,
    StoreError,
    Visit,
    canonical,
)
from cexpert.store.repository import Store

FORMAT = "cexpert-client-record"
FORMAT_VERSION = 1


def export_client(store: Store, client_id: str) -> dict[str, Any]:
    client = store.client(client_id)
    d = client.details
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
        "visits": [_visit(v) for v in store.all_versions(client_id)],
    }


def _visit(v: Visit) -> dict[str, Any]:
    return {
        "number": v.number, "version": v.version, "status": v.status,
        "revision": v.revision, "date": v.date, "trainer": v.trainer,
        "created_at": v.created_at, "case_toml": v.case_toml,
        "entered": json.loads(v.entered),
        "notes": [{"text": n.text, "author": n.author, "created_at": n.created_at}
                  for n in v.notes],
        "result": None if v.result is None else v.result.as_json(),
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


def import_record(store: Store, record: dict[str, Any], where: str = "record") -> Imported:
    """Add an exported record: a new client as it was, or the visits and clearances an
    existing client (same id) does not have yet."""
    if record.get("format_version") != FORMAT_VERSION:
        raise StoreError(f"{where}: format_version {record.get('format_version')!r} is not "
                         f"one this cexpert reads ({FORMAT_VERSION})")
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
    added = 0
    for v in record["visits"]:
        if (v["number"], v["version"]) in have:
            continue
        result = None if v["result"] is None else StoredResult.of_json(v["result"])
        store.record_visit(
            client_id, v["case_toml"], canonical(v["entered"]), result, date=v["date"],
            trainer=v["trainer"], number=int(v["number"]), version=int(v["version"]),
            status=v["status"], revision=int(v["revision"]), created_at=v["created_at"],
            notes_=tuple(Note(n["text"], n["author"], n["created_at"]) for n in v["notes"]))
        added += 1
    known = {(x.what, x.by_whom, x.date, x.scope) for x in store.clearances(client_id)}
    for x in record["clearances"]:
        if (x["what"], x["by_whom"], x["date"], x["scope"]) not in known:
            store.add_clearance(client_id, x["what"], x["by_whom"], x["date"], x["scope"],
                                created_at=x["created_at"])
    return Imported(client_id, created, added)


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
