"""Readings of drafts in the styles of the sets read last (a reply inside a DM thread that
refers back and corrects the customer; a public reply to a comment; an empathetic reply):
the commenter's Instagram username @-mentioned, an emoji that ends a sentence, chat
shorthand, a period counted from another step or from an event of the draft's own, a list
of cases that adds one, a correction's "not per item", and sympathy with what the customer
went through; and who does what (a case naming an option, a limit on doing a deed again,
a choice given to the customer, a deed done for them), a list's lead-in, and a term read
against the line before the answer's last. Each is tested both ways: the change is caught,
the faithful wording passes."""

from __future__ import annotations

from functools import cache

from assistant.knowledge.loader import load_knowledge
from assistant.safety.claims import ClaimKind, check_claims
from assistant.safety.verify import Verifier, grounding_context
from tests.support import ROOT, knowledge_text, promise_kinds
from tests.support import claim_kinds as kinds


@cache
def verifier() -> Verifier:
    return Verifier(load_knowledge(ROOT / "knowledge"), [])


def problems(draft: str, document: str, handle: str | None) -> list[str]:
    """What the pipeline's check reports for a reply to the customer with that handle."""
    knowledge = load_knowledge(ROOT / "knowledge")
    context = grounding_context([knowledge_text(document)], None, "", knowledge, handle)
    return verifier().problems(draft, context, "instagram", 10_000)


def test_a_reply_may_mention_the_commenter_by_the_username_meta_gives() -> None:
    # Meta's comment webhooks give the username without its "@", dots and all.
    reply = "@mira.c No account needed, guest checkout works just fine! 💚"
    assert problems(reply, "faq/account", "mira.c") == []
    assert problems(reply, "faq/account", "@mira.c") == []
    # Someone else's username is still no one the reply may name.
    assert problems(reply.replace("mira.c", "mira.x"), "faq/account", "mira.c") == [
        "unsupported handle: '@mira.x' is not in the knowledge or order record"
    ]
    assert problems(reply, "faq/account", None) == [
        "unsupported handle: '@mira.c' is not in the knowledge or order record"
    ]


def test_an_emoji_ends_the_clause_a_number_is_said_in() -> None:
    # "…and delivery takes 6–10 business days. Import duties and taxes aren't included…"
    japan = (
        "Yes, we ship to Japan with DHL Express for a flat $25 per order, and it takes 6–10 "
        "business days 🇯🇵 Heads up: import duties and taxes aren't included in our prices."
    )
    assert promise_kinds(japan, "faq/shipping") == []
    assert promise_kinds(japan.replace("6–10", "8–12"), "faq/shipping") == ["duration"]


def test_chat_shorthand_names_nothing() -> None:
    asap = (
        "Orders placed before 1 pm Pacific on a business day usually ship the same day, "
        "so let us know ASAP!"
    )
    assert kinds(asap, "policies/refunds") == []
    assert kinds(asap.replace("ASAP", "via Asap"), "policies/refunds") == [ClaimKind.entity]


def test_a_period_counted_from_another_step_than_the_knowledges_is_caught() -> None:
    # The warranty answer: "Bags are covered for 2 years from the delivery date".
    ordered = "Bags are covered for 2 years from the date you place your order."
    assert kinds(ordered, "faq/products") == [ClaimKind.condition]
    arrived = "Bags are covered for 2 years from the day they arrive."
    assert kinds(arrived, "faq/products") == []


def test_a_period_counted_from_an_event_the_knowledge_never_names_is_caught() -> None:
    # The privacy policy: "We complete every request within 30 days and confirm by email".
    verified = "We complete every request within 30 days of verifying your identity."
    assert kinds(verified, "policies/privacy") == [ClaimKind.condition]
    assert kinds("We complete every request within 30 days.", "policies/privacy") == []


def test_a_list_of_cases_that_adds_one_is_caught() -> None:
    slip = (
        "You can return clothing within 30 days of delivery as long as it's unworn, unwashed, "
        "tags on, and you've still got the packing slip!"
    )
    assert kinds(slip, "policies/returns", "faq/returns") == [ClaimKind.condition]
    tagged = (
        "You can return clothing within 30 days of delivery as long as it's unworn, unwashed, "
        "and has its original tags."
    )
    assert kinds(tagged, "policies/returns", "faq/returns") == []


def test_a_correction_names_what_is_not_so_without_denying_the_claim() -> None:
    # The gift wrapping answer: "Gift wrapping is $5 per order: we wrap everything …".
    corrected = (
        "Actually, gift wrapping is $5 per order, not per item: we wrap everything in "
        "recycled kraft paper with a cotton ribbon."
    )
    assert kinds(corrected, "faq/products") == []
    swapped = corrected.replace("per order, not per item", "per item, not per order")
    assert kinds(swapped, "faq/products") == [ClaimKind.condition]


def test_sympathy_with_the_customers_situation_states_nothing() -> None:
    sorry = "I'm sorry your payment didn't go through the way you expected."
    assert kinds(sorry, "faq/payments") == []
    assert kinds("Sorry the tracking link isn't showing anything yet.", "faq/shipping") == []
    # A claim said with the apology is still read.
    offered = "I'm sorry your payment didn't go through, but you can pay by bank transfer."
    assert kinds(offered, "faq/payments") != []
    texted = "I'm sorry the sweater didn't fit, you can exchange it by text message."
    assert kinds(texted, "faq/returns") == [ClaimKind.entity]
    final = "I'm sorry the sweater didn't fit, Final Sale items are returnable."
    assert kinds(final, "faq/returns") == [ClaimKind.polarity]


def test_a_subject_the_knowledge_denies_the_deed_of_is_read_before_a_close_sentence() -> None:
    # "Items marked Final Sale … can't be returned or exchanged. Everything else can be
    # returned within 30 days of delivery. … Final Sale items that arrive damaged, faulty
    # or wrong are still covered."
    returns = ("policies/returns", "faq/returns")
    assert kinds("Final Sale items can be returned within 30 days.", *returns) == [
        ClaimKind.polarity
    ]
    assert kinds("Final Sale items can be exchanged within 30 days.", *returns) == [
        ClaimKind.polarity
    ]
    # What the knowledge does say of them, and of everything else, passes.
    assert kinds("Final Sale items that arrive damaged are still covered.", *returns) == []
    assert kinds("Everything else can be returned within 30 days of delivery.", *returns) == []


def test_what_the_knowledge_sets_aside_without_a_negation_is_read_as_denied() -> None:
    # "Natural changes, like waxed canvas creasing or cork softening, are part of the
    # character of the material rather than defects." and "Spot clean waxed canvas and cork
    # bags with a damp cloth instead of washing them."
    warranty = ("policies/warranty", "faq/warranty")
    creasing = "Actually, creasing on waxed canvas isn't a defect: it's part of the material."
    assert kinds(creasing, *warranty) == []
    assert kinds("Creasing on waxed canvas is a defect.", *warranty) == [ClaimKind.polarity]
    wiped = "Spot clean waxed canvas and cork bags with a damp cloth, no need to wash them."
    assert kinds(wiped, "faq/products") == []
    washed = "Waxed canvas and cork bags can go straight in the washing machine on a gentle cycle."
    assert kinds(washed, "faq/products") == [ClaimKind.polarity]
    # What the knowledge says of the rest passes: the Promise does cover defects.
    covered = "The Fernhill Promise covers defects in materials and workmanship."
    assert kinds(covered, *warranty) == []


def test_an_emphatic_do_have_insists_on_the_deed_its_noun_names() -> None:
    # The gift cards answer: "They never expire, and you can check a balance at …".
    expiring = (
        "Not quite: our digital gift cards do have an expiry date, so it's worth checking "
        "the balance at fernhillgoods.example/gift-cards before you use it."
    )
    assert kinds(expiring, "faq/payments") == [ClaimKind.polarity]
    balance = "Our gift cards do have a balance you can check at fernhillgoods.example/gift-cards."
    assert kinds(balance, "faq/payments") == []


def test_a_deed_limited_to_one_product_is_caught_where_the_knowledge_never_ties_them() -> None:
    # The sizing answers: tops "run from XS to XXL"; "the Linen Button-Up Shirt and Recycled
    # Fleece Pullover are cut roomy on purpose". The pipeline's check knows the products.
    limited = (
        "Our tops come in XS to XXL, though XXL is only offered in the Recycled Fleece Pullover."
    )
    [found] = problems(limited, "faq/sizing", None)
    assert found.startswith("unsupported condition: limits it to 'the recycled fleece pullover'")
    roomy = (
        "The roomy cut is only offered in the Recycled Fleece Pullover and the Linen "
        "Button-Up Shirt."
    )
    assert problems(roomy, "faq/sizing", None) == []


def test_whatsapp_emphasis_is_read_as_the_words_it_marks() -> None:
    # The privacy policy: "We keep message history for 12 months and then delete it."
    kept = "We keep your message history for *12 months* and then delete it."
    assert kinds(kept, "policies/privacy") == []
    started = (
        "We keep your message history for 12 months *from your last order* and then delete it."
    )
    assert kinds(started, "policies/privacy") == [ClaimKind.condition]


def test_a_case_naming_an_option_is_backed_only_by_knowledge_about_the_deed() -> None:
    # The lost-parcel answer has no case; "… by December 21 with Express" is the holiday
    # cut-off's, a deed of its own.
    lost = (
        "If the carrier confirms it's lost, we'll send a replacement or refund you, whichever "
        "you prefer, as long as the order was sent with Express shipping."
    )
    shipping = ("policies/shipping", "faq/shipping")
    assert kinds(lost, *shipping) == [ClaimKind.condition]
    assert kinds(lost.split(", as long as")[0] + ".", *shipping) == []
    holiday = (
        "Your order arrives in the US by December 24 as long as you order by 1 pm Pacific on "
        "December 21 with Express."
    )
    assert kinds(holiday, *shipping) == []


def test_a_limit_on_doing_a_deed_again_is_caught_where_the_knowledge_sets_none() -> None:
    # The returns policy: exchanges are free within 30 days, however often.
    again = (
        "Exchanges for a different size or color of the same item are free within 30 days "
        "of delivery, as long as you haven't already exchanged that item once before."
    )
    assert kinds(again, "policies/returns", "faq/returns") == [ClaimKind.condition]
    limited = knowledge_text("policies/returns") + "\n\nEach item can be exchanged only once."
    assert [f.kind for f in check_claims(again, limited)] == []


def test_a_choice_given_to_the_customer_is_caught_where_the_knowledge_gives_none() -> None:
    # The warranty policy: "If your claim is approved, we repair the item, replace it … or
    # refund what you paid if neither is possible": ours to decide.
    chosen = (
        "If your claim is approved, it's up to you whether we repair the item, replace it "
        "with the same or a similar item, or refund what you paid."
    )
    assert kinds(chosen, "policies/warranty") == [ClaimKind.capability]
    decided = chosen.replace("it's up to you whether we repair", "we'll repair")
    assert (
        kinds(decided.replace("paid.", "paid if neither is possible."), "policies/warranty") == []
    )
    # The lost-parcel answer does give the choice: "… or refund you, whichever you prefer."
    lost = (
        "If the carrier confirms it's lost, we'll send a replacement or refund you, "
        "whichever you prefer."
    )
    assert kinds(lost, "policies/shipping", "faq/shipping") == []
    # Choosing how to pay is the customer's own pick, not a deed of ours.
    paying = "We accept Visa, Mastercard, PayPal and Apple Pay, so the choice is yours."
    assert kinds(paying, "faq/payments") == []


def test_a_line_that_leads_into_a_list_affirms_nothing_its_items_are_read() -> None:
    # The warranty policy: "You don't need the original packaging or tags to make a
    # warranty claim." The lead-in is not a positive "make a warranty claim".
    steps = (
        "Hi Sofia! Here's how to make a warranty claim:\n"
        "1. Email help@fernhillgoods.example with your order number and photos.\n"
        "You don't need the original packaging or tags."
    )
    assert kinds(steps, "policies/warranty") == []
    flipped = steps.replace("You don't need", "You'll need")
    assert kinds(flipped, "policies/warranty") == [ClaimKind.polarity]


def test_a_deed_done_for_the_customer_is_caught_where_the_knowledge_has_them_do_it() -> None:
    # The password answer: "Go to fernhillgoods.example/account/login, click 'Forgot
    # password?' … We'll send you a reset link …": the customer resets it.
    reset = "I can reset your password for you right here in this chat."
    assert kinds(reset, "faq/account") == [ClaimKind.capability]
    # The address answer has the customer message us with the new one: we change it.
    address = (
        "Message us with your order number and the new address and we can update it for "
        "you before it ships."
    )
    assert kinds(address, "faq/account") == []


def test_a_term_is_read_against_the_answer_the_claim_ends_on() -> None:
    # The tops answer: "Measure around the fullest part of your chest: XS fits 32–34 inches,
    # …. The full chart is at fernhillgoods.example/size-guide." The chart line is the
    # claim's closest sentence; the one before it says where to measure.
    tops = (
        "To pick your size in our unisex tops, measure around your natural waist and match "
        "it to the chart at fernhillgoods.example/size-guide."
    )
    assert kinds(tops, "faq/sizing") == [ClaimKind.policy_term]
    chest = tops.replace("your natural waist", "the fullest part of your chest")
    assert kinds(chest, "faq/sizing") == []
