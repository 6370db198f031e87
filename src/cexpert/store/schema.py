"""The tables at the head revision, as SQLAlchemy Core: what the queries are written against.

The migrations in `migrations/versions/` create them; `test_migrations` checks that the
two agree. JSON columns are TEXT holding canonical JSON, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

clients = sa.Table(
    "clients", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("age", sa.Integer),
    sa.Column("goals", sa.Text, nullable=False),
    sa.Column("conditions", sa.Text, nullable=False),
    sa.Column("equipment", sa.Text),
    sa.Column("limitations", sa.Text, nullable=False),
    sa.Column("notes", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.Column("owner", sa.Text, nullable=False),  # server default: the creating role
)

visits = sa.Table(
    "visits", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("client_id", sa.String(40), sa.ForeignKey("clients.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("trainer", sa.Text, nullable=False),
    sa.Column("case_toml", sa.Text, nullable=False),
    sa.Column("entered", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Index("visits_client", "client_id", "number"),
    sa.Index("visits_summary", "client_id", "version", "date"),
)

results = sa.Table(
    "results", metadata,
    sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id"), primary_key=True),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("kb_hash", sa.Text, nullable=False),
    sa.Column("kb_path", sa.Text, nullable=False),
    sa.Column("program_status", sa.String(20), nullable=False),
    sa.Column("referral", sa.Boolean, nullable=False),
    sa.Column("fms_total", sa.Integer),
    sa.Column("findings", sa.Integer, nullable=False),
    sa.Column("program", sa.Text, nullable=False),
    sa.Column("result", sa.Text, nullable=False),
)

clearances = sa.Table(
    "clearances", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("client_id", sa.String(40), sa.ForeignKey("clients.id"), nullable=False),
    sa.Column("what", sa.Text, nullable=False),
    sa.Column("by_whom", sa.Text, nullable=False),
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)

notes = sa.Table(
    "notes", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id"), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)

client_shares = sa.Table(
    "client_shares", metadata,
    sa.Column("client_id", sa.String(40), sa.ForeignKey("clients.id"), primary_key=True),
    sa.Column("trainer", sa.Text, primary_key=True),
    sa.Column("owner", sa.Text, nullable=False),
)

photos = sa.Table(
    "photos", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id"), nullable=False),
    sa.Column("view", sa.String(5), nullable=False),
    sa.Column("media_type", sa.String(20), nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.UniqueConstraint("visit_id", "view", name="photos_one_per_view"),
)
