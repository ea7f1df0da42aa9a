"""Graph API errors → what delivery should do, in words a person can act on. The codes and
their classes come from Meta's error references (see docs/channels.md)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ErrorClass(StrEnum):
    retry = "retry"
    permanent = "permanent"
    reconnect = "reconnect"


RETRY_CODES = {1, 2, 4, 17, 32, 613, 80007, 130429, 131000, 131056, 131057}
PAIR_RATE_LIMIT = 131056  # same sender and recipient: Meta says retry after 4^X seconds
PERMANENT_CODES = {10, 100, 551, 131026, 131047, 131048, 131049, 131050}
TOKEN_INVALID = 190

PLAIN_WORDS = {
    4: "the app hit Meta's rate limit",
    17: "the account hit Meta's rate limit",
    32: "the page hit Meta's rate limit",
    613: "Meta's rate limit for this call was reached",
    80007: "the WhatsApp business account hit its rate limit",
    130429: "the WhatsApp number reached its sending throughput",
    131000: "Meta had an unknown error",
    131056: "too many messages to the same person in a short time",
    131057: "the WhatsApp number is in maintenance",
    10: "Meta refused the send: the reply window has closed or the app lacks a permission",
    100: "Meta refused the request as invalid (a bug or a deleted comment/message)",
    551: "this person is not available (they may have blocked the page)",
    131026: "the message could not be delivered (not on WhatsApp, an old app, or terms)",
    131047: "more than 24 hours since the customer's last message: only a template can be sent",
    131048: "WhatsApp limited sends from this number as spam",
    131049: "WhatsApp held the message to keep a healthy ecosystem; try later by template",
    131050: "the customer stopped marketing messages from the brand",
    190: "the access token expired or was revoked: reconnect the channel",
}


@dataclass(frozen=True)
class GraphError:
    code: int
    subcode: int | None
    message: str
    klass: ErrorClass

    @property
    def reason(self) -> str:
        words = PLAIN_WORDS.get(self.code, "Meta refused the send")
        return f"{words} (Meta error {self.code}{f'/{self.subcode}' if self.subcode else ''})"


def classify(code: int, status: int = 400) -> ErrorClass:
    if code == TOKEN_INVALID:
        return ErrorClass.reconnect
    if code in RETRY_CODES or status >= 500 or status == 429:
        return ErrorClass.retry
    if code in PERMANENT_CODES or 200 <= code <= 299:
        return ErrorClass.permanent
    return ErrorClass.permanent  # unknown: a person looks rather than a loop of retries


def parse_error(status: int, body: Any) -> GraphError:
    """Meta's error body: ``{"error": {"message", "type", "code", "error_subcode",
    "error_data", "fbtrace_id"}}``; anything else from a 5xx is a retry."""
    error = body.get("error", body) if isinstance(body, dict) else None
    if not isinstance(error, dict) or "code" not in error:  # bare error objects are read too
        klass = ErrorClass.retry if status >= 500 or status == 429 else ErrorClass.permanent
        if status == 401:  # the token was refused: sends wait for a reconnection
            klass = ErrorClass.reconnect
        return GraphError(0, None, f"HTTP {status} without an error body", klass)
    code = int(error.get("code") or 0)
    subcode = error.get("error_subcode")
    return GraphError(
        code=code,
        subcode=int(subcode) if isinstance(subcode, int | str) and str(subcode).isdigit() else None,
        message=str(error.get("message") or "")[:300],
        klass=classify(code, status),
    )


def plain_reason(code: int, title: str = "") -> str:
    """For a ``failed`` status webhook: what happened, in words, with Meta's code."""
    words = PLAIN_WORDS.get(code) or title or "the platform could not deliver it"
    return f"the reply was not delivered: {words} (Meta error {code})"
