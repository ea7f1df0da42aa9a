"""The agent tools: internal notes on items and the users they @mention, snoozes, and
who is viewing an item (presence).

Revision ID: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["review_items.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_item_notes_item_id", "item_notes", ["item_id"])
    op.create_table(
        "note_mentions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["note_id"], ["item_notes.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["review_items.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_note_mentions_note_id", "note_mentions", ["note_id"])
    op.create_index("ix_note_mentions_item_id", "note_mentions", ["item_id"])
    op.create_index("ix_note_mentions_user_name", "note_mentions", ["user_name"])
    op.create_table(
        "item_snoozes",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("snoozed_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["review_items.id"]),
        sa.PrimaryKeyConstraint("item_id"),
    )
    op.create_index("ix_item_snoozes_until", "item_snoozes", ["until"])
    op.create_table(
        "item_viewers",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["review_items.id"]),
        sa.PrimaryKeyConstraint("item_id", "user_name"),
    )
    op.create_index("ix_item_viewers_seen_at", "item_viewers", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_item_viewers_seen_at", "item_viewers")
    op.drop_table("item_viewers")
    op.drop_index("ix_item_snoozes_until", "item_snoozes")
    op.drop_table("item_snoozes")
    for column in ("user_name", "item_id", "note_id"):
        op.drop_index(f"ix_note_mentions_{column}", "note_mentions")
    op.drop_table("note_mentions")
    op.drop_index("ix_item_notes_item_id", "item_notes")
    op.drop_table("item_notes")
