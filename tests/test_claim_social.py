"""Readings of the short replies brands post on social media and by email: a question that
opens the customer's case ("Paid with a gift card? …"), an emoji that ends a sentence, the
customer's product named where the answer retrieved does not name it, the brand said to do
what the knowledge leaves to a carrier's page, "keep … off", "isn't part of the refund", a
money-back guarantee for a warranty, courtesy ("we can help with that", "whenever you're
ready"), a statement of its own that says when its period starts ("counts from"), an answer
"Not at all," that denies nothing, who a deed is done "by a real person", opting out as
unsubscribing, "taken out of" the refund, archived or in long-term storage for deleted, the
brand said to collect what a carrier collects, a refund said as reimbursing, and how many
options a list has. Each is tested both ways: the change is caught, the faithful wording
passes."""

from __future__ import annotations

from functools import lru_cache

from assistant.knowledge.loader import Knowledge, load_knowledge
from assistant.safety.claims import ClaimKind, check_claims
from assistant.safety.verify import Verifier
from assistant.workspace.edit_check import edit_verifier
from tests.support import ROOT, knowledge_text
from tests.support import claim_kinds as kinds
from tests.support import promise_kinds as promises


@lru_cache(maxsize=1)
def _sample() -> tuple[Knowledge, Verifier]:
    knowledge = load_knowledge(ROOT / "knowledge")
    return knowledge, edit_verifier(knowledge)  # the pipeline's verifier


def test_a_question_that_opens_the_case_is_read_with_the_answer_after_it() -> None:
    # "If you paid with Pay in 4 through Shop Pay Installments, the refund is applied to your
    # installment plan …. If you paid with a Fernhill gift card, that part of the refund goes
    # back onto the gift card."
    kept = "Paid with a Fernhill gift card? That part of the refund goes back onto the gift card."
    assert kinds(kept, "policies/refunds") == []
    swapped = (
        "Paid with a Fernhill gift card? We'll refund that part to your original card instead."
    )
    found = check_claims(swapped, knowledge_text("policies/refunds"))
    assert [f.kind for f in found] == [ClaimKind.policy_term]
    assert found[0].claim == swapped  # the draft's own words are quoted
    other = "Paid with Afterpay? Your refund goes onto your installment plan."
    assert kinds(other, "policies/refunds") == [ClaimKind.entity]
    # A question to the customer opens no case: what follows is said of anyone.
    asked = "Would you like a refund? It goes back to your original payment method."
    assert kinds(asked, "policies/refunds") == []


def test_an_emoji_before_a_capital_ends_a_sentence() -> None:
    # "We accept Visa, …, Google Pay and Shop Pay. You can also pay with a Fernhill gift card,
    # on its own or together with another payment method."
    kept = (
        "We take Visa, Mastercard, Amex and Discover, plus PayPal, Apple Pay, Google Pay and Shop "
        "Pay 💳 Fernhill gift cards work too, on their own or with another method!"
    )
    assert kinds(kept, "faq/payments") == []
    added = "We take Visa, Mastercard, PayPal and Venmo 💳 Fernhill gift cards work too!"
    assert kinds(added, "faq/payments") == [ClaimKind.entity]


def test_the_customers_product_is_a_name_of_the_brand_not_a_claim() -> None:
    # The warranty answer names no product; the brand's catalogue does.
    knowledge, verifier = _sample()
    context = knowledge_text("policies/warranty")
    named = "I'm so sorry the zipper gave out on your Waxed Canvas Weekender."
    assert check_claims(named, context) != []  # without the brand's names, an unknown name
    assert check_claims(named, context, verifier.names) == []
    assert verifier.problems(named, context, "instagram", 1000) == []
    longer = "I'm so sorry the zipper gave out on the Fernhill Waxed Canvas Weekender you love."
    assert check_claims(longer, context, verifier.names) == []  # the name inside a longer run
    # A product the brand never sold, or a material its name does not carry, is still a claim.
    invented = "I'm so sorry the zipper gave out on your Alpaca Travel Duffel."
    assert [f.kind for f in check_claims(invented, context, verifier.names)] == [ClaimKind.entity]
    made = "Your tote is made of merino, so the zipper is covered."
    assert check_claims(made, context, verifier.names) != []
    # Every order's items count: the order record is the brand's too.
    assert "organic cotton tee" in verifier.names
    assert any("Organic Cotton Tee" in i for o in knowledge.orders for i in o.items)


def test_the_brand_said_to_do_what_the_knowledge_leaves_to_the_carriers_page() -> None:
    # "Once a parcel is with the carrier, the carrier's tracking page may let you redirect it."
    kept = "Once it's with the carrier, the carrier's tracking page may let you redirect it."
    assert kinds(kept, "faq/account") == []
    moved = "Already shipped? No worries, once it's with the carrier we can redirect it for you."
    assert kinds(moved, "faq/account") == [ClaimKind.capability]
    # "You can change your shipping address … as long as your order hasn't shipped yet.
    # Message us …": the brand changes it when asked.
    ours = "Since your order hasn't shipped yet, we can still change the address!"
    assert kinds(ours, "faq/account") == []


def test_keeping_the_prices_off_is_leaving_them_off() -> None:
    # "… and we'll leave the prices off the packing slip."
    kept = "It's $5 per order, and we'll keep the prices off the packing slip."
    assert kinds(kept, "faq/products") == []
    printed = "It's $5 per order, and we'll print the prices on the packing slip."
    assert kinds(printed, "faq/products") == [ClaimKind.polarity]


def test_what_is_not_part_of_the_refund_is_not_included_in_it() -> None:
    # "We refund the full price you paid for the returned items, including any sales tax."
    left_out = "Heads up: sales tax isn't part of the refund, you'll get the price of the items."
    assert kinds(left_out, "policies/refunds") == [ClaimKind.polarity]
    kept = "Sales tax is part of the refund, so you get back the full price you paid."
    assert kinds(kept, "policies/refunds") == []
    # "that part of the refund goes back onto the gift card": a share, not what is included.
    share = "If you paid with a Fernhill gift card, that part of the refund goes back onto it."
    assert kinds(share, "policies/refunds") == []


def test_a_money_back_guarantee_is_not_the_warranty() -> None:
    # "… our bags come with a 2-year warranty and everything else with a 1-year warranty."
    kept = "Our bags come with a 2-year warranty and everything else gets 1 year."
    assert kinds(kept, "faq/products") == []
    swapped = "Our bags come with a 2-year money-back guarantee and everything else gets 1 year."
    assert kinds(swapped, "faq/products") == [ClaimKind.policy_term]


def test_courtesy_describes_no_capability() -> None:
    # "Start a return at fernhillgoods.example/returns with your order number and …"
    started = "You can get started at fernhillgoods.example/returns whenever you're ready."
    assert kinds(started, "policies/returns") == []
    helped = "No problem, we can help with cancelling."
    assert kinds(helped, "policies/refunds") == []
    # A deed the knowledge never describes is still one.
    invented = "You can get started in our mobile app whenever you're ready."
    assert kinds(invented, "policies/returns") == [ClaimKind.entity]


def test_an_aside_does_not_hide_what_a_price_is_of() -> None:
    # "… the Linen Throw Blanket is $124 and the Stoneware Mug Set (two mugs) is $38."
    for kept in (
        "The Stoneware Mug Set is $38.",
        "For home, the Linen Throw Blanket is $124 and the Stoneware Mug Set of two mugs $38.",
    ):
        assert promises(kept, "faq/products") == [], kept
    assert promises("The Linen Napkins are $38.", "faq/products") == ["amount"]


def test_a_statement_of_its_own_says_when_its_period_starts() -> None:
    # "Express shipping takes 1–2 business days with FedEx and costs $14 on any order.
    # Delivery times are counted from the day your order ships."
    moved = (
        "Express is $14 on any order, since the 1–2 business days are counted from the moment "
        "you check out."
    )
    assert kinds(moved, "policies/shipping") == [ClaimKind.condition]
    kept = "Express is $14 on any order, since the 1–2 business days are counted once it ships."
    assert kinds(kept, "policies/shipping") == []
    # A condition the first part gives is not one the statement after it leaves out.
    shared = "US customers get a prepaid label, so we cover shipping both ways."
    assert kinds(shared, "policies/warranty") == []


def test_a_window_that_counts_from_another_event_is_a_changed_start() -> None:
    # "You have 30 days from the delivery date to start a return."
    moved = "The 30-day window to start a return counts from the date you placed your order."
    assert kinds(moved, "policies/returns") == [ClaimKind.condition]
    kept = "The 30-day window to start a return counts from the day it's delivered."
    assert kinds(kept, "policies/returns") == []


def test_a_material_in_the_customers_product_name_is_no_rival_of_another_name() -> None:
    # "The Merino Crew Sweater and Organic Cotton Tee fit true to size …", and the socks'
    # sentence names the size guide: its "Wool" is a word of a name too.
    _, verifier = _sample()
    context = knowledge_text("faq/sizing")
    named = (
        "The Organic Cotton Tee fits true to size, and you'll find the full chart at "
        "fernhillgoods.example/size-guide."
    )
    assert check_claims(named, context, verifier.names) == []
    # A bare material beside the care label's is still compared: waxed canvas is wiped clean.
    washed = "Pop your Waxed Canvas Backpack in the washing machine on a cold, gentle cycle."
    assert check_claims(washed, knowledge_text("faq/products"), verifier.names) != []


def test_an_answer_no_denies_nothing_the_sentence_says() -> None:
    # "You do not need an account to place an order: you can check out as a guest."
    assert kinds("Not at all, you're welcome to check out as a guest.", "faq/account") == []
    needed = "Not at all, you'll need to create an account to place an order."
    assert kinds(needed, "faq/account") == [ClaimKind.polarity]


def test_who_a_deed_is_done_by_is_read_past_a_word_describing_them() -> None:
    kept = "Every refund request is looked at by a real person on our customer care team."
    assert kinds(kept, "policies/refunds") == []
    invented = "Every refund request is looked at by a chatbot first."
    assert kinds(invented, "policies/refunds") == [ClaimKind.entity]


def test_opting_out_is_unsubscribing() -> None:
    # "You can unsubscribe from our newsletter with the link at the bottom of every email …"
    kept = "You can opt out with the link at the bottom of every newsletter email."
    assert kinds(kept, "policies/privacy") == []
    assert kinds("You can opt out by calling our hotline.", "policies/privacy") != []


def test_what_is_taken_out_of_the_refund_is_deducted() -> None:
    # "Returns within the US are free, so nothing is deducted for the return label."
    taken = (
        "We refund the full price you paid, although the cost of the return label is taken out "
        "of that amount."
    )
    assert kinds(taken, "policies/refunds") == [ClaimKind.polarity]
    kept = "We refund the full price you paid, and nothing is taken out of it for the label."
    assert kinds(kept, "policies/refunds") == []
    # "taken off the list" deducts nothing.
    listed = "Click Unsubscribe at the bottom of any email and you'll be taken off the list."
    assert kinds(listed, "faq/account") == []


def test_archived_is_not_deleted() -> None:
    # "We keep message history for 12 months and then delete it."
    archived = (
        "We keep message history for 12 months, after which it's archived rather than deleted."
    )
    assert kinds(archived, "policies/privacy") == [ClaimKind.policy_term]
    kept = "We keep message history for 12 months, after which it's deleted."
    assert kinds(kept, "policies/privacy") == []


def test_the_brand_said_to_do_what_the_knowledge_gives_to_a_carrier() -> None:
    # "International orders have no US sales tax, but DHL may collect import duties and
    # taxes on delivery."
    ours = "International orders have no US sales tax, and we collect import duties at checkout."
    assert kinds(ours, "faq/payments") == [ClaimKind.capability]
    theirs = "International orders have no US sales tax, but DHL may collect import duties."
    assert kinds(theirs, "faq/payments") == []


def test_a_refund_said_as_reimbursing_is_the_knowledges_refund() -> None:
    # "Once your return reaches our warehouse, we refund your original payment method within
    # 5–7 business days."
    kept = (
        "Once your return arrives at our warehouse, we'll reimburse you to your original payment "
        "method within 5–7 business days."
    )
    assert promises(kept, "policies/refunds") == []
    assert promises("We'll reimburse you for the shipping too.", "policies/refunds") == ["promise"]
    # "You never pay return shipping for a damaged or wrong item": on us.
    on_us = "You never pay return shipping for a damaged or wrong item, so that part is on us."
    assert promises(on_us, "policies/returns") == []
    invented = "Exchanges are completely on us, and so is the original shipping."
    assert promises(invented, "policies/returns") == ["promise"]


def test_how_many_options_is_no_item_added_to_a_list() -> None:
    listed = (
        "We accept Visa, Mastercard, American Express and Discover, plus PayPal, Apple Pay, "
        "Google Pay and Shop Pay"
    )
    assert kinds(f"{listed}, lots of options!", "faq/payments") == []
    assert kinds(f"{listed}, and cash on pickup!", "faq/payments") == [ClaimKind.capability]
    # "Orders placed before 1 pm Pacific on a business day leave our warehouse … the same day"
    sent = (
        "Orders placed before 1 pm Pacific, Monday to Friday, get dispatched from our Portland, "
        "Oregon warehouse that very same business day!"
    )
    assert kinds(sent, "policies/shipping") == []


def test_long_term_storage_is_not_deleting() -> None:
    stored = "We keep your message history for 12 months, then move it into long-term storage."
    assert kinds(stored, "policies/privacy") == [ClaimKind.policy_term]


def test_a_subject_of_its_own_after_and_takes_its_own_stance_on_who_pays() -> None:
    # "… parcels returned to us as undeliverable need to be shipped again at your cost."
    opening = "We can update the address on an order any time before it ships"
    returned = "parcels returned to us as undeliverable are shipped again"
    ours = f"{opening}, and {returned} at our cost."
    assert kinds(ours, "faq/shipping", "policies/shipping") == [ClaimKind.polarity]
    assert (
        kinds(f"{opening}, and {returned} at your cost.", "faq/shipping", "policies/shipping") == []
    )
