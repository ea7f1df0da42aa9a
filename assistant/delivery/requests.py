"""Asking for a reply to be delivered: record it (once per inbound message) and hand it to
the scheduler. Automated replies pass the customer's rate limit here, in the database."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from assistant.delivery.machine import replies
from assistant.delivery.store import Requested
from assistant.review.models import DeliveryState, OutboxMessage, ReviewItem

if TYPE_CHECKING:
    from assistant.pipeline.context import Services


class ReplyKind(StrEnum):
    reply = "reply"  # the answer to the message
    confirmation = "confirmation"  # opt-out / opt-in acknowledgement
    reengagement = "re-engagement"  # a marketing send relying on a consent record


async def request(
    services: Services, item: ReviewItem, text: str, *, automated: bool, kind: ReplyKind
) -> Requested:
    """Record ``text`` as the reply to ``item`` and schedule its delivery. Asked again for the
    same message (a re-run after a crash), it returns the recorded reply and makes sure it is
    scheduled; it never makes a second one. An automated reply over the customer's limit
    raises ``OverRateLimitError`` and records nothing."""
    assert item.id is not None
    limit = services.knowledge.policy.rate_limit
    requested = replies(services).request(
        OutboxMessage(
            message_id=item.message_id,
            item_id=item.id,
            channel=item.channel,
            customer_key=item.customer_key,
            text=text,
            automated=automated,
            kind=kind.value,
            sent_by="auto" if automated else (item.decided_by or "agent"),
            requested_at=services.clock(),
        ),
        limit if automated and kind is ReplyKind.reply else None,
    )
    await _schedule(services, requested.reply)
    return requested


async def redeliver(services: Services, item: ReviewItem, text: str) -> bool:
    """A person approved again an item whose reply had failed: deliver it (same row, same
    idempotency key). False when the item has no failed reply."""
    assert item.id is not None
    row = replies(services).redeliver(item.id, text, item.decided_by or "agent")
    if row is None:
        return False
    await _schedule(services, row)
    return True


async def _schedule(services: Services, row: OutboxMessage) -> None:
    if row.id is not None and row.state in (DeliveryState.pending, DeliveryState.sending):
        await services.scheduler.schedule(row.id, row.next_attempt_at)
