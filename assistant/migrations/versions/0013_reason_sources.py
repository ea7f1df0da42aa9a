"""Review items record which detector or check gave each routing reason
(``reason_sources``), so the dashboard can count what each detector costs. Rows routed
before this revision read back with an empty list.

Revision ID: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "review_items",
        sa.Column("reason_sources", sa.JSON(), nullable=False, server_default="[]"),
    )


def downgrade() -> None:
    with op.batch_alter_table("review_items") as batch:
        batch.drop_column("reason_sources")
