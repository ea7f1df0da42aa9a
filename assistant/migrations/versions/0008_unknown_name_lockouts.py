"""Sign-in lockouts for unknown user names in the database (keyed by an HMAC of the name,
never the name), and the per-install secret that keys them.

Revision ID: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "install_secrets",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "unknown_name_failures",
        sa.Column("name_key", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name_key"),
    )
    op.create_index("ix_unknown_name_failures_updated_at", "unknown_name_failures", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_unknown_name_failures_updated_at", "unknown_name_failures")
    op.drop_table("unknown_name_failures")
    op.drop_table("install_secrets")
