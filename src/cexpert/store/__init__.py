"""The client database: clients, their visits (versioned), each visit's consultation
result, clearances, notes and posture photos; SQLite on the trainer's machine or a
clinic's PostgreSQL.

`open_store` is the way in (imported lazily: SQLAlchemy and Alembic cost ~0.3 s).
"""
