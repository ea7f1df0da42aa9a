"""Conversations: one customer on one channel (and, for comments, one post). What a person
sees above an item, and what a model draft reads as earlier turns: the customer's earlier
messages (items), our replies (outbox rows), replies the page sent from another tool
(echoes) and reactions (both recorded by the Meta webhooks)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from assistant.channels.meta import markers
from assistant.channels.meta.events import EventKind
from assistant.channels.meta.records import MetaEventRecord
from assistant.governance.log_redaction import redact
from assistant.review.models import OutboxMessage, ReviewItem

ITEM_LIMIT = 50  # the customer's most recent items looked at (per customer and channel)
EVENT_LIMIT = 100  # echoes and reactions looked at


class TurnKind(StrEnum):
    customer = "customer"  # a message from the customer (a queue item)
    reply = "reply"  # our reply (an outbox row)
    elsewhere = "elsewhere"  # the page answered from another tool (an echo)
    reaction = "reaction"  # an emoji on a message, added or removed


@dataclass(frozen=True)
class Turn:
    at: datetime
    kind: TurnKind
    text: str
    note: str  # e.g. "item #12 · rejected", "sent by ann · delivered", "removed"
    item_id: int | None = None  # the item it is or answers

    @property
    def from_customer(self) -> bool:
        return self.kind in (TurnKind.customer, TurnKind.reaction)


@dataclass(frozen=True)
class Conversation:
    key: str
    turns: list[Turn]  # oldest first, this item's message included

    def before(self, item: ReviewItem) -> list[Turn]:
        """The turns a reply to ``item`` follows: everything before its message, plus our
        replies to earlier messages whenever they went out; not the item itself, nor what
        the customer wrote after it (their own items)."""
        since = _aware(item.received_at)
        return [
            t
            for t in self.turns
            if t.item_id != item.id and (t.kind is TurnKind.reply or _aware(t.at) < since)
        ]

    def last_customer_message(self) -> datetime | None:
        times = [t.at for t in self.turns if t.kind is TurnKind.customer]
        return max(times, key=_aware) if times else None


def conversation_key(item: ReviewItem) -> str:
    """The webhook's key (``channel:account:customer``, ``…:post:POST:customer`` for
    comments); for imported messages the customer on the channel, per post for comments."""
    metadata = item.message.get("metadata") or {}
    key = metadata.get("conversation")
    if isinstance(key, str) and key:
        return key
    post = metadata.get("post_id")
    return f"{item.customer_key}:post:{post}" if post else item.customer_key


def conversation_of(engine: Engine, item: ReviewItem) -> Conversation:
    key = conversation_key(item)
    with Session(engine) as session:
        recent = session.exec(
            select(ReviewItem)
            .where(ReviewItem.customer_key == item.customer_key)
            .order_by(col(ReviewItem.received_at).desc())
            .limit(ITEM_LIMIT)
        ).all()
        items = [i for i in recent if conversation_key(i) == key]
        if item.id not in {i.id for i in items}:
            items.append(item)
        replies = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.item_id).in_([i.id for i in items]))
        ).all()
        events = session.exec(_events_query(key)).all()
    turns = [_customer_turn(i) for i in items] + [_reply_turn(r) for r in replies]
    turns += _event_turns(key, events, {i.message_id for i in items})
    return Conversation(key, sorted(turns, key=_order))


def _order(turn: Turn) -> tuple[datetime, bool, int]:
    return _aware(turn.at), turn.kind is not TurnKind.customer, turn.item_id or 0


def _events_query(key: str) -> SelectOfScalar[MetaEventRecord]:
    # A page's comment answering a customer's comment is recorded on the page's own
    # conversation on that post: look on the post, keep those answering this customer.
    on_post = key.rsplit(":", 1)[0] + ":%" if ":post:" in key else None
    where = col(MetaEventRecord.conversation) == key
    if on_post is not None:
        where = or_(where, col(MetaEventRecord.conversation).like(on_post))
    return (
        select(MetaEventRecord)
        .where(where, col(MetaEventRecord.kind).in_([EventKind.echo, EventKind.reaction]))
        .order_by(col(MetaEventRecord.occurred_at).desc())
        .limit(EVENT_LIMIT)
    )


def _customer_turn(item: ReviewItem) -> Turn:
    return Turn(
        item.received_at, TurnKind.customer, item.text, f"item #{item.id} · {item.status}", item.id
    )


def _reply_turn(row: OutboxMessage) -> Turn:
    who = "automated" if row.automated else f"sent by {row.sent_by}"
    return Turn(
        row.sent_at or row.requested_at,
        TurnKind.reply,
        row.text,
        f"{who} · {row.state}",
        row.item_id,
    )


def _event_turns(key: str, events: Sequence[MetaEventRecord], message_ids: set[str]) -> list[Turn]:
    turns: list[Turn] = []
    for event in events:
        if event.kind is EventKind.reaction:
            if event.conversation != key:
                continue  # LIKE matched another conversation on the post
            removed = bool(event.data.get("removed"))
            emoji = str(event.data.get("emoji") or "a reaction")
            note = "reaction removed" if removed else "reacted"
            turns.append(Turn(event.occurred_at, TurnKind.reaction, emoji, note))
        elif not markers.is_ours(event.marker):  # ours are the outbox rows already
            answers = event.data.get("answers")
            if answers and answers not in message_ids:
                continue  # the page answered another customer's comment on this post
            if not answers and ":post:" in event.conversation:
                continue  # the page's own comment on the post, not an answer
            text = str(event.data.get("text") or "")
            turns.append(
                Turn(event.occurred_at, TurnKind.elsewhere, text, "sent from another tool")
            )
    return turns


def _aware(moment: datetime) -> datetime:
    """Rows read back are aware (UTC); an item built in memory may not be."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


RECENT_TURNS = 6  # earlier turns a model draft reads
RECENT_CHARS = 1_500  # and at most this much of their text


def recent_turns(
    engine: Engine, item_id: int, *, turns: int = RECENT_TURNS, chars: int = RECENT_CHARS
) -> list[Turn]:
    """The last few turns before an item's message, oldest first, for a model draft: bounded
    (``turns``, then ``chars`` from the newest back) and with card numbers, e-mail
    addresses, phone numbers and tokens replaced, as in the logs. Reactions are left out."""
    with Session(engine) as session:
        item = session.get(ReviewItem, item_id)
    if item is None:
        return []
    earlier = [t for t in conversation_of(engine, item).before(item) if t.kind != "reaction"]
    kept: list[Turn] = []
    budget = chars
    for turn in reversed(earlier[-turns:]):
        text = redact(turn.text)[:budget]
        if not text.strip():
            continue  # e.g. a photo with no caption
        kept.append(replace(turn, text=text))
        budget -= len(text)
        if budget <= 0:
            break
    return kept[::-1]
