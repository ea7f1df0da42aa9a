"""Which customer questions reached each answer, and which found none: read from the
processed messages, for the knowledge page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from assistant.review.models import ItemStatus, ReviewItem

NOT_QUESTIONS = (ItemStatus.hidden, ItemStatus.closed)  # spam, opt-outs: no question


@dataclass(frozen=True)
class QuestionOutcomes:
    reached: dict[str, list[str]] = field(default_factory=dict)  # entry id → questions
    unanswered: list[str] = field(default_factory=list)


def question_outcomes(items: list[ReviewItem]) -> QuestionOutcomes:
    """Messages about an order are answered from the order, not the knowledge: left out."""
    reached: dict[str, list[str]] = defaultdict(list)
    unanswered: list[str] = []
    for item in items:
        if item.status in NOT_QUESTIONS or item.order_id or not item.text.strip():
            continue
        top = item.sources[0] if item.sources else None
        if top is not None and top.get("answers"):
            reached[str(top["id"])].append(item.text)
        else:
            unanswered.append(item.text)
    return QuestionOutcomes(reached=dict(reached), unanswered=unanswered)
