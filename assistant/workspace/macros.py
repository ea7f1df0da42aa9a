"""Macros at hand: the brand's reply templates with their tokens filled from the item and
its order, and the answers of the sources retrieved for the item. An agent inserts one
into the draft; the edit is then checked like any draft (``edit_check``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.knowledge.loader import Knowledge
from assistant.knowledge.orders import Customer, Order
from assistant.pipeline.drafting import fill, template_values
from assistant.review.models import ReviewItem

SOURCE_PREFIX = "source:"
_LEFT_TOKEN = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Macro:
    id: str  # a template id, or "source:<source id>"
    label: str  # how the picker shows it


@dataclass(frozen=True)
class FilledMacro:
    text: str
    missing: tuple[str, ...]  # tokens with no value for this item: left as {token} to fill


def macros(knowledge: Knowledge, item: ReviewItem) -> list[Macro]:
    """The item's retrieved sources first (closest to this message), then every template."""
    found = [
        Macro(
            f"{SOURCE_PREFIX}{s['id']}",
            f"Source: {s.get('title') or s['id']} ({s.get('source')}:{s.get('line')})",
        )
        for s in item.sources
        if str(s.get("text") or "").strip()
    ]
    found += [
        Macro(t.id, f"Template: {t.id} ({t.purpose.value.replace('_', ' ')})")
        for t in sorted(knowledge.templates, key=lambda t: t.id)
    ]
    return found


def first_name(item: ReviewItem, customer: Customer | None) -> str | None:
    if customer is not None:
        return customer.first_name
    name = (item.author_name or "").split()
    return name[0] if name else None


def fill_macro(
    knowledge: Knowledge,
    item: ReviewItem,
    macro_id: str,
    customer: Customer | None,
    order: Order | None,
) -> FilledMacro | None:
    """The macro's text for this item, or None when it no longer exists."""
    if macro_id.startswith(SOURCE_PREFIX):
        wanted = macro_id.removeprefix(SOURCE_PREFIX)
        source = next((s for s in item.sources if str(s.get("id")) == wanted), None)
        return None if source is None else FilledMacro(str(source.get("text") or "").strip(), ())
    template = next((t for t in knowledge.templates if t.id == macro_id), None)
    if template is None:
        return None
    values = template_values(knowledge, first_name(item, customer), order)
    if order is None and item.order_id:  # an order id the customer gave, even if not found
        values["order_id"] = item.order_id
    answer = next((s for s in item.sources if s.get("answers")), None)
    if answer is not None:  # the FAQ answer template quotes the best answering source
        values["answer"] = str(answer.get("text") or "").strip()
    names = _tokens(template.body)
    text, _ = fill(template, {n: values.get(n) or f"{{{n}}}" for n in names})
    return FilledMacro(text.strip(), tuple(n for n in names if not values.get(n)))


def _tokens(body: str) -> list[str]:
    return list(dict.fromkeys(_LEFT_TOKEN.findall(body)))


def unfilled_tokens(text: str) -> list[str]:
    """Template tokens still in a reply (``{tracking_number}``): never send those."""
    return _tokens(text)
