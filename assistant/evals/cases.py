"""The eval case schema: one inbound message, the context it was answered in, the route it
must take and (unless it is a routing-only case) the reply a person approved or wrote."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.errors import AssistantError
from assistant.intake.messages import Channel
from assistant.knowledge.orders import Order
from assistant.safety.topics import Route

CASE_ID = r"^[a-z0-9][a-z0-9._-]{1,79}$"


class EvalDataError(AssistantError):
    """One or more eval case files are invalid; ``problems`` lists each with file and line.
    Same exit code as a knowledge problem: data files reviewed like code are wrong."""

    exit_code = 3

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = len(problems)
        header = f"{count} problem{'s' if count != 1 else ''} in the eval datasets:"
        super().__init__("\n".join([header, *(f"  {p}" for p in problems)]))


class CaseOrigin(StrEnum):
    approved = "approved"  # a person approved the draft as it was
    edited = "edited"  # a person rewrote the draft before sending
    hand_written = "hand-written"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CaseMessage(_Strict):
    channel: Channel
    text: str = Field(max_length=10_000)
    author_name: str | None = Field(None, max_length=200)
    # The platform payload's order id, when the channel sends one beside the text.
    order_id: str | None = Field(None, max_length=100)
    # The original message id keeps the rollout bucket stable; defaults to ``eval-<case id>``.
    id: str | None = Field(None, max_length=300)


class Source(_Strict):
    """A knowledge chunk the original draft was grounded in (for reading the case)."""

    id: str
    text: str
    score: float | None = None


class CustomerSnapshot(_Strict):
    first_name: str = Field(min_length=1, max_length=100)
    vip: bool = False


class OrderSnapshot(Order):
    """The order as it stood, without its owner: the eval run gives it to the case's sender."""

    customer_id: str = "eval"

    def for_customer(self, customer_id: str) -> Order:
        return Order.model_validate({**self.model_dump(), "customer_id": customer_id})


class Context(_Strict):
    sources: list[Source] = Field(default_factory=list)
    customer: CustomerSnapshot | None = None
    order: OrderSnapshot | None = None
    order_facts: str | None = None  # the order as the agent saw it (default: from ``order``)

    @property
    def facts(self) -> str | None:
        if self.order_facts is not None:
            return self.order_facts
        return self.order.facts() if self.order is not None else None


class EvalCase(_Strict):
    id: str = Field(pattern=CASE_ID)
    origin: CaseOrigin = CaseOrigin.hand_written
    topic: str = Field(min_length=1, max_length=50, description="For the per-topic table.")
    message: CaseMessage
    context: Context = Field(default_factory=Context)
    expected_route: Route
    golden_reply: str | None = Field(
        None, max_length=10_000, description="Unset = a routing-only case."
    )
    draft: str | None = Field(None, max_length=10_000, description="The draft once proposed.")
    tags: list[str] = Field(default_factory=list)
    created_at: datetime | None = None
    note: str | None = None

    @field_validator("tags")
    @classmethod
    def _plain_tags(cls, tags: list[str]) -> list[str]:
        for tag in tags:
            if not re.fullmatch(r"[\w:.-]{1,60}", tag):
                raise ValueError(f"tag {tag!r}: use letters, digits and - _ : . only")
        return tags

    @property
    def message_id(self) -> str:
        return self.message.id or f"eval-{self.id}"

    @property
    def routing_only(self) -> bool:
        return not (self.golden_reply or "").strip()


def case_id_for(message_id: str) -> str:
    """A learned case's id: stable per inbound message, so it is never added twice."""
    return "m-" + hashlib.sha256(message_id.encode()).hexdigest()[:16]
