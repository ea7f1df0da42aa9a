"""Readings of drafts in the styles of the sets read last (citing the policy, hedging,
facts in asides, comparing two options): a message "sent" named by its kind, a requirement
or a start of a period the knowledge never sets for that deed, a clause set off by a spaced
dash, "no longer", a fit said the other way, an aside between subject and verb or a
comparison's signpost, a scope read on its side of a comparison, a tool of the brand's that
the knowledge never names, a service it never offers, a clause under its own scope, and
the brand's own documents cited by name or as where a claim comes from. Each is tested both
ways: the change is caught, the faithful wording passes."""

from __future__ import annotations

from assistant.knowledge.loader import load_knowledge
from assistant.safety.claims import ClaimKind
from assistant.safety.verify import Verifier
from tests.support import ROOT, knowledge_text
from tests.support import claim_kinds as kinds


def test_a_message_sent_is_the_deed_of_its_kind() -> None:
    # The privacy policy: "We complete every request within 30 days and confirm by email".
    sent = "Every request is completed within 30 days, and we'll send you an email to confirm."
    assert kinds(sent, "policies/privacy") == []
    assert kinds(sent.replace("we'll send", "we'll also send"), "policies/privacy") == []
    # A text message is still a channel the knowledge never names.
    texted = sent.replace("an email", "a text message")
    assert kinds(texted, "policies/privacy") == [ClaimKind.entity]


def test_a_requirement_the_knowledge_sets_for_another_deed_is_caught() -> None:
    # The returns policy asks for the original packaging of a return, not of a damaged item.
    damaged = (
        "If your order arrives damaged, contact us within 14 days of delivery with a photo of "
        "the item and the packing slip, and a person on our team will sort it out, as long as "
        "you still have the original packaging."
    )
    assert kinds(damaged, "policies/returns") == [ClaimKind.condition]
    returned = (
        "You have 30 days from the delivery date to start a return, as long as home goods are "
        "unused and in their original packaging."
    )
    assert kinds(returned, "policies/returns") == []


def test_a_requirement_of_the_drafters_own_is_caught_where_it_is_said_apart() -> None:
    # The gift wrapping answer names no place; "it" is the wrapping of the sentence before.
    wrapped = (
        'Gift wrapping is $5 per order: just tick "Add gift wrap" at checkout. '
        "I believe it's only available on orders shipping within the US."
    )
    assert kinds(wrapped, "faq/products") == [ClaimKind.condition]
    assert kinds(wrapped.rpartition(" I believe")[0], "faq/products") == []


def test_the_knowledges_own_requirement_in_another_form_passes() -> None:
    # The privacy policy: "and, if you opt in, to send you our newsletter or restock alerts".
    opted = (
        "We use your data to fulfil orders and answer your questions, and to send our "
        "newsletter or restock alerts only if you've opted in."
    )
    assert kinds(opted, "policies/privacy") == []
    # An account asked for where the knowledge about it asks for none.
    chart = "The full size chart is at fernhillgoods.example/size-guide."
    assert kinds(chart, "faq/sizing") == []
    hedged = ", though I believe you need to be signed in to see it."
    signed_in = chart.removesuffix(".") + hedged
    assert kinds(signed_in, "faq/sizing") == [ClaimKind.condition]


def test_a_start_the_knowledge_never_gives_a_period_is_caught() -> None:
    # The privacy policy keeps message history "for 12 months and then" deletes it.
    closed = "We keep your message history for 12 months after your account is closed."
    assert kinds(closed, "policies/privacy") == [ClaimKind.condition]
    assert kinds(closed.replace(" after your account is closed", ""), "policies/privacy") == []
    verified = (
        "We complete every request within 30 days (counted from the day we've verified your "
        "identity) and confirm by email once it's done."
    )
    assert kinds(verified, "policies/privacy") == [ClaimKind.condition]
    # The shipping policy counts every delivery time "from the day your order ships", in a
    # sentence of its own.
    counted = "Express takes 1–2 business days, counted from the day your order ships."
    assert kinds(counted, "policies/shipping") == []
    # … and a claim that counts them from another step of the order's life changes it.
    placed = (
        "Standard shipping goes with USPS or UPS and takes 3–5 business days, which are "
        "counted from the day you {}."
    )
    assert kinds(placed.format("place your order"), "policies/shipping") == [ClaimKind.condition]
    assert kinds(placed.format("order ships").replace("you ", "your "), "policies/shipping") == []


def test_a_clause_set_off_by_a_spaced_dash_is_read_on_its_own() -> None:
    # The payments FAQ: "your bank … may add a foreign transaction fee; we don't add any fees
    # of our own".
    fees = (
        "If you pay with a card from another country, your bank converts the amount and may "
        "add a foreign transaction fee - we don't add any fees of our own."
    )
    assert kinds(fees, "faq/payments") == []
    assert kinds(fees.replace("don't add any", "add a small"), "faq/payments") != []
    # The account FAQ: "No, you can check out as a guest." The customer's name is no deed.
    guest = "Hi Maya, no account needed - you can check out as a guest."
    assert kinds(guest, "faq/account") == []
    # "Call or text" names a channel the contact answer never does.
    texted = "You can email help@fernhillgoods.example or call or text (503) 555-0100."
    assert kinds(texted, "faq/account") == [ClaimKind.entity]
    assert kinds(texted.replace("call or text", "call"), "faq/account") == []


def test_no_longer_is_a_negation_of_the_verb_it_governs() -> None:
    # The shipping policy: "the carrier's tracking page may let you redirect it".
    redirect = "Once a parcel is with the carrier, the tracking page may let you redirect it."
    assert kinds(redirect, "policies/shipping") == []
    denied = "Once a parcel is with the carrier, though, it can no longer be redirected."
    assert kinds(denied, "policies/shipping") == [ClaimKind.polarity]


def test_a_fit_said_the_other_way_in_an_aside_is_caught() -> None:
    # The sizing FAQ: the shirt and the pullover "are cut roomy on purpose".
    aside = "The Linen Button-Up Shirt and Recycled Fleece Pullover (cut {} on purpose) run big."
    assert kinds(aside.format("roomy"), "faq/sizing") == []
    assert kinds(aside.format("slim"), "faq/sizing") == [ClaimKind.policy_term]


def test_an_aside_between_subject_and_verb_leaves_the_claim_whole() -> None:
    # The returns policy: "… and gift cards can't be returned or exchanged".
    aside = "Gift cards, though, {} within 30 days of delivery."
    assert kinds(aside.format("should be returnable"), "policies/returns") == [ClaimKind.polarity]
    assert kinds("Gift cards, though, can't be returned or exchanged.", "policies/returns") == []


def test_a_place_added_to_a_deed_the_knowledge_gives_everywhere_is_caught() -> None:
    # The returns policy: exchanges are free within 30 days, with no place named.
    exchange = (
        "Exchanges for a different size or color of the same item are free{} within 30 days "
        "of delivery."
    )
    assert kinds(exchange.format(""), "policies/returns") == []
    placed = exchange.format(" (for orders shipped within the US)")
    assert kinds(placed, "policies/returns") == [ClaimKind.condition]
    # A place the knowledge says otherwise: "a card from another country".
    abroad = (
        "If your card is from outside the US, your bank converts the amount and may add a "
        "foreign transaction fee."
    )
    assert kinds(abroad, "faq/payments") == []


def test_a_tool_of_the_brands_that_the_knowledge_never_names_is_caught() -> None:
    # The warranty policy: "Send us photos and a person on our team will tell you the price".
    hand = "Send us photos, and {} will tell you the price before any work starts."
    assert kinds(hand.format("our online repair estimator"), "policies/warranty") == [
        ClaimKind.capability
    ]
    assert kinds(hand.format("our agents"), "policies/warranty") == []
    website = "Our website lets you track any order with your order number."
    assert kinds(website, "policies/shipping") == []
    assert kinds(hand.format("a person on our team"), "policies/warranty") == []


def test_a_comparisons_signpost_says_nothing_of_its_own() -> None:
    # The shipping policy: "Express shipping takes 1–2 business days with FedEx".
    express = "Express, by contrast, takes 1–2 business days with {}."
    assert kinds(express.format("FedEx"), "policies/shipping") == []
    assert kinds(express.format("DHL"), "policies/shipping") == [ClaimKind.entity]
    # The account FAQ: "To stop the emails, click "Unsubscribe" at the bottom of any …".
    leave = 'To leave, on the other hand, just click "Unsubscribe" at the bottom of any newsletter.'
    assert kinds(leave, "faq/account") == []


def test_a_scope_on_one_side_of_a_comparison_is_read_against_that_side() -> None:
    # The refunds policy: "We refund the full price you paid for the returned items,
    # including any sales tax. Original shipping charges are refunded only when …".
    compared = (
        "We refund the full price you paid for the returned items, including {}, whereas "
        "original shipping charges are refunded only when an item arrived damaged, faulty or "
        "wrong."
    )
    assert kinds(compared.format("any sales tax"), "policies/refunds") == []
    assert kinds(compared.format("any customs fees"), "policies/refunds") == [ClaimKind.condition]


def test_a_service_the_knowledge_never_offers_is_caught() -> None:
    # The products FAQ: "Tap "Notify me" on the product page … we'll send you one message".
    notify = "Tap \"Notify me\" on the product page and we'll send you one message when it's back."
    assert kinds(notify, "faq/products") == []
    for service in ("a pre-order", "local pickup", "price matching"):
        offered = f"You can also ask for {service} on the product page."
        assert kinds(offered, "faq/products") == [ClaimKind.entity], service


def test_a_clause_under_its_own_scope_is_not_in_the_sentences_case() -> None:
    # The refunds policy gives Pay in 4 refunds to the plan and gift-card parts to the card.
    both = (
        "If you paid with Pay in 4 through Shop Pay Installments, the refund is applied to "
        "your installment plan, and any part paid with a Fernhill gift card goes back onto {}."
    )
    assert kinds(both.format("that gift card"), "policies/refunds") == []
    assert kinds(both.format("your store credit"), "policies/refunds") == [ClaimKind.entity]


def test_a_reply_that_cites_the_brands_policy_by_its_name_is_read_for_its_claims() -> None:
    verifier = Verifier(load_knowledge(ROOT / "knowledge"), [])
    privacy = knowledge_text("policies/privacy")
    cited = (
        "Per our Privacy Policy, we complete every request within 30 days and confirm by "
        "email once it's done, and as the FAQ puts it, we never sell your personal data."
    )
    assert verifier.problems(cited, privacy, "web_chat", 2000) == []
    # A document the brand does not have is still a name the knowledge never uses …
    charter = cited.replace("Privacy Policy", "Data Deletion Charter")
    assert any("'Deletion'" in p for p in verifier.problems(charter, privacy, "web_chat", 2000))
    # … and a change inside the citation is still caught.
    changed = cited.replace("by email", "by text message")
    assert any("text message" in p for p in verifier.problems(changed, privacy, "web_chat", 2000))


def test_where_a_claim_is_said_to_come_from_is_no_claim_of_its_own() -> None:
    # The account FAQ: "No, you can check out as a guest."
    cited = 'Our account FAQ says "you can check out as a guest."'
    assert kinds(cited, "faq/account") == []
    assert kinds(cited.replace("a guest", "a guest on the app"), "faq/account") == [
        ClaimKind.entity
    ]
    # Pay in 4 is open to any order of $50 or more; a US address is the drafter's own.
    split = (
        'Per our FAQ, with Pay in 4 "you can split orders of $50 or more into 4 interest-free '
        'payments, one every 2 weeks{}."'
    )
    assert kinds(split.format(""), "faq/payments") == []
    placed = split.format(", if you're shipping to a US address")
    assert kinds(placed, "faq/payments") == [ClaimKind.condition]
    # The newsletter's welcome code asks for no account.
    code = "Per our FAQ, we'll email you a welcome code for 10% off your first order{}."
    assert kinds(code.format(""), "faq/account") == []
    created = code.format(" once you've created an account")
    assert kinds(created, "faq/account") == [ClaimKind.condition]
