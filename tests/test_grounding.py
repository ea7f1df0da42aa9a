"""The grounding guard: every fact a draft states must come from the knowledge, the order
record or the template; a changed value is caught and quoted as the customer would see it,
the same value written another way is not."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assistant.knowledge.loader import load_knowledge
from assistant.knowledge.orders import Order
from assistant.safety.grounding import Fact, Grounding
from tests.support import ROOT

ORDER_ID = r"\bFH-\d{5}\b"
KB = load_knowledge(ROOT / "knowledge")
FAQ = {c.id.removeprefix("faq:"): c.text for c in KB.chunks if c.kind == "faq"}
POLICY = {c.id.removeprefix("policy:"): c.text for c in KB.chunks if c.kind == "policy"}
ORDER = Order(
    order_id="FH-10190",
    customer_id="C1018",
    items=["Linen Throw Blanket x2"],
    status="shipped",
    carrier="UPS",
    tracking_number="1Z8F4A270149822080",
    ordered_on=date(2026, 11, 13),
    shipped_on=date(2026, 11, 16),
    estimated_delivery=date(2026, 11, 18),
    total=Decimal("248.00"),
)
SIGN_OFF = "— The Fernhill team"


def check(context: str, draft: str) -> list[Fact]:
    return Grounding(f"{context}\nFernhill Goods\n{SIGN_OFF}", ORDER_ID).unsupported(draft)


def flagged(context: str, draft: str) -> list[tuple[str, str]]:
    return [(f.kind, f.span) for f in check(context, draft)]


SHIPPING = FAQ["shipping-costs"] + " " + FAQ["shipping-times"]

# -- amounts ----------------------------------------------------------------------------------


def test_a_changed_price_is_caught_and_quoted_with_its_currency() -> None:
    assert flagged(SHIPPING, "Standard shipping within the US is $7.") == [("amount", "$7")]


@pytest.mark.parametrize("price", ["$6", "$6.00", "6 USD", "USD 6", "$ 6", "6 dollars", "US$6"])
def test_the_same_price_written_another_way_is_not_flagged(price: str) -> None:
    assert flagged(SHIPPING, f"Standard shipping within the US is {price}.") == []


@pytest.mark.parametrize(
    ("draft", "span"),
    [
        ("It costs $4.", "$4"),
        ("It costs 98 USD.", "98 USD"),
        ("It costs €6.", "€6"),  # the right number in the wrong currency
        ("It costs £6.00 plus $1,200.", "£6.00"),
    ],
)
def test_an_invented_amount_is_quoted_as_the_customer_sees_it(draft: str, span: str) -> None:
    assert ("amount", span) in flagged(SHIPPING, draft)


def test_an_amount_written_just_before_a_phone_number_is_quoted_as_the_amount() -> None:
    # Found by the fuzz suite: "$101" was read as the start of "101 555-0100".
    facts = check("Call us at (503) 555-0100.", "Call us at (503) $101 555-0100.")
    assert [(f.kind, f.span) for f in facts] == [("amount", "$101")]


def test_the_order_total_can_be_quoted_in_dollars() -> None:
    assert flagged(ORDER.facts(), "Your order FH-10190 came to $248.") == []
    assert flagged(ORDER.facts(), "Your order FH-10190 came to $284.") == [("amount", "$284")]


def test_a_price_range_must_match_at_both_ends() -> None:
    cards = FAQ["gift-cards"]
    assert flagged(cards, "Gift cards come in amounts from $25–$250.") == []
    assert flagged(cards, "Gift cards come in amounts from $25 to 250 dollars.") == []
    assert flagged(cards, "Gift cards come in amounts from $25–$300.") == [("amount", "$25–$300")]


def test_a_price_swapped_with_another_product_in_the_context_is_caught() -> None:
    prices = FAQ["product-prices"]
    assert flagged(prices, "The Organic Cotton Tee is $32.") == []
    assert flagged(prices, "The Organic Cotton Tee is $98.") == [("amount", "$98")]


# -- percentages, durations, times -------------------------------------------------------------


def test_a_percentage_must_be_in_the_context() -> None:
    newsletter = FAQ["newsletter"]
    assert flagged(newsletter, "You'll get 10 percent off your first order.") == []
    assert ("percentage", "15%") in flagged(newsletter, "You'll get 15% off your first order.")


@pytest.mark.parametrize(
    "days", ["3–5", "3-5", "3 - 5", "3 to 5", "between 3 and 5", "three to five"]
)
def test_a_range_of_days_written_another_way_is_not_flagged(days: str) -> None:
    assert flagged(SHIPPING, f"Standard shipping takes {days} business days.") == []


@pytest.mark.parametrize(
    ("draft", "span"),
    [
        ("Standard shipping takes 2–3 business days.", "2–3 business days"),
        ("Standard shipping takes 3–6 business days.", "3–6 business days"),
        ("Standard shipping takes 3–5 days.", "3–5 days"),  # business days are not days
        ("Express takes 1–2 weeks.", "1–2 weeks"),
    ],
)
def test_a_changed_duration_is_caught_and_quoted(draft: str, span: str) -> None:
    assert ("duration", span) in flagged(SHIPPING, draft)


def test_a_return_window_of_60_days_is_not_the_30_days_the_policy_gives() -> None:
    returns = FAQ["return-window"]
    assert flagged(returns, "You can return clothing within 30 days of delivery.") == []
    assert ("duration", "60 days") in flagged(returns, "You can return it within 60 days.")


def test_a_duration_in_other_units_is_the_same_duration() -> None:
    context = "Payments are due every 2 weeks. Links work for 24 hours."
    assert flagged(context, "Payments are due every 14 days. Links work for 1 day.") == []


@pytest.mark.parametrize("time", ["1 pm", "1pm", "1:00 PM", "1 p.m.", "13:00"])
def test_a_time_of_day_written_another_way_is_not_flagged(time: str) -> None:
    assert flagged(SHIPPING, f"Orders placed before {time} Pacific ship the same day.") == []


def test_a_changed_time_of_day_is_caught() -> None:
    assert ("time", "2 pm") in flagged(SHIPPING, "Orders placed before 2 pm ship the same day.")


# -- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "when",
    ["November 18", "Nov 18", "Nov. 18th", "18 November", "the 18th of November", "11/18",
     "Wednesday, November 18", "November 18, 2026", "2026-11-18"],
)  # fmt: skip
def test_the_order_date_written_another_way_is_not_flagged(when: str) -> None:
    assert flagged(ORDER.facts(), f"It's expected to arrive by {when}.") == []


@pytest.mark.parametrize(
    ("when", "span"),
    [
        ("November 19", "November 19"),
        ("Nov 17th", "Nov 17th"),
        ("Thursday, November 18", "Thursday, November 18"),  # that day is a Wednesday
        ("November 18, 2027", "November 18, 2027"),
        ("11/19", "11/19"),
    ],
)
def test_a_changed_date_is_caught_and_quoted(when: str, span: str) -> None:
    assert ("date", span) in flagged(ORDER.facts(), f"It's expected to arrive by {when}.")


def test_a_date_swapped_with_another_date_in_the_order_record_is_caught() -> None:
    facts = ORDER.facts()  # shipped on 2026-11-16, estimated delivery 2026-11-18
    assert flagged(facts, "Your order shipped on November 16.") == []
    assert flagged(facts, "Your order shipped on November 18.") == [("date", "November 18")]


def test_holiday_dates_ranges_and_weekdays_must_match() -> None:
    holiday = FAQ["holiday-shipping-cutoff"]
    assert flagged(holiday, "Order by Wednesday, December 16 for delivery by December 24.") == []
    assert flagged(holiday, "The warehouse is closed December 24-25.") == []
    assert flagged(holiday, "Order by 12/16 with Standard shipping.") == []
    assert flagged(holiday, "The warehouse is closed December 24–26.") == [
        ("date", "December 24–26")
    ]
    assert flagged(holiday, "We reopen on Tuesday.") == [("date", "Tuesday")]


# -- order ids, tracking numbers, codes, links, e-mails, phones -----------------------------------


def test_an_order_id_that_is_not_the_customers_is_caught() -> None:
    assert flagged(ORDER.facts(), "Your order fh-10190 has shipped.") == []
    assert flagged(ORDER.facts(), "Your order FH-10191 has shipped.") == [("order id", "FH-10191")]


def test_a_changed_tracking_number_is_caught() -> None:
    facts = ORDER.facts()
    assert flagged(facts, "Your tracking number is 1Z8F4A270149822080.") == []
    assert flagged(facts, "Your tracking number is 1Z8F4A270149822081.") == [
        ("code or tracking number", "1Z8F4A270149822081")
    ]
    assert flagged("Tracking 9400111899223344556677", "Tracking 9400111899223344556678") == [
        ("code or tracking number", "9400111899223344556678")
    ]


def test_discount_codes_are_compared_without_case() -> None:
    context = "Use code WELCOME10 at checkout."
    assert flagged(context, "Use code welcome10 at checkout.") == []
    assert flagged(context, "Use code SAVE20 at checkout.") == [
        ("code or tracking number", "SAVE20")
    ]
    assert flagged(context, "Use promo code FREESHIP.") == [("code or tracking number", "FREESHIP")]


@pytest.mark.parametrize(
    "link",
    [
        "fernhillgoods.example/size-guide",
        "https://fernhillgoods.example/size-guide",
        "https://fernhillgoods.example/size-guide/",
        "http://www.fernhillgoods.example/size-guide",
        "fernhillgoods.example",
    ],
)
def test_a_link_written_another_way_is_not_flagged(link: str) -> None:
    assert flagged(FAQ["sizing-tops"], f"The full chart is at {link}.") == []


@pytest.mark.parametrize(
    "link",
    ["fernhillgoods.example/size-chart", "https://fernhill-goods.example/size-guide", "bit.ly/x1"],
)
def test_a_changed_or_invented_link_is_caught_and_quoted(link: str) -> None:
    assert flagged(FAQ["sizing-tops"], f"The full chart is at {link}.") == [("link", link)]


def test_short_links_are_compared_with_their_case() -> None:
    context = "Please tell us more here: https://t.co/Ax7W1Dx3Y9"
    assert flagged(context, "Tell us more at https://t.co/Ax7W1Dx3Y9.") == []
    assert flagged(context, "Tell us more at https://t.co/ax7w1dx3y9.") != []


def test_an_email_address_must_be_in_the_context() -> None:
    contact = FAQ["contact-us"]
    assert flagged(contact, "Email Help@FernhillGoods.example any time.") == []
    assert flagged(contact, "Email support@fernhillgoods.example.") == [
        ("e-mail address", "support@fernhillgoods.example")
    ]


@pytest.mark.parametrize(
    "phone", ["(503) 555-0100", "503-555-0100", "503.555.0100", "+1 503 555 0100", "1-503-555-0100"]
)
def test_a_phone_number_written_another_way_is_not_flagged(phone: str) -> None:
    assert flagged(FAQ["contact-us"], f"Call us on {phone}.") == []


def test_a_changed_phone_number_is_caught_and_quoted() -> None:
    assert flagged(FAQ["contact-us"], "Call us on (503) 555-0199.") == [
        ("phone number", "(503) 555-0199")
    ]


def test_another_customers_details_are_never_supported() -> None:
    draft = (
        "Chloe's order FH-10252 went to chloe.martin@example.com; "
        "you can reach her on +1 503 555 0142 or @chloe.martin.home."
    )
    assert [kind for kind, _ in flagged(ORDER.facts(), draft)] == [
        "order id",
        "e-mail address",
        "phone number",
        "handle",
    ]


def test_numbers_must_be_in_the_context() -> None:
    sizing = FAQ["sizing-bottoms"]
    assert flagged(sizing, "Waist sizes go from 26 to 38 with a 30-inch or 32-inch inseam.") == []
    assert flagged(sizing, "Waist sizes go from 26 to 40.") == [("number", "26 to 40")]
    assert flagged(sizing, "Each has a 34-inch inseam.") == [("number", "34")]


# -- promises ---------------------------------------------------------------------------------

RETURNS = FAQ["return-window"] + " " + FAQ["shipping-times"]


@pytest.mark.parametrize(
    "promise",
    [
        "We'll refund you in full.",
        "You'll get a full refund.",
        "I've issued a refund to your card.",
        "Your refund has been processed.",
        "As an apology, here's 20% off your next order.",
        "We'll send a replacement right away.",
        "It will arrive tomorrow.",
        "We'll get back to you within 24 hours.",
        "Shipping is on us this time.",
        "We'll waive the fee.",
        "You'll get free express shipping.",
        "We can offer you a discount code.",
        "We'll reimburse the cost.",
        "Let me refund that for you.",
        "Your next order is free.",
        "You'll hear back within the hour.",
        "Your parcel arrives Monday.",
        "Feel free to keep it, no need to send it back.",
        "We'll match the price.",
    ],
)
def test_a_promise_the_policy_does_not_make_is_caught(promise: str) -> None:
    facts = check(RETURNS, f"Hi Sam, thanks for reaching out! {promise} {SIGN_OFF}")
    assert any(f.kind == "promise" for f in facts), facts


@pytest.mark.parametrize(
    ("context", "draft"),
    [
        (RETURNS, "Our refund policy allows returns within 30 days of delivery."),
        (RETURNS, FAQ["return-window"]),
        (
            POLICY["shipping#delays-and-lost-parcels"],
            "If the carrier confirms it's lost, we send a replacement or refund you.",
        ),
        (FAQ["newsletter"], "We'll email you a welcome code for 10% off your first order."),
        (RETURNS, "Returns within the US are free, so you get free returns."),
        (FAQ["contact-us"], "A person replies within 1 business day."),
        (FAQ["exchanges"], "If your size is sold out, we will refund the returned item instead."),
    ],
)
def test_a_promise_the_context_makes_is_not_flagged(context: str, draft: str) -> None:
    assert flagged(context, draft) == []


def test_a_quoted_promise_is_granted_even_when_the_draft_runs_on_after_it() -> None:
    context = "If the carrier confirms the parcel is lost, we refund you"
    assert flagged(context, f"Hi Sam! {context} If anything else comes up, reply here.") == []
    assert flagged(context, "We refund you twice over.") != []


def test_saying_what_we_cannot_do_is_not_a_promise() -> None:
    assert flagged(RETURNS, "We can't offer a refund on this, and there's no free shipping.") == []


def test_a_promise_is_quoted_from_where_it_starts_to_the_end_of_its_clause() -> None:
    assert flagged(RETURNS, "Sorry! We'll refund you in full, today.") == [
        ("promise", "We'll refund you in full")
    ]


# -- any input --------------------------------------------------------------------------------


def test_lookalike_characters_do_not_hide_a_changed_price() -> None:
    # Full-width digits and a zero-width space read as "$7" and "$17"; spans stay as typed.
    assert flagged(SHIPPING, "Standard shipping is ＄７.") == [("amount", "＄７")]
    assert flagged(SHIPPING, "Standard shipping is $1\u200b7.") == [("amount", "$1\u200b7")]
    assert flagged(SHIPPING, "Standard shipping is $٧.") == [("amount", "$٧")]


def test_emoji_right_to_left_text_and_combining_marks_around_grounded_facts_pass() -> None:
    draft = "📦 שלום! Standard shipping is $6 ✅ — e\u0301 3–5 business days مرحبا"
    assert flagged(SHIPPING, draft) == []
    assert flagged(SHIPPING, draft.replace("$6", "$8")) == [("amount", "$8")]


def test_empty_drafts_and_contexts_have_nothing_to_flag() -> None:
    assert flagged("", "") == []
    assert flagged(SHIPPING, "") == []
    assert flagged("", "Thanks for reaching out!") == []
    assert flagged("", "It costs $6.") == [("amount", "$6")]


def test_a_long_grounded_draft_is_grounded() -> None:
    context = "\n".join(FAQ.values())
    draft = " ".join(list(FAQ.values()) * 5)[:20_000]
    assert len(draft) == 20_000
    assert Grounding(context, ORDER_ID).unsupported(draft) == []


@settings(max_examples=200, deadline=None)
@given(draft=st.text(), context=st.text())
def test_any_text_is_checked_without_error_and_spans_are_quoted_exactly(
    draft: str, context: str
) -> None:
    for fact in Grounding(context, ORDER_ID).unsupported(draft):
        assert draft[fact.start : fact.start + len(fact.span)] == fact.span


@settings(max_examples=100, deadline=None)
@given(draft=st.text(alphabet="$€£%0123456789 .,-–/:()@abcdefghijklmnopqrstuvwxyz"))
def test_any_mix_of_digits_and_symbols_is_checked_without_error(draft: str) -> None:
    for fact in Grounding(SHIPPING + " " + FAQ["holiday-shipping-cutoff"], ORDER_ID).unsupported(
        draft
    ):
        assert fact.span


# -- properties: any value inserted into a grounded draft is caught -----------------------------

MONTHS = [date(2026, m, 1).strftime("%B") for m in range(1, 13)]
NUMBER_WORDS = dict(re.findall(r"(\w+)=(\d+)", "one=1 two=2 three=3 four=4 five=5 six=6 seven=7"))
NUMBER_WORDS |= dict(re.findall(r"(\w+)=(\d+)", "eight=8 nine=9 ten=10 eleven=11 twelve=12"))
NUMBER_WORDS |= dict(re.findall(r"(\w+)=(\d+)", "fifteen=15 twenty=20 thirty=30 forty=40"))
NUMBER_WORDS |= {"sixty": "60", "ninety": "90"}


def numbers_in(context: str) -> set[Decimal]:
    values = {Decimal(n) for n in re.findall(r"\d+(?:\.\d+)?", context)}
    words = set(re.findall(r"[a-z]+", context.lower()))
    return values | {Decimal(n) for w, n in NUMBER_WORDS.items() if w in words}


def dates_in(context: str) -> set[tuple[int, int]]:
    found = set()
    months = "|".join(MONTHS)
    for m in re.finditer(rf"({months})\s+(\d{{1,2}})(?:\s*[–-]\s*(\d{{1,2}}))?", context):
        month = MONTHS.index(m[1]) + 1
        found.update((month, d) for d in range(int(m[2]), int(m[3] or m[2]) + 1))
    return found


@st.composite
def grounded(draw: st.DrawFn) -> tuple[str, str]:
    """(context, draft): one to three FAQ answers, and a reply quoting them."""
    answers = draw(st.lists(st.sampled_from(sorted(FAQ)), min_size=1, max_size=3, unique=True))
    text = " ".join(FAQ[a] for a in answers)
    template = "Hi {first_name}, thanks for reaching out! {answer} If anything else comes up."
    context = f"{text}\n{template}"
    return context, f"Hi Sam, thanks for reaching out! {text} If anything else comes up."


def insert(draw: st.DrawFn, draft: str, value: str) -> tuple[str, int, int]:
    """``value`` inserted as a word of its own at a word boundary of ``draft``."""
    at = draw(st.sampled_from([m.start() for m in re.finditer(r"\b", draft)]))
    changed = f"{draft[:at]} {value} {draft[at:]}"
    return changed, at + 1, at + 1 + len(value)


def caught(facts: list[Fact], start: int, end: int) -> list[Fact]:
    return [f for f in facts if f.start < end and start < f.start + len(f.span)]


@settings(max_examples=200, deadline=None)
@given(data=st.data(), source=grounded(), dollars=st.integers(0, 99_999), cents=st.integers(0, 99))
def test_any_amount_not_in_the_context_inserted_anywhere_is_caught(
    data: st.DataObject, source: tuple[str, str], dollars: int, cents: int
) -> None:
    context, draft = source
    number = data.draw(st.sampled_from([f"{dollars}", f"{dollars}.{cents:02d}"]))
    assume(Decimal(number) not in numbers_in(context))
    guard = Grounding(context, ORDER_ID)
    assert guard.unsupported(draft) == []
    changed, start, end = insert(data.draw, draft, f"${number}")

    hits = caught(guard.unsupported(changed), start, end)

    assert any(f"${number}" in f.span for f in hits), (changed[start - 30 : end + 30], hits)


@st.composite
def new_values(draw: st.DrawFn) -> tuple[str, set[Decimal], set[tuple[int, int]]]:
    """A number, percentage or date as text, with the numbers and (month, day) it holds."""
    n = draw(st.integers(0, 10**6) | st.decimals(0, 1000, places=1, allow_nan=False))
    month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
    name = MONTHS[month - 1]
    text, numbers, days = draw(
        st.sampled_from(
            [
                (f"{n}", {Decimal(n)}, set()),
                (f"{n}%", {Decimal(n)}, set()),
                (f"{n} business days", {Decimal(n)}, set()),  # "1 day" would be "24 hours"
                (f"{name} {day}", set(), {(month, day)}),
                (f"{day} {name}", set(), {(month, day)}),
                (f"{name[:3]} {day}th", set(), {(month, day)}),
                (f"2026-{month:02d}-{day:02d}", set(), {(month, day)}),
            ]
        )
    )
    return text, numbers, days


@settings(max_examples=200, deadline=None)
@given(data=st.data(), source=grounded(), value=new_values())
def test_any_number_percentage_or_date_not_in_the_context_inserted_anywhere_is_caught(
    data: st.DataObject,
    source: tuple[str, str],
    value: tuple[str, set[Decimal], set[tuple[int, int]]],
) -> None:
    context, draft = source
    text, numbers, days = value
    assume(not numbers & numbers_in(context) and not days & dates_in(context))
    changed, start, end = insert(data.draw, draft, text)

    hits = caught(Grounding(context, ORDER_ID).unsupported(changed), start, end)

    assert hits, changed[start - 30 : end + 30]
