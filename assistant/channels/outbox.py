"""The local adapter, for one machine and the demo: a reply is delivered by being recorded
in the outbox table (``assistant outbox`` lists it); nothing leaves the machine."""

from __future__ import annotations

from assistant.channels.adapter import (
    OutboundReply,
    Reconciliation,
    SendOutcome,
    SendResult,
    SentCheck,
)


class OutboxChannel:
    async def send(self, reply: OutboundReply) -> SendResult:
        return SendResult(SendOutcome.delivered, platform_id=f"outbox-{reply.reply_id}")

    async def was_sent(self, reply: OutboundReply) -> Reconciliation:
        # The row reaching ``delivered`` is the delivery itself: a claim without an outcome
        # reached no one.
        return Reconciliation(SentCheck.not_sent)
