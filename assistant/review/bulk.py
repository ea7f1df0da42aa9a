"""Deciding many items at once (e.g. the comments after a live session): only low-risk ones
may be approved in bulk; anything touching money, the law or a person's safety is decided
one by one, on its own page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from assistant.review.decisions import Approve, Reject
from assistant.safety.topics import Topic

# Approving these in bulk could send a promise or a legal position nobody read, or a
# canned line to someone upset, asking for a person, or whose order went wrong.
NEVER_BULK_APPROVED = frozenset(
    {
        Topic.price,
        Topic.refund,
        Topic.legal,
        Topic.cancellation,
        Topic.personal_data,
        Topic.minor,
        Topic.prompt_injection,
        Topic.abuse,
        Topic.complaint,
        Topic.human_requested,
        Topic.order_problem,
    }
)
VIP_REASON = "VIP customer"  # how screening words it (pipeline/nodes/screen.py)


class Bulkable(Protocol):
    """What the rule reads: a queue row or a whole item."""

    @property
    def status(self) -> str: ...
    @property
    def topics(self) -> list[str]: ...
    @property
    def needs_attention(self) -> bool: ...
    @property
    def escalated_to(self) -> str | None: ...
    @property
    def has_draft(self) -> bool: ...
    @property
    def reasons(self) -> list[str]: ...


def bulk_refusal(item: Bulkable, decision: Approve | Reject) -> str | None:
    """Why ``item`` must not get ``decision`` as part of a bulk action, or None."""
    if item.status not in ("pending", "escalated"):
        return f"already {item.status}"
    if isinstance(decision, Reject):
        return None
    risky = sorted(set(item.topics) & NEVER_BULK_APPROVED)
    if risky:
        return f"touches {', '.join(risky)}: approve it on its own page"
    if any(r.startswith(VIP_REASON) for r in item.reasons):
        return "is from a VIP customer: answer them on their own page"
    if item.needs_attention:
        return "needs attention (the pipeline failed on it): open it"
    if not item.has_draft:
        return "has no draft to approve: open it and write the reply"
    if item.status == "escalated":
        return f"was escalated to a {item.escalated_to}: open it"
    return None


@dataclass
class BulkOutcome:
    decided: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)  # item id → why, in words
