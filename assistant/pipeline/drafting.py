"""Drafts. Without a model, a grounded template draft: the best-matching FAQ answer or
order template, personalised. The disclosure is never part of a draft: code adds it."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from pydantic import BaseModel, Field

from assistant.channels.conversations import Turn
from assistant.intake.messages import InboundMessage
from assistant.knowledge.documents import Template, TemplatePurpose
from assistant.knowledge.index import Hit
from assistant.knowledge.language import message_language
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.orders import Order
from assistant.review.models import DraftKind


class Draft(BaseModel):
    text: str
    kind: DraftKind
    confidence: float = Field(ge=0, le=1)
    cited: list[str] = Field(default_factory=list)
    needs_human: bool = False
    note: str | None = None  # why the drafter wants a person, in plain words
    template_id: str | None = None
    grounding: str = ""  # brand-written text the draft may quote (e.g. its template)


@dataclass
class DraftContext:
    message: InboundMessage
    text: str  # the part of the message that is analysed
    first_name: str | None
    hits: list[Hit]
    order: Order | None
    missing_order_id: str | None
    knowledge: Knowledge
    topics: list[str] = field(default_factory=list)
    # The conversation's last few turns, oldest first (drafters that read them say so).
    history: list[Turn] = field(default_factory=list)


class Drafter(Protocol):
    async def draft(self, ctx: DraftContext) -> Draft: ...


def reads_history(drafter: Drafter) -> bool:
    """Only a drafter that reads the earlier turns costs the query that finds them."""
    return bool(getattr(drafter, "reads_history", False))


def human_date(value: date | None) -> str:
    return f"{value:%B} {value.day}" if value else ""


def fill(template: Template, values: dict[str, str]) -> tuple[str, list[str]]:
    """Render tokens; returns the text and the tokens that had no value."""
    names = [n for _, n, _, _ in string.Formatter().parse(template.body) if n]
    missing = [n for n in names if not values.get(n)]
    return template.body.format_map({n: values.get(n, "") for n in names}), missing


def template_values(kb: Knowledge, first_name: str | None, order: Order | None) -> dict[str, str]:
    """What a template's tokens are filled with, for drafts and for agents' macros alike."""
    values = {
        "first_name": first_name or "there",
        "brand_name": kb.policy.brand_name,
        "sign_off": kb.tone.sign_off,
    }
    if order is not None:
        values.update(
            order_id=order.order_id,
            product_name=order.product_name,
            carrier=order.carrier or "",
            tracking_number=order.tracking_number or "",
            tracking_url=order.tracking_url or "",
            estimated_delivery=human_date(order.estimated_delivery),
            shipped_on=human_date(order.shipped_on),
            delivered_on=human_date(order.delivered_on),
        )
    return values


class TemplateDrafter:
    """The offline default: no model, so it only ever says what the knowledge says."""

    def __init__(self, strong_score: float = 0.75) -> None:
        self.strong_score = strong_score

    async def draft(self, ctx: DraftContext) -> Draft:
        kb = ctx.knowledge
        values = template_values(kb, ctx.first_name, ctx.order)
        if ctx.order is not None:
            order = ctx.order
            template = kb.template_for(TemplatePurpose.order_status, order.status.value)
            return self._render(
                template, values, confidence=0.95, cited=[f"order:{order.order_id}"]
            )
        if ctx.missing_order_id:
            values["order_id"] = ctx.missing_order_id
            template = kb.template_for(TemplatePurpose.order_not_found)
            return self._render(
                template,
                values,
                confidence=0.3,
                cited=[],
                note=f"order {ctx.missing_order_id} was not found",
            )
        best = ctx.hits[0] if ctx.hits else None
        if best and best.answers:  # clears the brand's calibrated threshold and margin
            values["answer"] = best.text.strip()
            template = kb.template_for(TemplatePurpose.faq_answer)
            confidence = min(1.0, best.score / self.strong_score)
            return self._render(template, values, confidence=round(confidence, 3), cited=[best.id])
        return self._render(
            kb.template_for(TemplatePurpose.handoff, language=message_language(ctx.text)),
            values,
            confidence=0.1,
            cited=[],
            note="no FAQ or policy answers this message"
            + (f": {best.reason}" if best and best.reason else ""),
        )

    def _render(
        self,
        template: Template | None,
        values: dict[str, str],
        *,
        confidence: float,
        cited: list[str],
        note: str | None = None,
    ) -> Draft:
        if template is None:
            return Draft(
                text="",
                kind=DraftKind.template,
                confidence=0.0,
                needs_human=True,
                note="no template fits; add one to knowledge/templates/",
            )
        text, missing = fill(template, values)
        if missing:
            note = f"template {template.id} has no value for {', '.join(missing)}"
        return Draft(
            text=text.strip(),
            kind=DraftKind.template,
            confidence=0.0 if missing else confidence,
            cited=cited,
            needs_human=bool(missing) or note is not None,
            note=note,
            template_id=template.id,
            grounding=template.body,
        )
