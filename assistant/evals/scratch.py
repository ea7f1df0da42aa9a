"""The world an eval run's pipeline sees: the current knowledge folder, plus one customer
and the order snapshot of each case, in a scratch data folder that nothing else uses.

Each case gets its own sender identity (``eval-<case id>``) so the per-customer rate limit
and duplicate checks never mix cases up. A case with a customer snapshot is that customer;
its order snapshot (if any) is theirs. An order snapshot without a customer belongs to
someone else, as when the original sender could not be tied to the order. A second case
that uses an order id already taken gets it renamed (message, order, golden reply alike),
because the scratch order store holds one order, with one owner, per id."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.channels.adapter import (
    OutboundReply,
    Reconciliation,
    SendOutcome,
    SendResult,
    SentCheck,
)
from assistant.evals.cases import EvalCase
from assistant.evals.redact import with_digits
from assistant.intake.messages import Author, InboundMessage
from assistant.knowledge.orders import Customer, Order


class RecordingChannel:
    """Sends nowhere: keeps each reply the pipeline would have sent, by message id."""

    def __init__(self) -> None:
        self.sent: dict[str, str] = {}

    async def send(self, reply: OutboundReply) -> SendResult:
        self.sent[reply.in_reply_to] = reply.text
        return SendResult(SendOutcome.delivered, platform_id=f"eval-{reply.reply_id}")

    async def was_sent(self, reply: OutboundReply) -> Reconciliation:
        sent = reply.in_reply_to in self.sent
        return Reconciliation(SentCheck.sent if sent else SentCheck.not_sent)


def identity(case: EvalCase) -> str:
    return f"eval-{case.id}"


def inbound(case: EvalCase) -> InboundMessage:
    return InboundMessage(
        id=case.message_id,
        channel=case.message.channel,
        author=Author(id=identity(case), name=case.message.author_name),
        text=case.message.text,
        order_id=case.message.order_id,
    )


@dataclass
class Seed:
    cases: list[EvalCase] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)


def seed(cases: list[EvalCase], order_id_pattern: str) -> Seed:
    out = Seed()
    taken: dict[str, Order] = {}
    for case in cases:
        customer_id = f"EVAL-{case.id}"
        snapshot = case.context.customer
        if snapshot is not None:
            out.customers.append(
                Customer(
                    customer_id=customer_id,
                    first_name=snapshot.first_name,
                    handles={case.message.channel.value: identity(case)},
                    vip=snapshot.vip,
                )
            )
        if case.context.order is not None:
            owner = customer_id if snapshot is not None else f"EVAL-OTHER-{case.id}"
            order = case.context.order.for_customer(owner)
            key = order.order_id.upper()
            if key in taken:  # owners differ: every case is its own customer
                fresh = _fresh_id(key, order_id_pattern, taken)
                case = rename_order(case, key, fresh)
                order = order.model_copy(update={"order_id": fresh})
                key = fresh
            taken[key] = order
            if snapshot is None:
                out.customers.append(Customer(customer_id=owner, first_name="Someone"))
            out.orders.append(order)
        out.cases.append(case)
    return out


def _fresh_id(order_id: str, pattern: str, taken: dict[str, Order]) -> str:
    """Another id of the same shape that the pattern accepts and no case uses."""
    digits = re.sub(r"\D", "", order_id)
    if not digits:
        return order_id
    width = len(digits)
    for n in range(1, 10**width):
        number = str((int(digits) + n * 7919) % 10**width).zfill(width)
        candidate = with_digits(order_id, number)
        if candidate not in taken and re.fullmatch(pattern, candidate, re.IGNORECASE):
            return candidate
    return order_id


def rename_order(case: EvalCase, old: str, new: str) -> EvalCase:
    """The case with order id ``old`` called ``new`` everywhere it appears."""
    pattern = re.compile(rf"(?<![\w-]){re.escape(old)}(?![\w-])", re.IGNORECASE)

    def sub(text: str | None) -> str | None:
        return None if text is None else pattern.sub(new, text)

    order = case.context.order
    message = case.message.model_copy(
        update={"text": sub(case.message.text), "order_id": sub(case.message.order_id)}
    )
    context = case.context.model_copy(
        update={
            "order": order.model_copy(update={"order_id": new}) if order else None,
            "order_facts": sub(case.context.order_facts),
        }
    )
    return case.model_copy(
        update={
            "message": message,
            "context": context,
            "golden_reply": sub(case.golden_reply),
            "draft": sub(case.draft),
        }
    )
