"""A real PostgreSQL server for the tests: the one `CEXPERT_TEST_PG` names (an admin
URL), or one started here from Debian's postgresql 15 in a temporary folder, as an
unprivileged user (initdb and pg_ctl refuse root), on a unix socket only.

Roles, made once per server: `clinic` owns the schema (it migrates), `alice` and `bob`
are trainers, members of `cexpert_trainers`.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

BIN = Path("/usr/lib/postgresql/15/bin")
ROLES = ("clinic", "alice", "bob")


@dataclass
class Server:
    admin_url: str
    folder: Path | None = None
    run_as: str | None = None
    _template: str | None = None

    def url(self, role: str, database: str) -> str:
        base = sa.make_url(self.admin_url)
        return base.set(username=role, password=None, database=database
                        ).render_as_string(hide_password=False)

    def admin(self) -> sa.Engine:
        return sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")

    def new_database(self, owner: str = "clinic", template: str | None = None) -> str:
        name = f"cexpert_{uuid.uuid4().hex[:10]}"
        engine = self.admin()
        with engine.connect() as c:
            extra = f" TEMPLATE {template}" if template else ""
            c.exec_driver_sql(f"CREATE DATABASE {name} OWNER {owner}{extra}")
        engine.dispose()
        return name

    def template(self) -> str:
        """A database at the head revision, migrated by its owner, made once: each test
        copies it (CREATE DATABASE ... TEMPLATE) instead of migrating again."""
        if self._template is None:
            from cexpert.store import migrate
            from cexpert.store.database import open_store

            name = self.new_database()
            with open_store(self.url("clinic", name), migrate_on_open=False) as owner:
                migrate.upgrade(owner.engine)
                migrate.grant_trainers(owner.engine)
            self._template = name
        return self._template

    def stop(self) -> None:
        if self.folder is None:
            return
        _as_user(self.run_as, [str(BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m",
                               "fast", "-w", "stop"])
        shutil.rmtree(self.folder, ignore_errors=True)


def missing() -> str | None:
    """Why no server can be had here (None: one can)."""
    if os.environ.get("CEXPERT_TEST_PG"):
        return None
    if not (BIN / "initdb").exists():
        return f"no {BIN / 'initdb'} (install Debian's postgresql, or set CEXPERT_TEST_PG)"
    if os.geteuid() == 0 and not shutil.which("runuser"):
        return "running as root without runuser to start PostgreSQL as another user"
    return None


def start() -> Server:
    given = os.environ.get("CEXPERT_TEST_PG")
    server = Server(given) if given else _start_local()
    _make_roles(server)
    return server


def _start_local() -> Server:
    user = "nobody" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    folder = Path(tempfile.mkdtemp(prefix="cexpert-pg-"))
    socket = folder / "socket"
    socket.mkdir()
    if os.geteuid() == 0:
        entry = pwd.getpwnam(user)
        for path in (folder, socket):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    data = folder / "data"
    _as_user(user, [str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                    "-E", "UTF8", "--no-sync"])
    _as_user(user, [str(BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
                    "-o", f"-k {socket} -c listen_addresses='' -c fsync=off", "start"])
    return Server(f"postgresql+psycopg://postgres@/postgres?host={socket}", folder, user)


def _as_user(user: str | None, command: list[str]) -> None:
    if user and os.geteuid() == 0:
        command = ["runuser", "-u", user, "--", *command]
    subprocess.run(command, check=True, capture_output=True, cwd="/")


def _make_roles(server: Server) -> None:
    engine = server.admin()
    with engine.connect() as c:
        existing = {r for (r,) in c.exec_driver_sql("SELECT rolname FROM pg_roles")}
        if "cexpert_trainers" not in existing:
            c.exec_driver_sql("CREATE ROLE cexpert_trainers NOLOGIN")
        for role in ROLES:
            if role not in existing:
                c.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        c.exec_driver_sql("GRANT cexpert_trainers TO alice, bob")
    engine.dispose()
