"""What the graph's nodes run against: LangGraph's runtime context (``context_schema``),
built once per process and passed to every run, so each node is a plain function."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from assistant.channels.adapter import ChannelAdapter
from assistant.delivery.scheduler import DeliveryScheduler, InlineDelivery
from assistant.knowledge.disclosure import policy_text
from assistant.knowledge.index import KnowledgeIndex
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.orders import OrderStore
from assistant.pipeline.drafting import Drafter
from assistant.pipeline.model_drafter import SYSTEM
from assistant.review.queue import Queue
from assistant.safety.detectors import Detector
from assistant.safety.model_claims import ModelClaimCheck
from assistant.safety.verify import Verifier


async def _learn_nothing(item_id: int) -> None:
    return None


@dataclass
class Services:
    knowledge: Knowledge
    index: KnowledgeIndex
    orders: OrderStore
    queue: Queue
    drafter: Drafter
    channel: ChannelAdapter
    detectors: list[Detector]
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    claim_model: ModelClaimCheck | None = None  # ASSISTANT_VERIFIER_MODEL
    # Built once from the knowledge, not per message: it knows what a draft must not quote.
    verifier: Verifier = field(init=False, repr=False)
    # Who runs delivery attempts: inline by default; a job engine assigns its own.
    scheduler: DeliveryScheduler = field(init=False, repr=False)
    # What a person's delivered approval teaches (item id): the eval set and FAQ proposals.
    # Wired by ``open_assistant``; nothing is learned where it is not.
    learn: Callable[[int], Awaitable[None]] = field(default=_learn_nothing, repr=False)

    def __post_init__(self) -> None:
        self.verifier = Verifier(self.knowledge, [SYSTEM, policy_text(self.knowledge)])
        self.scheduler = InlineDelivery(self)
