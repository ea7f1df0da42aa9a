"""Every timestamp is timezone-aware UTC: TIMESTAMPTZ on Postgres (SQLite keeps text).

Stored values were written in UTC, so they are read as UTC.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = {
    "review_items": ("received_at", "due_at", "decided_at", "created_at", "updated_at"),
    "audit_events": ("at",),
    "outbox": ("sent_at",),
    "customer_state": ("opted_out_at", "opted_in_at", "consent_at"),
    "users": ("disabled_at", "created_at", "last_sign_in_at", "locked_until"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite has no zone type: UtcDateTime reads its text as UTC
    for table, columns in COLUMNS.items():
        for column in columns:
            op.alter_column(
                table,
                column,
                type_=sa.DateTime(timezone=True),
                postgresql_using=f"{column} AT TIME ZONE 'UTC'",
            )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in COLUMNS.items():
        for column in columns:
            op.alter_column(
                table,
                column,
                type_=sa.DateTime(),
                postgresql_using=f"{column} AT TIME ZONE 'UTC'",
            )
