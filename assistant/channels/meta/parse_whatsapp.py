"""WhatsApp Cloud API ``messages`` changes: customer messages (``messages[]``, with the
sender's name from ``contacts[]``) and delivery receipts for our replies (``statuses[]``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from assistant.channels.meta.events import (
    DeliveryState,
    EventKind,
    MetaEvent,
    NewMessage,
    Origin,
    PayloadError,
    Reaction,
    Recorded,
    Status,
)
from assistant.channels.meta.parse_messaging import conversation, no_text_problem
from assistant.channels.meta.payload import mapping, moment, optional_text, text
from assistant.intake.messages import Author, Channel, InboundMessage

MEDIA = ("image", "video", "audio", "document", "sticker")


def parse_whatsapp(value: dict[str, Any], waba_id: str) -> list[MetaEvent]:
    phone_id = text(mapping(value, "metadata"), "phone_number_id", "whatsapp value.metadata")
    names = {}
    for contact in value.get("contacts") or []:
        if isinstance(contact, dict):
            who = optional_text(contact, "wa_id") or optional_text(contact, "user_id")
            if who:
                names[who] = optional_text(mapping(contact, "profile"), "name")
    events: list[MetaEvent] = [
        _message(m, phone_id, names) for m in value.get("messages") or [] if isinstance(m, dict)
    ]
    events += [_status(s, phone_id) for s in value.get("statuses") or [] if isinstance(s, dict)]
    if not events and value.get("errors"):
        raise PayloadError(f"whatsapp errors for number {phone_id}: {value['errors']!r}"[:500])
    return events


def _message(data: dict[str, Any], phone_id: str, names: dict[str, str | None]) -> MetaEvent:
    where = "whatsapp message"
    wamid = text(data, "id", where)
    sender = optional_text(data, "from") or text(data, "from_user_id", where)
    at = moment(data.get("timestamp"), f"{where}.timestamp")
    # A group's messages are one conversation, answered in the group (every member sees it).
    group = optional_text(data, "group_id")
    conv = conversation(Channel.whatsapp, phone_id, f"group:{group}" if group else sender)
    base = Origin(channel=Channel.whatsapp, account_id=phone_id, occurred_at=at, conversation=conv)
    kind = str(data.get("type") or "unknown")
    if kind == "reaction":
        reaction = mapping(data, "reaction")
        emoji = str(reaction.get("emoji") or "")
        target = text(reaction, "message_id", f"{where}.reaction")
        return Reaction(
            key=f"msg:{wamid}", target_id=target, emoji=emoji, removed=not emoji, **base
        )
    if kind == "system":
        return Recorded(key=f"msg:{wamid}", kind=EventKind.other, data={"type": kind}, **base)
    body, extra = _content(data, kind)
    attachments = (
        [{"type": kind, "id": optional_text(mapping(data, kind), "id")}] if kind in MEDIA else []
    )
    problem = None
    if not body.strip():
        problem = (
            no_text_problem(attachments, Channel.whatsapp)
            if attachments
            else (f"the customer sent a WhatsApp {kind} message with no text: a person looks at it")
        )
    metadata = {
        "account_id": phone_id,
        "conversation": conv,
        "event_at": at.isoformat(),
        "kind": "group" if group else "dm",
        "group_id": group,
        "wa_type": kind,
        "reply_to": optional_text(mapping(data, "context"), "id"),
        "attachments": attachments or None,
        **extra,
    }
    inbound = InboundMessage(
        id=wamid,
        channel=Channel.whatsapp,
        author=Author(id=sender, name=names.get(sender)),
        text=body,
        received_at=at,
        metadata={k: v for k, v in metadata.items() if v is not None},
        intake_problem=problem,
    )
    return NewMessage(key=f"msg:{wamid}", message=inbound, **base)


def _content(data: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    """The words the customer sent, and what else a reply needs to know."""
    match kind:
        case "text":
            return str(mapping(data, "text").get("body") or ""), {}
        case "interactive":
            interactive = mapping(data, "interactive")
            reply = mapping(interactive, "button_reply") or mapping(interactive, "list_reply")
            return str(reply.get("title") or ""), {"choice_id": optional_text(reply, "id")}
        case "button":
            button = mapping(data, "button")
            return str(button.get("text") or ""), {"choice_id": optional_text(button, "payload")}
        case "image" | "video" | "document":
            return str(mapping(data, kind).get("caption") or ""), {}
        case "location":
            place = mapping(data, "location")
            return "", {"location": {k: place.get(k) for k in ("latitude", "longitude", "name")}}
        case _:  # audio, sticker, contacts, order, unsupported: a person looks
            return "", {}


def _status(data: dict[str, Any], phone_id: str) -> Status:
    where = "whatsapp status"
    wamid = text(data, "id", where)
    state_text = text(data, "status", where)
    try:
        state = DeliveryState(state_text)
    except ValueError:
        raise PayloadError(f"{where}.status: unknown value {state_text!r}") from None
    at: datetime = moment(data.get("timestamp"), f"{where}.timestamp")
    # A customer known only by a business-scoped id has ``recipient_user_id`` instead.
    recipient = (
        optional_text(data, "recipient_id") or optional_text(data, "recipient_user_id") or "unknown"
    )
    errors = tuple(
        (int(e.get("code") or 0), str(e.get("title") or e.get("message") or ""))
        for e in data.get("errors") or []
        if isinstance(e, dict)
    )
    return Status(
        key=f"status:{wamid}:{state.value}",
        channel=Channel.whatsapp,
        account_id=phone_id,
        occurred_at=at,
        conversation=conversation(Channel.whatsapp, phone_id, recipient),
        platform_id=wamid,
        state=state,
        marker=optional_text(data, "biz_opaque_callback_data"),
        errors=errors,
    )
