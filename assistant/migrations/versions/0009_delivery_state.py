"""Delivery as a state machine: each outbox row is an outbound reply with its state
(pending → sending → delivered | failed), attempts, next attempt time, the platform's id, the
last error, a lease while sending and a stable idempotency key; channels whose credentials
were refused are recorded in ``channel_health``.

Rows written before this revision were delivered when recorded: they migrate as
``delivered`` (one attempt, requested when sent).

Revision ID: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column("state", sa.String(), nullable=False, server_default="delivered")
        )
        batch.add_column(
            sa.Column("idempotency_key", sa.String(), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("next_attempt_at", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("platform_id", sa.String(), nullable=True))
        batch.add_column(sa.Column("last_error", sa.String(), nullable=True))
        batch.add_column(sa.Column("lease_owner", sa.String(), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("requested_at", TIMESTAMP, nullable=True))
        batch.alter_column("sent_at", existing_type=TIMESTAMP, nullable=True)
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer),
        sa.column("idempotency_key", sa.String),
        sa.column("requested_at", TIMESTAMP),
        sa.column("sent_at", TIMESTAMP),
    )
    op.execute(
        outbox.update().values(
            idempotency_key=sa.literal("outbox-") + sa.cast(outbox.c.id, sa.String),
            requested_at=outbox.c.sent_at,
        )
    )
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("requested_at", existing_type=TIMESTAMP, nullable=False)
    op.create_index("ix_outbox_state", "outbox", ["state"])
    op.create_index("ix_outbox_requested_at", "outbox", ["requested_at"])
    op.create_index("ix_outbox_idempotency_key", "outbox", ["idempotency_key"], unique=True)
    op.create_table(
        "channel_health",
        sa.Column("channel_key", sa.String(), nullable=False),
        sa.Column("reconnect_since", TIMESTAMP, nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("channel_key"),
    )


def downgrade() -> None:
    op.drop_table("channel_health")
    op.drop_index("ix_outbox_idempotency_key", table_name="outbox")
    op.drop_index("ix_outbox_requested_at", table_name="outbox")
    op.drop_index("ix_outbox_state", table_name="outbox")
    op.execute("DELETE FROM outbox WHERE sent_at IS NULL")  # never delivered: not a sent reply
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("sent_at", existing_type=TIMESTAMP, nullable=False)
        for column in (
            "requested_at",
            "lease_expires_at",
            "lease_owner",
            "last_error",
            "platform_id",
            "next_attempt_at",
            "attempts",
            "idempotency_key",
            "state",
        ):
            batch.drop_column(column)
