"""Delivery as a state machine: an outbound reply is a row (pending → sending → delivered |
failed) moved by compare-and-set, so it reaches the customer once or a person is told."""

from assistant.delivery.machine import DeliveryStep, deliver_reply
from assistant.delivery.pool import DeliveryPool
from assistant.delivery.reconnect import Reconnects
from assistant.delivery.requests import ReplyKind, redeliver, request
from assistant.delivery.scheduler import (
    DeliveryScheduler,
    InlineDelivery,
    due_replies,
    schedule_due,
)
from assistant.delivery.store import OverRateLimitError, ReplyStore, Requested

__all__ = [
    "DeliveryPool",
    "DeliveryScheduler",
    "DeliveryStep",
    "InlineDelivery",
    "OverRateLimitError",
    "Reconnects",
    "ReplyKind",
    "ReplyStore",
    "Requested",
    "deliver_reply",
    "due_replies",
    "redeliver",
    "request",
    "schedule_due",
]
