"""The channels' side of the console: stored webhook payloads and channels to reconnect."""

from __future__ import annotations

from actions import current_user, load_settings

from assistant.app import open_records
from assistant.channels.meta.graph import needing_reconnect
from assistant.channels.meta.intake import stored_payloads
from assistant.channels.meta.records import PayloadState, WebhookPayload
from assistant.users import Permission


def webhook_payloads(name: str) -> tuple[list[WebhookPayload], list[WebhookPayload]]:
    """(the quarantine, the 50 most recent payloads), newest first."""
    current_user(name, Permission.view_audit)
    with open_records(load_settings()) as records:
        engine = records.queue.engine
        quarantined = stored_payloads(engine, [PayloadState.quarantined])
        return quarantined, stored_payloads(engine, limit=50)


def channels_to_reconnect(name: str) -> list[str]:
    """Pages, accounts and numbers whose token Meta refused (shown on every page)."""
    current_user(name)
    with open_records(load_settings()) as records:
        return [
            f"{c.channel.value} {c.account_id}: {c.reason or 'reconnect it'}"
            for c in needing_reconnect(records.queue.engine)
        ]
