"""Claims changed in words that carry no negation and no listed term: scope added in so
many words ("weekends included", "even if …"), an item of a list a negated verb governs,
a predicate said by its opposite, a swapped modifier, a name of the kind the closest
sentence names; and the faithful rewordings beside each that must pass."""

from __future__ import annotations

import pytest

from assistant.safety.claims import ClaimKind, check_claims
from assistant.safety.modifiers import pairs
from assistant.safety.predicates import governed
from assistant.safety.scope import extensions
from tests.support import knowledge_text


def _knowledge(*docs: str) -> str:
    """Each document's policy, then its FAQ."""
    return knowledge_text(*(f"{folder}/{doc}" for doc in docs for folder in ("policies", "faq")))


CONTEXT = _knowledge("shipping", "returns", "refunds", "warranty", "payments", "products")


@pytest.mark.parametrize(
    ("draft", "scope"),
    [
        (
            "A person replies to every message within one business day, weekends included.",
            "weekends",
        ),
        ("Returns within the US are free, and for customers in Canada too.", "canada"),
        ("You can return clothing within 30 days even if it has been altered.", "altered"),
        ("You can cancel an order at no cost, even once it's left our warehouse.", "warehouse"),
        ("We refund the full price you paid, including gift wrapping.", "gift wrapping"),
    ],
)
def test_a_scope_the_closest_sentence_does_not_state_is_a_condition(draft: str, scope: str) -> None:
    findings = check_claims(draft, CONTEXT)
    assert [f.kind for f in findings] == [ClaimKind.condition]
    assert scope in findings[0].reason()


@pytest.mark.parametrize(
    "draft",
    [
        "We refund the full price of the returned items, sales tax included.",
        "Even once the warranty is over, our workshop in Portland can often repair bags for a fee.",
        "If an item arrives damaged or faulty, you can choose a refund or a replacement, even if "
        "it was marked Final Sale.",
    ],
)
def test_a_scope_the_knowledge_states_passes(draft: str) -> None:
    assert check_claims(draft, CONTEXT) == []


def test_extensions_are_read_after_and_before_their_marker() -> None:
    assert extensions("replies within a day, including holidays.") == ("holidays",)
    assert extensions("free for customers in canada too.") == ("customers in canada",)
    assert extensions("we take paypal as well as cards.") == ()


@pytest.mark.parametrize(
    "draft",
    [
        "The Fernhill Promise also covers accidents.",
        "The warranty covers damage from pets.",
    ],
)
def test_an_item_of_a_list_the_knowledge_denies_is_a_flipped_polarity(draft: str) -> None:
    findings = check_claims(draft, CONTEXT)
    assert [f.kind for f in findings] == [ClaimKind.polarity]
    assert "doesn't cover" in findings[0].closest


@pytest.mark.parametrize(
    "draft",
    [
        "Accidents and damage from pets aren't covered by the warranty.",
        "The Fernhill Promise covers broken stitching, failed zippers and loose straps.",
    ],
)
def test_the_list_said_the_same_way_passes(draft: str) -> None:
    assert check_claims(draft, CONTEXT) == []


def test_the_items_after_a_negated_verb_are_denied_and_a_new_subject_ends_the_list() -> None:
    denied, _ = governed("the warranty doesn't cover wear and tear, accidents, damage from pets")
    assert {"cover", "accident", "damag"} <= denied
    denied, plain = governed("they never expire, and you can check a balance")
    assert denied == {"expir"}
    assert "check" in plain
    # "no interest" negates a noun: what follows is no list of denied things.
    denied, _ = governed("4 no interest payments, one every 2 weeks")
    assert denied == {"interest"}


@pytest.mark.parametrize(
    "draft",
    [
        "With gift wrap, the prices are printed on the packing slip.",
        "Our packaging isn't plastic-free.",
        "Our warehouse is open on Thanksgiving.",
    ],
)
def test_a_predicate_said_by_its_opposite_is_a_flipped_polarity(draft: str) -> None:
    assert [f.kind for f in check_claims(draft, CONTEXT)] == [ClaimKind.polarity]


@pytest.mark.parametrize(
    "draft",
    [
        "When you add gift wrap, we leave the prices off the packing slip.",
        "Our packaging is plastic-free.",
        "The warehouse is closed on Thanksgiving.",
        "Import duties and taxes are excluded from our prices.",
    ],
)
def test_the_opposite_said_the_knowledge_s_way_passes(draft: str) -> None:
    assert check_claims(draft, CONTEXT) == []


def test_a_swapped_modifier_is_quoted_with_the_knowledge_s() -> None:
    draft = (
        "If you paid with a Fernhill gift card, that part of the refund goes to your debit card."
    )
    findings = check_claims(draft, CONTEXT)
    assert [f.kind for f in findings] == [ClaimKind.entity]
    assert "'debit card' where the knowledge says 'gift card'" in findings[0].reason()


def test_the_same_modifier_or_a_longer_phrase_passes() -> None:
    draft = (
        "If you paid with a Fernhill gift card, that part of the refund goes back onto the card."
    )
    assert check_claims(draft, CONTEXT) == []
    # Only two-word phrases after a determiner are read: no verb is taken for a head.
    read = pairs("orders placed on a business day leave our warehouse")
    assert not [head for _, head, _ in read if head.startswith("leav")]
    assert pairs("the refund goes to your bank card instead.") >= {("bank", "card", "bank card")}


def test_a_carrier_the_knowledge_names_elsewhere_is_a_swap_here() -> None:
    findings = check_claims("Standard shipping takes 3–5 business days with DHL.", CONTEXT)
    assert [f.kind for f in findings] == [ClaimKind.entity]
    assert "'dhl'" in findings[0].reason()


@pytest.mark.parametrize(
    "draft",
    [
        # a denial the knowledge says of the same thing in another sentence ("They never expire")
        "Your Fernhill gift card never expires.",
        # opposite polarity about another word of the sentence
        "For $5 an order we gift wrap everything in recycled kraft paper, and the packing slip "
        "won't show prices.",
        # "paid" is a form of "pay", not a rival; "Pay in 4" is a name, not who pays
        "Orders from $50 up can be paid in 4 interest-free payments through Shop Pay.",
        # generic verbs and a contraction name no capability
        "Gift cards can be used on their own or together with another payment method.",
        "If the carrier confirms a parcel is lost, we'll replace it or refund you, whichever "
        "you'd like.",
        # "we pay shipping" is free shipping for the customer
        "For customers in the US, we pay shipping both ways with a prepaid label.",
    ],
)
def test_faithful_paraphrases_pass(draft: str) -> None:
    assert check_claims(draft, CONTEXT) == []


def test_an_if_clause_asserts_nothing() -> None:
    context = _knowledge("account")
    draft = "You don't need an account to order, because guest checkout works fine."
    assert check_claims(draft, context) == []


@pytest.mark.parametrize(
    ("draft", "phrase"),
    [
        ("Orders shipped to any state have no sales tax.", "any state"),
        ("Standard shipping is free for any basket.", "any basket"),
        ("Returns within any region are free.", "any region"),
    ],
)
def test_a_quantifier_over_what_a_limited_sentence_never_names_is_a_condition(
    draft: str, phrase: str
) -> None:
    context = _knowledge("payments", "shipping", "returns")
    findings = check_claims(draft, context)
    assert [f.kind for f in findings] == [ClaimKind.condition]
    assert f"'{phrase}'" in findings[0].reason()


@pytest.mark.parametrize(
    "draft",
    [
        "Express shipping is $14 on any order.",
        "We complete every data request within 30 days.",
        "You can drop the parcel at any post office.",
    ],
)
def test_a_quantifier_the_knowledge_uses_passes(draft: str) -> None:
    context = _knowledge("shipping", "returns", "privacy")
    assert check_claims(draft, context) == []


def test_the_same_event_on_the_other_side_in_time_is_a_condition() -> None:
    draft = "Sales tax is added after you pay, so it isn't shown at checkout."
    findings = check_claims(draft, _knowledge("payments"))
    assert [f.kind for f in findings] == [ClaimKind.condition]
    assert "'after you pay' where the knowledge says 'before you pay'" in findings[0].reason()


def test_the_same_side_in_other_words_passes() -> None:
    draft = (
        "Sales tax is worked out at checkout from your shipping address, so you see it "
        "before paying."
    )
    assert check_claims(draft, _knowledge("payments")) == []


def test_a_modifier_near_in_meaning_is_no_swap_but_another_anchor_is() -> None:
    context = _knowledge("refunds", "warranty")
    same = "When an order is cancelled before it ships, we refund the whole amount to your card."
    assert check_claims(same, context) == []
    anchored = "Bags are covered for 2 years from the order date."
    findings = check_claims(anchored, context)
    assert [f.kind for f in findings] == [ClaimKind.entity]
    assert "'order date' where the knowledge says 'delivery date'" in findings[0].reason()


@pytest.mark.parametrize(
    ("draft", "means"),
    [
        ("Send us the photos by fax and we'll review your claim.", "fax"),
        ("You can also send us the photos of the problem by text.", "text"),
    ],
)
def test_a_means_the_knowledge_never_mentions_is_an_entity(draft: str, means: str) -> None:
    findings = check_claims(draft, CONTEXT)
    assert [f.kind for f in findings] == [ClaimKind.entity]
    assert f"never mentions '{means}'" in findings[0].reason()


@pytest.mark.parametrize(
    "draft",
    [
        "You can pay with a Fernhill gift card by itself or with another payment method.",
        "Start a claim by emailing help@fernhillgoods.example with photos of the problem.",
        "We keep you updated by email while the repair is under way.",
    ],
)
def test_a_means_the_knowledge_mentions_passes(draft: str) -> None:
    assert check_claims(draft, CONTEXT) == []


def test_a_means_said_in_the_closest_sentence_s_other_word_passes() -> None:
    draft = (
        "Message us here, email help@fernhillgoods.example or get in touch by phone at "
        "(503) 555-0100."
    )
    assert check_claims(draft, _knowledge("account")) == []


def test_a_sentence_about_another_kind_of_the_same_thing_backs_nothing() -> None:
    # The threshold is Standard shipping's: the Standard sentence does not back Express.
    findings = check_claims("Express shipping is free on orders of $75 or more.", CONTEXT)
    assert [f.kind for f in findings] == [ClaimKind.policy_term]
    assert "Express shipping is $14" in findings[0].closest
    assert check_claims("Standard shipping is free on orders of $75 or more.", CONTEXT) == []


@pytest.mark.parametrize(
    ("draft", "said"),
    [
        ("Express shipping takes 1–2 calendar days with FedEx.", "calendar days"),
        (
            "We'll refund the returned item to your account balance within 5–7 business days.",
            "account balance",
        ),
    ],
)
def test_a_policy_term_in_another_form_of_its_rival_is_swapped(draft: str, said: str) -> None:
    findings = check_claims(draft, CONTEXT)
    assert [f.kind for f in findings] == [ClaimKind.policy_term]
    assert f"says '{said}'" in findings[0].reason()


def test_by_a_date_or_a_time_is_no_means() -> None:
    context = "It's expected to arrive by {estimated_delivery}. We reply by tomorrow."
    assert check_claims("It's expected to arrive by November 23.", context) == []
    assert check_claims("Your parcel should arrive by tomorrow evening.", context) == []
