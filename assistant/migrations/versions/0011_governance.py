"""Governance: the audit hash chain (existing events are linked in id order), consent
history, identity links, and the retention mark on queue items.

Revision ID: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_CHAIN = ("text_digest", "prev_hash", "hash")


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("subject", sa.String(), nullable=True))
        batch.add_column(sa.Column("text_salt", sa.String(), nullable=True))
        for name in _CHAIN:
            batch.add_column(sa.Column(name, sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("redacted_by", sa.Integer(), nullable=True))
    op.create_index("ix_audit_events_subject", "audit_events", ["subject"])
    with op.batch_alter_table("review_items") as batch:
        batch.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_review_items_purged_at", "review_items", ["purged_at"])
    op.create_index("ix_review_items_received_at", "review_items", ["received_at"])
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_key", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("wording", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("evidence", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_consent_records_customer_key", "consent_records", ["customer_key"])
    op.create_table(
        "identity_links",
        sa.Column("customer_key", sa.String(), nullable=False),
        sa.Column("person", sa.String(), nullable=False),
        sa.Column("linked_by", sa.String(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("customer_key"),
    )
    op.create_index("ix_identity_links_person", "identity_links", ["person"])
    from assistant.governance.audit_chain import hash_existing

    hash_existing(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_identity_links_person", "identity_links")
    op.drop_table("identity_links")
    op.drop_index("ix_consent_records_customer_key", "consent_records")
    op.drop_table("consent_records")
    op.drop_index("ix_review_items_received_at", "review_items")
    op.drop_index("ix_review_items_purged_at", "review_items")
    with op.batch_alter_table("review_items") as batch:
        batch.drop_column("purged_at")
    op.drop_index("ix_audit_events_subject", "audit_events")
    with op.batch_alter_table("audit_events") as batch:
        for name in ("redacted_by", "redacted_at", *reversed(_CHAIN), "text_salt", "subject"):
            batch.drop_column(name)
