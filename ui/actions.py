"""The console's door to the service layer: the settings and ``Deps`` kept across clicks,
the signed-in user as stored now, and the review work (queue, item, claims, decisions).
The other pages have their own doors beside it (``session_actions``, ``lead_actions``,
``admin_actions``, ``channel_actions``, ``privacy_actions``, ``workspace``), built on this one.
Every call reads what it needs now and does one thing; nothing that can go stale is kept
(only the parsed settings and the ``Deps``: engine, index, knowledge, detectors), so every
screen shows what other agents did a moment ago.

Every call that reads or changes data takes the signed-in user's name and checks, against
the users table, that the account is still active and its role allows the action: a user
disabled or demoted by an admin loses the right on their next click, not at sign-out."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from assistant.app import Assistant, ProcessResult, open_assistant, open_records
from assistant.deps import Deps, build_deps
from assistant.errors import AuthError
from assistant.intake.messages import Channel
from assistant.knowledge.policy import Policy, load_policy
from assistant.review.bulk import BulkOutcome
from assistant.review.decisions import Approve, Decision, Reject
from assistant.review.drafts import SavedDraft, drop_draft, saved_draft
from assistant.review.follow_ups import open_follow_up
from assistant.review.follow_ups import promised_follow_up as promise_in
from assistant.review.item_detail import ItemDetail, item_detail
from assistant.review.models import ItemStatus, OutboxMessage, ReviewItem
from assistant.review.worklist import Filters, Worklist, worklist
from assistant.services.claims import ClaimService
from assistant.settings import Settings
from assistant.settings import load_settings as read_settings
from assistant.users import Permission, Role, User, UserStore, require
from assistant.users.actor import Actor

T = TypeVar("T")


def load_settings() -> Settings:
    """Settings from the environment, read once per distinct environment: parsing them
    cost more than the queue query. (A changed ``.env`` needs a console restart.)"""
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("ASSISTANT_")))
    return _settings(env, os.getcwd())


@lru_cache(maxsize=8)
def _settings(env: tuple[tuple[str, str], ...], cwd: str) -> Settings:
    return read_settings()


def console_deps() -> Deps:
    """The engine, index, knowledge and detectors, built once and kept across clicks;
    built again only when a knowledge file changes (the drafts must use the new text)."""
    settings = load_settings()
    return _deps(settings, knowledge_stamp(settings.knowledge_dir))


def console_policy() -> Policy:
    """``policy.yaml`` (disclosure, channel limits), parsed again only when a knowledge
    file changes: opening an item does not need the rest of the ``Deps``."""
    settings = load_settings()
    return _policy(settings.knowledge_dir, knowledge_stamp(settings.knowledge_dir))


@lru_cache(maxsize=2)
def _policy(folder: Path, knowledge_stamp: tuple[int, int]) -> Policy:
    return load_policy(folder / "policy.yaml", "policy.yaml")


def knowledge_stamp(folder: Path) -> tuple[int, int]:
    """(files, newest modification) under the knowledge folder: a few dozen stat calls."""
    stamps = [p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()]
    return len(stamps), max(stamps, default=0)


@lru_cache(maxsize=2)
def _deps(settings: Settings, knowledge_stamp: tuple[int, int]) -> Deps:
    return build_deps(settings)


def with_assistant(work: Callable[[Assistant], Awaitable[T]]) -> T:
    async def main() -> T:
        async with open_assistant(load_settings(), deps=console_deps()) as assistant:
            return await work(assistant)

    return asyncio.run(main())


def current_actor(name: str) -> Actor:
    """The signed-in user, as stored now, acting with their current role."""
    user = current_user(name)
    return Actor(user.name, Role(user.role))


def current_user(name: str, permission: Permission | None = None) -> User:
    """The signed-in user as stored now; disabled accounts are signed out."""
    with open_records(load_settings()) as records:
        user = UserStore(records.queue.engine).find(name)
    if user is None:
        raise AuthError("Your account no longer exists; sign in again.")
    if not user.active:
        raise AuthError("Your account was disabled by an admin; you have been signed out.")
    if permission is not None:
        require(user.role, permission)
    return user


def role_of(name: str) -> str:
    return current_user(name).role


def queue(name: str, filters: Filters) -> Worklist:
    current_user(name)
    with open_records(load_settings()) as records:
        return worklist(records.queue.engine, filters)


@dataclass(frozen=True)
class ItemPage:
    detail: ItemDetail
    disclosure: str
    max_chars: int  # the channel's limit, disclosure included
    editing: SavedDraft | None  # the unsent edit kept for it (whose, since when)


def item(name: str, item_id: int) -> ItemPage:
    current_user(name)
    policy = console_policy()
    with open_records(load_settings()) as records:
        detail = item_detail(records.queue, records.orders, item_id)
        editing = saved_draft(records.queue.engine, item_id)
    channel = Channel(detail.item.channel)
    limit = policy.automation.for_channel(channel).max_reply_chars
    return ItemPage(detail, policy.disclosure, limit, editing)


def claim(name: str, item_id: int, take_over: bool = False) -> ReviewItem:
    actor = current_actor(name)
    with open_records(load_settings()) as records:
        return ClaimService(records.queue).claim(actor, item_id, take_over=take_over)


def release(name: str, item_id: int) -> ReviewItem:
    actor = current_actor(name)
    with open_records(load_settings()) as records:
        return ClaimService(records.queue).release(actor, item_id)


def decide(name: str, item_id: int, decision: Decision, expected_version: int) -> ReviewItem:
    """Raises ConflictError when the item changed since ``expected_version`` was shown.
    A decided item's unsent edit is dropped: what was sent is in the audit."""
    actor = current_actor(name)

    async def work(a: Assistant) -> ReviewItem:
        return await a.review.decide(actor, item_id, decision, expected_version)

    decided = with_assistant(work)
    with open_records(load_settings()) as records:
        drop_draft(records.queue.engine, item_id)
    _track_promise(decided, actor.name)
    return decided


def promised_follow_up(item: ReviewItem) -> bool:
    """Whether this decided item's reply promised that a person will answer."""
    if item.status not in (ItemStatus.approved, ItemStatus.sent):
        return False
    return promise_in(item.final_text or item.draft or "") is not None


def _track_promise(item: ReviewItem, by: str) -> None:
    """A sent reply promising that a person will answer opens a follow-up."""
    if item.id is None or not promised_follow_up(item):
        return
    with open_records(load_settings()) as records:
        text = item.final_text or item.draft or ""
        now = datetime.now(UTC)
        open_follow_up(records.queue.engine, item.id, item.customer_key, text, by, now)


def decide_many(name: str, versions: dict[int, int], decision: Approve | Reject) -> BulkOutcome:
    actor = current_actor(name)

    async def work(a: Assistant) -> BulkOutcome:
        return await a.review.decide_many(actor, versions, decision)

    outcome = with_assistant(work)
    with open_records(load_settings()) as records:
        decided = [records.queue.get(i) for i in outcome.decided]
    for item in decided:
        _track_promise(item, actor.name)
    return outcome


def retry(name: str, item_id: int, expected_version: int) -> ProcessResult:
    actor = current_actor(name)

    async def work(a: Assistant) -> ProcessResult:
        return await a.review.retry(actor, item_id, expected_version=expected_version)

    return with_assistant(work)


def hidden(name: str) -> tuple[list[ReviewItem], tuple[int, int]]:
    """Messages hidden as spam now, and (ever hidden, restored by a person)."""
    current_user(name)
    with open_records(load_settings()) as records:
        queue = records.queue
        return queue.items([ItemStatus.hidden], limit=1_000), queue.moderation_counts()


def restore(name: str, item_id: int) -> ProcessResult:
    actor = current_actor(name)

    async def work(a: Assistant) -> ProcessResult:
        return await a.review.restore(actor, item_id)

    return with_assistant(work)


def outbox(name: str, limit: int = 500) -> list[OutboxMessage]:
    """Sent replies and confirmations, newest first."""
    current_user(name)
    with open_records(load_settings()) as records:
        return records.queue.outbox()[::-1][:limit]
