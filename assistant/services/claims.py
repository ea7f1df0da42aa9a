"""Claims: one person works an item at a time. Needs only the queue, so the CLI and the
console use it without opening the pipeline."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.review.models import ReviewItem
from assistant.review.queue import Queue
from assistant.users.actor import Actor
from assistant.users.roles import Permission, role_can


@dataclass
class ClaimService:
    queue: Queue

    def claim(self, actor: Actor, item_id: int, take_over: bool = False) -> ReviewItem:
        """Claim an item; taking it from someone else is a lead's call."""
        actor.require(Permission.decide)
        if take_over:
            actor.require(Permission.take_over)
        return self.queue.assign(item_id, actor.name, take_over=take_over)

    def release(self, actor: Actor, item_id: int, force: bool | None = None) -> ReviewItem:
        """Give an item back. Releasing someone else's claim is a lead's call; ``force``
        None releases it whenever the actor's role may."""
        actor.require(Permission.decide)
        if force is None:
            force = role_can(actor.role, Permission.take_over)
        elif force:
            actor.require(Permission.take_over)
        return self.queue.release(item_id, actor.name, force=force)
