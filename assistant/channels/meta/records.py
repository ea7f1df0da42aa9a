"""What the webhooks keep: every payload as received (audit, replay, quarantine), every event
once (the dedupe key is the platform's id plus the verb), and which accounts need
reconnecting after Meta refused their token."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary
from sqlmodel import Field, SQLModel

from assistant.channels.meta.events import EventKind
from assistant.dbtypes import EnumText, UtcDateTime
from assistant.intake.messages import Channel
from assistant.review.models import utcnow


class WebhookEndpoint(StrEnum):
    meta = "meta"  # Messenger, Instagram, Page feed
    whatsapp = "whatsapp"


class PayloadState(StrEnum):
    received = "received"  # stored, events not yet all applied (a crash or a failed sink)
    processed = "processed"
    quarantined = "quarantined"  # signed by Meta but (partly) unreadable: a person looks


class WebhookPayload(SQLModel, table=True):
    __tablename__ = "meta_webhook_payloads"

    id: int | None = Field(default=None, primary_key=True)
    endpoint: WebhookEndpoint = Field(sa_type=EnumText(WebhookEndpoint))
    received_at: datetime = Field(default_factory=utcnow, index=True, sa_type=UtcDateTime)
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # exactly as signed
    state: PayloadState = Field(
        default=PayloadState.received, index=True, sa_type=EnumText(PayloadState)
    )
    problem: str | None = None
    events: int = 0
    duplicates: int = 0


class MetaEventRecord(SQLModel, table=True):
    __tablename__ = "meta_events"

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(unique=True)
    kind: EventKind = Field(index=True, sa_type=EnumText(EventKind))
    channel: Channel = Field(sa_type=EnumText(Channel))
    account_id: str
    conversation: str = Field(index=True)
    platform_id: str | None = Field(default=None, index=True)
    marker: str | None = Field(default=None, index=True)  # ours, on echoes and statuses
    occurred_at: datetime = Field(sa_type=UtcDateTime)
    payload_id: int | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class ChannelConnection(SQLModel, table=True):
    """One row per page, account or number Meta refused a token for (code 190)."""

    __tablename__ = "meta_channel_connections"

    account_id: str = Field(primary_key=True)
    channel: Channel = Field(sa_type=EnumText(Channel))
    needs_reconnect: bool = False
    reason: str | None = None
    token_fingerprint: str | None = None  # of the refused token: a new one is tried again
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
