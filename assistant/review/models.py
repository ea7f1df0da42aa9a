"""Queue tables. Every change to an item bumps ``version`` (optimistic locking)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from assistant.dbtypes import EnumText, UtcDateTime
from assistant.intake.messages import Channel
from assistant.safety.topics import Route


def utcnow() -> datetime:
    return datetime.now(UTC)


# Python factories, not the ``list``/``dict`` builtins: SQLModel asks pydantic for each
# missing default, which inspects the factory's signature every time, and a builtin's
# signature is parsed from text (≈0.3 ms each, 1.3 ms per new item measured).
def empty_list() -> list[Any]:
    return []


def empty_dict() -> dict[str, Any]:
    return {}


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


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
    # One item per message a channel delivered: platform ids are unique per channel only, and
    # an id that comes back with other text is another message (flagged), not a duplicate.
    __table_args__ = (
        Index("uq_review_items_message", "channel", "message_id", "content_hash", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(index=True)
    thread_id: str = Field(index=True)
    channel: Channel = Field(index=True, sa_type=EnumText(Channel))
    customer_key: str = Field(index=True)
    author_name: str | None = None
    author_handle: str | None = None
    customer_id: str | None = None
    text: str = ""
    content_hash: str = ""  # sha256 of text: see message_key()
    message: dict[str, Any] = Field(
        default_factory=empty_dict, sa_column=Column(JSON, nullable=False)
    )
    received_at: datetime = Field(index=True, sa_type=UtcDateTime)
    due_at: datetime = Field(sa_type=UtcDateTime)
    status: ItemStatus = Field(
        default=ItemStatus.processing, index=True, sa_type=EnumText(ItemStatus)
    )
    route: Route | None = Field(default=None, sa_type=EnumText(Route))
    topics: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    reasons: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    # One {"reason", "source", "topic"} per reason: which detector or check gave it
    # (assistant/review/reason_sources.py); empty on items routed before revision 0013.
    reason_sources: list[dict[str, Any]] = Field(
        default_factory=empty_list, sa_column=Column(JSON, nullable=False)
    )
    needs_attention: bool = Field(default=False, index=True)
    error: str | None = None
    draft: str | None = None  # body only; the disclosure is added when sent
    draft_kind: DraftKind = Field(default=DraftKind.none, sa_type=EnumText(DraftKind))
    confidence: float | None = None
    sources: list[dict[str, Any]] = Field(
        default_factory=empty_list, sa_column=Column(JSON, nullable=False)
    )
    order_id: str | None = None
    order_facts: str | None = None
    priority: int = 5
    assignee: str | None = None
    escalated_to: str | None = None
    decision: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    final_text: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    version: int = 1
    lease_owner: str | None = None  # the process working it while processing/approved
    lease_expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    # Set when retention anonymised the item: its texts are gone, its figures stay.
    purged_at: datetime | None = Field(default=None, index=True, sa_type=UtcDateTime)

    @property
    def has_draft(self) -> bool:
        return bool((self.draft or "").strip())


class AuditAction(StrEnum):
    """What an audit event records. The values are the strings stored since the first
    release, so old rows read back unchanged."""

    approve = "approve"  # the four decisions: the value is the decision's kind
    edit = "edit"
    reject = "reject"
    escalate = "escalate"
    sent = "sent"
    hidden = "hidden"  # hidden as spam by the pipeline
    restore = "restore"  # a person brought a hidden message back
    retry = "retry"
    claim = "claim"
    take_over = "take-over"
    release = "release"
    sign_in = "sign-in"
    sign_in_failed = "sign-in-failed"
    sign_out = "sign-out"
    user_added = "user-added"
    user_disabled = "user-disabled"
    user_enabled = "user-enabled"
    password_changed = "password-changed"
    role_changed = "role-changed"
    knowledge_sync = "knowledge-sync"
    faq_proposal = "faq-proposal"
    customer_edit = "customer-edit"  # the customer edited their comment
    withdrawn = "withdrawn"  # the customer removed their comment or unsent their message
    answered_elsewhere = "answered-elsewhere"  # the page replied from another tool
    delivery_failed = "delivery-failed"  # the platform reported our reply undelivered
    retention_purge = "retention-purge"
    erasure = "erasure"
    customer_export = "customer-export"
    consent_given = "consent-given"
    consent_withdrawn = "consent-withdrawn"
    identity_linked = "identity-linked"
    reengagement_sent = "re-engagement-sent"
    note = "note"  # an internal note on an item (never sent)
    snooze = "snooze"
    unsnooze = "unsnooze"


class AuditEvent(SQLModel, table=True):
    """One link of a hash chain (``assistant/governance/audit_chain.py``): ``hash`` covers
    who/what/when, the digest of the texts and the previous event's hash. Retention and
    erasure may drop the texts (``redacted_by`` names the event that did); the chain holds."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int | None = Field(default=None, index=True)
    actor: str
    action: AuditAction = Field(index=True, sa_type=EnumText(AuditAction))
    at: datetime = Field(default_factory=utcnow, index=True, sa_type=UtcDateTime)
    before_text: str | None = None
    after_text: str | None = None
    reason: str | None = None
    subject: str | None = Field(default=None, index=True)  # the customer key it is about
    text_salt: str | None = None  # dropped with the texts, so the digest cannot be guessed
    text_digest: str = ""
    prev_hash: str = ""
    hash: str = ""
    redacted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    redacted_by: int | None = None


class DeliveryState(StrEnum):
    """Where an outbound reply is: recorded, on its way, or finished either way."""

    pending = "pending"  # recorded; waiting for its (next) attempt at ``next_attempt_at``
    sending = "sending"  # claimed by one process, which is talking to the channel now
    delivered = "delivered"  # the channel accepted it: ``platform_id`` is set
    failed = "failed"  # given up: the item is back in the queue, flagged for a person


class OutboxMessage(SQLModel, table=True):
    """An outbound reply and its delivery state. One per inbound message: the unique key
    makes requests idempotent; ``idempotency_key`` is what the channel sees on every try."""

    __tablename__ = "outbox"
    __table_args__ = (Index("uq_outbox_message", "channel", "message_id", "item_id", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: str
    item_id: int | None = Field(default=None, index=True)
    channel: Channel = Field(sa_type=EnumText(Channel))
    customer_key: str = Field(index=True)
    text: str
    automated: bool = False
    sent_by: str = "auto"  # who approved it: the agent, or "auto"
    kind: str = "reply"  # reply | confirmation
    state: DeliveryState = Field(
        default=DeliveryState.pending, index=True, sa_type=EnumText(DeliveryState)
    )
    # ``assistant.delivery`` derives it from the message; rows written directly get a fresh one.
    idempotency_key: str = Field(
        default_factory=lambda: f"reply-{uuid.uuid4().hex}", index=True, unique=True
    )
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    platform_id: str | None = None
    last_error: str | None = None  # plain words for a person; never shown to the customer
    lease_owner: str | None = None  # the process holding it while ``sending``
    lease_expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    requested_at: datetime = Field(default_factory=utcnow, index=True, sa_type=UtcDateTime)
    sent_at: datetime | None = Field(default=None, index=True, sa_type=UtcDateTime)


class ChannelHealth(SQLModel, table=True):
    """A channel whose credentials were refused: its sends are held until it is reconnected."""

    __tablename__ = "channel_health"

    channel_key: str = Field(primary_key=True)  # the channel (or an account on it)
    reconnect_since: datetime | None = Field(default=None, sa_type=UtcDateTime)
    reason: str | None = None


class CustomerState(SQLModel, table=True):
    """Opt-out and consent per channel identity, with timestamps."""

    __tablename__ = "customer_state"

    customer_key: str = Field(primary_key=True)
    opted_out_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    opted_in_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    consent_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


def _chain_listeners() -> None:
    from sqlalchemy import event

    from assistant.governance import audit_chain

    event.listen(AuditEvent, "before_insert", audit_chain.before_insert)
    event.listen(AuditEvent, "after_insert", audit_chain.after_insert)


_chain_listeners()
