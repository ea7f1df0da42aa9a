"""The graph's state: plain JSON-able values, so every checkpoint can be read by any worker."""

from __future__ import annotations

from operator import add
from typing import Annotated, Any, NotRequired, TypedDict

from assistant.intake.messages import InboundMessage
from assistant.knowledge.policy import Policy


class PipelineInput(TypedDict):
    message: dict[str, Any]  # InboundMessage, JSON mode
    item_id: int
    failure: NotRequired[str]  # set when re-running a message whose pipeline crashed
    restored_by: NotRequired[str]  # set when an agent restores a message hidden as spam
    attention: NotRequired[str]  # why a person must look (e.g. a message id reused)


class PipelineState(PipelineInput, total=False):
    customer_id: str | None
    first_name: str | None
    vip: bool
    topics: list[str]
    reasons: Annotated[list[str], add]
    detector_hits: list[dict[str, Any]]  # {"reason", "detector", "topic"} per risky hit
    errors: Annotated[list[str], add]
    hits: list[dict[str, Any]]
    order: dict[str, Any] | None
    missing_order_id: str | None
    # Orders the message names that the sender cannot be tied to, or that do not exist:
    # worded, each sends the item to a person whatever the draft says.
    order_problems: list[str]
    draft: dict[str, Any] | None
    route: str


def message_of(state: PipelineInput) -> InboundMessage:
    return InboundMessage.model_validate(state["message"])


def analysed(msg: InboundMessage, policy: Policy) -> str:
    """The part of a message the pipeline reads: very long ones are cut, and flagged."""
    return analysed_text(msg.text, policy)


def analysed_text(text: str, policy: Policy) -> str:
    return text[: policy.max_analysed_chars]
