"""Polarity per predicate: a claim that asserts what the knowledge next to it denies (or
denies what it asserts) goes to a person whatever words carry the negation; faithful
rewordings that keep the negation, or move it, do not."""

from __future__ import annotations

import pytest

from assistant.safety.claims import ClaimKind, check_claims
from assistant.safety.predicates import governed
from tests.support import ROOT, knowledge_text

CONTEXT = knowledge_text("faq/payments", "policies/returns", "policies/warranty")


@pytest.mark.parametrize(
    ("draft", "quoted"),
    [
        ("Our gift cards expire 12 months after purchase.", "never expire"),
        ("Please wait until your return reaches us before we send the new size.", "wait"),
        ("The warranty covers damage caused by your dog chewing the strap.", "doesn't cover"),
    ],
)
def test_a_predicate_said_the_other_way_round_is_flagged(draft: str, quoted: str) -> None:
    findings = check_claims(draft, CONTEXT)
    assert [f.kind for f in findings] == [ClaimKind.polarity]
    assert quoted in findings[0].closest.lower()


def test_denying_what_the_knowledge_asserts_is_flagged() -> None:
    findings = check_claims("We don't repair bags once the warranty has ended.", CONTEXT)
    assert [f.kind for f in findings] == [ClaimKind.polarity]
    assert "repair" in findings[0].closest


@pytest.mark.parametrize(
    "draft",
    [
        "Gift cards from us never expire.",
        "Our gift cards don't have an expiry date.",
        "Once the carrier scans your return, we ship the new item; you don't have to wait.",
        "Normal wear and tear isn't something the warranty covers.",
        "Items that someone else has altered aren't covered by the warranty.",
        "Final Sale items and gift cards can't be returned or exchanged.",
        "We never add fees of our own; your bank may add a foreign transaction fee.",
    ],
)
def test_rewordings_that_keep_the_polarity_pass(draft: str) -> None:
    assert check_claims(draft, CONTEXT) == []


def test_the_governed_word_skips_auxiliaries_and_stops_at_the_clause() -> None:
    denied, plain = governed("you don't have to wait for it, and refunds are not refundable")
    assert denied == {"wait", "refund"}
    assert "wait" not in plain
    denied, plain = governed("they never expire, and you can check a balance")
    assert denied == {"expir"}  # the stem: "expires" and "expire" meet there
    assert {"check", "balanc"} <= plain


def test_a_denial_covers_verbs_joined_by_or_and_not_the_statement_after_it() -> None:
    denied, _ = governed("final sale items can't be returned or exchanged")
    assert denied == {"return", "exchang"}
    # A contrast, a subject or an auxiliary opens a statement, not an item of the list.
    denied, plain = governed("they can't be returned, but you're welcome to exchange them")
    assert denied == {"return"} and "exchang" in plain
    denied, plain = governed("you don't need the original packaging, and a person will reply")
    assert denied == {"packag"} and "person" in plain
    assert governed("you don't need the packaging or tags")[0] == {"packag", "tags"}


SIZING = (ROOT / "knowledge" / "faq" / "sizing.md").read_text().split("\n---\n")[-1]
ADDRESS = (
    "We can update the shipping address on an order until it ships; just send us your order "
    "number and the new address. Once a parcel is with the carrier, the carrier's tracking "
    "page may let you redirect it."
)


@pytest.mark.parametrize(
    ("draft", "context", "deed"),
    [
        ("We can hem the trousers to any inseam you like.", SIZING, "hem"),
        ("Our courier will collect the parcel from your door.", ADDRESS, "collect"),
        ("We can cancel the parcel once it is with the carrier.", ADDRESS, "cancel"),
    ],
)
def test_a_deed_the_knowledge_does_not_describe_is_flagged(
    draft: str, context: str, deed: str
) -> None:
    findings = check_claims(draft, context)
    assert [f.kind for f in findings] == [ClaimKind.capability]
    assert f"can '{deed}'" in findings[0].reason()


@pytest.mark.parametrize(
    "draft",
    [
        "We can change the shipping address until your order ships.",
        "We can update the address on your order until it ships.",
        "The carrier's tracking page may let you reroute the parcel once it's with them.",
    ],
)
def test_a_deed_reworded_passes(draft: str) -> None:
    assert check_claims(draft, ADDRESS) == []


def test_a_deed_named_by_another_of_its_names_passes_and_an_unlisted_one_does_not() -> None:
    """MiniLM places "send out" and "ship" apart (0.48): the shop's deeds have their other
    names listed, so the reworded exchange passes, and a deed of its own still goes to a person."""
    exchange = knowledge_text("policies/returns")
    said = "For an exchange, we'll send out the new item as soon as the carrier scans your return."
    assert check_claims(said, exchange) == []
    invented = (
        "For an exchange, we'll engrave the new item as soon as the carrier scans your return."
    )
    findings = check_claims(invented, exchange)
    assert [f.kind for f in findings] == [ClaimKind.capability]
    assert "can 'engrave'" in findings[0].reason()


def test_will_promises_a_deed_of_the_brand_or_the_customer_not_of_a_thing() -> None:
    """What a thing "will" do tells what happens to it, in the drafting model's own words;
    what "we'll" or "you'll" do is a deed the knowledge must describe."""
    happens = "Send us the new address and it will apply to your order until it ships."
    assert check_claims(happens, ADDRESS) == []
    for promise in ("We'll collect the parcel from your door.", "You will collect it at our shop."):
        [finding] = check_claims(promise, ADDRESS)
        assert finding.kind == ClaimKind.capability
        assert "can 'collect'" in finding.reason()


@pytest.mark.parametrize(
    ("draft", "name"),
    [
        ("Standard shipping goes with Skyline Couriers from our warehouse.", "Skyline"),
        ("Our tees are made from Peruvian organic cotton.", "Peruvian"),
    ],
)
def test_a_name_the_knowledge_never_uses_is_flagged(draft: str, name: str) -> None:
    findings = check_claims(draft, knowledge_text("policies/shipping", "faq/products"))
    assert [f.kind for f in findings] == [ClaimKind.entity]
    assert f"the name '{name}'" in findings[0].reason()


@pytest.mark.parametrize(
    "draft",
    [
        "Hi Marcus, every order is charged in USD.",
        "Thanks for your message, Marcus.",  # the default hand-off, filled in
        "Sorry, Marcus, every order is charged in USD.",
        "Every order is charged in USD, Marcus!",
    ],
)
def test_the_customer_addressed_by_name_is_no_claim(draft: str) -> None:
    assert check_claims(draft, CONTEXT) == []


def test_names_the_knowledge_uses_pass_however_spelt() -> None:
    assert check_claims("Every order is charged in USD by Fernhill Goods.", CONTEXT) == []
