"""Each item's reply deadline from its platform's window, and what can still be sent once it
has closed, worked out the way the Graph API adapter decides at send time (the same
``reply_window``, the account's template, policy.yaml's comment rule), so the queue and the
item say it before anyone approves a reply that would be refused.

Only items that came by Meta webhook have a platform window (their metadata names the
account); everything else is delivered locally and has none."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assistant.channels.meta.config import AccountKind, ChannelsConfig, load_channels
from assistant.channels.meta.last_message import conversation_of, last_messages
from assistant.channels.meta.windows import ReplyOption, ReplyWindow, is_comment, reply_window
from assistant.channels.meta.wiring import META_CHANNELS
from assistant.intake.messages import Channel
from assistant.knowledge.policy import CommentReplies, CommentReply, Policy
from assistant.review.models import ReviewItem
from assistant.settings import Settings

CLOSED = "nothing: the window is closed"


@dataclass(frozen=True)
class ItemWindow:
    window: ReplyWindow | None  # None: no platform window (not a webhook item)
    template: str | None = None  # the WhatsApp template sent instead, once it has closed
    private_only: bool = False  # policy.yaml answers this comment privately

    @property
    def deadline(self) -> datetime | None:
        return self.window.deadline if self.window else None

    @property
    def closed(self) -> bool:
        """Nothing can be sent: approving would only fail at send time."""
        if self.window is None:
            return False
        if self.private_only:
            return ReplyOption.private_reply not in self.window.options
        return self.window.closed

    @property
    def needs_person(self) -> bool:
        """Only a reply a person approves may go (the human-agent tag)."""
        return self.window is not None and self.window.options == (ReplyOption.human_agent,)

    def possible(self) -> str:
        """What can still be sent, in plain words."""
        if self.window is None:
            return "no platform window"
        if self.closed:
            if self.private_only:
                return (
                    f"{CLOSED} (policy.yaml answers these topics privately, and a private "
                    "reply is only allowed within 7 days of the comment)"
                )
            return f"{CLOSED} ({self.window.explanation})"
        if self.window.options == (ReplyOption.template,):
            return (
                f"only the approved template '{self.template}': approving sends it instead "
                "of this text"
            )
        return self.window.explanation

    def short(self, now: datetime) -> str:
        """For the queue's column."""
        if self.window is None:
            return ""
        if self.closed:
            return "closed"
        if self.window.options == (ReplyOption.template,):
            return "template only"
        if self.deadline is None:
            return "open"
        left = int((self.deadline - now).total_seconds() // 60)
        prefix = "person only, " if self.needs_person else ""
        return f"{prefix}{_span(left)} left"


def _span(minutes: int) -> str:
    if minutes >= 48 * 60:
        return f"{minutes // (24 * 60)} d"
    if minutes >= 60:
        return f"{minutes // 60} h"
    return f"{max(minutes, 0)} min"


def window_of(
    channel: Channel,
    metadata: Mapping[str, Any],
    topics: Sequence[str],
    now: datetime,
    *,
    config: ChannelsConfig,
    comment_replies: CommentReplies,
    last_message_at: datetime | None = None,
) -> ItemWindow:
    account = str(metadata.get("account_id") or "")
    if channel not in META_CHANNELS or not account:
        return ItemWindow(None)
    template = None
    if channel is Channel.whatsapp:
        found = config.account(AccountKind.whatsapp, account)
        template = found.template.name if found and found.template else None
    window = reply_window(
        channel,
        metadata,
        now,
        last_message_at=None if is_comment(metadata) else last_message_at,
        has_template=template is not None,
    )
    private_only = (
        is_comment(metadata) and comment_replies.for_topics(topics) is CommentReply.private
    )
    return ItemWindow(window, template, private_only)


def windows_for(
    engine: Engine,
    items: Sequence[ReviewItem],
    now: datetime,
    *,
    config: ChannelsConfig,
    comment_replies: CommentReplies,
) -> dict[int, ItemWindow]:
    """Every item's window, with one query for the newest message of each conversation (a
    customer who wrote again reopened the window for the earlier messages too)."""
    latest = last_messages(
        engine, [conversation_of(i.message.get("metadata") or {}) for i in items]
    )
    found: dict[int, ItemWindow] = {}
    for item in items:
        assert item.id is not None
        metadata = item.message.get("metadata") or {}
        found[item.id] = window_of(
            item.channel,
            metadata,
            item.topics,
            now,
            config=config,
            comment_replies=comment_replies,
            last_message_at=latest.get(conversation_of(metadata) or ""),
        )
    return found


def item_window(
    engine: Engine, item: ReviewItem, now: datetime, settings: Settings, policy: Policy
) -> ItemWindow:
    """One item's window, with channels.yaml read now (its templates)."""
    assert item.id is not None
    found = windows_for(
        engine,
        [item],
        now,
        config=load_channels(settings),
        comment_replies=policy.comment_replies,
    )
    return found[item.id]


def closed_refusal(window: ItemWindow, item_id: int | None) -> str | None:
    """Why an approval is refused before anything is sent, or None."""
    if not window.closed:
        return None
    return (
        f"Item #{item_id}: {window.possible()}. Nothing was sent; close the item (reject it "
        "with a reason) or wait for the customer to write again."
    )


def windows_by_id(
    engine: Engine, ids: Sequence[int], now: datetime, settings: Settings, policy: Policy
) -> dict[int, ItemWindow]:
    """The windows of the items listed (the queue's rows carry no metadata): two queries."""
    if not ids:
        return {}
    with Session(engine) as session:
        items = session.exec(select(ReviewItem).where(col(ReviewItem.id).in_(list(ids)))).all()
    config = load_channels(settings)
    return windows_for(
        engine, list(items), now, config=config, comment_replies=policy.comment_replies
    )
