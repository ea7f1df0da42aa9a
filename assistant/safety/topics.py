"""Topics a message can touch, and the routes a message can take."""

from __future__ import annotations

from enum import StrEnum


class Topic(StrEnum):
    price = "price"
    refund = "refund"
    legal = "legal"
    order_problem = "order_problem"
    cancellation = "cancellation"
    complaint = "complaint"
    influencer = "influencer"
    personal_data = "personal_data"
    prompt_injection = "prompt_injection"
    minor = "minor"
    human_requested = "human_requested"
    abuse = "abuse"
    spam = "spam"
    order_status = "order_status"
    general = "general"

    @property
    def is_risk(self) -> bool:
        """Any risk topic sends the message to a person."""
        return self not in SAFE_TOPICS

    @property
    def rank(self) -> int:
        """Queue priority: lower is more urgent."""
        return PRIORITY.get(self, 5)


SAFE_TOPICS = frozenset({Topic.order_status, Topic.general})

# Legal exposure and threats first, then money, then unhappy customers.
PRIORITY = {
    Topic.abuse: 0,
    Topic.legal: 0,
    Topic.refund: 1,
    Topic.price: 1,
    Topic.personal_data: 1,
    Topic.minor: 1,
    Topic.prompt_injection: 2,
    Topic.order_problem: 2,
    Topic.cancellation: 2,
    Topic.complaint: 2,
    Topic.human_requested: 2,
    Topic.influencer: 3,
}


class Route(StrEnum):
    auto_send = "auto_send"
    human_review = "human_review"
    hidden = "hidden"
    opted_out = "opted_out"
    opted_in = "opted_in"
