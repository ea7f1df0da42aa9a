"""One delivery attempt for one reply: claim it, send it through the channel adapter, record
what happened. Whatever the outcome, the reply is delivered once or a person is told."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from assistant.channels.adapter import (
    OutboundReply,
    SendOutcome,
    SendResult,
    SentCheck,
)
from assistant.db import off_loop
from assistant.delivery.backoff import MAX_ATTEMPTS, RECONNECT_PROBE, retry_at
from assistant.delivery.reconnect import Reconnects
from assistant.delivery.store import ReplyStore
from assistant.review.models import DeliveryState, OutboxMessage

if TYPE_CHECKING:
    from assistant.pipeline.context import Services

T = TypeVar("T")
log = logging.getLogger(__name__)

UNCONFIRMED = (
    "Check whether the customer received this reply: a send was interrupted and "
    "{channel} cannot confirm whether it went out. It was not sent again."
)


@dataclass(frozen=True)
class DeliveryStep:
    """``done``: nothing more to do (delivered, or failed and a person told). Otherwise try
    again at ``retry_at`` (None: as soon as possible)."""

    done: bool
    retry_at: datetime | None = None
    # A person's approved reply reached the customer: its item is something to learn from.
    learned_item_id: int | None = None


def _delivered(held: OutboxMessage) -> DeliveryStep:
    person_approved = held.item_id is not None and not held.automated
    return DeliveryStep(done=True, learned_item_id=held.item_id if person_approved else None)


def replies(services: Services) -> ReplyStore:
    return ReplyStore(services.queue.engine)


async def deliver_reply(
    services: Services, reply_id: int, sending: AbstractAsyncContextManager[Any] | None = None
) -> DeliveryStep:
    """One attempt. Safe to call from any number of processes at once, and again after a
    crash: only the holder of the row's claim talks to the channel, inside ``sending`` (a
    runner's limit on requests to the channel at once; its database work overlaps them). A
    person's approval that this attempt delivered is handed to ``services.learn`` (whichever
    runner sent it)."""
    step = await _attempt(services, reply_id, sending or nullcontext())
    if step.learned_item_id is not None:
        try:
            await services.learn(step.learned_item_id)
        except Exception:  # the reply is out: learning from it must never look like a failure
            log.exception("learning from item %s failed", step.learned_item_id)
    return step


async def _attempt(
    services: Services, reply_id: int, sending: AbstractAsyncContextManager[Any]
) -> DeliveryStep:
    store = replies(services)
    now = services.clock()
    claimed = await _db(store, _claim, store, reply_id, now)  # the usual case: pending and due
    if claimed is not None:
        return await _send(services, store, *claimed, sending)
    row = await _db(store, store.get, reply_id)
    if row.state == DeliveryState.sending:
        taken = await _db(store, store.take_over, row, now)
        if taken is not None:  # a crash left it: find out whether it went out
            return await _reconcile(services, store, taken, sending)
    return _waiting(row)


async def _db(store: ReplyStore, call: Callable[..., T], *args: Any) -> T:
    """Database work off the event loop: the sends of other replies go on meanwhile."""
    return await off_loop(store.engine, call, *args)


def _claim(
    store: ReplyStore, reply_id: int, now: datetime
) -> tuple[OutboxMessage, OutboundReply] | None:
    """The claim and what the send needs, in one trip off the event loop."""
    held = store.claim(reply_id, now)
    return None if held is None else (held, outbound(store, held))


def _waiting(row: OutboxMessage) -> DeliveryStep:
    match row.state:
        case DeliveryState.pending:
            return DeliveryStep(done=False, retry_at=row.next_attempt_at)
        case DeliveryState.sending:
            return DeliveryStep(done=False, retry_at=row.lease_expires_at)
        case _:
            return DeliveryStep(done=True)


async def _reconcile(
    services: Services,
    store: ReplyStore,
    held: OutboxMessage,
    sending: AbstractAsyncContextManager[Any],
) -> DeliveryStep:
    """A claim without an outcome: ask the channel before sending again."""
    now = services.clock()
    reply = await _db(store, outbound, store, held)
    try:
        async with sending:
            check = await services.channel.was_sent(reply)
    except Exception as exc:  # the channel did not answer: ask again later, never send blind
        later = retry_at(now, held.attempts, None)
        reason = f"could not ask the channel: {type(exc).__name__}"
        await _db(store, store.recheck_at, held, later, reason)
        return DeliveryStep(done=False, retry_at=later)
    match check.state:
        case SentCheck.sent:
            await _db(store, store.delivered, held, check.platform_id, now)
            return _delivered(held)
        case SentCheck.unknown:
            attention = UNCONFIRMED.format(channel=held.channel)
            await _db(store, store.failed, held, "delivery could not be confirmed", attention, now)
            return DeliveryStep(done=True)
        case _ if held.attempts > MAX_ATTEMPTS:
            attention = f"Not delivered after {MAX_ATTEMPTS} tries: {held.last_error}."
            reason = held.last_error or "too many tries"
            await _db(store, store.failed, held, reason, attention, now)
            return DeliveryStep(done=True)
        case _:
            return await _send(services, store, held, reply, sending)


async def _send(
    services: Services,
    store: ReplyStore,
    held: OutboxMessage,
    reply: OutboundReply,
    sending: AbstractAsyncContextManager[Any],
) -> DeliveryStep:
    try:
        async with sending:
            result = await services.channel.send(reply)
    except Exception as exc:  # it may or may not have gone out: reconcile, as after a crash
        result = SendResult(
            SendOutcome.retry, reason=f"the channel failed: {type(exc).__name__}", maybe_sent=True
        )
    return await _db(store, _record, services, store, held, result)


def _record(
    services: Services, store: ReplyStore, held: OutboxMessage, result: SendResult
) -> DeliveryStep:
    now = services.clock()
    match result.outcome:
        case SendOutcome.delivered:
            store.delivered(held, result.platform_id, now)
            return _delivered(held)
        case SendOutcome.permanent:
            reason = result.reason or "the channel refused it"
            store.failed(held, reason, f"Not delivered: {reason}.", now)
            return DeliveryStep(done=True)
        case SendOutcome.reconnect:
            reason = result.reason or "the channel's credentials were refused"
            Reconnects(store.engine).mark(held.channel.value, reason, now)
            later = now + RECONNECT_PROBE
            store.again_later(held, later, reason, count_attempt=False)
            return DeliveryStep(done=False, retry_at=later)
    reason = result.reason or "the channel asked to try again later"
    if held.attempts >= MAX_ATTEMPTS:
        attention = f"Not delivered after {held.attempts} tries: {reason}."
        if result.maybe_sent:
            attention += " The last try may have reached the customer: check before resending."
        store.failed(held, reason, attention, now)
        return DeliveryStep(done=True)
    later = retry_at(now, held.attempts, result.retry_after)
    if result.maybe_sent:
        store.recheck_at(held, later, reason)  # stays ``sending``: reconciled at ``later``
    else:
        store.again_later(held, later, reason)
    return DeliveryStep(done=False, retry_at=later)


def outbound(store: ReplyStore, row: OutboxMessage) -> OutboundReply:
    """What the adapter needs to send ``row``, from the row and its inbound message."""
    assert row.id is not None and row.item_id is not None
    message, topics = store.addressee(row.item_id)
    author = message.get("author") or {}
    return OutboundReply(
        reply_id=row.id,
        item_id=row.item_id,
        channel=row.channel,
        customer_key=row.customer_key,
        recipient_id=str(author.get("id", "")),
        in_reply_to=row.message_id,
        text=row.text,
        idempotency_key=row.idempotency_key,
        human_approved=not row.automated,
        metadata=message.get("metadata") or {},
        topics=topics,
    )
