"""Posture photos (front, side, back) attached to a visit: the image's bytes, its media
type (JPEG, PNG or WebP, read from the bytes themselves), sha256 and size.

One photo per visit and view, held by the database itself (`photos_one_per_view`): a
photo belongs to the visit (the session), not to one version of its entered data, so it
is kept on the visit's first version (every visit has exactly one) and a correction keeps
it. On PostgreSQL the table gets the same forced row-level security as notes: a trainer
sees the photos of the visits they see (their clients' and those shared with them).
`cexpert db upgrade` grants the new table (and its id sequence) to the trainers' role
with the others.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

POLICY = "visit_id IN (SELECT id FROM visits)"


def upgrade() -> None:
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id"), nullable=False),
        sa.Column("view", sa.String(5), nullable=False),         # front | side | back
        sa.Column("media_type", sa.String(20), nullable=False),  # from the magic bytes
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),      # hex digest of data
        sa.Column("size", sa.Integer, nullable=False),           # bytes
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("visit_id", "view", name="photos_one_per_view"),
        sa.CheckConstraint("view IN ('front', 'side', 'back')", name="photos_view"),
        sa.CheckConstraint("media_type IN ('image/jpeg', 'image/png', 'image/webp')",
                           name="photos_media_type"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE photos ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE photos FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY trainer_access ON photos "
                   f"USING ({POLICY}) WITH CHECK ({POLICY})")


def downgrade() -> None:
    raise NotImplementedError("migrations are forward-only: restore the backup instead")
