"""Fixtures for the client database: a fresh SQLite store per test, and real consultation
results from the shared test knowledge base."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cexpert.engine.case import Case
from cexpert.store.database import open_store
from cexpert.store.records import ClientDetails, StoredResult, entered
from cexpert.store.repository import Store

sys.path.insert(0, str(Path(__file__).parent))  # pg_server, editor_loop: helpers here

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


@pytest.fixture
def kb_dir(make_kb) -> Path:
    return make_kb(RULES)


@pytest.fixture
def run(capsys, db_path, kb_dir):
    """run("clients", "list", ...) -> (exit code, stdout, stderr), on this test's database
    and knowledge base (--rules is added where the command takes it)."""
    from cexpert.cli.main import main

    def invoke(*argv: str) -> tuple[int, str, str]:
        args = [*argv, "--db", str(db_path)]
        if argv[:2] in (("clients", "import"), ("clients", "compare")):
            args += ["--rules", str(kb_dir)]
        try:
            code = main(args)
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code
        out, err = capsys.readouterr()
        return int(code), out, err
    return invoke


@pytest.fixture
def case_file(tmp_path):
    """case_file(name, text=CASE, date=None) -> the path of a case file written there."""
    def write(name: str, text: str = CASE, date: str | None = None) -> Path:
        path = tmp_path / "cases" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text((f"date = {date}\n" if date else "") + text, encoding="utf-8")
        return path
    return write


@pytest.fixture(scope="session")
def pg_session():
    """(server, None) or (None, why not): one real PostgreSQL server for the session,
    started on first use and stopped at the end."""
    import pg_server as pg

    reason = pg.missing()
    if reason:
        yield None, reason
        return
    try:
        server = pg.start()
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", b"") or b""
        yield None, f"could not start PostgreSQL: {error} {detail.decode(errors='replace')}"
        return
    yield server, None
    server.stop()


@pytest.fixture
def pg_server(pg_session, require):
    """The session's PostgreSQL server; skipped with the reason where there is none (a
    failure in CI, where CEXPERT_REQUIRE_PG=1)."""
    server, reason = pg_session
    require("pg", reason)
    return server


@pytest.fixture
def pg_database(pg_server) -> str:
    """A fresh database at head (a copy of one migrated by its owner) for one test."""
    return pg_server.new_database(template=pg_server.template())
