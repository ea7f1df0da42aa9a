"""Comments: Instagram ``comments`` / ``live_comments`` changes and Facebook Page ``feed``
changes (``verb`` add / edited / remove / hide / unhide). A comment the page itself wrote
is an echo: another tool (or a person in Meta Business Suite) answered."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from assistant.channels.meta.events import (
    Echo,
    Edited,
    EventKind,
    MetaEvent,
    NewMessage,
    Origin,
    Recorded,
    Withdrawn,
)
from assistant.channels.meta.payload import mapping, moment, optional_text, text
from assistant.intake.messages import Author, Channel, InboundMessage


def comment_conversation(channel: Channel, account_id: str, post_id: str, author: str) -> str:
    return f"{channel.value}:{account_id}:post:{post_id}:{author}"


def parse_instagram_comment(value: dict[str, Any], account_id: str, at: datetime) -> MetaEvent:
    where = "instagram comment"
    comment_id = text(value, "id", where)
    author = mapping(value, "from")
    author_id = text(author, "id", f"{where}.from")
    media = mapping(value, "media")
    post_id = optional_text(media, "id") or "unknown"
    parent = optional_text(value, "parent_id")
    conv = comment_conversation(Channel.instagram, account_id, post_id, author_id)
    base = Origin(
        channel=Channel.instagram, account_id=account_id, occurred_at=at, conversation=conv
    )
    body = str(value.get("text") or "")
    if author_id == account_id:  # the account's own comment
        return Echo(
            key=f"echo:{comment_id}",
            platform_id=comment_id,
            text=body,
            marker=None,
            answers=parent,
            **base,
        )
    metadata = _comment_meta(
        base,
        comment_id,
        post_id,
        parent,
        media_type=optional_text(media, "media_product_type"),
        ad_id=optional_text(media, "ad_id"),
    )
    inbound = InboundMessage(
        id=comment_id,
        channel=Channel.instagram,
        author=Author(id=author_id, handle=optional_text(author, "username")),
        text=body,
        received_at=at,
        metadata=metadata,
        intake_problem=None if body.strip() else "an empty comment: a person looks at it",
    )
    return NewMessage(key=f"comment:{comment_id}:add", message=inbound, **base)


def parse_feed(value: dict[str, Any], page_id: str, at: datetime) -> MetaEvent:
    """A Page feed change. Only comments become items; posts, likes and reactions on posts
    are recorded."""
    item = value.get("item")
    verb = str(value.get("verb") or "")
    if item != "comment":
        key = f"feed:{item}:{verb}:{_digest(value)}"
        base = Origin(
            channel=Channel.facebook,
            account_id=page_id,
            occurred_at=at,
            conversation=f"facebook:{page_id}:feed",
        )
        return Recorded(key=key, kind=EventKind.other, data={"item": item, "verb": verb}, **base)
    where = "facebook feed comment"
    comment_id = text(value, "comment_id", where)
    post_id = text(value, "post_id", where)
    author = mapping(value, "from")
    author_id = optional_text(author, "id") or text(value, "sender_id", where)
    name = optional_text(author, "name") or optional_text(value, "sender_name")
    if "created_time" in value:
        at = moment(value["created_time"], f"{where}.created_time")
    conv = comment_conversation(Channel.facebook, page_id, post_id, author_id)
    base = Origin(channel=Channel.facebook, account_id=page_id, occurred_at=at, conversation=conv)
    body = str(value.get("message") or "")
    parent = optional_text(value, "parent_id")
    match verb:
        case "remove":
            return Withdrawn(key=f"comment:{comment_id}:remove", platform_id=comment_id, **base)
        case "edited":
            key = f"comment:{comment_id}:edited:{_digest({'m': body})}"
            return Edited(key=key, platform_id=comment_id, text=body, **base)
        case "add" if author_id == page_id:
            answers = parent if parent and parent != post_id else None
            return Echo(
                key=f"echo:{comment_id}",
                platform_id=comment_id,
                text=body,
                marker=None,
                answers=answers,
                **base,
            )
        case "add":
            metadata = _comment_meta(
                base,
                comment_id,
                post_id,
                None if parent in (None, post_id) else parent,
                photo=optional_text(value, "photo"),
                video=optional_text(value, "video"),
            )
            has_media = "photo" in value or "video" in value
            inbound = InboundMessage(
                id=comment_id,
                channel=Channel.facebook,
                author=Author(id=author_id, name=name),
                text=body,
                received_at=at,
                metadata=metadata,
                intake_problem=None
                if body.strip()
                else (
                    "a comment with only a "
                    + ("photo or video" if has_media else "sticker or nothing")
                    + ": a person looks at it"
                ),
            )
            return NewMessage(key=f"comment:{comment_id}:add", message=inbound, **base)
        case _:  # hide / unhide (by a moderator) and verbs Meta may add
            return Recorded(
                key=f"comment:{comment_id}:{verb}:{_digest(value)}",
                kind=EventKind.other,
                data={"verb": verb},
                **base,
            )


def _comment_meta(
    base: Origin, comment_id: str, post_id: str, parent: str | None, **extra: Any
) -> dict[str, Any]:
    data = {
        "account_id": base["account_id"],
        "conversation": base["conversation"],
        "event_at": base["occurred_at"].isoformat(),
        "kind": "comment",
        "comment_id": comment_id,
        "post_id": post_id,
        "parent_comment_id": parent,
    }
    data.update({k: v for k, v in extra.items() if v is not None})
    return data


def _digest(value: dict[str, Any]) -> str:
    return hashlib.sha256(repr(sorted(value.items())).encode()).hexdigest()[:16]
