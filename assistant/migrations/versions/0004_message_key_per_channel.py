"""A message is identified by (channel, platform message id, text): ids are unique per
platform only (a Facebook message may carry an Instagram message's id), and an id that
comes back with different text is a new message to look at, not a duplicate. A reply is
recorded once per item.

Revision ID: 0004
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "review_items",
        sa.Column("content_hash", sa.String(), nullable=False, server_default=""),
    )
    items = sa.table(
        "review_items",
        sa.column("id", sa.Integer),
        sa.column("text", sa.String),
        sa.column("content_hash", sa.String),
    )
    bind = op.get_bind()
    for item_id, text in bind.execute(sa.select(items.c.id, items.c.text)).all():
        digest = hashlib.sha256((text or "").encode()).hexdigest()
        bind.execute(items.update().where(items.c.id == item_id).values(content_hash=digest))
    op.drop_index("ix_review_items_message_id", table_name="review_items")
    op.create_index("ix_review_items_message_id", "review_items", ["message_id"])
    op.create_index(
        "uq_review_items_message",
        "review_items",
        ["channel", "message_id", "content_hash"],
        unique=True,
    )
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("uq_outbox_message", type_="unique")
    op.create_index(
        "uq_outbox_message", "outbox", ["channel", "message_id", "item_id"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_outbox_message", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.create_unique_constraint("uq_outbox_message", ["message_id"])
    op.drop_index("uq_review_items_message", table_name="review_items")
    op.drop_index("ix_review_items_message_id", table_name="review_items")
    op.create_index("ix_review_items_message_id", "review_items", ["message_id"], unique=True)
    with op.batch_alter_table("review_items") as batch:
        batch.drop_column("content_hash")
