"""One webhook body → its typed events. Each event is parsed on its own: one unreadable
event is reported (and its payload quarantined) without losing the others in the batch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.channels.meta.events import MetaEvent, PayloadError
from assistant.channels.meta.parse_comments import parse_feed, parse_instagram_comment
from assistant.channels.meta.parse_messaging import parse_messaging
from assistant.channels.meta.parse_whatsapp import parse_whatsapp
from assistant.channels.meta.payload import Change, Entry, moment, read_envelope
from assistant.intake.messages import Channel

MESSAGING_OBJECTS = {"page": Channel.facebook, "instagram": Channel.instagram}
WHATSAPP_OBJECT = "whatsapp_business_account"


@dataclass
class Parsed:
    events: list[MetaEvent] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def attempt(self, where: str, parse: Callable[..., list[MetaEvent]], *args: Any) -> None:
        try:
            self.events.extend(parse(*args))
        except PayloadError as exc:
            self.problems.append(f"{where}: {exc}")
        except (ValueError, TypeError) as exc:  # e.g. an id over the inbound model's limits
            self.problems.append(f"{where}: {type(exc).__name__}: {str(exc)[:300]}")


def parse_payload(
    body: bytes, *, whatsapp: bool, channel_of: Callable[[str], Channel | None] | None = None
) -> Parsed:
    """``whatsapp`` says which endpoint received it: each accepts only its own objects.
    ``channel_of`` names the channel of a configured page or Instagram account id: it
    places a payload that arrived without its ``object``."""
    envelope = read_envelope(body)
    parsed = Parsed()
    kind = envelope.object or (WHATSAPP_OBJECT if whatsapp else None)
    if whatsapp != (kind == WHATSAPP_OBJECT):
        raise PayloadError(f"object {kind!r} does not belong on this endpoint")
    if kind is not None and not whatsapp and kind not in MESSAGING_OBJECTS:
        raise PayloadError(f"object {kind!r} is not one we know")
    for e, entry in enumerate(envelope.entry):
        if whatsapp:
            for c, change in enumerate(entry.changes):
                parsed.attempt(f"entry[{e}].changes[{c}]", _whatsapp_change, change, entry.id)
            continue
        channel = MESSAGING_OBJECTS[kind] if kind else (channel_of or _unknown)(entry.id)
        if channel is None:
            parsed.problems.append(
                f"entry[{e}]: the payload has no 'object' and account {entry.id} is not in "
                "channels.yaml, so Messenger and Instagram cannot be told apart: add the "
                "account there, then replay the payload"
            )
            continue
        for i, event in enumerate(entry.messaging):
            parsed.attempt(f"entry[{e}].messaging[{i}]", _messaging, event, channel, entry.id)
        for i, event in enumerate(entry.standby):
            parsed.attempt(f"entry[{e}].standby[{i}]", _standby, event, channel, entry.id)
        for c, change in enumerate(entry.changes):
            parsed.attempt(f"entry[{e}].changes[{c}]", _page_change, change, entry, channel)
    return parsed


def _unknown(account_id: str) -> Channel | None:
    return None


def _messaging(event: dict[str, Any], channel: Channel, account_id: str) -> list[MetaEvent]:
    return [parse_messaging(event, channel, account_id)]


def _standby(event: dict[str, Any], channel: Channel, account_id: str) -> list[MetaEvent]:
    return [parse_messaging(event, channel, account_id, standby=True)]


def _whatsapp_change(change: Change, waba_id: str) -> list[MetaEvent]:
    if change.field != "messages":
        return []  # account updates, template reviews: not conversations
    return parse_whatsapp(change.value, waba_id)


def _page_change(change: Change, entry: Entry, channel: Channel) -> list[MetaEvent]:
    at = moment(entry.time or 0, "entry.time")
    match change.field:
        case "comments" | "live_comments" if channel is Channel.instagram:
            return [parse_instagram_comment(change.value, entry.id, at)]
        case "messages" if channel is Channel.instagram:  # the dashboard's test events
            return [parse_messaging(change.value, channel, entry.id)]
        case "feed" if channel is Channel.facebook:
            return [parse_feed(change.value, entry.id, at)]
        case _:
            return []  # mentions, story insights...: nothing to answer
