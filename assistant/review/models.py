"""Queue tables. Every change to an item bumps ``version`` (optimistic locking)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class ItemStatus(StrEnum):
    processing = "processing"  # claimed by a worker, pipeline still running
    pending = "pending"  # waiting for a person
    escalated = "escalated"  # waiting for a person in another role
    approved = "approved"  # decided; the send is in flight
    sent = "sent"
    rejected = "rejected"
    hidden = "hidden"  # spam, hidden from the queue (restorable)
    closed = "closed"  # handled without a reply (e.g. opt-in/out confirmation sent)

    @property
    def open(self) -> bool:
        return self in {ItemStatus.pending, ItemStatus.escalated}


class DraftKind(StrEnum):
    template = "template"
    model = "model"
    none = "none"


class ReviewItem(SQLModel, table=True):
    __tablename__ = "review_items"

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(index=True, unique=True)
    thread_id: str = Field(index=True)
    channel: str = Field(index=True)
    customer_key: str = Field(index=True)
    author_name: str | None = None
    author_handle: str | None = None
    customer_id: str | None = None
    text: str = ""
    message: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    received_at: datetime
    due_at: datetime
    status: str = Field(default=ItemStatus.processing, index=True)
    route: str | None = None
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    needs_attention: bool = Field(default=False, index=True)
    error: str | None = None
    draft: str | None = None  # body only; the disclosure is added when sent
    draft_kind: str = DraftKind.none
    confidence: float | None = None
    sources: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    order_id: str | None = None
    order_facts: str | None = None
    priority: int = 5
    assignee: str | None = None
    escalated_to: str | None = None
    decision: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    final_text: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def has_draft(self) -> bool:
        return bool((self.draft or "").strip())


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int | None = Field(default=None, index=True)
    actor: str
    action: str = Field(index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    before_text: str | None = None
    after_text: str | None = None
    reason: str | None = None


class OutboxMessage(SQLModel, table=True):
    """A reply that was sent. One per inbound message: the unique key makes sends idempotent."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("message_id", name="uq_outbox_message"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: str
    item_id: int | None = Field(default=None, index=True)
    channel: str
    customer_key: str = Field(index=True)
    text: str
    automated: bool = False
    sent_by: str = "auto"  # the approving agent, or "auto"
    kind: str = "reply"  # reply | confirmation
    sent_at: datetime = Field(default_factory=utcnow, index=True)


class CustomerState(SQLModel, table=True):
    """Opt-out and consent per channel identity, with timestamps."""

    __tablename__ = "customer_state"

    customer_key: str = Field(primary_key=True)
    opted_out_at: datetime | None = None
    opted_in_at: datetime | None = None
    consent_at: datetime | None = None
