"""Everything an agent needs on one item's page, read in one go: the message, who the
customer is, their orders, consent and the item's audit trail (the conversation before it
is ``assistant.channels.conversations``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.governance.consent import history as consent_history
from assistant.governance.models import ConsentRecord
from assistant.knowledge.order_store import SqlOrderStore
from assistant.knowledge.orders import Customer, Order
from assistant.review.models import AuditEvent, CustomerState, ReviewItem
from assistant.review.queue import Queue


@dataclass(frozen=True)
class ItemDetail:
    item: ReviewItem
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
        customer=customer,
        orders=orders.orders_for(customer.customer_id) if customer else [],
        state=queue.customer_state(item.customer_key),
        audit=queue.audit_log(item_id),
        consent=consent_history(queue.engine, item.customer_key),
    )
