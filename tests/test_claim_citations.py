"""Readings of drafts in the styles of the sets written to be read next (citing the policy,
hedging, facts in asides): so far, a message "sent" to the customer, which names its deed
by what is sent. Each is tested both ways: the change is caught, the faithful wording
passes."""

from __future__ import annotations

from assistant.safety.claims import ClaimKind
from tests.support import claim_kinds as kinds


def test_a_message_sent_is_the_deed_of_its_kind() -> None:
    # The privacy policy: "We complete every request within 30 days and confirm by email".
    sent = "Every request is completed within 30 days, and we'll send you an email to confirm."
    assert kinds(sent, "policies/privacy") == []
    # A text message is still a channel the knowledge never names.
    texted = sent.replace("an email", "a text message")
    assert kinds(texted, "policies/privacy") == [ClaimKind.entity]
