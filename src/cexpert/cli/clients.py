"""`cexpert clients list|show|history|compare|export|import|note|clearance|photo|report`:
the client database from the command line.

CLIENT is a client's id or a unique prefix of the name (an ambiguous prefix lists the
matches, exit 2); VISIT is a visit's number or date. Every command takes `--db URL`
(else CEXPERT_DB, else the SQLite file in the user's data folder) and `--format`.
Clinical comparison goes through the service; this module only reads and writes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from cexpert.engine.case import CaseError
from cexpert.language.writing import write_text_atomically
from cexpert.present.progress import (
    HistoryRow,
    PhotoCell,
    comparison_text,
    history_text,
    report_html,
    report_text,
    size_words,
)
from cexpert.service import compare_results
from cexpert.store.database import open_store
from cexpert.store.export import (
    dumps,
    export_client,
    import_record,
    is_record,
    write_visits_as_toml,
)
from cexpert.store.intake import import_case_file, login_name
from cexpert.store.records import (
    MAX_PHOTO_BYTES,
    VIEWS,
    ClientSummary,
    Photo,
    StoreError,
    Visit,
    checked_photo,
    earlier_visits,
    megabytes,
)
from cexpert.store.repository import Store, today

OK, USAGE = 0, 2


class Refused(Exception):
    """A request this command cannot carry out, worded for the user (exit 2)."""


def cmd_clients(args: argparse.Namespace) -> int:
    commands = {"list": _list, "show": _show, "history": _history, "compare": _compare,
                "export": _export, "import": _import, "report": _report, "note": _note,
                "clearance": _clearance, "photo": _photo}
    try:
        with open_store(args.db) as store:
            return commands[args.clients_command](store, args)
    except (StoreError, Refused) as error:
        sys.stderr.write(f"cexpert clients: {error}\n")
        return USAGE


def _emit(args: argparse.Namespace, data, text: str) -> None:
    if args.format == "json":
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(text)


# --- CLIENT and VISIT --------------------------------------------------------------------
def resolve_client(store: Store, text: str) -> ClientSummary:
    matches = store.find(text)
    if not matches:
        raise Refused(f"no client matches '{text}' (an id or the start of a name)")
    if len(matches) > 1:
        listed = "\n".join(f"  {m.id}  {m.name}" + (f", {m.age}" if m.age else "")
                           for m in matches)
        raise Refused(f"'{text}' matches {len(matches)} clients; use the id:\n{listed}")
    return matches[0]


def resolve_visit(visits: list[Visit], text: str) -> Visit:
    if text.isdigit():
        found = [v for v in visits if v.number == int(text)]
    else:
        found = [v for v in visits if v.date == text]
    if not found:
        raise Refused(f"no visit '{text}' (a visit number or a date YYYY-MM-DD)")
    if len(found) > 1:
        raise Refused(f"{len(found)} visits on {text}: use the visit number "
                      f"({', '.join(str(v.number) for v in found)})")
    return found[0]


def history_rows(visits: list[Visit]) -> list[HistoryRow]:
    return [HistoryRow(v.number, v.version, v.date, v.status,
                       v.summary.fms_total if v.summary else None,
                       v.summary.findings if v.summary else None,
                       v.summary.referral if v.summary else None,
                       v.summary.program_status if v.summary else None,
                       v.summary.kb_hash if v.summary else "") for v in visits]


# --- list, show, history -------------------------------------------------------------------
def _list(store: Store, args) -> int:
    everyone = store.clients()
    lines = [f"{c.id}  {c.name}" + (f", {c.age}" if c.age is not None else "")
             + f"  ({c.visits} visit{'s' if c.visits != 1 else ''}"
             + (f", last {c.last_visit})" if c.last_visit else ")") for c in everyone]
    _emit(args, [vars(c) for c in everyone],
          "\n".join(lines) + "\n" if lines else f"no clients in {store.url}\n")
    return OK


def _show(store: Store, args) -> int:
    record = export_client(store, resolve_client(store, args.client).id, with_photos=False)
    c = record["client"]
    visits = store.history(c["id"])
    draft = store.draft(c["id"])
    lines = [f"{c['name']} ({c['id']})", f"age: {c['age'] if c['age'] is not None else '–'}",
             f"goals: {'; '.join(c['goals']) or '–'}",
             "conditions: " + (", ".join(x["id"] + (f" ({x['status']})" if x["status"] else "")
                                         + (f" at {x['region']}" if x["region"] else "")
                                         for x in c["conditions"]) or "–"),
             "equipment: " + ("unrestricted" if c["equipment"] is None
                              else ", ".join(c["equipment"]) or "none"),
             f"limitations: {', '.join(c['limitations']) or '–'}",
             f"notes: {c['notes'] or '–'}",
             f"visits: {len(visits)}" + (f" (draft open: visit {draft.number})" if draft
                                         else "")]
    lines += [f"clearance: {x['what']} by {x['by_whom']} on {x['date']} ({x['scope']})"
              for x in record["clearances"]]
    lines += [f"note on visit {v.number} ({v.date}): {n.text}" + (f" ({n.author})"
                                                                  if n.author else "")
              for v in visits for n in v.notes]
    photos = store.photos(c["id"])
    dates = {v.number: v.date for v in visits}
    by_visit: dict[int, list[Photo]] = {}
    for p in photos:
        by_visit.setdefault(p.number, []).append(p)
    lines += [f"photos of visit {number} ({dates.get(number, '?')}): "
              + ", ".join(f"{p.view} ({_photo_words(p)})" for p in taken)
              for number, taken in sorted(by_visit.items(),
                                          key=lambda item: (dates.get(item[0], ""), item[0]))]
    data = {"client": c, "clearances": record["clearances"], "visits": len(visits),
            "draft": draft.number if draft else None,
            "photos": [_photo_json(p, dates.get(p.number)) for p in photos]}
    _emit(args, data, "\n".join(lines) + "\n")
    return OK


def _history(store: Store, args) -> int:
    client = resolve_client(store, args.client)
    rows = history_rows(store.history(client.id))
    _emit(args, {"client": client.id, "visits": [vars(r) for r in rows]},
          history_text(client.name, rows))
    return OK


# --- notes and clearances ----------------------------------------------------------------------
def _note(store: Store, args) -> int:
    client = resolve_client(store, args.client)
    visit = resolve_visit(store.history(client.id), args.visit)
    if not args.text.strip():
        raise Refused("the note is empty")
    author = args.author if args.author is not None else login_name()
    note = store.add_note(client.id, visit.number, args.text, author)
    _emit(args, {"client": client.id, "visit": visit.number, "date": visit.date,
                 "note": {"text": note.text, "author": note.author,
                          "created_at": note.created_at}},
          f"note added to visit {visit.number} ({visit.date}) of {client.id}\n")
    return OK


def _clearance(store: Store, args) -> int:
    import datetime

    client = resolve_client(store, args.client)
    try:
        date = datetime.date.fromisoformat(args.date).isoformat()
    except ValueError:
        raise Refused(f"--date must be a date such as 2026-12-01, got '{args.date}'") from None
    if date > today():
        raise Refused(f"--date {date} is in the future: record a clearance once it is given")
    for name, value in (("what", args.what), ("--by", args.by_whom), ("--scope", args.scope)):
        if not value.strip():
            raise Refused(f"{name} is empty")
    x = store.add_clearance(client.id, args.what, args.by_whom, date, args.scope)
    _emit(args, {"client": client.id, "clearance": {"what": x.what, "by_whom": x.by_whom,
                                                     "date": x.date, "scope": x.scope,
                                                     "created_at": x.created_at}},
          f"clearance recorded for {client.id}: {x.what} by {x.by_whom} on {x.date} "
          f"({x.scope})\n")
    return OK


# --- posture photos ----------------------------------------------------------------------------
def _photo(store: Store, args) -> int:
    """Read every given file first (missing, not an image, too large: exit 2 naming the
    file, nothing attached), then attach them all in one transaction."""
    client = resolve_client(store, args.client)
    visit = resolve_visit(store.history(client.id), args.visit)
    given = {view: getattr(args, view) for view in VIEWS if getattr(args, view)}
    if not given:
        raise Refused("give at least one photo: --front PATH, --side PATH or --back PATH")
    images = {view: _read_photo(view, path) for view, path in given.items()}
    had = {p.view: p for p in store.photos(client.id, visit.number)}
    attached = store.attach_photos(client.id, visit.number, images)
    lines = [f"{p.view} photo attached to visit {visit.number} ({visit.date}) of {client.id}"
             f" ({_photo_words(p)})"
             + (f", replacing the one of {had[p.view].created_at}" if p.view in had else "")
             for p in attached]
    _emit(args, {"client": client.id, "visit": visit.number, "date": visit.date,
                 "photos": [dict(_photo_json(p, visit.date), replaced=p.view in had,
                                 path=given[p.view]) for p in attached]},
          "\n".join(lines) + "\n")
    return OK


def _read_photo(view: str, given: str) -> bytes:
    """The bytes of a photo's file, checked (an image, not too large) before anything is
    written; Refused names the file as typed."""
    path = Path(given)
    try:
        if not path.is_file():
            raise Refused(f"--{view} {given}: no such file")
        size = path.stat().st_size
        if size > MAX_PHOTO_BYTES:  # told before reading it all
            raise Refused(f"--{view} {given}: the photo is {megabytes(size)}, over the "
                          f"{MAX_PHOTO_BYTES // (1024 * 1024)} MB limit: save it smaller, "
                          f"e.g. as a JPEG")
        with path.open("rb") as file:
            data = file.read(MAX_PHOTO_BYTES + 1)
    except OSError as error:
        raise Refused(f"--{view} {given}: cannot read it ({error.strerror})") from None
    try:
        checked_photo(view, data)
    except StoreError as error:
        raise Refused(f"--{view} {given}: {error}") from None
    return data


def _photo_words(p: Photo) -> str:
    return f"{p.media_type}, {size_words(p.size)}"


def _photo_json(p: Photo, date: str | None) -> dict:
    return {"visit": p.number, "date": date, "view": p.view, "media_type": p.media_type,
            "sha256": p.sha256, "size": p.size, "created_at": p.created_at}


# --- compare and report ---------------------------------------------------------------------
def _two_visits(store: Store, client: ClientSummary, a: str | None, b: str | None
                ) -> tuple[Visit, Visit]:
    visits = [v for v in store.history(client.id) if v.summary is not None]
    if a is not None and b is not None:
        pair = resolve_visit(visits, a), resolve_visit(visits, b)
    elif a is not None or len(visits) < 2:
        raise Refused("compare needs two consulted visits: give VISIT_A and VISIT_B, or "
                      "leave both out for the first and the latest"
                      + ("" if len(visits) >= 2 else f" (this client has {len(visits)})"))
    else:
        pair = visits[0], visits[-1]
    return tuple(store.visit(client.id, v.number, v.version) for v in pair)


def _compare(store: Store, args) -> int:
    from cexpert.cli.consult import open_service

    client = resolve_client(store, args.client)
    first, second = _two_visits(store, client, args.visit_a, args.visit_b)
    before, after = first.result.as_json(), second.result.as_json()
    if args.rerun:
        service = open_service(args.rules)
        if isinstance(service, int):
            return service
        history = store.history(client.id)
        before, after = (_rerun(service, first, history), _rerun(service, second, history))
    comparison = compare_results(before, after)
    title = (f"{client.name}: visit {first.number} ({first.date}) → visit {second.number} "
             f"({second.date})" + (" re-run on today's rules" if args.rerun else ""))
    text = comparison_text(title, comparison)
    data = {"client": client.id, "rerun": bool(args.rerun),
            "before": {"visit": first.number, "date": first.date},
            "after": {"visit": second.number, "date": second.date},
            "comparison": comparison.as_json()}
    if args.rerun:
        changes = {}
        for visit in (first, second):
            change = compare_results(visit.result.as_json(), _rerun(service, visit, history))
            changes[str(visit.number)] = change.as_json()
            text += ("\n" + comparison_text(f"visit {visit.number}: stored result → today's "
                                            f"rules" + (" (no change)" if change.unchanged
                                                         else ""), change))
        data["today"] = changes
    _emit(args, data, text)
    return OK


def _rerun(service, visit: Visit, history: list[Visit] | None = None) -> dict:
    """A stored visit on today's rules, compared (as then) with the visits before it."""
    previous = earlier_visits(history or [], before=visit)
    try:
        return service.rerun(visit.case_toml, f"visit {visit.number}",
                             previous=previous).as_json()
    except CaseError as error:
        raise Refused(f"visit {visit.number} cannot be re-run on today's knowledge base:\n"
                      + "\n".join(f"  {p}" for p in error.problems)) from None


def _report(store: Store, args) -> int:
    client = resolve_client(store, args.client)
    visits = store.history(client.id)
    rows = history_rows(visits)
    consulted = [v for v in visits if v.summary is not None]
    comparison = ""
    if len(consulted) >= 2:
        first, last = (store.visit(client.id, v.number, v.version).result
                       for v in (consulted[0], consulted[-1]))
        c = compare_results(first.as_json(), last.as_json())
        comparison = comparison_text(f"visit {consulted[0].number} ({consulted[0].date}) → "
                                     f"visit {consulted[-1].number} ({consulted[-1].date})", c)
    dates = {v.number: v.date for v in visits}
    photos = [PhotoCell(p.number, dates.get(p.number, ""), p.view, p.media_type, p.data or b"")
              for p in store.photos(client.id, with_data=True)]
    render = report_text if args.format == "text" else report_html
    _write_out(args.output, render(client.name, rows, comparison, photos=photos))
    return OK


# --- export and import ---------------------------------------------------------------------
def _export(store: Store, args) -> int:
    client = resolve_client(store, args.client)
    _write_out(args.output, dumps(export_client(store, client.id)))
    if args.visits_as_toml:
        written = write_visits_as_toml(store, client.id, Path(args.visits_as_toml))
        sys.stderr.write(f"wrote {len(written)} case file{'s' if len(written) != 1 else ''} "
                         f"to {args.visits_as_toml}\n")
    return OK


def _write_out(output: str | None, text: str) -> None:
    """To stdout, or atomically to a file (a crash never leaves half of it)."""
    if not output or output == "-":
        sys.stdout.write(text)
        return
    write_text_atomically(Path(output), text)


def _files(paths: list[str]) -> Iterator[Path]:
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from sorted(p for p in path.iterdir()
                              if p.suffix in (".toml", ".json") and p.is_file())
        elif path.is_file():
            yield path
        else:
            raise Refused(f"{given}: no such file or folder")


def _import(store: Store, args) -> int:
    from cexpert.cli.consult import open_service

    service = None
    done, failed = [], 0
    for path in _files(args.paths):
        try:
            if path.suffix == ".json":
                done.append(_import_record(store, path))
                continue
            if service is None:
                service = open_service(args.rules)
                if isinstance(service, int):
                    return service
            done.append(_import_case(store, service, path, args.trainer))
        except (CaseError, StoreError, Refused) as error:
            failed += 1
            sys.stderr.write(f"{error}\n" if isinstance(error, CaseError)
                             else f"{path}: {error}\n")
    _emit(args, done, "".join(f"{d['path']}: {d['summary']}\n" for d in done))
    return USAGE if failed else OK


def _import_record(store: Store, path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise Refused(f"not a readable JSON record ({error})") from None
    if not is_record(data):
        raise Refused("not a cexpert client record (no \"format\": "
                      "\"cexpert-client-record\")")
    outcome = import_record(store, data, str(path))
    summary = (f"{'new client' if outcome.created else 'client'} {outcome.client_id}, "
               f"{outcome.visits_added} visit version{'s' if outcome.visits_added != 1 else ''}"
               f" added")
    return {"path": str(path), "client": outcome.client_id, "created": outcome.created,
            "visits_added": outcome.visits_added, "summary": summary}


def _import_case(store: Store, service, path: Path, trainer: str | None) -> dict:
    done = import_case_file(store, service, path, trainer)
    return {"path": done.path, "client": done.client, "visit": done.visit, "date": done.date,
            "created": done.matched_by is None, "matched_by": done.matched_by,
            "summary": done.summary}


def sa_errors() -> type[Exception]:
    import sqlalchemy

    return sqlalchemy.exc.SQLAlchemyError


# --- cexpert db ------------------------------------------------------------------------------
def cmd_db(args: argparse.Namespace) -> int:
    from cexpert.store import migrate

    try:
        with open_store(args.db, migrate_on_open=False) as store:
            with store.engine.connect() as c:
                was = migrate.current(c)
            migrate.upgrade(store.engine)
            granted = None
            if store.engine.dialect.name == "postgresql":
                granted = migrate.grant_trainers(store.engine, args.trainers_role)
    except StoreError as error:
        sys.stderr.write(f"cexpert db: {error}\n")
        return USAGE
    except sa_errors() as error:  # a database that refuses (permissions): its own words
        words = (str(getattr(error, "orig", error)).strip() or type(error).__name__)
        sys.stderr.write(f"cexpert db: cannot upgrade: {words.splitlines()[0]}\n")
        return USAGE
    head = migrate.head()
    line = (f"{store.url}: at revision {head}" if was == head
            else f"{store.url}: upgraded from {was or 'empty'} to {head}")
    if granted is False:
        line += (f" (role '{args.trainers_role}' does not exist: create it and grant it to "
                 f"each trainer, then run this again)")
    elif granted:
        line += f"; tables granted to '{args.trainers_role}'"
    print(line)
    return OK
