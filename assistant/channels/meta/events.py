"""The typed events one webhook payload holds, after parsing. Only ``NewMessage`` becomes a
queue item; the rest change an item (edits, removals, echoes, failed deliveries) or are
recorded on the conversation (reactions, receipts, standby)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypedDict

from assistant.intake.messages import Channel, InboundMessage


class EventKind(StrEnum):
    message = "message"
    edit = "edit"  # the customer edited a comment or a Messenger message
    withdrawn = "withdrawn"  # a comment removed or a DM unsent
    reaction = "reaction"
    echo = "echo"
    status = "status"  # WhatsApp: sent / delivered / read / failed
    receipt = "receipt"  # Messenger / Instagram: delivery or read
    standby = "standby"  # another app holds the thread: recorded, not ours to answer
    other = "other"  # a field we do not act on (posts, likes, referrals): recorded


class DeliveryState(StrEnum):
    sent = "sent"
    delivered = "delivered"
    read = "read"
    failed = "failed"


class Origin(TypedDict):
    """Where and when an event happened: the fields every event starts with."""

    channel: Channel
    account_id: str
    occurred_at: datetime
    conversation: str


@dataclass(frozen=True)
class Base:
    key: str  # durable dedupe key: the platform's id plus the verb
    channel: Channel
    account_id: str  # page id, Instagram account id or WhatsApp phone-number id
    occurred_at: datetime
    conversation: str  # customer + channel (+ post for comments)


@dataclass(frozen=True)
class NewMessage(Base):
    message: InboundMessage


@dataclass(frozen=True)
class Edited(Base):
    platform_id: str  # comment id or mid
    text: str


@dataclass(frozen=True)
class Withdrawn(Base):
    platform_id: str  # comment id or mid


@dataclass(frozen=True)
class Reaction(Base):
    target_id: str
    emoji: str
    removed: bool


@dataclass(frozen=True)
class Echo(Base):
    """Something the page itself sent: from us (``marker`` is ours) or from another tool."""

    platform_id: str
    text: str
    marker: str | None  # message.metadata (Messenger/Instagram) we set when sending
    answers: str | None = None  # the comment id a page comment replied to


@dataclass(frozen=True)
class Status(Base):
    platform_id: str  # the wamid of our reply
    state: DeliveryState
    marker: str | None  # biz_opaque_callback_data we set when sending
    errors: tuple[tuple[int, str], ...] = ()  # (code, Meta's title)


@dataclass(frozen=True)
class Recorded(Base):
    """Receipts, standby, reactions' neighbours: stored on the conversation, nothing more."""

    kind: EventKind
    data: dict[str, Any] = field(default_factory=dict)


MetaEvent = NewMessage | Edited | Withdrawn | Reaction | Echo | Status | Recorded


def kind_of(event: MetaEvent) -> EventKind:
    match event:
        case NewMessage():
            return EventKind.message
        case Edited():
            return EventKind.edit
        case Withdrawn():
            return EventKind.withdrawn
        case Reaction():
            return EventKind.reaction
        case Echo():
            return EventKind.echo
        case Status():
            return EventKind.status
        case Recorded():
            return event.kind


class PayloadError(ValueError):
    """A signed payload we cannot read: quarantined for a person, answered 200."""
