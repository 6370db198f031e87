"""Trainers on a clinic's server: each client has an owner (the database role that created
it) and may be shared with other trainers; on PostgreSQL, row-level security lets a trainer
see and change only their own clients and those shared with them.

On SQLite (one trainer's machine) the owner is '' and no policies exist.

A later data migration on PostgreSQL must see every row although these policies are
FORCEd on the owner too: it runs `ALTER TABLE ... NO FORCE ROW LEVEL SECURITY` first, inside
its (transactional) migration, and FORCEs it again at the end.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

VISIBLE_CLIENTS = ("owner = current_user OR id IN "
                   "(SELECT client_id FROM client_shares WHERE trainer = current_user)")
POLICIES = {
    "clients": VISIBLE_CLIENTS,
    "client_shares": "trainer = current_user OR owner = current_user",
    "visits": "client_id IN (SELECT id FROM clients)",
    "results": "visit_id IN (SELECT id FROM visits)",
    "notes": "visit_id IN (SELECT id FROM visits)",
    "clearances": "client_id IN (SELECT id FROM clients)",
}


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    owner_default = sa.text("CURRENT_USER") if postgres else sa.text("''")
    op.add_column("clients", sa.Column("owner", sa.Text, nullable=False,
                                       server_default=owner_default))
    op.create_table(
        "client_shares",
        sa.Column("client_id", sa.String(40), sa.ForeignKey("clients.id"), primary_key=True),
        sa.Column("trainer", sa.Text, primary_key=True),
        sa.Column("owner", sa.Text, nullable=False, server_default=owner_default),
    )
    if postgres:
        for table, condition in POLICIES.items():
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY trainer_access ON {table} "
                       f"USING ({condition}) WITH CHECK ({condition})")


def downgrade() -> None:
    raise NotImplementedError("migrations are forward-only: restore the backup instead")
