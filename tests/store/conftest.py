"""Fixtures for the client database: a fresh SQLite store per test, and real consultation
results from the shared test knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest

from cexpert.engine.case import Case
from cexpert.store.database import open_store
from cexpert.store.records import ClientDetails, StoredResult, entered
from cexpert.store.repository import Store

RULES = """\
source "test rules"
knee valgus → overactive adductors, tfl; underactive glute medius, glute max
heels rise → overactive soleus
"""

CASE = """\
[client]
name = "Kim Knees"
age = 29
[assessment]
ohsa = ["knees_move_inward", "heels_rise"]
[fms]
deep_squat = 2
hurdle_step = { left = 2, right = 1 }
shoulder_mobility = { left = 3, right = 3 }
"""


@pytest.fixture
def case_text() -> str:
    """A case file with movement findings and a complete FMS."""
    return CASE


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "clients.db"


@pytest.fixture
def store(db_path: Path):
    with open_store(str(db_path)) as opened:
        yield opened


@pytest.fixture
def service(make_service):
    return make_service(RULES)


@pytest.fixture
def visit_of(service):
    """visit_of(case_toml) -> (case, entered JSON, StoredResult): a real consultation."""
    def make(text: str = CASE) -> tuple[Case, str, StoredResult]:
        case = service.parse_case(text, "case.toml")
        return case, entered(case), StoredResult.of_json(service.consult(case).as_json())
    return make


@pytest.fixture
def new_client(store: Store):
    """new_client(name="Kim Knees", age=29) -> the ClientRecord, created in `store`."""
    return lambda name="Kim Knees", age=29: store.create_client(ClientDetails(name, age))
