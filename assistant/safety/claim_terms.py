"""The vocabulary of the claim check (claims.py): named things a draft may only mention
when the knowledge does, policy terms that exclude each other, negations, ways of saying the
same thing with or without one, and the words that carry no claim."""

from __future__ import annotations

import re
from collections.abc import Callable


# Named things a draft may only mention when the context does. Lowercase; matched as words.
def _terms(text: str) -> list[str]:
    return text.split()


ENTITIES = {
    "place": _terms(
        "afghanistan albania algeria argentina armenia australia austria bahamas bangladesh"
        " belgium bolivia brazil bulgaria cambodia cameroon canada chile china colombia"
        " croatia cuba cyprus czechia denmark ecuador egypt estonia ethiopia finland france"
        " germany ghana greece guatemala hungary iceland india indonesia iran iraq ireland"
        " israel italy jamaica japan jordan kenya korea kuwait latvia lebanon lithuania"
        " luxembourg malaysia malta mexico morocco nepal netherlands nigeria norway pakistan"
        " panama peru philippines poland portugal qatar romania russia serbia singapore"
        " slovakia slovenia spain sweden switzerland taiwan thailand turkey ukraine uruguay"
        " venezuela vietnam zimbabwe hawaii alaska texas california florida york london paris"
        " berlin tokyo toronto vancouver sydney dublin seattle chicago denver boston atlanta"
        " miami dallas houston phoenix los_angeles san_francisco san_diego las_vegas"
        " europe asia africa oceania scotland wales england puerto_rico new_zealand"
        " south_africa hong_kong saudi_arabia united_arab_emirates south_korea"
    ),
    "carrier": _terms(
        "usps ups fedex dhl tnt aramex purolator royal_mail canada_post australia_post"
        " evri hermes dpd gls ontrac lasership amazon_logistics"
    ),
    "payment method": _terms(
        "paypal venmo zelle klarna afterpay affirm sezzle apple_pay google_pay amazon_pay"
        " bitcoin crypto cryptocurrency cheque cash_on_delivery bank_transfer"
        " wire_transfer store_credit voucher vouchers"
    ),
    "material": _terms(
        "cotton wool merino cashmere alpaca silk linen leather suede polyester nylon acrylic"
        " bamboo hemp denim canvas fleece rayon viscose spandex elastane velvet"
        " stainless_steel ceramic porcelain glass oak walnut beeswax soy_wax"
    ),
    # Services a shop may offer and this one may not: a drafting model's favourite additions.
    "service": _terms(
        "pre-order pre-orders preorder preorders layaway price_match price_matching"
        " price_adjustment gift_registry loyalty_program loyalty_points reward_points"
        " rewards_program store_pickup curbside_pickup click_and_collect local_pickup"
        " in-store_pickup trade-in buyback rental monogramming monogram engraving"
        " personalisation personalization alterations hemming tailoring"
    ),
    "channel": _terms(
        "app mobile_app text_message text_messages text_us call_or_text text_or_call texting sms"
        " whatsapp messenger"
        " telegram live_chat phone_call hotline instagram facebook tiktok twitter"
        " in_person in-person walk-in in_store in-store"
    ),
}
ENTITY_KIND = {term.replace("_", " "): kind for kind, terms in ENTITIES.items() for term in terms}
ENTITY = re.compile(
    r"\b(?:" + "|".join(sorted((re.escape(t) for t in ENTITY_KIND), key=len, reverse=True)) + r")\b"
)

# Terms that exclude each other: a draft naming one where its closest context sentence
# names another of the same group has swapped a policy term. "a|b" are forms of one term
# ("paid" is no rival of "pay": both say the customer pays).
EXCLUSIVE = [
    (
        "where a refund goes",
        [
            "original payment method",
            "gift card",
            "store credit|account credit|account balance",
            "voucher",
            "installment plan",
        ],
    ),
    ("the item's condition", ["unworn", "worn"]),
    ("the item's condition", ["unused", "used"]),
    ("the item's condition", ["unwashed", "washed"]),
    # Not "paid": "the full price you paid", "if you paid with a gift card" say what was
    # paid or how, not who pays (``stances.WHO_PAYS`` reads "paid by you").
    ("who pays", ["free", "pay|costs|charge|own expense|own cost"]),
    ("how often", ["always", "never", "sometimes"]),
    # "cut slim on purpose" where the sizing answer says "cut roomy on purpose".
    ("how it fits", ["roomy|loose|oversized|baggy", "slim|fitted|snug|tight|narrow"]),
    (
        "the remedy",
        [
            "refund|refunded",
            "replacement",
            # "refunded rather than sent out again" where undeliverable parcels are reshipped.
            "shipped again|sent out again|sent again|reship|reshipped",
            "exchange",
            "store credit|account credit",
            "gift card",
            "voucher",
        ],
    ),
    ("which days count", ["business day|business days", "calendar day|calendar days"]),
    # "a warm hand wash" where the care label says "in cold water".
    (
        "the water's temperature",
        [
            "cold|cool",
            "warm|lukewarm",
            "hot",
            # "whatever temperature you wash them at" where the label says cold.
            "whatever temperature|any temperature|whatever the temperature|hot or cold",
        ],
    ),
    # "a spin in the tumble dryer" where the care label says line dry or dry flat (which of
    # those two is said of which material is the bindings' business).
    (
        "how it is dried",
        [
            "line dry|line dried|hang to dry|hang them to dry|hang it to dry|hang dry"
            "|hung to dry|air dry|dry flat|dried flat|lay flat|laid flat",
            "tumble dry|tumble dryer|tumble-dry|in the dryer|machine dry",
        ],
    ),
    # "the prices will still appear on the packing slip" where gift wrap leaves them off.
    (
        "the packing slip's prices",
        [
            "prices off|without prices|without the prices|no prices|prices left off",
            "prices will still appear|prices will appear|prices still appear|prices will show"
            "|prices still show|prices will be shown|prices will still show",
        ],
    ),
    # "If you're between sizes, pick the smaller one" where the knowledge says "size up".
    (
        "which way to size",
        [
            "size up|go up a size|the larger one|the bigger one|a size larger|a size bigger",
            "size down|go down a size|the smaller one|a size smaller",
        ],
    ),
    # "It's fine if you've taken the tags off" where a return needs its original tags.
    (
        "the tags",
        [
            "original tags|tags still on|tags on|tags attached",
            "tags off|taken off the tags|removed the tags|without tags|without the tags",
        ],
    ),
    # What becomes of data kept for a while: "then anonymise it" for "then delete it".
    (
        "what happens to the data",
        [
            "delete|deleted|erase|erased",
            "anonymise|anonymize|anonymised|anonymized",
            "archive|archived|long-term storage",
            # "we'll deactivate it" where the knowledge deletes the account.
            "deactivate|deactivated|disable|disabled|suspend|suspended",
        ],
    ),
    # Marketing by consent: "unless you opt out" where the knowledge sends it only "if you
    # opt in".
    (
        "how marketing is agreed to",
        [
            "opt in|opted in|opt-in|opted-in",
            "unless you opt out|unless you choose to opt out|unless you unsubscribe"
            "|unless you've opted out|unless you have opted out|unless you've unsubscribed"
            "|unless they opt out|unless they've opted out|unless they have opted out"
            "|unless they unsubscribe|until you opt out|until you unsubscribe"
            "|automatically subscribed|everyone who|to everyone|every customer|all customers"
            "|automatically signed up|automatically added|signed up automatically",
        ],
    ),
    # "a lifetime warranty" where the knowledge covers bags for 2 years.
    ("how long it is covered", ["lifetime|for life", "year|years|months|month"]),
    # "a 2-year money-back guarantee" where bags come with a 2-year warranty (a repair or a
    # replacement first, a refund only when neither works).
    (
        "what a promise gives",
        ["warranty|warranties", "money-back guarantee|money back guarantee|refund guarantee"],
    ),
    # "our team reviews and approves each application" where the payment provider decides.
    ("who decides", ["we decide", "provider decides"]),
    # "separate men's and women's cuts rather than unisex sizing".
    (
        "how it is cut",
        ["unisex", "men's and women's|men's cut|women's cut|men's sizing|women's sizing"],
    ),
    # "1% of our profits" where the knowledge gives 1% of every sale.
    ("what a share is of", ["sale|sales|every sale|revenue", "profit|profits"]),
    # "split into 4 payments with a small fee added to each" where they are interest-free.
    ("what paying later costs", ["no interest", "fee|fees|interest charge|with interest"]),
    # "2 years from the purchase date" where the knowledge counts from delivery.
    (
        "when the time starts",
        [
            "from delivery|from the delivery date|of delivery|after delivery"
            "|from the date of delivery|from the day it arrives|of receiving",
            "from purchase|from the purchase date|of purchase|from the date of purchase"
            "|from the order date|from the date you ordered|from the day you order"
            "|from when you ordered|from the date of your order",
        ],
    ),
    # "order records are kept for as long as your items are under warranty" where the
    # knowledge keeps them as long as tax law requires.
    (
        "how long it is kept",
        [
            "tax law",
            "under warranty|warranty lasts|warranty runs",
            "account is open|account stays open|account remains open|account's open"
            "|until you close",
        ],
    ),
    # "measure across the widest part of your shoulders" where the chart is by chest.
    ("where to measure", ["chest|bust", "waist", "hip|hips", "shoulder|shoulders"]),
    ("when it ships", ["same day", "same business day", "next day", "next business day"]),
    ("the currency", ["us dollars", "local currency", "your own currency", "euros", "pounds"]),
]

NEGATION = re.compile(
    r"\b(?:not|no|never|none|nothing|cannot|without|neither|nor|non|aren't|isn't|can't|won't|"
    r"don't|doesn't|didn't|wasn't|weren't|shouldn't|couldn't|haven't|hasn't|unable)\b"
)
# Ways of saying the same thing with or without a negation: folded before polarity is read.
SAME_MEANING: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # "Gift cards, though, should be returnable": an aside between subject and verb.
    (re.compile(r",\s*(?:though|however|of course|in fact|actually|by the way)\s*,"), ""),
    # "Per our payments FAQ, we accept …", "Our Privacy Policy explains that …": where a
    # claim is said to come from is no claim of its own (a document the brand does not have
    # is still a name the knowledge never uses).
    (
        re.compile(
            r"\b(?:per|according to|as|in) (?:our|the) (?:[a-z&'-]+ ){0,3}"
            r"(?:faq|faqs|policy|promise)(?: (?:puts it|says|explains|notes|states))?\s*,?\s*"
            r"[\"\u201c]?"
            r"|\b(?:our|the) (?:[a-z&'-]+ ){0,3}(?:faq|faqs|policy|promise) (?:says|explains|notes"
            r"|states|is clear|makes clear|puts it)(?: that)?\s*,?\s*[\"\u201c]?"
        ),
        "",
    ),
    # "Express, by contrast, takes 1–2 business days": a comparison's signpost says nothing.
    (
        re.compile(
            r"(,\s*)?\b(?:by contrast|in contrast|on the other hand|by comparison|in comparison)"
            r"\b(?!\s+(?:to|with)\b)(\s*,)?"
        ),
        lambda m: "," if bool(m[1]) != bool(m[2]) else " ",
    ),
    # "it can no longer be redirected": the negation governs the verb, not "longer".
    (re.compile(r"\bno longer\b"), "not"),
    (
        re.compile(
            r"\b(?:at no (?:extra )?(?:cost|charge)|(?:do|does|will) not (?:cost|charge)|"
            r"(?:don't|doesn't|won't) (?:cost|charge)|(?:for|free of) (?:no )?charge|"
            r"no (?:extra )?(?:cost|charge|fee)|(?:don't|do not|never|won't|will not) pay"
            # "is never something you pay for", "isn't anything you'll have to pay for"
            r"|(?:(?:is|are)(?:n't| not)|never|nothing) (?:(?:something|anything) )?you(?:'ll)?"
            r" (?:have to |need to )?pay for)\b"
        ),
        "free",
    ),
    # "we cover shipping", "we pay shipping", "on us", "covered on our side": the customer
    # pays nothing.
    (
        re.compile(
            r"\bwe(?:'ll| will)? (?:cover|pay(?: for)?)\b|\bon us\b|\bcomplimentary\b"
            r"|\b(?:covered|paid(?: for)?) (?:on|from) our (?:side|end)\b"
        ),
        "free",
    ),
    # "you'll just need to cover the postage": the customer pays.
    (re.compile(r"\byou(?:'ll| will)? (?:just )?(?:need to |have to )?cover\b"), "pay"),
    # A price says the customer pays ("gift wrapping is $5" against "is free"); a threshold
    # or a range does not ("free on orders of $75 or more", "from $25 to $250").
    (
        re.compile(
            r"(?<![\w$])(?<!of )(?<!over )(?<!above )(?<!from )(?<!than )(?<!least )"
            r"(?<!under )(?<!to )(?=\$\s?\d)"
        ),
        "costs ",
    ),
    # "interest-free", "plastic-free": without the thing, said with a negation.
    (re.compile(r"\b(\w+)-free\b"), r"no \1"),
    # Conditions said either way: "hasn't been worn" is "unworn".
    (
        re.compile(
            r"\b(?:not|never|hasn't|haven't|isn't|aren't|wasn't|weren't)\s+(?:been\s+|yet\s+)?"
            r"(worn|used|washed|opened)(?:\s+(or|and|nor)\s+(worn|used|washed|opened))?\b"
        ),
        lambda m: f"un{m[1]}" + (f" {m[2]} un{m[3]}" if m[3] else ""),
    ),
    (
        re.compile(r"\boriginal (?:card|form of payment|payment)(?! method)\b"),
        "original payment method",
    ),
    (re.compile(r"\bnon-?(refundable|returnable)\b"), r"not \1"),
    # A condition said with a negation is not a negated claim: "as long as it hasn't shipped".
    (
        re.compile(
            r"\b(?:as long as|since|now that|while) (\w+ \w+) (?:hasn't|has not) (?:yet )?"
            r"shipped( yet)?\b"
        ),
        r"until \1 ships",
    ),
    # "anything that isn't Final Sale": an exception to the subject, not a negated claim.
    (re.compile(r"\b(that|which) (?:isn't|aren't|is not|are not)\b"), r"\1 is other than"),
    (re.compile(r"\busd\b|\bu\.s\. dollars\b"), "us dollars"),
    (re.compile(r"\bno later than\b|\bnot later than\b"), "by"),
    (re.compile(r"\bno (?:matter|problem|worries)\b"), ""),
    # "No, you can check out as a guest": the answer to a question, not a negation ("No need
    # to keep the box" is one: a bare "no" answers only with a stop after it).
    (
        re.compile(
            r"^\s*(?:no(?=\s*[,!.\u2014\u2013-])|nope|nah|yes|yep|yup|yeah|sure|absolutely|"
            r"of course)\b[,!.]?"
            r"(?:\s*[\u2014\u2013-])?\s*"
        ),
        "",
    ),
    # "that's from them, not us", "part of its character, not defects", "$5 per order, not
    # per item: …": a contrast names what it is by what it is not; it does not deny the
    # statement.
    (
        re.compile(r",\s+not\s+(?=(?:us|you|them|a|an|the|per|[a-z]+s)\b[^,;:]*(?:[.!?]?$|:))"),
        ", rather than ",
    ),
    (re.compile(r"\bcosts? (?:you )?nothing\b"), "free"),
    # "signed up for our marketing messages automatically": how one is signed up.
    (
        re.compile(r"\b(signed up|subscribed|added)( (?:for|to) [a-z' ]{1,40}?) automatically\b"),
        r"\1 automatically\2",
    ),
    # Who decides on an application: the brand's people, or another company ("Shop Pay
    # decides on approval when you apply").
    (
        re.compile(
            r"\b(?:we|our (?:[a-z]+ ){0,2}(?:team|staff))(?:'ll| will)? (?:also )?"
            r"(?:review|reviews|approve"
            r"|approves|decide|decides)(?= (?:and approves? )?(?:each|every|your|the|on|if|whether)"
            r" (?:application|approval|request|you)\b)"
        ),
        r"we decide \g<0>",
    ),
    (re.compile(r"\b(?<!we )(?<!team )decides on approval\b"), r"provider \g<0>"),
    # "damaged, faulty or not what you ordered" names a case; it negates nothing.
    (re.compile(r"\bnot what (?:you|they|was|were) (?:ordered|asked for|expected)\b"), "wrong"),
    (re.compile(r"\bnot (?:only|just)\b"), ""),
    # Everyday ways of saying what the knowledge says plainly.
    (re.compile(r"\bkeep (you|them) posted\b"), r"keep \1 updated"),
    (re.compile(r"\s*\balong the way\b"), ""),
    (re.compile(r"\bno expir(?:y|ation) date\b"), "never expire"),
    (re.compile(r"\b(?:don't|do not|doesn't|does not|won't|will not) last forever\b"), "expire"),
    (re.compile(r"\blasts? forever\b"), "never expire"),
    (re.compile(r"\bget started\b"), "start"),
    # "the cost of the label is taken out of that amount": deducted from it.
    (re.compile(r"\b(?:taken out of|subtracted from|knocked off)\b"), "deducted from"),
    (re.compile(r"\s*\bwhenever you're ready\b"), ""),
    (re.compile(r"\blook up\b"), "check"),
    (re.compile(r"\blook (?:it |them |this |that |everything )?over\b"), "review"),
    # "already baked into our prices", "aren't part of our prices", "isn't part of the
    # refund", "isn't part of the service": included in them.
    (
        re.compile(r"\b(?:baked|built|factored|rolled) (?:in|into)(?= (?:our|the) prices?\b)"),
        "included in",
    ),
    (re.compile(r"\bpart of(?= (?:our|the) prices?\b)"), "included in"),
    # Only as what something is: "that part of the refund goes back" is a share of it.
    (
        re.compile(
            r"\b((?:is|are|isn't|aren't|not|'s|'re) )part of"
            r"(?= (?:the|your|our) (?:refunds?|service)\b)"
        ),
        r"\1included in",
    ),
    # "that's something we'd take care of under the warranty": the warranty covers it.
    (
        re.compile(
            r"\b(?:something |one )?(?:we'd|we would|we'll|we will|we) (?:take care of|handle"
            r"|sort out) under (?=(?:the|our) (?:warranty|fernhill promise|promise)\b)"
        ),
        "covered by ",
    ),
    (
        re.compile(
            r"\b(warranty|coverage)(?:'s| has| is)? (?:already )?(?:runs|has run|ran|run) out\b"
        ),
        r"\1 ends",
    ),
    (re.compile(r"\b(?:by|over the|on the) (?:phone|telephone)\b"), "by call"),
]
CAPABILITY = re.compile(
    r"\b(?:you can|you'll be able to|you may|we can|we'll|we will|we offer|we ship|we deliver|"
    r"we accept|we provide|we also|we do|we have|there's an?|there is an?|has an?|have an?)\b"
)
STOP = frozenset(
    _terms(
        "a an the and or but of to in on at by for with from as is are was were be been being it"
        " its this that these those you your yours we our us i me my he she they them their"
        " will would can could may might should shall do does did have has had if then so than"
        " just also any all each every some more most very too here there what which who when"
        " where how why about into over after before up out off again once hi hello thanks thank"
        " please team reply automated let know anything else comes reaching need needs"
        " don't doesn't isn't aren't won't can't didn't cost costs without not never"
        " one two three four five six seven eight nine ten"
    )
)
