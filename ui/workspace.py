"""The console's door for the agent workspace: unsent edits, "next", the bulk review
sheet and follow-ups. Same rules as ``actions``: every call checks the user now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from actions import console_policy, current_actor, current_user, load_settings

from assistant.app import open_records
from assistant.intake.messages import Channel
from assistant.knowledge.disclosure import with_disclosure
from assistant.review.bulk import bulk_refusal
from assistant.review.decisions import Approve
from assistant.review.drafts import drop_draft, save_draft
from assistant.review.follow_ups import FollowUp, close_follow_up, open_follow_ups
from assistant.review.models import ItemStatus, ReviewItem
from assistant.review.triage import next_item
from assistant.review.worklist import Filters, worklist
from assistant.services.claims import ClaimService
from assistant.users import Permission, Role
from assistant.workspace.snooze import awake, snoozed_until


def next_open(name: str, filters: Filters, current: int | None, step: int = 1) -> int | None:
    """The next item (after ``current`` in queue order; ``step`` -1: before it) this user
    can decide now."""
    user = current_user(name)
    with open_records(load_settings()) as records:
        rows = worklist(records.queue.engine, filters).rows
        rows = tuple(awake(rows, snoozed_until(records.queue.engine, datetime.now(UTC))))
    return next_item(rows, user.name, Role(user.role), current, step)


def decided_by(name: str, item_id: int) -> str | None:
    """Who decided the item, if it is no longer open."""
    current_user(name)
    with open_records(load_settings()) as records:
        found = records.queue.get(item_id)
    return None if ItemStatus(found.status).open else found.decided_by


def follow_ups(name: str) -> list[FollowUp]:
    """Promised replies not done yet, earliest deadline first."""
    current_user(name)
    with open_records(load_settings()) as records:
        return open_follow_ups(records.queue.engine)


def finish_follow_up(name: str, follow_up_id: int) -> bool:
    actor = current_actor(name)
    actor.require(Permission.decide)
    with open_records(load_settings()) as records:
        return close_follow_up(records.queue.engine, follow_up_id, actor.name, datetime.now(UTC))


def keep_draft(name: str, item_id: int, text: str, original: str) -> ReviewItem | None:
    """Keep the agent's edit (or forget it when it is the original again). Editing claims
    the item, so two agents never write two replies; returns the item when it claimed it."""
    actor = current_actor(name)
    with open_records(load_settings()) as records:
        engine = records.queue.engine
        if text.strip() == original.strip():
            drop_draft(engine, item_id)
            return None
        current = records.queue.get(item_id)
        claimed = None
        if current.assignee != actor.name:
            claimed = ClaimService(records.queue).claim(actor, item_id)
        save_draft(engine, item_id, text, actor.name, datetime.now(UTC))
        return claimed


@dataclass(frozen=True)
class BulkPreview:
    item_id: int
    who: str
    channel: str
    message: str
    reply: str  # exactly what would be sent, disclosure included
    length: int
    limit: int
    refusal: str | None  # why it will not be sent, or None


def bulk_preview(name: str, versions: dict[int, int]) -> list[BulkPreview]:
    """What a bulk approval would send, item by item, with what stops each one."""
    actor = current_actor(name)
    settings = load_settings()
    policy = console_policy()
    found: list[BulkPreview] = []
    with open_records(settings) as records:
        for item_id, version in versions.items():
            it = records.queue.get(item_id)
            reply = with_disclosure(policy.disclosure, it.draft) if it.draft else ""
            limit = policy.automation.for_channel(Channel(it.channel)).max_reply_chars
            why = bulk_refusal(it, Approve(actor=actor.name))
            if why is None and it.version != version:
                why = "changed since you selected it: open it"
            if why is None and len(reply) > limit:
                why = f"too long for {it.channel}: shorten it on its own page"
            who = it.author_name or it.customer_key
            found.append(
                BulkPreview(item_id, who, it.channel, it.text, reply, len(reply), limit, why)
            )
    return found
