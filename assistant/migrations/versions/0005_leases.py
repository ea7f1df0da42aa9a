"""In-flight items carry a lease (owner, expiry): recover takes only expired ones.

Items in flight before this revision have no lease, and count as expired.

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("review_items", sa.Column("lease_owner", sa.String(), nullable=True))
    op.add_column(
        "review_items", sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("review_items") as batch:
        batch.drop_column("lease_expires_at")
        batch.drop_column("lease_owner")
