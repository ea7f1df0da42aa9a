"""The local adapter: a reply is delivered by being recorded in the outbox table."""

from __future__ import annotations

from typing import Protocol

from assistant.review.models import OutboxMessage


class ChannelSender(Protocol):
    """Delivers a reply that the outbox has already claimed (so it is sent at most once)."""

    async def deliver(self, message: OutboxMessage) -> None: ...


class OutboxChannel:
    """For local use and the demo: ``assistant outbox`` lists what was sent."""

    async def deliver(self, message: OutboxMessage) -> None:
        return None
