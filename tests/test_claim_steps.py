"""Readings of drafts that walk a customer through steps or options, and of drafts that
answer two questions at once: a numbered step's number, a line that leads into a list, a
list of things a negation after them denies ("Wear and tear, accidents, and damage from
washing aren't covered"), a deed made to wait for an account, a refund's days counted from
dropping the parcel off, the customer's own item in an "even though …", "never something
you pay for", a warehouse that "closes", a gift card the customer pays with, a sentence
that refers back naming the knowledge's own list; and of replies that correct what a
customer believed: a pronoun that stands for the statement before, a material named in
words the knowledge never uses, a thing the reply denies, and "signed up … automatically";
and of long replies: courtesy that offers no new deed. Each is tested both ways: the
change is caught, the faithful wording passes."""

from __future__ import annotations

from functools import lru_cache

from assistant.knowledge.loader import load_knowledge
from assistant.safety.claims import ClaimKind, check_claims
from assistant.safety.verify import Verifier
from assistant.workspace.edit_check import edit_verifier
from tests.support import ROOT, knowledge_text
from tests.support import claim_kinds as kinds
from tests.support import promise_kinds as promises


@lru_cache(maxsize=1)
def _verifier() -> Verifier:
    return edit_verifier(load_knowledge(ROOT / "knowledge"))  # the pipeline's verifier


def _problems(draft: str, *documents: str) -> list[str]:
    return _verifier().problems(draft, knowledge_text(*documents), "web_chat", 10_000)


def test_a_numbered_steps_number_is_the_lists_not_a_fact() -> None:
    steps = (
        "Here's how to reset your password:\n"
        '1. Go to fernhillgoods.example/account/login and click "Forgot password?".\n'
        "2. Enter the email address on your account, and we'll send you a reset link that "
        "works for 24 hours.\n"
        "3) If it hasn't arrived after a few minutes, take a look in your spam folder."
    )
    assert promises(steps, "faq/account") == []
    assert _problems(steps, "faq/account") == []
    # A number inside a step is still a fact: the link works for 24 hours, not 48.
    longer = steps.replace("24 hours", "48 hours")
    assert promises(longer, "faq/account") == ["duration"]
    # "Step 2:" too; a number that opens a line without a marker's stop is a fact.
    assert promises("Step 2: wait up to 24 hours for the first scan.", "policies/shipping") == []
    assert promises("3 mugs come in the Stoneware Mug Set.", "faq/products") != []


def test_a_line_that_leads_into_a_list_is_read_by_its_items() -> None:
    # "Reach a person here, by email at help@…, or by phone at (503) 555-0100 …"
    lead_in = (
        "You can reach a person on our team in any of these ways:\n"
        "- Message us right here.\n"
        "- Email help@fernhillgoods.example."
    )
    assert kinds(lead_in, "faq/account") == []
    # An item that says what the knowledge does not is still caught.
    invented = lead_in + "\n- Book a video call with a stylist from your account."
    assert kinds(invented, "faq/account") != []


def test_a_negation_after_a_list_denies_every_item_of_it() -> None:
    # "The warranty doesn't cover normal wear and tear, accidents, damage from pets, or
    # damage caused by washing or drying an item against its care label."
    kept = (
        "Normal wear and tear, accidents, pet damage, and damage from washing or drying an "
        "item against its care label aren't covered."
    )
    assert kinds(kept, "policies/warranty") == []
    flipped = "Accidents, pet damage, and damage from washing or drying an item are covered."
    assert kinds(flipped, "policies/warranty") == [ClaimKind.polarity]


def test_a_deed_made_to_wait_for_an_account_the_knowledge_never_asks_for() -> None:
    # "Tap "Notify me" on the product page, or ask us here to let you know, …"
    kept = "Tap \"Notify me\" on the product page and we'll send you one message when it's back."
    assert kinds(kept, "faq/products") == []
    signed_in = 'Sign in to your account first, then tap "Notify me" on the product page.'
    assert kinds(signed_in, "faq/products") == [ClaimKind.condition]
    # "You can also pay with a Fernhill gift card, on its own or together with another
    # payment method."
    paying = "You can pay with a Fernhill gift card once you're signed in to your account."
    assert kinds(paying, "faq/payments") == [ClaimKind.condition]
    # Where the knowledge speaks of the account, signing in is its own.
    account = "Once you're signed in, you can track your orders and start returns faster."
    assert kinds(account, "faq/account") == []


def test_a_refunds_days_counted_from_dropping_the_parcel_off() -> None:
    # "We refund to your original payment method within 5–7 business days of your return
    # arriving at our warehouse."
    kept = (
        "Your refund goes back to your original payment method within 5–7 business days of "
        "your return arriving at our warehouse."
    )
    assert kinds(kept, "policies/refunds") == []
    dropped = (
        "Your refund goes back to your original payment method within 5–7 business days of "
        "you dropping the return off at the post office."
    )
    assert kinds(dropped, "policies/refunds") == [ClaimKind.condition]


def test_the_customers_own_item_in_an_even_though_is_their_case() -> None:
    # "Even after the warranty ends, our workshop in Portland can often repair bags for a fee."
    names = _verifier().names
    context = knowledge_text("policies/warranty")
    kept = (
        "Even though the warranty on your tote has ended, our Portland workshop can often "
        "repair bags for a fee."
    )
    assert check_claims(kept, context, names) == []
    # A scope the knowledge never gives is still added.
    added = "Our Portland workshop can repair bags for a fee, even for items bought elsewhere."
    assert check_claims(added, context, names) != []


def test_never_something_you_pay_for_is_free() -> None:
    # "You never pay return shipping for a damaged or wrong item."
    kept = "Return shipping on a damaged or wrong item is never something you pay for."
    assert kinds(kept, "policies/returns") == []
    paid = "Return shipping on a damaged or wrong item is something you pay for."
    assert kinds(paid, "policies/returns") != []


def test_a_warehouse_that_closes_is_not_open() -> None:
    # "Our warehouse is closed December 24–25 and reopens on Monday, December 28."
    kept = "Our warehouse closes for December 24–25 and opens again on December 28."
    assert kinds(kept, "policies/shipping") == []
    opened = "Our warehouse stays open December 24–25."
    assert kinds(opened, "policies/shipping") != []


def test_a_gift_card_the_customer_pays_with_is_no_promise() -> None:
    kept = (
        "You can use a Fernhill gift card too, either by itself or combined with another "
        "payment method."
    )
    assert _problems(kept, "faq/payments") == []
    for given in (
        "We'll send you a gift card for the trouble.",
        "We'll apply a gift card to your account for the trouble.",
        "We can use a gift card to make it up to you.",
    ):
        assert "promise" in promises(given, "faq/payments"), given


def test_a_sentence_that_refers_back_may_name_the_knowledges_own_list() -> None:
    # "Our bags are made from organic cotton canvas, waxed canvas and natural cork."
    names = _verifier().names
    context = knowledge_text("faq/products")
    prices = (
        "The Canvas Market Tote is $42, the Cork Crossbody Bag is $68 and the Waxed Canvas "
        "Backpack is $148, while our biggest bag, the Waxed Canvas Weekender, is $178."
    )
    kept = f"{prices} They're made from organic cotton canvas, waxed canvas and natural cork."
    assert check_claims(kept, context, names) == []
    added = f"{prices} They're made from organic cotton canvas, waxed canvas and alpaca."
    assert [f.kind for f in check_claims(added, context, names)] == [ClaimKind.entity]


def test_a_pronoun_after_a_subject_without_an_auxiliary_stands_for_the_statement_before() -> None:
    # "Each product page lists the exact materials and where the piece was made."
    flipped = (
        "Each product page lists the exact materials, though it doesn't say where the piece "
        "was made."
    )
    assert kinds(flipped, "faq/products") == [ClaimKind.polarity]
    kept = "Each product page lists the exact materials, and it also says where the piece was made."
    assert kinds(kept, "faq/products") == []
    # "Our tops, sweaters and fleeces are unisex and come in XS to XXL."
    assert kinds("Our fleeces come in XS to XXL, but they aren't unisex.", "faq/sizing") == [
        ClaimKind.polarity
    ]


def test_a_material_with_one_word_the_knowledge_never_uses_is_another_material() -> None:
    # "… and fleece made from recycled plastic bottles."
    names = _verifier().names
    context = knowledge_text("faq/products")
    for invented in (
        "The Recycled Fleece Pullover's fleece is made from recycled cotton offcuts.",
        "Our Recycled Fleece Pullover is made from fleece spun from recycled fishing nets.",
    ):
        assert [f.kind for f in check_claims(invented, context, names)] == [ClaimKind.entity]
    assert check_claims("Our fleece is made from recycled plastic bottles.", context, names) == []


def test_a_thing_the_reply_denies_is_not_claimed() -> None:
    # Correcting a customer: what the knowledge never names, or its rival, said not to be so.
    names = _verifier().names
    products, sizing = knowledge_text("faq/products"), knowledge_text("faq/sizing")
    corrected = (
        "Actually, our fleece isn't made from new polyester; it's made from recycled plastic "
        "bottles."
    )
    assert check_claims(corrected, products, names) == []
    assert check_claims("Our fleece is made from new polyester.", products, names) != []
    unisex = "Our tops are unisex, so there aren't separate men's and women's sizes."
    assert check_claims(unisex, sizing, names) == []
    split = "Our tops come in separate men's and women's sizes."
    assert [f.kind for f in check_claims(split, sizing, names)] == [ClaimKind.policy_term]
    # A negation of another verb denies that verb, not the thing after it: merino is dried
    # flat, so "won't shrink in the dryer" says the dryer is fine.
    dryer = "Merino and alpaca won't shrink in the dryer, as long as you wash them cold first."
    assert check_claims(dryer, sizing, names) != []


def test_signed_up_for_something_automatically_is_not_opting_in() -> None:
    # "… and, if you opt in, send you our newsletter or restock alerts."
    automatic = "When you place an order, you're signed up for our newsletter automatically."
    assert kinds(automatic, "policies/privacy") == [ClaimKind.policy_term]
    assert kinds("If you opt in, we'll send you our newsletter.", "policies/privacy") == []


def test_courtesy_in_a_long_reply_offers_no_new_deed() -> None:
    for courtesy in (
        "Have a wonderful day!",
        "Happy shopping, and let us know if we can help with anything else!",
        "Hi there, thanks for reaching out, and I'm sorry to hear you had trouble with an order.",
        "Let us know if we can help you find the right fit!",
        "Hi, happy to walk you through returns and exchanges!",
    ):
        assert kinds(courtesy, "policies/returns", "faq/returns") == [], courtesy
    # A deed in a courtesy's words, or a claim after the offer, is still read.
    pickup = "Let us know if we can arrange a free courier pickup for you!"
    assert kinds(pickup, "policies/returns") == [ClaimKind.capability]
    for offered in (
        "I'm sorry to hear that, we can hem the trousers for you.",
        "Have a great day, and we can also hem your trousers!",
    ):
        assert kinds(offered, "faq/sizing") == [ClaimKind.capability], offered
    covered = "Happy to help with your return, and we cover the return shipping!"
    assert kinds(covered, "policies/returns") != []


def test_words_that_say_how_a_reply_is_put_add_no_capability() -> None:
    # "To stop the emails, click "Unsubscribe" at the bottom of any newsletter …"
    fewer = (
        'If you\'d simply like fewer emails instead, you can click "Unsubscribe" at the '
        "bottom of any newsletter."
    )
    assert kinds(fewer, "faq/account") == []
    # "… the page … guides you through the process": what is explained, not a means.
    names = _verifier().names
    guided = "If you're outside the US, that same page guides you through the process."
    assert check_claims(guided, knowledge_text("policies/returns"), names) == []
    assert (
        check_claims(
            "You can send your return through a courier of your choice.",
            knowledge_text("policies/returns"),
            names,
        )
        != []
    )
