"""Alembic's entry point: always run inside the connection cexpert opened (never a URL
from an ini file), so SQLite's pragmas and the caller's transaction apply to migrations."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
