"""Alembic migrations shipped inside the package (script location resolved from here)."""
