"""The contract between delivery and a channel: the local outbox, the Meta Graph API, the
tests' recording fake. Delivery owns the reply's state (pending → sending → delivered |
failed); an adapter only answers what happened to one send, in words a person can act on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from assistant.intake.messages import Channel


@dataclass(frozen=True)
class OutboundReply:
    reply_id: int  # the outbound row
    item_id: int
    channel: Channel
    customer_key: str
    recipient_id: str  # the author's id on the platform
    in_reply_to: str  # the inbound platform id: mid, wamid, comment id
    text: str  # exactly what the customer will read, disclosure included
    idempotency_key: str  # stable across retries of this reply
    human_approved: bool  # a person wrote or approved it (Messenger's HUMAN_AGENT tag needs this)
    metadata: Mapping[str, Any] = field(default_factory=dict)  # the inbound message's metadata
    topics: tuple[str, ...] = ()  # the item's topics (policy.yaml picks a comment's reply kind)


class SendOutcome(StrEnum):
    delivered = "delivered"  # the platform accepted it: platform_id is set
    retry = "retry"  # transient (5xx, rate limit, timeout): try again later
    permanent = "permanent"  # will never succeed as it is: a person must look
    reconnect = "reconnect"  # the credentials expired or were revoked: hold the channel's sends


@dataclass(frozen=True)
class SendResult:
    outcome: SendOutcome
    platform_id: str | None = None
    retry_after: float | None = None  # seconds, when the platform said (Retry-After)
    reason: str = ""  # plain words for the person who will look; never shown to the customer
    # With ``retry``: the request may have reached the platform (a timeout after sending), so
    # delivery asks ``was_sent`` before trying again instead of sending blind.
    maybe_sent: bool = False


class SentCheck(StrEnum):
    sent = "sent"
    not_sent = "not_sent"
    unknown = "unknown"  # the channel cannot tell: a person checks, nothing is re-sent


@dataclass(frozen=True)
class Reconciliation:
    state: SentCheck
    platform_id: str | None = None


class ChannelAdapter(Protocol):
    async def send(self, reply: OutboundReply) -> SendResult: ...

    async def was_sent(self, reply: OutboundReply) -> Reconciliation:
        """After a crash between sending and recording: did this reply go out?"""
        ...
