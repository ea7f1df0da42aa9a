"""Meta channels: raw webhook payloads (audit, replay, quarantine), one row per platform
event (durable dedupe), and accounts whose token Meta refused.

Revision ID: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta_webhook_payloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("problem", sa.String(), nullable=True),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_meta_webhook_payloads_received_at", "meta_webhook_payloads", ["received_at"]
    )
    op.create_index("ix_meta_webhook_payloads_state", "meta_webhook_payloads", ["state"])
    op.create_table(
        "meta_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("conversation", sa.String(), nullable=False),
        sa.Column("platform_id", sa.String(), nullable=True),
        sa.Column("marker", sa.String(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    op.create_index("ix_meta_events_kind", "meta_events", ["kind"])
    op.create_index("ix_meta_events_conversation", "meta_events", ["conversation"])
    op.create_index("ix_meta_events_platform_id", "meta_events", ["platform_id"])
    op.create_index("ix_meta_events_marker", "meta_events", ["marker"])
    op.create_table(
        "meta_channel_connections",
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("needs_reconnect", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("token_fingerprint", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id"),
    )


def downgrade() -> None:
    op.drop_table("meta_channel_connections")
    op.drop_index("ix_meta_events_marker", "meta_events")
    op.drop_index("ix_meta_events_platform_id", "meta_events")
    op.drop_index("ix_meta_events_conversation", "meta_events")
    op.drop_index("ix_meta_events_kind", "meta_events")
    op.drop_table("meta_events")
    op.drop_index("ix_meta_webhook_payloads_state", "meta_webhook_payloads")
    op.drop_index("ix_meta_webhook_payloads_received_at", "meta_webhook_payloads")
    op.drop_table("meta_webhook_payloads")
