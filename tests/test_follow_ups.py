"""Which sent replies promise that a person will answer, and when that is due."""

from __future__ import annotations

from datetime import UTC, datetime

from assistant.review.follow_ups import add_business_days, promised_follow_up


def test_the_hand_off_template_promises_one_business_day() -> None:
    text = (
        "Thanks for your message, Ana. I've passed it to a person on our team, and they'll "
        "reply here within one business day. — The Fernhill team"
    )
    promise = promised_follow_up(text)
    assert promise is not None and promise.business_days == 1


def test_an_answer_without_a_promise_opens_nothing() -> None:
    assert promised_follow_up("Refunds take 5 to 7 business days. Reply here if not.") is None


def test_a_friday_promise_is_due_on_monday() -> None:
    friday = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    assert add_business_days(friday, 1) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
