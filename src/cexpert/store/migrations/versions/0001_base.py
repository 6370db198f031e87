"""The base schema: clients, their visits (versioned), each visit's consultation result,
clearances and notes.

Written out in full here (not imported from schema.py) so that this revision stays what
it was when later ones change the tables.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clients",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("age", sa.Integer),
        sa.Column("goals", sa.Text, nullable=False),        # JSON list
        sa.Column("conditions", sa.Text, nullable=False),   # JSON [{id, status, region}]
        sa.Column("equipment", sa.Text),                    # JSON list; NULL: unrestricted
        sa.Column("limitations", sa.Text, nullable=False),  # JSON list
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("clients_name", "clients", ["name"])
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(40), sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),  # draft | closed | superseded
        sa.Column("revision", sa.Integer, nullable=False),   # bumped by every draft save
        sa.Column("date", sa.String(10), nullable=False),
        sa.Column("trainer", sa.Text, nullable=False),
        sa.Column("case_toml", sa.Text, nullable=False),
        sa.Column("entered", sa.Text, nullable=False),       # JSON: what was entered
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("client_id", "number", "version", name="visits_one_version"),
    )
    op.create_index("visits_client", "visits", ["client_id", "number"])
    op.create_table(
        "results",
        sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id"), primary_key=True),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("kb_hash", sa.Text, nullable=False),
        sa.Column("kb_path", sa.Text, nullable=False),
        sa.Column("program_status", sa.String(20), nullable=False),
        sa.Column("referral", sa.Boolean, nullable=False),
        sa.Column("fms_total", sa.Integer),                  # NULL: FMS not complete
        sa.Column("findings", sa.Integer, nullable=False),   # movement-assessment findings
        sa.Column("program", sa.Text, nullable=False),       # JSON: the program items
        sa.Column("result", sa.Text, nullable=False),        # JSON: the whole contract
    )
    op.create_table(
        "clearances",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_id", sa.String(40), sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("what", sa.Text, nullable=False),
        sa.Column("by_whom", sa.Text, nullable=False),
        sa.Column("date", sa.String(10), nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("migrations are forward-only: restore the backup instead")
