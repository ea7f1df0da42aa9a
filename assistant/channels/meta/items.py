"""How platform events change queue items: a customer's edit updates the open item, a
removal closes it as withdrawn, a reply from another tool closes it as answered elsewhere,
and a failed delivery reopens it flagged. Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assistant.channels.meta.events import EventKind
from assistant.channels.meta.records import MetaEventRecord
from assistant.delivery.store import ReplyStore
from assistant.intake.messages import Channel
from assistant.review.models import AuditAction, ItemStatus, ReviewItem
from assistant.review.queue import Queue

ACTOR = "meta-webhook"
# Still waiting for an answer (processing: the pipeline is drafting it).
WAITING = (ItemStatus.processing, ItemStatus.pending, ItemStatus.escalated)


@dataclass
class ItemChanges:
    engine: Engine

    @property
    def queue(self) -> Queue:
        return Queue(self.engine)

    def _waiting(self, channel: Channel, **where: str) -> list[ReviewItem]:
        query = select(ReviewItem).where(
            ReviewItem.channel == channel,
            col(ReviewItem.status).in_([s.value for s in WAITING]),
            *(getattr(ReviewItem, k) == v for k, v in where.items()),
        )
        with Session(self.engine) as session:
            return list(session.exec(query.order_by(col(ReviewItem.id))).all())

    def edit(self, channel: Channel, platform_id: str, text: str) -> None:
        for item in self._waiting(channel, message_id=platform_id):
            assert item.id is not None
            message = {**item.message, "text": text}
            reason = "the customer edited the message after it was queued: check the draft"
            self.queue.update(
                item.id,
                text=text,
                message=message,
                needs_attention=True,
                reasons=[*item.reasons, reason],
            )
            self.queue.audit(
                item.id,
                ACTOR,
                AuditAction.customer_edit,
                before=item.text,
                after=text,
                reason=reason,
            )

    def withdraw(self, channel: Channel, platform_id: str) -> None:
        for item in self._waiting(channel, message_id=platform_id):
            assert item.id is not None
            self.queue.update(
                item.id, status=ItemStatus.closed, lease_owner=None, lease_expires_at=None
            )
            self.queue.audit(
                item.id,
                ACTOR,
                AuditAction.withdrawn,
                before=item.text,
                reason="the customer removed the message: nothing to answer",
            )

    def answered_elsewhere_comment(self, channel: Channel, comment_id: str, text: str) -> None:
        self._close_answered(self._waiting(channel, message_id=comment_id), text)

    def answered_elsewhere_dm(
        self, channel: Channel, customer_id: str, text: str, sent_at: datetime
    ) -> None:
        """Closes what the customer wrote before that reply, not what they wrote after."""
        items = [
            i
            for i in self._waiting(channel, customer_key=f"{channel.value}:{customer_id}")
            if i.message.get("metadata", {}).get("kind") != "comment" and i.received_at <= sent_at
        ]
        self._close_answered(items, text)

    def _close_answered(self, items: list[ReviewItem], text: str) -> None:
        for item in items:
            assert item.id is not None
            self.queue.update(
                item.id, status=ItemStatus.closed, lease_owner=None, lease_expires_at=None
            )
            self.queue.audit(
                item.id,
                ACTOR,
                AuditAction.answered_elsewhere,
                after=text,
                reason="the page answered from another tool",
            )

    def delivery_failed(
        self, item_id: int, reason: str, channel: Channel, platform_id: str
    ) -> None:
        # The reply's row too (delivered → failed), so nobody reads it as delivered.
        ReplyStore(self.engine).failed_after_delivery(channel.value, platform_id, reason)
        with Session(self.engine) as session:
            item = session.get(ReviewItem, item_id)
        if item is None:
            return
        self.queue.update(
            item_id,
            status=ItemStatus.pending,
            needs_attention=True,
            error=reason,
            reasons=[*item.reasons, reason],
            lease_owner=None,
            lease_expires_at=None,
        )
        self.queue.audit(item_id, ACTOR, AuditAction.delivery_failed, reason=reason)

    def replay_late(self, messages: list[tuple[Channel, str]], payload_id: int) -> None:
        """Webhooks arrive in any order: an edit or removal recorded before its message's
        item existed is applied now."""
        wanted = set(messages)
        query = (
            select(MetaEventRecord)
            .where(
                col(MetaEventRecord.platform_id).in_([pid for _, pid in messages]),
                MetaEventRecord.payload_id != payload_id,
                col(MetaEventRecord.kind).in_([EventKind.edit, EventKind.withdrawn]),
            )
            .order_by(col(MetaEventRecord.occurred_at))
        )
        with Session(self.engine) as session:
            late = list(session.exec(query).all())
        for record in late:
            if record.platform_id is None or (record.channel, record.platform_id) not in wanted:
                continue
            if record.kind is EventKind.withdrawn:
                self.withdraw(record.channel, record.platform_id)
            else:
                self.edit(record.channel, record.platform_id, str(record.data.get("text") or ""))
