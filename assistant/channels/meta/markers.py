"""The tag we attach to each send (``message.metadata`` for Messenger/Instagram,
``biz_opaque_callback_data`` for WhatsApp): echoes and statuses carry it back, so we can tell
our replies from another tool's and find the item a failed delivery belongs to."""

from __future__ import annotations

from assistant.channels.adapter import OutboundReply

PREFIX = "ra1"


def marker_for(reply: OutboundReply) -> str:
    return f"{PREFIX}:{reply.item_id}:{reply.reply_id}:{reply.idempotency_key}"[:512]


def is_ours(marker: str | None) -> bool:
    return bool(marker) and str(marker).startswith(PREFIX + ":")


def item_of(marker: str | None) -> int | None:
    if not marker or not is_ours(marker):
        return None
    part = marker.split(":")[1]
    return int(part) if part.isdigit() else None
