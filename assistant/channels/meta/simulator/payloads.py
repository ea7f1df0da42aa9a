"""Webhook bodies for the simulator and the tests, built from the shapes in Meta's
documentation (Messenger Platform webhook events, Instagram webhook examples, Page ``feed``
changes, WhatsApp Cloud API webhooks). Ids are made up; times are epoch milliseconds
(Messenger/Instagram) or seconds (WhatsApp)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

PAGE = "104000000000001"
IG = "17841400000000002"
PHONE = "106540352242922"
WABA = "102290129340398"
T0 = 1_790_000_000_000  # ms


def page_batch(*entries: dict[str, Any], object: str = "page") -> dict[str, Any]:
    return {"object": object, "entry": list(entries)}


def messaging_entry(account: str, *events: dict[str, Any], time: int = T0) -> dict[str, Any]:
    return {"id": account, "time": time, "messaging": list(events)}


def dm(
    account: str, psid: str, mid: str, text: str | None = None, *, ts: int = T0, **message: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"mid": mid, **message}
    if text is not None:
        body["text"] = text
    return {"sender": {"id": psid}, "recipient": {"id": account}, "timestamp": ts, "message": body}


def echo(
    account: str, psid: str, mid: str, text: str, *, metadata: str | None = None, ts: int = T0
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "mid": mid,
        "is_echo": True,
        "app_id": 1517776481860111,
        "text": text,
    }
    if metadata is not None:
        message["metadata"] = metadata
    return {
        "sender": {"id": account},
        "recipient": {"id": psid},
        "timestamp": ts,
        "message": message,
    }


def attachment(
    kind: str, url: str = "https://scontent.xx.fbcdn.net/v/a.jpg", **payload: Any
) -> dict[str, Any]:
    return {"type": kind, "payload": {"url": url, **payload}}


def postback(account: str, psid: str, mid: str, title: str, payload: str) -> dict[str, Any]:
    return {
        "sender": {"id": psid},
        "recipient": {"id": account},
        "timestamp": T0,
        "postback": {"mid": mid, "title": title, "payload": payload},
    }


def reaction(account: str, psid: str, mid: str, action: str = "react") -> dict[str, Any]:
    return {
        "sender": {"id": psid},
        "recipient": {"id": account},
        "timestamp": T0,
        "reaction": {"mid": mid, "action": action, "emoji": "\u2764\ufe0f", "reaction": "love"},
    }


def receipt(account: str, psid: str, kind: str) -> dict[str, Any]:
    data: dict[str, Any] = {"watermark": T0}
    if kind == "delivery":
        data["mids"] = ["m_delivered"]
    return {"sender": {"id": psid}, "recipient": {"id": account}, "timestamp": T0, kind: data}


def ig_comment(
    comment_id: str,
    text: str,
    *,
    user: str = "17850000000000001",
    username: str = "june.b",
    media: str = "18000000000000001",
    parent: str | None = None,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "from": {"id": user, "username": username},
        "media": {"id": media, "media_product_type": "FEED"},
        "id": comment_id,
        "text": text,
    }
    if parent:
        value["parent_id"] = parent
    return {"id": IG, "time": T0 // 1000, "changes": [{"field": "comments", "value": value}]}


def feed_comment(
    verb: str,
    comment_id: str,
    text: str | None = None,
    *,
    post: str = f"{PAGE}_200000000000001",
    parent: str | None = None,
    sender: str = "5500000000000001",
    name: str = "Sam Lee",
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "from": {"id": sender, "name": name},
        "item": "comment",
        "post_id": post,
        "comment_id": comment_id,
        "created_time": T0 // 1000,
        "verb": verb,
        "parent_id": parent or post,
    }
    if text is not None:
        value["message"] = text
    return {"id": PAGE, "time": T0 // 1000, "changes": [{"field": "feed", "value": value}]}


def whatsapp(
    *,
    messages: Sequence[dict[str, Any]] = (),
    statuses: Sequence[dict[str, Any]] = (),
    name: str = "Ana Souza",
    wa_id: str = "5511987654321",
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": wa_id}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA, "changes": [{"field": "messages", "value": value}]}],
    }


def wa_message(
    wamid: str,
    kind: str,
    content: dict[str, Any],
    *,
    sender: str = "5511987654321",
    ts: int = T0 // 1000,
) -> dict[str, Any]:
    return {"from": sender, "id": wamid, "timestamp": str(ts), "type": kind, kind: content}


def wa_status(
    wamid: str,
    status: str,
    *,
    marker: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    ts: int = T0 // 1000,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(ts),
        "recipient_id": "5511987654321",
    }
    if marker:
        data["biz_opaque_callback_data"] = marker
    if errors:
        data["errors"] = errors
    return data
