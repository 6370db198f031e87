"""A covering index for the client list (visits per client, latest date): the list is
answered from the index alone instead of reading every visit row with its case file
(bench/store.py: 1,000 clients × 20 visits). Each visit has exactly one version 1 and
all its versions share its date, so version 1 rows count the visits.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("visits_summary", "visits", ["client_id", "version", "date"])


def downgrade() -> None:
    raise NotImplementedError("migrations are forward-only: restore the backup instead")
