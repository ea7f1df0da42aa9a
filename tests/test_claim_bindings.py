"""Claims whose every word is in the knowledge, said of the wrong thing or without what
gates them: an FAQ's bare "No" to its question, a fact moved from one product to another, a
subject listed under a denial, a deed the knowledge does only with consent, a step of the
order's life swapped for another, a period said of things the knowledge gives another. Each
goes to a person with the knowledge quoted; the faithful rewordings a drafting model writes
pass."""

from __future__ import annotations

import pytest

from assistant.knowledge.answered import hit_text, said, said_in_text
from assistant.safety.claims import ClaimKind, check_claims
from assistant.safety.grounding import Grounding
from tests.support import knowledge_text

CONTEXT = knowledge_text(
    "faq/account",
    "faq/payments",
    "faq/products",
    "faq/sizing",
    "faq/returns",
    "policies/returns",
    "policies/privacy",
    "policies/warranty",
    "policies/refunds",
    "faq/shipping",
    "policies/shipping",
)


@pytest.mark.parametrize(
    ("question", "answer", "statement"),
    [
        (
            "Do I need an account to place an order?",
            "No, you can check out as a guest.",
            "You do not need an account to place an order: you can check out as a guest.",
        ),
        (
            "Can I change my shipping address after I order?",
            "Yes, as long as your order hasn't shipped yet.",
            "You can change your shipping address after you order: as long as your order "
            "hasn't shipped yet.",
        ),
        ("Do you ship internationally?", "Yes! We ship to Canada.", "We ship internationally! "),
    ],
)
def test_a_bare_yes_or_no_is_read_as_its_question_said(
    question: str, answer: str, statement: str
) -> None:
    assert said(question, answer).startswith(statement)


def test_other_answers_and_policy_sections_are_read_as_written() -> None:
    final = "Items marked Final Sale can't be returned."
    assert said("Are any items final sale?", final) == final
    assert said("Can I return a gift?", "No problem, start at …") == "No problem, start at …"
    assert hit_text("policy:returns#intro", "Do I need one?", "No, never.") == "No, never."


def test_a_context_given_whole_reads_a_question_and_its_bare_answer_alike() -> None:
    """``assistant verify`` may get an FAQ as text, its question on the line before."""
    faq = "Q: Do I need an account to place an order?\nA: No, you can check out as a guest."
    assert said_in_text(faq) == (
        "You do not need an account to place an order: you can check out as a guest."
    )
    findings = check_claims("You need an account to place an order.", faq)
    assert [f.kind for f in findings] == [ClaimKind.polarity]
    assert check_claims("You can check out as a guest, no account needed.", faq) == []


@pytest.mark.parametrize(
    ("draft", "kind", "quoted"),
    [
        # The FAQ answers "No" to "Do I need an account to place an order?".
        ("You need an account to place an order.", ClaimKind.polarity, "do not need an account"),
        (
            "You'll need to create an account before you can check out.",
            ClaimKind.polarity,
            "do not need an account",
        ),
        # "cut roomy" is said of the Linen Button-Up Shirt and the Fleece Pullover.
        (
            "The Merino Crew Sweater is cut roomy on purpose, so size down for a closer fit.",
            ClaimKind.entity,
            "cut roomy",
        ),
        # "Items marked Final Sale … and gift cards can't be returned or exchanged."
        (
            "Gift cards can be returned within 30 days of delivery.",
            ClaimKind.polarity,
            "gift cards can't be returned",
        ),
        # Marketing is sent only with consent.
        (
            "Once you've placed an order, we'll send you our newsletter and restock alerts.",
            ClaimKind.condition,
            "opt in",
        ),
        # The address can change until the order ships, not until it is delivered.
        (
            "You can change the delivery address right up until the parcel is delivered.",
            ClaimKind.condition,
            "until your order ships",
        ),
        # "as soon as the carrier scans your return": a step earlier than its arrival.
        (
            "For exchanges, we'll ship your new size as soon as your return has arrived at "
            "our warehouse.",
            ClaimKind.condition,
            "as soon as the carrier scans",
        ),
        # The welcome code is for the first order.
        (
            "We'll email you a welcome code for 10% off, and you can use it on any order.",
            ClaimKind.condition,
            "first order",
        ),
        # An item the knowledge's list does not have.
        (
            "Creating an account lets you track your orders, start returns faster, save your "
            "addresses and keep a wishlist of pieces you've got your eye on.",
            ClaimKind.capability,
            "wishlist",
        ),
        (
            "Our bags come with a lifetime warranty against defects.",
            ClaimKind.policy_term,
            "'lifetime' where the knowledge says 'year'",
        ),
        (
            "We keep message history for 12 months and then anonymise it.",
            ClaimKind.policy_term,
            "delete",
        ),
        # "We don't add any fees of our own."
        (
            "If you pay with a card from another country, we add a small conversion fee.",
            ClaimKind.polarity,
            "we don't add any fees",
        ),
        (
            "Orders placed late at night still leave our warehouse the same day.",
            ClaimKind.policy_term,
            "next business day",
        ),
    ],
)
def test_a_claim_said_of_the_wrong_thing_is_found(draft: str, kind: ClaimKind, quoted: str) -> None:
    findings = check_claims(draft, CONTEXT)
    assert [f.kind for f in findings] == [kind], findings
    assert quoted in findings[0].closest + findings[0].detail


@pytest.mark.parametrize(
    "draft",
    [
        "Nope, no account needed — you can check out as a guest!",
        "You don't need an account to order; you can check out as a guest.",
        "The Linen Button-Up Shirt and Recycled Fleece Pullover are cut roomy on purpose.",
        "The Merino Crew Sweater and Organic Cotton Tee fit true to size.",
        "Items marked Final Sale and gift cards can't be returned or exchanged.",
        "If you opt in, we'll send you our newsletter or restock alerts.",
        "We only send marketing messages if you've opted in.",
        "You can change your shipping address as long as the order hasn't shipped yet.",
        "Between sizes in the twill trousers? Size up, since the fabric starts out crisp.",
        "You won't pay return shipping for a damaged or wrong item.",
        "We'll take care of it within 30 days and confirm by email.",
        "Natural creasing of waxed canvas is part of the material's character, not a defect.",
        "We ship the new item as soon as the carrier scans your return.",
        "Sign up and we'll email you a welcome code for 10% off your first order.",
        "If your bank adds a foreign transaction fee, that's from them, not us.",
        "Orders placed later ship the next business day.",
        "You'll get an email with a tracking number as soon as your order's on its way.",
        "Email us your order number, a quick description and a few photos of what's wrong.",
        "Tax is worked out at checkout, so you'll see it before you pay, and if the order goes "
        "to Oregon there's none at all.",
    ],
)
def test_faithful_rewordings_pass(draft: str) -> None:
    assert check_claims(draft, CONTEXT) == []


def test_a_promise_the_knowledge_makes_in_other_words_is_granted() -> None:
    guard = Grounding(CONTEXT, r"FH-\d{5}")
    assert guard.unsupported("If your claim is approved, we'll repair or replace the item.") == []
    # Too few words to say which of the knowledge's refunds it is: still a new promise.
    assert guard.unsupported("Standard shipping is free once your order reaches $75.") == []
    gift_card = "If you used a Fernhill gift card, that part of your refund goes back onto it."
    assert guard.unsupported(gift_card) == []
    for draft in ("We'll refund your order.", "Your order is free.", "We'll replace your order."):
        assert [f.kind for f in guard.unsupported(draft)] == ["promise"], draft


def test_a_timeline_the_context_states_is_granted_only_with_its_own_span() -> None:
    guard = Grounding(CONTEXT, r"FH-\d{5}")
    assert guard.unsupported("Express arrives within 1–2 business days.") == []
    kinds = [f.kind for f in guard.unsupported("Express arrives within 2 hours.")]
    assert "promise" in kinds


def test_a_period_given_to_things_the_knowledge_gives_another_is_caught() -> None:
    # "Bags are covered for 2 years from the delivery date, and clothing and home goods are
    # covered for 1 year."
    warranty = knowledge_text("policies/warranty")
    assert check_claims("Bags are covered for 2 years from the delivery date.", warranty) == []
    both = "Bags, clothing and home goods are all covered for 2 years from the delivery date."
    assert [f.kind for f in check_claims(both, warranty)] == [ClaimKind.condition]
    # Each group with its own period, the second said without its unit, is faithful.
    each = "Bags are covered for 2 years, and clothing and home goods for 1."
    assert check_claims(each, warranty) == []
