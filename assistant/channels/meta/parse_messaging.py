"""Messenger and Instagram ``messaging[]`` events: messages, attachments, quick replies,
postbacks, echoes, reactions, unsends, delivery and read receipts."""

from __future__ import annotations

import hashlib
from typing import Any

from assistant.channels.meta.events import (
    Echo,
    Edited,
    EventKind,
    MetaEvent,
    NewMessage,
    Origin,
    Reaction,
    Recorded,
    Withdrawn,
)
from assistant.channels.meta.payload import mapping, moment, optional_text, text
from assistant.intake.messages import Author, Channel, InboundMessage

# What a person sees for a message that is only an attachment.
ATTACHMENT_WORDS = {
    "image": "a photo",
    "audio": "a voice message",
    "video": "a video",
    "file": "a file",
    "sticker": "a sticker",
    "story_mention": "a story that mentions the brand",
    "share": "a shared post",
    "ig_reel": "a reel",
    "reel": "a reel",
    "fallback": "a link",
    "template": "a template message",
    "location": "a location",
    "unsupported_type": "something Instagram cannot show to apps",
}


def conversation(channel: Channel, account_id: str, customer_id: str) -> str:
    return f"{channel.value}:{account_id}:{customer_id}"


def attachments_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for raw in message.get("attachments") or []:
        if isinstance(raw, dict):
            payload = mapping(raw, "payload")
            kind = str(raw.get("type") or "unknown")
            if kind == "image" and payload.get("sticker_id"):
                kind = "sticker"
            found.append({"type": kind, "url": optional_text(payload, "url")})
    return found


def no_text_problem(attachments: list[dict[str, Any]], channel: Channel) -> str:
    words = [ATTACHMENT_WORDS.get(a["type"], f"an attachment ({a['type']})") for a in attachments]
    what = ", ".join(words) if words else "a message without text"
    return f"the customer sent {what} with no text: a person looks at it on {channel.value}"


def parse_messaging(
    event: dict[str, Any], channel: Channel, account_id: str, *, standby: bool = False
) -> MetaEvent:
    where = f"{channel.value} messaging event"
    sender = text(mapping(event, "sender"), "id", f"{where}.sender")
    recipient = text(mapping(event, "recipient"), "id", f"{where}.recipient")
    # A delivery or read receipt may carry only its watermark (when everything up to it
    # was delivered or read).
    when = event.get("timestamp") or _watermark(event)
    at = moment(when, f"{where}.timestamp")
    message = mapping(event, "message")
    echo = bool(message.get("is_echo"))
    customer = recipient if echo else sender
    base = Origin(
        channel=channel,
        account_id=account_id,
        occurred_at=at,
        conversation=conversation(channel, account_id, customer),
    )
    if standby:
        key = f"standby:{message.get('mid') or _digest(event)}"
        return Recorded(key=key, kind=EventKind.standby, data=_brief(event), **base)
    if message:
        mid = text(message, "mid", f"{where}.message")
        if echo:
            return Echo(
                key=f"echo:{mid}",
                platform_id=mid,
                text=str(message.get("text") or ""),
                marker=optional_text(message, "metadata"),
                **base,
            )
        if message.get("is_deleted"):
            return Withdrawn(key=f"unsend:{mid}", platform_id=mid, **base)
        return _new_message(event, message, mid, sender, base)
    if postback := mapping(event, "postback"):
        mid = optional_text(postback, "mid") or f"postback-{_digest(event)}"
        title = str(postback.get("title") or postback.get("payload") or "")
        inbound = InboundMessage(
            id=mid,
            channel=channel,
            author=Author(id=sender),
            text=title,
            received_at=at,
            metadata=_meta(base, account_id, postback=optional_text(postback, "payload")),
        )
        return NewMessage(key=f"msg:{mid}", message=inbound, **base)
    if edit := mapping(event, "message_edit"):
        mid = text(edit, "mid", f"{where}.message_edit")
        key = f"edit:{mid}:{edit.get('num_edit')}"
        return Edited(key=key, platform_id=mid, text=str(edit.get("text") or ""), **base)
    if reaction := mapping(event, "reaction"):
        target = text(reaction, "mid", f"{where}.reaction")
        removed = reaction.get("action") == "unreact"
        emoji = str(reaction.get("emoji") or reaction.get("reaction") or "")
        key = f"reaction:{target}:{sender}:{reaction.get('action')}:{at.timestamp()}"
        return Reaction(key=key, target_id=target, emoji=emoji, removed=removed, **base)
    for receipt in ("delivery", "read"):
        if receipt_data := mapping(event, receipt):
            mark = receipt_data.get("watermark") or at.timestamp()
            return Recorded(
                key=f"{receipt}:{conversation(channel, account_id, sender)}:{mark}",
                kind=EventKind.receipt,
                data={"receipt": receipt, "watermark": mark},
                **base,
            )
    return Recorded(key=f"other:{_digest(event)}", kind=EventKind.other, data=_brief(event), **base)


def _new_message(
    event: dict[str, Any], message: dict[str, Any], mid: str, sender: str, base: Origin
) -> NewMessage:
    channel: Channel = base["channel"]
    body = str(message.get("text") or "")
    attachments = attachments_of(message)
    quick = mapping(message, "quick_reply")
    reply_to = mapping(message, "reply_to")
    story = mapping(reply_to, "story")
    if story:
        attachments.append({"type": "story_reply", "url": optional_text(story, "url")})
    problem = None
    if not body.strip():
        problem = no_text_problem(attachments, channel)
    metadata = _meta(
        base,
        base["account_id"],
        attachments=attachments or None,
        quick_reply=optional_text(quick, "payload"),
        reply_to=optional_text(reply_to, "mid"),
        story_id=optional_text(story, "id"),
        referral=mapping(event, "referral") or None,
    )
    inbound = InboundMessage(
        id=mid,
        channel=channel,
        author=Author(id=sender),
        text=body,
        received_at=base["occurred_at"],
        metadata=metadata,
        intake_problem=problem,
    )
    return NewMessage(key=f"msg:{mid}", message=inbound, **base)


def _meta(base: Origin, account_id: str, **extra: Any) -> dict[str, Any]:
    """What a reply needs later: where it came from, and when (for the reply window)."""
    data = {
        "account_id": account_id,
        "conversation": base["conversation"],
        "event_at": base["occurred_at"].isoformat(),
        "kind": "dm",
    }
    data.update({k: v for k, v in extra.items() if v is not None})
    return data


def _watermark(event: dict[str, Any]) -> object:
    receipt = mapping(event, "delivery") or mapping(event, "read")
    return receipt.get("watermark")


def _digest(event: dict[str, Any]) -> str:
    return hashlib.sha256(repr(sorted(event.items())).encode()).hexdigest()[:24]


def _brief(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k not in ("sender", "recipient")}
