"""Alembic environment: runs on the connection ``assistant.migrations`` passes in."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import assistant.models  # noqa: F401  (registers every table on the metadata)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: tables are copied instead
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
