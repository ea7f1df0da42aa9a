"""Who pays: a draft that puts a cost on the customer where the knowledge says it is free,
or makes free what the knowledge says the customer pays for, goes to a person with both
sentences quoted; a rewording that keeps the payer, or a "free" that is not about a cost
("feel free", "plastic-free"), does not."""

from __future__ import annotations

import pytest

from assistant.safety.claims import ClaimKind, check_claims
from assistant.safety.who_pays import Payer, payer, plain
from tests.support import knowledge_text

CONTEXT = knowledge_text(
    "policies/shipping", "policies/returns", "policies/warranty", "faq/payments"
)


@pytest.mark.parametrize(
    ("draft", "said", "closest"),
    [
        (
            "For an exchange, you'll need to cover the shipping to send the new item to you.",
            Payer.customer,
            "never pay",
        ),
        (
            "If a parcel comes back to us as undeliverable, we'll reship it at our own expense.",
            Payer.brand,
            "at your cost",
        ),
        (
            "Outside the warranty, our workshop repairs bags free of charge.",
            Payer.brand,
            "for a fee",
        ),
    ],
)
def test_a_changed_payer_is_found_with_both_sentences_quoted(
    draft: str, said: Payer, closest: str
) -> None:
    [finding] = check_claims(draft, CONTEXT)

    assert finding.kind is ClaimKind.polarity
    assert f"says {said.value} where the closest knowledge says" in finding.reason()
    assert closest in finding.closest.lower()


@pytest.mark.parametrize(
    "draft",
    [
        "Exchanges for another size are free within 30 days of delivery.",
        "If a parcel comes back to us as undeliverable, reshipping it is at your cost.",
        "Outside the warranty, our workshop can often repair bags for a small fee.",
        "For US customers we cover warranty shipping both ways with a prepaid label.",
        "Feel free to send us photos of the damaged strap.",
        "If you pay with a card from another country, your bank may add a fee.",
    ],
)
def test_a_rewording_that_keeps_the_payer_is_not_flagged(draft: str) -> None:
    assert check_claims(draft, CONTEXT) == []


def test_a_sentence_that_says_both_or_neither_has_no_single_payer() -> None:
    assert payer(plain("Shipping is free on orders of $75 or more; below that, a $6 fee.")) is None
    assert payer(plain("Standard shipping takes 3–5 business days.")) is None
    assert payer(plain("We ship in plastic-free packaging.")) is None
    assert payer(plain("Returns from outside the US are at your own expense.")) is Payer.customer
    assert payer(plain("You won't pay anything for the label.")) is Payer.brand
