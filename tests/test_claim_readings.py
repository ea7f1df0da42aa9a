"""How a claim is read before it is compared: a name said among the knowledge's others, a
period's value beside another value, the event a period is counted from, a claim that
refers back to what the draft said before, a clause inside a list, each clause's own
knowledge, an aside before the subject, a denial that something is affected, a clause that
is new on its own, everyday wording, a size said in full, a reason after ", as", a clause
with its own verb after a denial, a subject added by "works too", a temperature, an address,
a deed done "yourself", a shortened name, a deed by another name, a requirement, "aren't
able to", a noun the knowledge narrows, one thing of several the knowledge denies the deed
of, the customer's case said before, a clause's own cut-off, a product's name, a clause that
says "every", each kind of data with its own period, a team's name, "as well as", a deed
said before "only when", a name shortened or given a word of another, what a thing is made
from. Each reading keeps the
change it guards against caught."""

from __future__ import annotations

import pytest

from assistant.safety.claims import ClaimKind, check_claims
from assistant.safety.grounding import Grounding
from tests.support import knowledge_text

CONTEXT = knowledge_text(
    "faq/account",
    "faq/sizing",
    "policies/warranty",
    "faq/payments",
    "policies/privacy",
    "faq/products",
    "faq/returns",
    "policies/returns",
    "faq/shipping",
    "policies/shipping",
)


def numbers(draft: str) -> list[str]:
    return [f.kind for f in Grounding(CONTEXT, r"FH-\d{5}").unsupported(draft)]


@pytest.mark.parametrize(
    "draft",
    [
        # Two of the three materials the knowledge washes alike.
        "For your cotton and linen pieces, a cold, gentle wash and line drying is best, and "
        "they'll get softer each time.",
        # One of the six countries the knowledge lists.
        "Yes, we ship to Japan! Orders go with DHL Express for a flat $25.",
        # "to send back" is what the 30 days are for; they count from the delivery.
        "You've got 30 days from delivery to send back clothing, as long as it's unworn, "
        "unwashed and still has its original tags.",
        # "this" is the damaged item the draft has just named.
        "I'm so sorry it arrived damaged! Please send us a photo of the item and the packing "
        "slip, and someone on our team will sort it out. You'll never pay return shipping "
        "for this.",
        # Each clause is about its own knowledge sentence: the gift card's, then the balance's.
        "We'll email one straight to the recipient, or to you if you'd rather print it, and "
        "you can check the balance at fernhillgoods.example/gift-cards.",
        # What opting out leaves as it is.
        "Just note that opting out of marketing won't stop the emails about orders you've placed.",
        "You'll still get emails about any order you've placed.",
        # Everyday wording of what the knowledge says plainly.
        "Repairs generally take 2–3 weeks, and we'll keep you posted by email along the way.",
        "There's no expiry date, and you can look up a balance at "
        "fernhillgoods.example/gift-cards.",
        "You can reach us right here, at help@fernhillgoods.example, or by phone on "
        "(503) 555-0100.",
        "Go around the widest part of your chest with a tape measure.",
        "Measure around the fullest part of your chest; at 38–40 inches you'd be a Medium.",
        # A reason of its own after ", as"; "carry" is "sell".
        "We don't carry shoes, as our range is clothing, bags and home goods.",
        # "Since it hasn't shipped" is a condition, not a denial.
        "Since your order hasn't shipped yet, we can still change the address!",
        "Even once a warranty runs out, our Portland workshop can often repair bags for a fee.",
        # Another aligned sentence says "any post office".
        "Since you're in the US, your return won't cost you anything: start it at "
        "fernhillgoods.example/returns with your order number and email, and we'll send you a "
        "prepaid USPS label you can drop off at any post office.",
        "Sorry about that! If the wrong item showed up, send us a photo of it with the packing "
        "slip within 14 days of delivery; you'll never pay return shipping for a mix-up like "
        "this.",
        # A clause with its own verb after a denial is a statement, not an item it denies.
        "You don't need the original packaging or tags, and a person on our team will reply "
        "within one business day.",
        # "works too" adds the gift card, which the knowledge names.
        "A Fernhill gift card works too, either on its own or combined with another payment "
        "method.",
        "Hand wash merino and alpaca in cold water and dry them flat.",
        "Email help@fernhillgoods.example from the address on your account and ask us to "
        "delete it.",
        # A self-service the knowledge describes.
        "You can start a return yourself at fernhillgoods.example/returns.",
        # A card network shortened ("Amex": American Express).
        "We take Visa, Mastercard, Amex and Discover, along with PayPal and Apple Pay.",
        # Another name for creating an account.
        "No account needed! If you'd like one, you can set it up at "
        "fernhillgoods.example/account to track orders and save your addresses.",
        # Another name for signing up, and for asking.
        "You can join from the bottom of any page on fernhillgoods.example.",
        "You can request a copy of your personal data by emailing help@fernhillgoods.example "
        "from the address on your account.",
        # "the size you usually wear" is the customer's habit, not "most sizes".
        "The twill trousers come in even waist sizes 26 through 38, and each one is available "
        "with a 30-inch or 32-inch inseam; go with the waist size you usually wear.",
        # "per order" counts a price, it does not narrow which orders.
        "Express is a flat $14 whatever the order size, and it arrives in 1–2 business days.",
        # The customer's case, said in an earlier sentence, is the claim's condition.
        "I'm so sorry it arrived damaged! Please send a photo of the item within 14 days of "
        "delivery; you won't pay anything for return shipping.",
        # What the knowledge denies, set aside by the claim too.
        "The Fernhill Promise covers defects in materials and workmanship rather than "
        "accidental damage.",
        "The Fernhill Promise covers defects in materials and workmanship, but not accidents "
        "or normal wear and tear.",
        # A clause of its own after the deed's list is no thing the deed is done to.
        "The Fernhill Promise covers broken stitching and failed zippers, and accidents are "
        "best avoided by following the care label.",
        # A clause with its own cut-off is read under it, not under the sentence's first one.
        "Orders placed before 1 pm Pacific on a business day leave our warehouse in Portland, "
        "Oregon the same day, and later ones go out the next business day.",
        # A material inside a product's name, beside other products' names.
        "Our Merino Crew Sweater is $98 and the Organic Cotton Tee is $32, while over in bags "
        "the Waxed Canvas Backpack comes in at $148.",
        # "by design" is a way of speaking, not a means.
        "The Linen Button-Up Shirt and Recycled Fleece Pullover are roomy by design.",
        # The customer's case, said in other words before ("shows up damaged").
        "So sorry if something shows up damaged or you're sent the wrong item! Just send us a "
        "photo of it and the packing slip within 14 days of delivery, and a person on our team "
        "will get back to you within one business day.",
        # Each kind of data with its own period, listed one after another.
        "We hold on to message history for 12 months before deleting it, order records for as "
        "long as tax law requires, and account details while your account stays open.",
        # The team the knowledge names, or people by a name any brand's may have.
        "Our customer care team works Monday to Friday, 9 am to 5 pm Pacific.",
        "Someone on our support team replies within one business day.",
        # "There's a" introducing what the knowledge says.
        "There's a full size chart at fernhillgoods.example/size-guide.",
        # Each material washed as the knowledge says, in two parts of one sentence.
        "Cotton, linen and fleece can go in a cold gentle wash and be line dried, while "
        "merino and alpaca should be hand washed in cold water.",
        # Between sizes, both ways the knowledge gives for the tops.
        "If you're between sizes in a top, size down for a closer fit or size up for a "
        "relaxed one.",
        # What it is made from, in the knowledge's words.
        "Our fleece is made from recycled plastic bottles.",
        # A product's name shortened, and a name after a capitalised first word.
        "Our Twill Trousers come in even waist sizes from 26 to 38.",
        "Pick Shop Pay at checkout, and Shop Pay decides on approval when you apply.",
    ],
)
def test_faithful_rewordings_pass(draft: str) -> None:
    assert check_claims(draft, CONTEXT) == []


@pytest.mark.parametrize(
    ("draft", "kind"),
    [
        # A material the knowledge washes otherwise, named beside one it washes this way.
        ("Cotton and merino can go in the machine on a gentle cycle.", ClaimKind.entity),
        # The period counted from another event.
        ("You've got 30 days from when you send it back to get your refund.", ClaimKind.condition),
        # "Doesn't affect emails about an order" denies stopping them; an aside is no subject.
        (
            "Just note that opting out of marketing will also stop the emails about orders "
            "you've placed.",
            ClaimKind.polarity,
        ),
        # "We don't add any fees of our own", said of the brand beside the bank.
        ("Both your bank and we may add a foreign transaction fee on top.", ClaimKind.polarity),
        # A clause of its own that the knowledge never describes.
        (
            "You can ask for a copy of your personal data by emailing help@fernhillgoods.example "
            "from your account address, or download it instantly from your account dashboard.",
            ClaimKind.capability,
        ),
        # A size no chart gives.
        ("At 38–40 inches you'd be a Jumbo.", ClaimKind.entity),
        # "Any time" where the knowledge gives a date, said in no aligned sentence.
        (
            "International orders placed any time in December still arrive by December 24.",
            ClaimKind.condition,
        ),
        # Nothing before "this" says which items.
        (
            "Please check the size chart first. You'll never pay return shipping for this.",
            ClaimKind.condition,
        ),
        # Another water temperature than the care label's.
        ("A warm hand wash is fine for merino and alpaca.", ClaimKind.policy_term),
        # Any address, where the knowledge says the one on the account.
        (
            "Just email help@fernhillgoods.example from whichever address is handy and ask us "
            "to delete your account.",
            ClaimKind.condition,
        ),
        # The customer does themselves what the knowledge says we do.
        (
            "You can update the shipping address yourself from the order page in your account.",
            ClaimKind.capability,
        ),
        # "works too" adds a payment method the knowledge does not take.
        ("Klarna works too.", ClaimKind.entity),
        # A name that shortens nothing the knowledge writes out.
        ("We take Visa, Mastercard, Amzx and Discover.", ClaimKind.entity),
        # Kept "on file" where the knowledge never stores it (another name for the deed).
        (
            "Payments go through our providers, and we keep your full card number on file.",
            ClaimKind.polarity,
        ),
        # Required, where the knowledge says it is not.
        (
            "Send photos of the problem, and make sure you still have the original packaging, "
            "since we'll need it for any warranty claim.",
            ClaimKind.polarity,
        ),
        # "aren't able to" denies the deed, as "can't" does.
        (
            "Once an order is placed we aren't able to update its shipping address.",
            ClaimKind.polarity,
        ),
        # A channel the knowledge never offers, as a verb or a plural.
        ("You can email us or text us at (503) 555-0100.", ClaimKind.entity),
        ("Reply STOP to our text messages to stop them.", ClaimKind.entity),
        # Free return postage abroad, where customers outside the US pay for their own.
        (
            "Since you're outside the US, send it back with a tracked service and we'll "
            "reimburse the return postage.",
            ClaimKind.condition,
        ),
        # Every waist size, where the knowledge says even ones.
        (
            "Our Organic Twill Trousers come in every waist size from 26 to 38, each with a "
            "30-inch or 32-inch inseam.",
            ClaimKind.condition,
        ),
        # No case said before it, or a scope of its own.
        ("Thanks for your order! You never pay return shipping.", ClaimKind.condition),
        (
            "I'm so sorry it arrived damaged! Return shipping is free on every order.",
            ClaimKind.condition,
        ),
        # Covered, one thing among others, where the knowledge lists it as not covered.
        (
            "Good news: the Fernhill Promise covers defects in materials and workmanship as "
            "well as accidental damage.",
            ClaimKind.polarity,
        ),
        (
            "The Fernhill Promise covers failed zippers, broken stitching and normal wear and "
            "tear.",
            ClaimKind.polarity,
        ),
        # The later orders' clause, under its own cut-off, given the earlier orders' day.
        (
            "Orders placed before 1 pm Pacific on a business day leave our warehouse the same "
            "day, and later ones go out the same day too.",
            ClaimKind.policy_term,
        ),
        # The material of a product's name where the knowledge says how other materials wash.
        (
            "To freshen up your Waxed Canvas Backpack, pop it in the washing machine on a cold, "
            "gentle cycle and let it line dry.",
            ClaimKind.entity,
        ),
        # A deed the knowledge does not do to the data, and marketing without consent.
        (
            "Email help@fernhillgoods.example from the address on your account and we'll "
            "deactivate it within 30 days.",
            ClaimKind.policy_term,
        ),
        (
            "We'll send you our newsletter and restock alerts unless you choose to opt out.",
            ClaimKind.policy_term,
        ),
        # The same price counted per something else.
        ("Yes, we offer gift wrapping for $5 per item!", ClaimKind.condition),
        # A second deed the modal governs ("and top it up").
        (
            "Our digital gift cards never expire, and you can check the balance and top it up "
            "at fernhillgoods.example/gift-cards.",
            ClaimKind.capability,
        ),
        # The customer's case is not said before: the condition is still left out.
        (
            "Thanks for reaching out! Just send us a photo of it and the packing slip within 14 "
            "days of delivery, and a person on our team will get back to you.",
            ClaimKind.condition,
        ),
        # A period the knowledge gives one kind of data, said of another, or of several.
        (
            "We keep your message history for as long as your account is open.",
            ClaimKind.entity,
        ),
        (
            "We keep message history, order records and account details for 12 months.",
            ClaimKind.entity,
        ),
        # A material added to the list the knowledge washes one way, and washes otherwise.
        (
            "Cotton, linen, fleece and merino can all go in a cold wash on a gentle cycle.",
            ClaimKind.entity,
        ),
        # The other way to size, any temperature, tags taken off.
        (
            "For the twill trousers, if you're between sizes, pick the smaller one, since the "
            "twill starts out crisp and softens with wear.",
            ClaimKind.policy_term,
        ),
        (
            "Our cotton and linen are pre-washed, so they keep their size whatever temperature "
            "you wash them at.",
            ClaimKind.policy_term,
        ),
        (
            "You can return clothing within 30 days as long as it's unworn and unwashed; it's "
            "fine if you've already taken the tags off.",
            ClaimKind.policy_term,
        ),
        # Made from something the knowledge never names.
        ("Our fleece is made from recycled fishing nets.", ClaimKind.entity),
        # A product's name with a word none of the knowledge's trousers has.
        (
            "Our Organic Linen Trousers come in even waist sizes from 26 to 38.",
            ClaimKind.entity,
        ),
        # A team the knowledge never names.
        (
            "Someone on our billing team will reply within one business day.",
            ClaimKind.entity,
        ),
        # Bought anywhere, where the warranty covers what was bought from the brand.
        (
            "The Fernhill Promise covers defects on any Fernhill piece, whether you bought it "
            "from us directly or from one of our stockists.",
            ClaimKind.condition,
        ),
        (
            "When you place an order you're automatically signed up for our newsletter.",
            ClaimKind.policy_term,
        ),
        # A tool the knowledge never describes, introduced by "there's a".
        (
            "The full size chart lives at fernhillgoods.example/size-guide, and there's a quick "
            "fit quiz there that recommends a size from your height and weight.",
            ClaimKind.capability,
        ),
    ],
)
def test_the_change_is_still_found(draft: str, kind: ClaimKind) -> None:
    assert kind in [f.kind for f in check_claims(draft, CONTEXT)], check_claims(draft, CONTEXT)


def test_a_clause_that_says_every_return_widens_the_knowledge_it_is_closest_to() -> None:
    refunds = knowledge_text("policies/refunds")
    said = "We refund the full price you paid for returned items, including any sales tax"
    kept = f"{said}, and original shipping charges are refunded when an item arrived damaged."
    assert check_claims(kept, refunds) == []
    widened = f"{said}, and original shipping charges are refunded on every return too."
    assert [f.kind for f in check_claims(widened, refunds)] == [ClaimKind.condition]


def test_a_period_given_to_a_group_the_knowledge_gives_another_period_is_caught() -> None:
    # "Bags are covered for 2 years …, and clothing and home goods are covered for 1 year."
    assert numbers("Bags are covered for 2 years, and clothing and home goods for 1 year.") == []
    assert numbers("Our bags come with a 2-year warranty.") == []
    moved = "Our bags and home goods come with a 2-year warranty, and clothing gets 1 year."
    assert numbers(moved) == ["duration"]
    assert numbers("Bags and home goods are covered for 2 years from delivery.") == ["duration"]


def test_a_period_is_read_by_its_own_words_not_those_of_the_value_before_it() -> None:
    # "DHL Express … $25" belongs to the price; "from when they ship" says when it starts.
    assert numbers("Orders go with DHL Express for a flat $25 and take 6–10 business days.") == []
    said = "Express goes with FedEx, costs $14 and takes 1–2 business days from the day it ships."
    assert numbers(said) == []
    # The international delivery time said of Express is still another period's value.
    assert numbers("Express shipping with FedEx takes 6–10 business days.") == ["duration"]


def test_what_is_added_with_as_well_as_must_be_named_by_the_knowledge() -> None:
    products = knowledge_text("faq/products")
    said = "Every piece is covered by the Fernhill Promise against defects like broken stitching"
    assert check_claims(f"{said} as well as a failed zipper.", products) == []
    added = f"{said} as well as everyday wear and tear."
    assert [f.kind for f in check_claims(added, products)] == [ClaimKind.condition]


def test_a_deed_the_knowledge_does_only_when_something_happened_needs_that_condition() -> None:
    # "Original shipping charges are refunded only when an item arrived damaged, faulty or
    # wrong": said beside a denial of its own, the deed still needs its condition.
    refunds = knowledge_text("policies/refunds")
    kept = "If an item arrived damaged, faulty or wrong, we refund your original shipping too."
    assert check_claims(kept, refunds) == []
    dropped = (
        "We refund the full price you paid plus your original shipping charges, and nothing is "
        "deducted for the US return label."
    )
    assert [f.kind for f in check_claims(dropped, refunds)] == [ClaimKind.condition]
