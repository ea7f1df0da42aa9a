"""Readings of a claim that says more than the knowledge in how it frames a case: "whether
you pick Standard or Express", one value said of "every" piece, "you're welcome to" offer a
deed, a passive of a denied deed, an emphatic "they do expire", a case a rule "still
applies" to, a pronoun that refers back, a service "in person", where a refund goes in the
claim's own case, a loosely aligned "around the clock", "no rush", a condition told by its
case rather than by "item", who pays ("at your own expense", "covered on our side"), how a
piece is dried, the packing slip's prices, consent said as "unless you've opted out", and
the promises a faithful paraphrase restates ("repair or replace", "returns are free"). Each
is tested both ways: the change is caught, the faithful wording passes."""

from __future__ import annotations

import pytest

from assistant.safety.claims import ClaimKind
from tests.support import claim_kinds as kinds
from tests.support import promise_kinds as promises


def test_whether_one_or_the_other_needs_the_knowledge_to_say_both() -> None:
    # "Standard shipping within the US is $6, and it's free on orders of $75 or more."
    said = "Once your order hits $75 or more, shipping is free"
    assert kinds(f"{said} with Standard.", "faq/shipping", "policies/shipping") == []
    both = f"{said} whether you pick Standard or Express."
    assert kinds(both, "faq/shipping", "policies/shipping") == [ClaimKind.condition]
    # "For US customers we cover shipping both ways with a prepaid label."
    approved = "Once your claim is approved, we'll cover shipping both ways with a prepaid label"
    assert kinds(f"{approved} if you're in the US.", "policies/warranty") == []
    anywhere = f"{approved}, whether you're in the US or overseas."
    assert kinds(anywhere, "policies/warranty") == [ClaimKind.condition]


def test_a_value_the_knowledge_gives_some_things_is_not_said_of_every_one() -> None:
    # "… our bags come with a 2-year warranty and everything else with a 1-year warranty."
    said = "Because we'd rather you keep things for years,"
    assert kinds(f"{said} our bags come with a 2-year warranty.", "faq/products") == []
    every = f"{said} every Fernhill piece, from tees to blankets, comes with a 2-year warranty."
    assert kinds(every, "faq/products") == [ClaimKind.condition]
    # A quantifier over what the knowledge's own sentence names ranges over it too.
    orders = "All orders of $75 or more get free Standard shipping within the US."
    assert kinds(orders, "policies/shipping") == []


def test_what_you_are_welcome_to_do_is_a_deed_the_knowledge_must_describe() -> None:
    kept = "You're welcome to check out as a guest, no account needed."
    assert kinds(kept, "faq/account") == []
    added = "Local customers are also welcome to pick up orders from the warehouse."
    assert kinds(added, "policies/shipping") == [ClaimKind.capability]


def test_a_passive_of_a_denied_deed_is_said_of_what_it_denies() -> None:
    # "The warranty doesn't cover normal wear and tear, accidents, …"
    kept = "Defects like broken stitching or faulty hardware are covered by the Fernhill Promise."
    assert kinds(kept, "policies/warranty") == []
    flipped = (
        "Normal wear and tear is covered by the Fernhill Promise, along with defects like "
        "broken stitching or faulty hardware."
    )
    assert kinds(flipped, "policies/warranty") == [ClaimKind.polarity]


def test_an_emphatic_do_insists_on_a_deed_the_knowledge_denies() -> None:
    # "Gift cards are delivered by email … They never expire, …"
    cards = "Our digital gift cards are emailed straight to the recipient."
    assert kinds(f"{cards} They never expire, so there's no rush.", "faq/payments") == []
    flipped = f"{cards} Just keep in mind that they do expire, so check the date."
    assert kinds(flipped, "faq/payments") == [ClaimKind.polarity]


@pytest.mark.parametrize(
    ("docs", "kept", "changed"),
    [
        # "Our cotton and linen are pre-washed, so they keep their size when you wash them
        # cold and line dry them."
        (
            ("faq/sizing",),
            "Our cotton and linen are pre-washed, so they keep their size when washed cold "
            "and hung to dry.",
            "Our cotton and linen are pre-washed, so they keep their size through a cold wash "
            "and a spin in the tumble dryer.",
        ),
        # "For US customers we cover shipping both ways with a prepaid label."
        (
            ("policies/warranty",),
            "Once a claim is approved, US customers get a prepaid label, and we cover the "
            "postage both ways.",
            "Once a claim is approved, US customers ship the item to us at their own expense, "
            "and we cover the postage to send it back.",
        ),
        # "… and we'll leave the prices off the packing slip."
        (
            ("faq/products",),
            "We can gift wrap your order for $5, and we'll leave the prices off the packing slip.",
            "We can gift wrap your order for $5, and the prices will still appear on the "
            "packing slip.",
        ),
        # "…, your bank converts the amount and may charge a foreign transaction fee."
        (
            ("faq/payments",),
            "Every order is charged in USD, and your bank may add a foreign transaction fee.",
            "Every order is charged in USD, and any foreign transaction fee is covered on our "
            "side.",
        ),
        # "We only send marketing messages if you've opted in."
        (
            ("policies/privacy",),
            "We only send marketing messages if you've opted in.",
            "We send marketing messages unless you've opted out.",
        ),
    ],
)
def test_a_policy_term_said_another_way_round_is_caught(
    docs: tuple[str, ...], kept: str, changed: str
) -> None:
    assert kinds(kept, *docs) == []
    assert kinds(changed, *docs) == [ClaimKind.policy_term]


def test_the_case_a_rule_still_applies_to_must_be_the_knowledges() -> None:
    # "Items marked Final Sale … can't be returned or exchanged." A damaged Final Sale item
    # gets a teammate's help.
    said = "Final Sale pieces from our Last Chance section can't be returned or exchanged"
    assert kinds(f"{said}.", "faq/returns") == []
    extended = f"{said}, and unfortunately that still applies if one arrives damaged."
    assert kinds(extended, "faq/returns") == [ClaimKind.condition]


def test_where_a_refund_goes_is_read_from_the_knowledges_sentence_for_the_same_case() -> None:
    # "When an order is cancelled before it ships, we refund the full amount to your
    # original payment method …"; "If you paid with Pay in 4 …, the refund is applied to
    # your installment plan …"; a gift card's part goes back onto the gift card.
    cancel = "When you cancel before it ships, the full amount goes"
    assert kinds(f"{cancel} back to your original payment method.", "policies/refunds") == []
    swapped = f"{cancel} onto a Fernhill gift card."
    assert kinds(swapped, "policies/refunds") == [ClaimKind.policy_term]
    pay_in_4 = "If you paid with Pay in 4, the refund is issued as a Fernhill gift card."
    assert kinds(pay_in_4, "policies/refunds") == [ClaimKind.policy_term]
    card = "If you paid with a Fernhill gift card, that part of the refund goes back onto it."
    assert kinds(card, "policies/refunds") == []


def test_a_pronoun_that_refers_back_is_read_with_the_subject_before_it() -> None:
    # "Items marked Final Sale in our Last Chance section … can't be returned or exchanged."
    said = "Items marked Final Sale in our Last Chance section can't be returned for a refund"
    kept = f"{said}, but you're welcome to message us about them."
    assert kinds(kept, "faq/returns", "policies/returns") == []
    flipped = f"{said}, but you're welcome to exchange them for a different size."
    assert kinds(flipped, "faq/returns", "policies/returns") == [ClaimKind.polarity]


def test_a_service_in_person_is_a_channel_the_knowledge_must_name() -> None:
    start = "You can start your return at fernhillgoods.example/returns"
    assert kinds(f"{start} and drop the parcel at any post office.", "faq/returns") == []
    in_person = f"{start}, or drop the item off in person at our warehouse instead."
    assert kinds(in_person, "faq/returns") == [ClaimKind.entity]


def test_an_any_of_a_loosely_aligned_claim_is_compared_with_the_knowledges_limit() -> None:
    # "Our customer care team works Monday to Friday, 9 am to 5 pm Pacific, …"
    assert kinds("Our care team answers messages Monday to Friday.", "faq/account") == []
    anytime = "Our care team answers messages around the clock."
    assert kinds(anytime, "faq/account") == [ClaimKind.condition]


def test_no_rush_is_no_time_limit() -> None:
    # "… within 14 days of delivery …" for a damaged item.
    said = "you can send us a photo of the damage and the packing slip"
    assert kinds(f"Sorry! Within 14 days of delivery, {said}.", "faq/returns") == []
    anytime = f"No rush at all: {said} whenever it suits you after delivery."
    assert kinds(anytime, "faq/returns") == [ClaimKind.condition]


def test_a_condition_is_told_by_its_case_not_by_the_word_item() -> None:
    # "Original shipping charges are refunded only when an item arrived damaged, faulty or
    # wrong": "when you send items back" names items, not the damage.
    dropped = (
        "When you send items back, we refund the full price you paid plus your original "
        "shipping charges."
    )
    assert kinds(dropped, "policies/refunds") == [ClaimKind.condition]
    # The case may come later in the reply: it is still the reply's case.
    case_after = (
        "So sorry about that! Send us a photo of the item and the packing slip within 14 days "
        "of delivery, and a person on our team will review it. You'll never pay return "
        "shipping for a damaged or wrong item."
    )
    assert kinds(case_after, "faq/returns", "policies/returns") == []


def test_a_promise_restated_in_other_words_is_the_knowledges_own() -> None:
    approved = (
        "If your claim is approved, we'll repair or replace the item, or refund what you paid "
        "if neither is possible, and for US customers we cover shipping both ways with a "
        "prepaid label."
    )
    assert promises(approved, "policies/warranty") == []
    free = (
        "We refund the full price you paid for returned items, including any sales tax, and "
        "since US returns are free, nothing is deducted for the return label."
    )
    assert promises(free, "policies/refunds") == []
    # A gift is not a policy: "your next order is free" is still an invented promise.
    assert promises("Your next order is free.", "policies/refunds") == ["promise"]
    assert promises("We'll repair or replace your sofa.", "policies/refunds") == ["promise"]
