"""Everything an agent needs on one item's page, read in one go: the message and the
conversation before it, who the customer is, their orders, and the item's audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from assistant.governance.consent import history as consent_history
from assistant.governance.models import ConsentRecord
from assistant.knowledge.order_store import SqlOrderStore
from assistant.knowledge.orders import Customer, Order
from assistant.review.models import AuditEvent, CustomerState, OutboxMessage, ReviewItem
from assistant.review.queue import Queue

THREAD_LIMIT = 20  # earlier messages and replies shown above the current one


@dataclass(frozen=True)
class ThreadEntry:
    at: datetime
    from_customer: bool
    text: str
    note: str  # e.g. "item #12 · rejected" or "sent by ann" / "automated"


@dataclass(frozen=True)
class ItemDetail:
    item: ReviewItem
    thread: list[ThreadEntry]  # oldest first, ending before this item's message
    customer: Customer | None
    orders: list[Order]
    state: CustomerState
    audit: list[AuditEvent]
    consent: list[ConsentRecord] = field(default_factory=list)  # oldest first


def item_detail(queue: Queue, orders: SqlOrderStore, item_id: int) -> ItemDetail:
    item = queue.get(item_id)
    customer = orders.customer(item.customer_id) if item.customer_id else None
    return ItemDetail(
        item=item,
        thread=_thread(queue, item),
        customer=customer,
        orders=orders.orders_for(customer.customer_id) if customer else [],
        state=queue.customer_state(item.customer_key),
        audit=queue.audit_log(item_id),
        consent=consent_history(queue.engine, item.customer_key),
    )


def _thread(queue: Queue, item: ReviewItem) -> list[ThreadEntry]:
    with Session(queue.engine) as session:
        earlier = session.exec(
            select(ReviewItem)
            .where(
                ReviewItem.customer_key == item.customer_key,
                col(ReviewItem.received_at) < item.received_at,
            )
            .order_by(col(ReviewItem.received_at).desc())
            .limit(THREAD_LIMIT)
        ).all()
        replies = session.exec(
            select(OutboxMessage)
            .where(
                OutboxMessage.customer_key == item.customer_key,
                col(OutboxMessage.item_id).in_([e.id for e in earlier]),
            )
            .order_by(col(OutboxMessage.requested_at))
        ).all()
    entries = [
        ThreadEntry(e.received_at, True, e.text, f"item #{e.id} · {e.status}") for e in earlier
    ]
    entries += [
        ThreadEntry(
            r.sent_at or r.requested_at,
            False,
            r.text,
            ("automated" if r.automated else f"sent by {r.sent_by}") + f" · {r.state}",
        )
        for r in replies
    ]
    return sorted(entries, key=lambda e: e.at.replace(tzinfo=None))
