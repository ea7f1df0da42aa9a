"""Reply windows per channel: until when a reply can go out, and what is still possible
after. The console shows it on each item; delivery checks it before calling Meta, so a
closed window is said plainly instead of failing at send time.

- WhatsApp: 24 h from the customer's last message; then only an approved template.
- Messenger / Instagram DMs: 24 h; up to 7 days with the HUMAN_AGENT tag, only for a reply a
  person wrote or approved.
- Comments: a public reply has no window; a private reply (one message) within 7 days."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from assistant.intake.messages import Channel

STANDARD = timedelta(hours=24)
HUMAN_AGENT = timedelta(days=7)
PRIVATE_REPLY = timedelta(days=7)


class ReplyOption(StrEnum):
    message = "message"  # an ordinary reply inside the window
    human_agent = "human_agent"  # Messenger/Instagram, 24 h to 7 days, a person approved it
    template = "template"  # WhatsApp outside the window
    public_comment = "public_comment"
    private_reply = "private_reply"  # one DM to a commenter, within 7 days


@dataclass(frozen=True)
class ReplyWindow:
    deadline: datetime | None  # when the best option closes; None = no limit
    options: tuple[ReplyOption, ...]  # what can still be sent now, best first
    explanation: str  # for the console

    @property
    def closed(self) -> bool:
        return not self.options


def is_comment(metadata: Mapping[str, Any]) -> bool:
    return metadata.get("kind") == "comment"


def last_customer_message(metadata: Mapping[str, Any], fallback: datetime) -> datetime:
    raw = metadata.get("event_at")
    if isinstance(raw, str):
        try:
            moment = datetime.fromisoformat(raw)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        except ValueError:
            pass
    return fallback


def reply_window(
    channel: Channel,
    metadata: Mapping[str, Any],
    now: datetime,
    *,
    last_message_at: datetime | None = None,
    has_template: bool = False,
) -> ReplyWindow:
    """``last_message_at``: the customer's latest message in the conversation (a newer message
    reopens the window); defaults to this message's own time."""
    since = last_message_at or last_customer_message(metadata, now)
    age = now - since
    if is_comment(metadata):
        private_until = since + PRIVATE_REPLY
        if age <= PRIVATE_REPLY:
            return ReplyWindow(
                private_until,
                (ReplyOption.public_comment, ReplyOption.private_reply),
                f"public reply any time; a private reply until {_when(private_until)}",
            )
        return ReplyWindow(
            None,
            (ReplyOption.public_comment,),
            "public reply only: the 7 days for a private reply have passed",
        )
    if channel is Channel.whatsapp:
        if age <= STANDARD:
            return ReplyWindow(
                since + STANDARD, (ReplyOption.message,), f"reply by {_when(since + STANDARD)}"
            )
        if has_template:
            return ReplyWindow(
                None,
                (ReplyOption.template,),
                "the 24 h window has closed: only the approved template can be sent",
            )
        return ReplyWindow(
            None,
            (),
            "the 24 h window has closed and no template is configured: "
            "nothing can be sent until the customer writes again",
        )
    if channel in (Channel.facebook, Channel.instagram):
        if age <= STANDARD:
            return ReplyWindow(
                since + STANDARD,
                (ReplyOption.message, ReplyOption.human_agent),
                f"reply by {_when(since + STANDARD)}",
            )
        if age <= HUMAN_AGENT:
            return ReplyWindow(
                since + HUMAN_AGENT,
                (ReplyOption.human_agent,),
                "past 24 h: only a reply a person approves (human-agent tag), "
                f"until {_when(since + HUMAN_AGENT)}",
            )
        return ReplyWindow(
            None,
            (),
            "more than 7 days since the customer wrote: nothing can be sent until they write again",
        )
    return ReplyWindow(None, (ReplyOption.message,), "no platform window")


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
