"""Conditions and scopes: a draft that widens, changes or drops a qualifier of the knowledge
("free on every order", "at any time", "wherever you live", "weekends included") goes to a
person with the claim and the knowledge sentence quoted; a rewording that keeps the
qualifier ("$75 and up", "for customers in the US") does not."""

from __future__ import annotations

import pytest

from assistant.safety.claims import ClaimKind, check_claims
from assistant.safety.qualifiers import Facet, compatible, qualifiers
from tests.support import claim_kinds as kinds
from tests.support import knowledge_text

CONTEXT = knowledge_text(
    "policies/shipping", "policies/refunds", "policies/returns", "policies/warranty", "faq/payments"
)


@pytest.mark.parametrize(
    ("draft", "said", "closest"),
    [
        # a threshold widened to every order, or dropped from a "free"
        ("Standard shipping is free on every order.", "every order", "$75 or more"),
        ("Standard shipping with USPS is free.", "order amount", "$75 or more"),
        (
            "With Pay in 4 you can split any order into 4 interest-free payments.",
            "any order",
            "$50 or more",
        ),
        # a time limit widened
        ("You can return unworn clothing at any time.", "any time", "within 30 days"),
        ("Exchanges for a different size are free, with no time limit.", "no time limit", "30"),
        # before it ships -> after it ships
        ("You can cancel an order at no cost even after it ships.", "even after it ships", "until"),
        # a place widened, swapped, or the place that makes it free dropped
        ("Returns are free wherever you live.", "wherever", "within the us"),
        ("Return shipping is free regardless of where you live.", "regardless of where", "us"),
        ("For customers in every country we cover shipping both ways.", "every country", "us"),
        ("Customers outside the US get free return shipping.", "free for 'outside us'", "us"),
        # days and time of day
        (
            "Orders placed before 1 pm Pacific ship the same business day, weekends included.",
            "weekends included",
            "monday to friday",
        ),
        ("Orders placed after 1 pm Pacific still ship the same day.", "same day", "placed later"),
        # a period counted from another event
        (
            "You can return unworn clothing within 30 days of placing your order.",
            "counted from the order",
            "30 days of delivery",
        ),
        (
            "Refunds reach your card within 5–7 business days of the courier collecting it.",
            "counted from your return leaving you",
            "your return arriving",
        ),
        ("Bags are covered for 2 years from the day you buy them.", "the order", "delivery date"),
        (
            "Refunds reach your card within 5–7 business days of the day you send it back.",
            "your return leaving you",
            "your return arriving",
        ),
        # a flat price counted per something else
        ("DHL Express ships internationally for a flat $25 per item.", "per item", "per order"),
        # which items, and where they were bought
        ("Every item can be returned within 30 days of delivery.", "every item", "unworn"),
        ("The warranty covers items bought from any store.", "any store", "bought"),
        ("The warranty covers items bought from any of our stockists.", "stockists", "bought"),
        # the policy says where once, in a sentence the claim shares few words with
        ("The Fernhill Promise also covers bags bought secondhand.", "secondhand", "bought from"),
        # a refund destination backed only by a sentence about another way of paying
        (
            "If you paid with a Fernhill gift card, the refund goes to your installment plan.",
            "installment plan",
            "gift card",
        ),
        # "only when" dropped or said away
        ("Original shipping charges are refunded as well.", "leaves out", "only when"),
        ("We refund original shipping charges, no questions asked.", "no questions", "only when"),
    ],
)
def test_a_widened_or_changed_condition_is_found_with_both_sentences_quoted(
    draft: str, said: str, closest: str
) -> None:
    [finding] = check_claims(f"Thanks for asking! {draft}", CONTEXT)

    assert finding.kind in (ClaimKind.condition, ClaimKind.policy_term), finding
    assert finding.claim == draft
    assert said in finding.reason().lower()
    assert closest in finding.closest.lower()
    assert "closest in the knowledge" in finding.reason()


@pytest.mark.parametrize(
    "draft",
    [
        "Orders of $75 and up get free standard shipping; below that it's $6.",
        "Standard shipping is free once your order reaches $75.",
        "Express is $14 whatever the order size.",
        "You have 30 days after delivery to return unworn, unwashed clothing with its tags.",
        "Cancelling costs nothing as long as the order hasn't shipped.",
        "For customers in the US, we cover shipping both ways with a prepaid label.",
        "Returns inside the US are free, so nothing is deducted for the label.",
        "If you're outside the US, you arrange and pay for your own return shipping.",
        "If you order after 1 pm Pacific, your order ships the next business day.",
        "Orders placed before 1 pm Pacific on a weekday ship the same business day.",
        "Everything that isn't Final Sale can be returned within 30 days of delivery.",
        "Only items bought from fernhillgoods.example are covered by the warranty.",
        "Exchanges for another size or color are free within 30 days of delivery.",
        "Every order is charged in US dollars.",
        "You can return unworn, unwashed clothing with its tags within 30 days of receiving it.",
        "Refunds reach your card within 5–7 business days of our warehouse getting your return.",
        "Bags are covered for 2 years from the day they're delivered.",
        "International orders go out with DHL Express for a flat $25 per purchase.",
        # a quantifier that carries its own limit; a place said before its noun; a tense
        "You can cancel at no cost any time before your order ships.",
        "We refund the price you paid, and since US returns are free, nothing comes off.",
        "Even once your warranty has ended, our workshop can often repair bags for a fee.",
        "Original shipping is refunded only if the item arrived damaged, faulty or wrong.",
    ],
)
def test_a_rewording_that_keeps_the_condition_is_not_flagged(draft: str) -> None:
    assert check_claims(draft, CONTEXT) == []


def test_qualifiers_are_read_as_facets_with_values() -> None:
    read = qualifiers("Returns within the US are free on orders of $75 or more, Monday to Friday.")

    assert read.restricted[Facet.place] == {"in us"}
    assert Facet.amount in read.restricted and Facet.days in read.restricted
    assert read.free
    assert qualifiers("We ship worldwide at any time.").universal.keys() == {
        Facet.place,
        Facet.time,
    }
    assert qualifiers("Customers outside the US pay").restricted[Facet.place] == {"outside us"}
    assert qualifiers("free until it ships").restricted[Facet.time] == {"before it ships"}
    assert qualifiers("within 30 days of delivery").restricted[Facet.start] == {
        "counted from delivery"
    }
    assert qualifiers("6–10 business days from the day your order ships").restricted[
        Facet.start
    ] == {"counted from shipping"}


def test_a_sentence_for_another_place_or_hour_cannot_back_a_claim() -> None:
    assert not compatible("Outside the US returns are free.", "Returns within the US are free.")
    assert not compatible("Orders after 1 pm ship today.", "Orders before 1 pm ship today.")
    assert compatible("US orders get a free label.", "For US orders we email a free label.")
    assert compatible("Returns are easy.", "Returns within the US are free.")
    assert not compatible(
        "If you paid with Pay in 4, it goes back.", "If you paid with a gift card"
    )


def test_a_deadline_is_read_against_the_sentences_beside_the_closest() -> None:
    # "Yes, as long as your order hasn't shipped yet. Message us or email help@… with your
    # order number and the new address as soon as you can, …"
    said = "Message us with your order number and the new address, and we can update it"
    assert kinds(f"{said} as long as it hasn't shipped.", "faq/account") == []
    late = f"{said} right up until the parcel is out for delivery."
    assert kinds(late, "faq/account") == [ClaimKind.condition]
    # A period after delivery is no deadline, whatever the sentence beside says of the
    # carrier's scan.
    period = (
        "Exchanges are free for 30 days after delivery, for another size or color of the same item."
    )
    assert kinds(period, "policies/returns") == []


def test_a_second_case_beside_the_knowledges_widens_it() -> None:
    # "We only send marketing messages … if you've opted in."
    said = "We only send marketing messages to people who've opted in"
    assert kinds(f"{said}.", "policies/privacy") == []
    assert kinds(f"{said} or who've ordered from us before.", "policies/privacy") == [
        ClaimKind.condition
    ]


def test_however_you_wash_widens_a_care_labels_condition() -> None:
    # "Our cotton and linen are pre-washed, so they keep their size when you wash them cold
    # and line dry them."
    said = "Our cotton and linen are pre-washed, so they"
    assert kinds(f"{said} hold their size with a cold wash and line drying.", "faq/sizing") == []
    assert kinds(
        f"{said}'ll keep their size no matter how you wash or dry them.", "faq/sizing"
    ) == [ClaimKind.condition]
