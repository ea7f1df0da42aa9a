"""What issue 11's Meta webhooks keep about one person: their ``meta_events`` rows (the
conversation key ends with their author id) and the raw payloads that mention that id.
A payload holding only their events is theirs; a batch that also holds other people's
events is ``shared``: its body is erased, the row stays with a note."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from assistant.channels.meta.events import PayloadError
from assistant.channels.meta.parse import parse_payload
from assistant.channels.meta.records import MetaEventRecord, WebhookEndpoint, WebhookPayload
from assistant.intake.messages import Channel

META_CHANNELS = {
    Channel.facebook: WebhookEndpoint.meta,
    Channel.instagram: WebhookEndpoint.meta,
    Channel.whatsapp: WebhookEndpoint.whatsapp,
}
ERASED_NOTE = "body erased: it held data of a customer erased on request; not replayable"


@dataclass
class MetaHoldings:
    events: list[MetaEventRecord] = field(default_factory=list)
    payloads: list[WebhookPayload] = field(default_factory=list)  # only their events
    shared: list[WebhookPayload] = field(default_factory=list)  # theirs and others'


def owner(conversation: str) -> tuple[str, str] | None:
    """(channel, author id) of a conversation key as parse_*.py build it:
    ``channel:account:author`` (DMs, WhatsApp) or ``channel:account:post:POST:author``
    (comments); ``facebook:PAGE:feed`` belongs to no one."""
    parts = conversation.split(":")
    if len(parts) == 3 and parts[2] != "feed":
        return parts[0], parts[2]
    if len(parts) == 5 and parts[2] == "post":
        return parts[0], parts[4]
    return None


def _authors(keys: list[str]) -> set[tuple[str, str]]:
    found = set()
    for key in keys:
        channel, _, author = key.partition(":")
        if author and channel in {c.value for c in META_CHANNELS}:
            found.add((channel, author))
    return found


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _mentions(body: bytes, author: str) -> bool:
    """Their id as a whole JSON string anywhere in the body (sender, from, wa_id...)."""
    if json.dumps(author).encode() not in body:
        return False
    try:
        return author in set(_strings(json.loads(body)))
    except ValueError:
        return True  # unreadable, yet their id is in it: treat it as theirs


def _only_theirs(payload: WebhookPayload, authors: set[tuple[str, str]]) -> bool:
    try:
        parsed = parse_payload(payload.body, whatsapp=payload.endpoint is WebhookEndpoint.whatsapp)
    except PayloadError:
        return False  # cannot tell whom else it holds: erase the body, keep the row
    return (
        bool(parsed.events)
        and not parsed.problems
        and all(owner(e.conversation) in authors for e in parsed.events)
    )


def find_meta(session: Session, keys: list[str]) -> MetaHoldings:
    authors = _authors(keys)
    held = MetaHoldings()
    for channel, author in sorted(authors):
        rows = session.exec(
            select(MetaEventRecord)
            .where(col(MetaEventRecord.channel) == Channel(channel))
            .where(col(MetaEventRecord.conversation).endswith(f":{author}", autoescape=True))
            .order_by(col(MetaEventRecord.id))
        ).all()
        held.events += [r for r in rows if owner(r.conversation) == (channel, author)]
        endpoint = META_CHANNELS[Channel(channel)]
        for payload in session.exec(
            select(WebhookPayload)
            .where(col(WebhookPayload.endpoint) == endpoint)
            .order_by(col(WebhookPayload.id))
        ):
            seen = {p.id for p in held.payloads + held.shared}
            if payload.id in seen or not _mentions(payload.body, author):
                continue
            (held.payloads if _only_theirs(payload, authors) else held.shared).append(payload)
    return held


def payload_export(held: MetaHoldings) -> list[dict[str, Any]]:
    """Their own payloads as received; a shared batch without its body (it holds other
    people's messages): their events from it are under ``meta_events``."""
    rows = []
    for payload, shared in [(p, False) for p in held.payloads] + [(p, True) for p in held.shared]:
        row = payload.model_dump(mode="json", exclude={"body"})
        row["shared_with_others"] = shared
        row["body"] = None if shared else payload.body.decode("utf-8", errors="replace")
        rows.append(row)
    return rows


def erase_meta(conn: Connection, held: MetaHoldings) -> None:
    """Their events and own payloads go; a shared batch loses its body (the other people's
    events stay in ``meta_events``, so nothing of theirs is lost but the replay)."""
    conn.execute(
        delete(MetaEventRecord).where(col(MetaEventRecord.id).in_([e.id for e in held.events]))
    )
    conn.execute(
        delete(WebhookPayload).where(col(WebhookPayload.id).in_([p.id for p in held.payloads]))
    )
    conn.execute(
        update(WebhookPayload)
        .where(col(WebhookPayload.id).in_([p.id for p in held.shared]))
        .values(body=b"", problem=ERASED_NOTE)
    )
