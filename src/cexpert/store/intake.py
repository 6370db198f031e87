"""A case file into the client database: matched to its client, consulted with that
client's earlier visits, and stored as a new visit.

One module for `cexpert clients import` and the TUI's first-start offer, so both match
and date a file the same way. The service is passed in (the store sits beside the
service layer and never imports it): anything with `parse_case` and `consult`.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cexpert.engine.case import Case, CaseError
from cexpert.store.records import (
    ClientDetails,
    StoredResult,
    StoreError,
    earlier_visits,
    entered,
)
from cexpert.store.repository import Store, today

MATCHED = {None: "new client", "id": "matched by id", "name and age": "matched by name and age"}


@dataclass(frozen=True)
class CaseImported:
    """One case file stored as a visit, and how its client was found."""

    path: str
    client: str
    visit: int
    date: str
    matched_by: str | None  # None: a new client; "id"; "name and age"
    name: str

    @property
    def summary(self) -> str:
        return (f"visit {self.visit} ({self.date}) of {self.client} "
                f"{self.name or '(no name)'}: {MATCHED[self.matched_by]}")


def import_case_file(store: Store, service: Any, path: Path,
                     trainer: str | None = None) -> CaseImported:
    """Store the case file at `path` as a new visit (raises CaseError or StoreError)."""
    text = read_case_text(path)
    case = service.parse_case(text, str(path))
    client_id, matched_by = match_client(store, case)
    if client_id is not None and not case.previous:  # its own [[previous]] comes first
        case = replace(case, previous=earlier_visits(store.history(client_id),
                                                     date=case.date or today()))
    result = StoredResult.of_json(service.consult(case).as_json())
    visit = store.import_visit(client_id, ClientDetails.of_case(case), text, entered(case),
                               result, date=case.date or today(),
                               trainer=trainer if trainer is not None else login_name(),
                               new_id=case.client.id)
    return CaseImported(str(path), visit.client_id, visit.number, visit.date, matched_by,
                        case.client.name)


def read_case_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CaseError(str(path), [f"cannot read the case file: {error}"]) from None


def match_client(store: Store, case: Case) -> tuple[str | None, str | None]:
    """The client a case file belongs to: by the id it carries, else by name and age."""
    if case.client.id and store.has_client(case.client.id):
        return case.client.id, "id"
    if case.client.id:  # an id from another database: a new client keeps it
        return None, None
    matches = store.match(case.client.name, case.client.age)
    if len(matches) > 1:
        raise StoreError(f"{len(matches)} clients are named '{case.client.name}' aged "
                         f"{case.client.age}: add the client's id to the file ([client] id "
                         f"= ...): {', '.join(m.id for m in matches)}")
    return (matches[0].id, "name and age") if matches else (None, None)


def login_name() -> str:
    """Who is importing, when the command is not told (the trainer of the new visits)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
