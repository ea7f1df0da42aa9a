"""Readings of a claim that words a change in its own way: a self-service said without
"yourself" ("directly from the order page in your account"), a denial in a word near the
knowledge's ("can't be combined" / "together with"), a clause with a subject of its own
after ", and", a compound after "no" ("no sales tax" / "are taxed"), "left off" said as the
knowledge's "leave off", a "whether" over an address, consent "unless they've opted out",
what a claim sets aside with "rather than", when the time starts (delivery or purchase), a
requirement said with "first" or of what was named before, "any" of a compound ("any email
address"), a fee on what is interest-free, a threshold met in other words ("once your order
reaches $75"), "no tags are needed", an exception of what the knowledge includes "even if",
what opting out "switches off", marketing sent "to everyone", what a share is of, who
decides on an application, how a piece is cut, each period of a claim, "those" of the
sentence before, where to measure, a start the knowledge never gives a period ("after your
most recent message"), "all" after a list, a word that picks one of several ("a different
card"), "baked into our prices", "take care of under the warranty", a carrier read with its
own clause and figures, what a page "lets you" do, how long records are kept, who
approves, and the customer's name addressed ("Great question, Jordan."). Each is tested
both ways: the change is caught, the faithful wording passes."""

from __future__ import annotations

from assistant.safety.claims import ClaimKind
from tests.support import claim_kinds as kinds
from tests.support import promise_kinds as promises


def test_a_self_service_said_without_yourself_is_one_the_knowledge_must_describe() -> None:
    # "Yes, as long as your order hasn't shipped yet. Message us or email help@… with your
    # order number and the new address …"
    asked = "As long as it hasn't shipped, message us with your order number and the new address."
    assert kinds(asked, "faq/account") == []
    for moved in (
        "The address can be updated directly from the order page in your account.",
        "You can edit the address from your account page until the order ships.",
    ):
        assert kinds(moved, "faq/account") == [ClaimKind.capability], moved
    # The account's own address is where a request comes from, not a self-service.
    email = "Email help@fernhillgoods.example from your account's address and ask us to delete it."
    assert kinds(email, "faq/account") == []


def test_a_denial_in_a_word_near_the_knowledges_contradicts_it() -> None:
    # "You can also pay with a Fernhill gift card, on its own or together with another …"
    kept = "You can pay with a Fernhill gift card, on its own or together with another method."
    assert kinds(kept, "faq/payments") == []
    # More than one word of its own ("combined", "checkout"): the near word decides.
    denied = (
        "You can pay with a gift card, though it can't be combined with another payment method "
        "at checkout."
    )
    assert kinds(denied, "faq/payments") == [ClaimKind.polarity]
    # "We can update the shipping address on an order until it ships."
    kept = "We can update the shipping address on your order until it ships."
    assert kinds(kept, "policies/shipping") == []
    denied = "Once an order is placed we aren't able to change its shipping address."
    assert kinds(denied, "policies/shipping") == [ClaimKind.polarity]


def test_a_clause_with_its_own_subject_after_and_is_compared_on_its_own() -> None:
    # "Sales tax is calculated at checkout based on your shipping address, so you'll see it
    # before you pay. Orders shipped within Oregon have no sales tax."
    said = "Sales tax is worked out at checkout from your shipping address so you see it first"
    assert (
        kinds(f"{said}, and orders shipped within Oregon have no sales tax.", "faq/payments") == []
    )
    taxed = f"{said}, and orders shipped within Oregon are taxed the same way."
    assert kinds(taxed, "faq/payments") == [ClaimKind.polarity]


def test_an_interest_free_compound_denies_only_the_interest() -> None:
    # "… split orders of $50 or more into 4 interest-free payments, one every 2 weeks."
    split = (
        "Splitting a payment into 4 works on orders of $50 and up, with one payment every 2 weeks."
    )
    assert kinds(split, "faq/payments") == []


def test_left_off_is_the_knowledges_leave_off() -> None:
    # "… and we'll leave the prices off the packing slip."
    said = 'Just tick "Add gift wrap" at checkout'
    assert kinds(f"{said}, and prices will be left off the packing slip.", "faq/products") == []
    shown = f"{said}, and the packing slip will show the prices as usual."
    assert kinds(shown, "faq/products") == [ClaimKind.polarity]


def test_a_whether_over_an_address_is_read_with_the_clause_that_holds_it() -> None:
    # "Bags are covered for 2 years …. The warranty applies to items bought from
    # fernhillgoods.example."
    said = "Bags are covered for 2 years and clothing for 1 year, and the Fernhill Promise applies"
    assert (
        kinds(f"{said} to anything bought from fernhillgoods.example.", "policies/warranty") == []
    )
    either = f"{said} whether you bought from fernhillgoods.example or from one of our stockists."
    assert kinds(either, "policies/warranty") == [ClaimKind.condition]


def test_consent_said_of_customers_is_consent_too() -> None:
    # "We only send marketing messages if you've opted in."
    assert (
        kinds("We send marketing messages only to customers who opted in.", "policies/privacy")
        == []
    )
    unless = "We send marketing messages to customers unless they've opted out."
    assert kinds(unless, "policies/privacy") == [ClaimKind.policy_term]


def test_what_a_claim_sets_aside_with_rather_than_is_not_what_it_says() -> None:
    # "… parcels returned to us as undeliverable need to be shipped again at your cost."
    said = (
        "Please double-check your address at checkout, since parcels that come back undeliverable"
    )
    kept = f"{said} have to be shipped again at your cost rather than refunded."
    assert kinds(kept, "policies/shipping") == []
    refunded = f"{said} are refunded to your original payment method rather than sent out again."
    assert kinds(refunded, "policies/shipping") == [ClaimKind.policy_term]


def test_when_the_time_starts_is_a_policy_term() -> None:
    # "Bags are covered for 2 years from the delivery date, …"
    said = "The Fernhill Promise covers defects like broken stitching: bags for 2 years from"
    assert kinds(f"{said} the delivery date.", "policies/warranty") == []
    assert kinds(f"{said} the purchase date.", "policies/warranty") == [ClaimKind.policy_term]


def test_a_requirement_said_with_first_or_of_what_was_named_before_is_one() -> None:
    # "No, you can check out as a guest."
    guest = "No account needed: you can check out as a guest."
    assert kinds(guest, "faq/account") == []
    first = (
        "To place an order, you'll first need to create an account at "
        "fernhillgoods.example/account, and once it's set up you can track orders too."
    )
    assert kinds(first, "faq/account") == [ClaimKind.polarity]
    # "You don't need the original packaging or tags to make a warranty claim."
    send = "Send your order number and photos to help@fernhillgoods.example"
    assert kinds(f"{send}; the original tags aren't needed.", "policies/warranty") == []
    required = (
        f"{send}, and keep the original tags handy, since they're required for a warranty claim."
    )
    assert kinds(required, "policies/warranty") == [ClaimKind.polarity]


def test_any_of_a_compound_is_read_by_its_head() -> None:
    # "… by emailing help@fernhillgoods.example from the address on your account."
    said = "To get a copy of your data, just email help@fernhillgoods.example from"
    assert kinds(f"{said} the address on your account.", "policies/privacy") == []
    anywhere = f"{said} any email address, and we'll confirm by email."
    assert kinds(anywhere, "policies/privacy") == [ClaimKind.condition]
    # A possessive is the thing's own: "each material's character" is the material's.
    character = "Creasing on waxed canvas is part of each material's character, not a defect."
    assert kinds(character, "policies/warranty") == []


def test_a_fee_on_what_is_interest_free_is_a_policy_term() -> None:
    # "… split orders of $50 or more into 4 interest-free payments, one every 2 weeks."
    said = "Orders of $50 or more can be split into 4 payments with Pay in 4, one every 2 weeks"
    assert kinds(f"{said}, with no interest.", "faq/payments") == []
    fee = f"{said}, with a small fee added to each."
    assert kinds(fee, "faq/payments") == [ClaimKind.policy_term]
    # The bank's fee is the knowledge's own.
    bank = "Your bank may add a foreign transaction fee, but we don't add any fees of our own."
    assert kinds(bank, "faq/payments") == []


def test_a_threshold_met_in_other_words_restates_the_knowledges_promise() -> None:
    # "Standard shipping within the US is $6, and it's free on orders of $75 or more."
    for met in ("once your order reaches $75", "on anything over $75"):
        said = f"Standard US shipping is $6, and it's free {met}; Express is $14 on any order."
        assert promises(said, "policies/shipping") == [], met
    # A name the knowledge's sentence does not give is not its promise.
    both = "Once your order hits $75 or more, both Standard and Express shipping are free."
    assert promises(both, "policies/shipping") == ["promise"]


def test_no_thing_needed_is_not_a_requirement() -> None:
    # "You don't need the original packaging or tags to make a warranty claim."
    send = "Email us your order number and photos of the problem"
    assert (
        kinds(f"{send}, and no original packaging or tags are needed.", "policies/warranty") == []
    )
    assert kinds(f"{send}; the original tags are needed.", "policies/warranty") == [
        ClaimKind.polarity
    ]


def test_faithful_wordings_of_the_shipping_and_care_knowledge_pass() -> None:
    # "all" after what it counts is no quantifier over the verb; "over time" is when, not how;
    # a second predicate ("and may be collected by DHL") is said plainly.
    abroad = (
        "Canada, Mexico, the UK, the EU, Australia and Japan all go via DHL Express for a flat "
        "$25 per order; duties and import taxes aren't part of our prices, so DHL might "
        "collect them at your door."
    )
    assert kinds(abroad, "policies/shipping") == []
    care = "Cotton, linen and fleece do best in a cold, gentle wash, and they get softer over time."
    assert kinds(care, "faq/products") == []
    ended = (
        "Even if the warranty's already run out, our workshop in Portland can often repair bags."
    )
    assert kinds(ended, "policies/warranty") == []
    faulty = (
        "You can choose between a refund and a replacement, even if the item was marked Final Sale."
    )
    assert kinds(faulty, "policies/refunds") == []


def test_an_exception_the_knowledge_includes_even_if_is_a_changed_condition() -> None:
    # "… you can choose a refund or a replacement, even if it was marked Final Sale."
    choose = "I'm so sorry it arrived faulty. You can choose between a refund and a replacement"
    excepted = f"{choose}, as long as the item wasn't marked Final Sale."
    assert kinds(excepted, "policies/refunds") == [ClaimKind.condition]
    # A question after the statement does not hide it.
    asked = f"{choose}, as long as the item wasn't marked Final Sale, so which would you prefer?"
    assert kinds(asked, "policies/refunds") == [ClaimKind.condition]


def test_what_opting_out_switches_off_and_who_gets_marketing() -> None:
    # "Opting out of marketing doesn't affect emails about an order you've placed."
    off = (
        "Once you unsubscribe you're off our marketing list, and that also switches off the "
        "emails about any order you've already placed."
    )
    assert kinds(off, "policies/privacy") == [ClaimKind.polarity]
    # "We only send marketing messages if you've opted in."
    everyone = "We send marketing emails to everyone who has ever placed an order."
    assert kinds(everyone, "policies/privacy") == [ClaimKind.policy_term]


def test_what_a_share_is_of_is_a_policy_term() -> None:
    # "We also give 1% of every sale to river restoration groups in the Pacific Northwest."
    given = "1% of every sale goes to river restoration groups in the Pacific Northwest."
    assert kinds(given, "faq/products") == []
    profits = "1% of our profits goes to river restoration groups in the Pacific Northwest."
    assert kinds(profits, "faq/products") == [ClaimKind.policy_term]


def test_who_decides_on_an_application_is_a_policy_term() -> None:
    # "Just choose Shop Pay at checkout; Shop Pay decides on approval when you apply."
    split = "Pay in 4 lets you split orders of $50 or more into 4 interest-free payments"
    assert kinds(f"{split}, subject to Shop Pay's approval.", "faq/payments") == []
    ours = (
        f"{split}. Choose Shop Pay at checkout, and our team reviews and approves each application."
    )
    assert kinds(ours, "faq/payments") == [ClaimKind.policy_term]


def test_a_self_service_beside_what_we_do_and_an_accounts_own_email() -> None:
    # "Email help@… and ask us to delete it. We'll delete your account and personal data …"
    yourself = "You can delete your account yourself from your account settings."
    assert kinds(yourself, "faq/account") == [ClaimKind.capability]
    # "… and enter the email address on your account."
    login = "Head to fernhillgoods.example/account/login and type in your account email."
    assert kinds(login, "faq/account") == []


def test_an_opening_exclamation_and_an_also_add_nothing() -> None:
    japan = "Great news, we do ship to Japan! It travels with DHL Express for a flat $25 per order."
    assert kinds(japan, "policies/shipping") == []
    # "For US customers we cover shipping both ways with a prepaid label."
    also = "For US customers, we also cover shipping both ways with a prepaid label."
    assert promises(also, "policies/warranty") == []


def test_each_period_of_a_claim_is_read_against_whom_the_knowledge_gives_it() -> None:
    # "Bags are covered for 2 years from the delivery date, and clothing and home goods are
    # covered for 1 year."
    kept = "Bags are covered for 2 years from delivery, and clothing and home goods for 1 year."
    assert kinds(kept, "policies/warranty") == []
    moved = (
        "Bags and home goods are both covered for 2 years from delivery, and clothing for 1 year."
    )
    assert kinds(moved, "policies/warranty") == [ClaimKind.condition]


def test_how_a_piece_is_cut_is_a_policy_term() -> None:
    # "Our tops, sweaters and fleeces are unisex and come in XS to XXL."
    cut = "Our tops, sweaters and fleeces come in XS to XXL"
    assert kinds(f"{cut}, all unisex.", "faq/sizing") == []
    gendered = f"{cut}, with separate men's and women's cuts rather than unisex sizing."
    assert kinds(gendered, "faq/sizing") == [ClaimKind.policy_term]


def test_those_of_the_sentence_before_are_its_subject() -> None:
    # "Items marked Final Sale … and gift cards can't be returned or exchanged."
    other = "Gift cards are a different story, though"
    returns = ("faq/returns", "policies/returns")
    assert kinds(f"{other}: those can't be returned.", *returns) == []
    those = f"{other}: those can be returned like anything else within 30 days of delivery."
    assert kinds(those, *returns) == [ClaimKind.polarity]


def test_where_to_measure_is_a_policy_term() -> None:
    # "Measure around the fullest part of your chest …"
    assert (
        kinds("Measure around the widest part of your chest, then use the chart.", "faq/sizing")
        == []
    )
    shoulders = "Measure across the widest part of your shoulders, then use the chart."
    assert kinds(shoulders, "faq/sizing") == [ClaimKind.policy_term]


def test_a_start_the_knowledge_never_gives_a_period_is_a_changed_condition() -> None:
    # "We keep message history for 12 months and then delete it."
    kept = "Message history stays with us for 12 months before it's deleted."
    assert kinds(kept, "policies/privacy") == []
    started = (
        "We keep message history for 12 months after your most recent message, then delete it."
    )
    assert kinds(started, "policies/privacy") == [ClaimKind.condition]


def test_all_after_a_list_and_the_knowledges_own_every_widen_nothing() -> None:
    listed = (
        "Canada, Mexico, the UK, the EU, Australia and Japan are all covered through DHL Express"
        " at a flat $25 per order."
    )
    assert kinds(listed, "policies/shipping") == []
    widened = "We ship to any country with DHL Express for a flat $25 per order."
    assert kinds(widened, "policies/shipping") == [ClaimKind.condition]
    # "A person on our team reviews every claim …", beside "… to make a warranty claim."
    every = (
        "Someone on our team looks at every claim and replies within one business day, and you"
        " won't need the original packaging or tags."
    )
    assert kinds(every, "policies/warranty") == []


def test_a_word_that_picks_one_card_of_several_names_no_kind_of_card() -> None:
    # "If you paid with a Fernhill gift card, that part of the refund goes back onto the gift
    # card." / "Refunds go to your original payment method."
    picked = (
        "What you paid with a gift card goes back onto that gift card, since refunds never land"
        " on a different card than the one you paid with."
    )
    assert kinds(picked, "policies/refunds") == []
    bank = (
        "If you paid with a Fernhill gift card, that part of the refund goes onto your bank card."
    )
    assert kinds(bank, "policies/refunds") == [ClaimKind.entity]


def test_using_a_gift_card_by_itself_or_paired_is_the_knowledges_on_its_own_or_together() -> None:
    alone = (
        "Got a Fernhill gift card? You can use it by itself or pair it with another payment method."
    )
    assert kinds(alone, "faq/payments") == []
    more = "Got a Fernhill gift card? You can also use it to pay for a monthly subscription box."
    assert kinds(more, "faq/payments") == [ClaimKind.capability]


def test_baked_into_the_prices_and_taken_care_of_under_the_warranty_are_said_plainly() -> None:
    # "Import duties and taxes aren't included in our prices …"
    kept = "Import duties and taxes aren't part of our prices, so DHL may collect them on delivery."
    assert kinds(kept, "policies/shipping") == []
    baked = (
        "Import duties and taxes are already baked into our prices, so nothing is due at the door."
    )
    assert kinds(baked, "policies/shipping") == [ClaimKind.polarity]
    # "Natural changes, like waxed canvas creasing …, are … rather than defects."
    assert (
        kinds(
            "Broken stitching is something we'd take care of under the warranty.",
            "policies/warranty",
        )
        == []
    )
    creasing = (
        "If your waxed canvas bag has started creasing, that's something we'd take care of"
        " under the warranty."
    )
    assert kinds(creasing, "policies/warranty") == [ClaimKind.polarity]


def test_a_carrier_is_read_with_its_own_clause_and_figures() -> None:
    # "Standard shipping takes 3–5 business days with USPS or UPS … Express shipping takes 1–2
    # business days with FedEx …" beside "… with DHL Express for a flat $25 …, 6–10 …".
    standard = "Within the US, Standard goes with USPS or UPS and takes 3–5 business days, while"
    assert (
        kinds(
            f"{standard} Express goes with FedEx and takes 1–2 business days.", "policies/shipping"
        )
        == []
    )
    dhl = f"{standard} Express travels with DHL and gets there in 1–2 business days."
    assert kinds(dhl, "policies/shipping") == [ClaimKind.entity]
    assert (
        kinds(
            "International orders travel with DHL Express and take 6–10 business days.",
            "policies/shipping",
        )
        == []
    )
    fast = "Express goes out with DHL and arrives in 1–2 business days, and it's $14 on any order."
    assert kinds(fast, "policies/shipping") == [ClaimKind.entity]


def test_what_a_page_lets_you_do_is_a_capability() -> None:
    # "Start your return at fernhillgoods.example/returns …; … you can drop the parcel at any
    # post office."
    start = "That page lets you start your return with your order number and email."
    assert kinds(f"Go to fernhillgoods.example/returns. {start}", "policies/returns") == []
    pickup = (
        "For a US order we email you a free prepaid USPS label, and the returns page lets you"
        " schedule a USPS pickup from your doorstep."
    )
    assert kinds(pickup, "policies/returns") == [ClaimKind.capability]
    # "A person on our team reviews every claim …": looking it over is reviewing it.
    looked = (
        "Send us your order number, a short description and a few photos, and a person on our"
        " team will look it over and reply within one business day."
    )
    assert kinds(looked, "policies/warranty") == []


def test_how_long_records_are_kept_and_who_approves_are_policy_terms() -> None:
    # "We keep order records for as long as tax law requires, and your account details for as
    # long as your account is open."
    kept = (
        "Order records stay for as long as tax law requires, and account details for as long as"
        " your account is open."
    )
    assert kinds(kept, "policies/privacy") == []
    warranty = "We keep order records for as long as your items are still under warranty."
    assert kinds(warranty, "policies/privacy") == [ClaimKind.policy_term]
    # "Shop Pay decides on approval when you apply."
    assert kinds("Choose Shop Pay at checkout; Shop Pay decides on approval.", "faq/payments") == []
    team = (
        "Choose Shop Pay at checkout, and our customer care team will review and approve your"
        " application."
    )
    assert kinds(team, "faq/payments") == [ClaimKind.policy_term]


def test_the_customers_name_addressed_is_no_claim() -> None:
    # "We ship to Canada, Mexico, the UK, the EU, Australia and Japan with DHL Express …"
    assert (
        kinds("Great question, Jordan. We ship to Japan with DHL Express.", "policies/shipping")
        == []
    )
    assert kinds("We ship to Japan with DHL Express, Haruto!", "policies/shipping") == []
    # A place after a clause is a place, however it is said.
    for listed in ("We ship to Canada, Mexico, Jordan.", "We ship to Canada, Brazil!"):
        assert kinds(listed, "policies/shipping") == [ClaimKind.entity], listed
    # "No, you can check out as a guest."
    guest = "You don't need an account to order, Ellie; guest checkout works just fine."
    assert kinds(guest, "faq/account") == []
