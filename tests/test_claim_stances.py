"""Stances: a draft that puts a cost on the customer where the knowledge says it is free
(or the other way round), or requires what the knowledge says is not needed, goes to a
person with both sentences quoted; a rewording that keeps the stance, or a "free" that is
not about a cost ("feel free", "plastic-free"), does not."""

from __future__ import annotations

import pytest

from assistant.safety.claims import ClaimKind, check_claims
from assistant.safety.stances import HOW_MANY, HOW_SOON, REQUIRED, WHO_PAYS, Stance, plain
from tests.support import knowledge_text

CONTEXT = knowledge_text(
    "policies/shipping",
    "policies/returns",
    "policies/warranty",
    "faq/payments",
    "faq/products",
    "faq/account",
)


@pytest.mark.parametrize(
    ("draft", "said", "closest"),
    [
        (
            "For an exchange, you'll need to cover the shipping to send the new item to you.",
            WHO_PAYS.yes,
            "never pay",
        ),
        (
            "If a parcel comes back to us as undeliverable, we'll reship it at our own expense.",
            WHO_PAYS.no,
            "at your cost",
        ),
        (
            "Keep the original box and tags: a warranty claim can't be made without them.",
            REQUIRED.yes,
            "don't need the original packaging",
        ),
        (
            "Every sold-out item is back in stock within 4–6 weeks.",
            HOW_MANY.yes,
            "most sold-out items",
        ),
        (
            "Once you click Unsubscribe, it takes a few days to go through.",
            HOW_SOON.no,
            "right away",
        ),
        (
            "Outside the warranty, our workshop repairs bags free of charge.",
            WHO_PAYS.no,
            "for a fee",
        ),
    ],
)
def test_a_changed_stance_is_found_with_both_sentences_quoted(
    draft: str, said: str, closest: str
) -> None:
    [finding] = check_claims(draft, CONTEXT)

    assert finding.kind is ClaimKind.polarity
    assert f"says {said} where the closest knowledge says" in finding.reason()
    assert closest in finding.closest.lower()


@pytest.mark.parametrize(
    "draft",
    [
        "Exchanges for another size are free within 30 days of delivery.",
        "If a parcel comes back to us as undeliverable, reshipping it is at your cost.",
        "Outside the warranty, our workshop can often repair bags for a small fee.",
        "For US customers we cover warranty shipping both ways with a prepaid label.",
        "Feel free to send us photos of the damaged strap.",
        "You can make a warranty claim without the original packaging or tags.",
        "No need to keep the box or the tags for a warranty claim.",
        "Most sold-out pieces are back within 4–6 weeks.",
        "Click Unsubscribe in any newsletter and you're removed straight away.",
        "If you pay with a card from another country, your bank may add a fee.",
    ],
)
def test_a_rewording_that_keeps_the_stance_is_not_flagged(draft: str) -> None:
    assert check_claims(draft, CONTEXT) == []


def _stance(stance: Stance, text: str) -> str | None:
    taken = stance.taken(plain(text))
    return taken[0] if taken else None


def test_a_sentence_that_says_both_or_neither_takes_no_stance() -> None:
    both = "Shipping is free on orders of $75 or more; below that, a $6 fee."
    assert _stance(WHO_PAYS, both) is None
    assert _stance(WHO_PAYS, "Standard shipping takes 3–5 business days.") is None
    assert _stance(WHO_PAYS, "We ship in plastic-free packaging.") is None
    assert _stance(WHO_PAYS, "Returns from outside the US are at your own expense.") == WHO_PAYS.yes
    assert _stance(WHO_PAYS, "You won't pay anything for the label.") == WHO_PAYS.no
    assert _stance(REQUIRED, "A receipt is required for every claim.") == REQUIRED.yes
    assert _stance(REQUIRED, "A claim can't be made without the receipt.") == REQUIRED.yes
    assert _stance(REQUIRED, "You don't need the receipt.") == REQUIRED.no
    assert _stance(REQUIRED, "Photos are optional.") == REQUIRED.no
    assert HOW_MANY.taken(plain("All our tops are unisex.")) == (HOW_MANY.yes, "top")
    assert HOW_MANY.taken(plain("Most sold-out items are back soon.")) == (HOW_MANY.no, "item")
    assert _stance(HOW_MANY, "Every order ships with tracking, and most arrive in 3 days.") is None
    assert _stance(HOW_MANY, "We don't charge at all for exchanges.") is None
