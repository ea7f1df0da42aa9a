"""The Privacy page's door to the governance services: customer export, erasure and
identity links, for accounts with ``manage_privacy`` (checked here, on every call).

The same functions as ``assistant customer export|erase|link``, with the signed-in admin as
the audited actor, so the console and the CLI write the same document and the same events."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from actions import current_user, load_settings

from assistant.app import open_records
from assistant.checkpoints import open_checkpointer
from assistant.errors import ConfigError
from assistant.governance.identities import link, linked_keys, links_of, parse_key
from assistant.governance.models import IdentityLink
from assistant.governance.subject_data import find
from assistant.governance.subject_requests import erase_customer, export_customer
from assistant.review.models import utcnow
from assistant.users import Permission


@dataclass(frozen=True)
class Held:
    """What is held about one customer key: counts per kind and its linked identities."""

    key: str
    counts: dict[str, int]
    links: list[IdentityLink]


def customer_key(value: str) -> str:
    """A typed ``channel:author-id`` key, checked (a plain ConfigError when malformed)."""
    return parse_key(value, "The customer key")


def held(name: str, key: str) -> Held:
    current_user(name, Permission.manage_privacy)
    settings = load_settings()
    with open_records(settings) as records:
        engine = records.queue.engine
        data = find(engine, customer_key(key), settings.evals_dir)
        return Held(key.strip(), data.counts(), data.links)


def export_json(name: str, key: str) -> str:
    """The export document as the CLI writes it (``--json``); the export is audited."""
    user = current_user(name, Permission.manage_privacy)
    settings = load_settings()
    with open_records(settings) as records:
        document = export_customer(
            records.queue.engine,
            customer_key(key),
            settings.evals_dir,
            actor=user.name,
            now=utcnow(),
        )
    return json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"


def erase(name: str, key: str, confirmation: str) -> dict[str, int]:
    """Erase the customer and every linked identity; ``confirmation`` must repeat the key."""
    user = current_user(name, Permission.manage_privacy)
    wanted = customer_key(key)
    if confirmation.strip() != wanted:
        raise ConfigError(f"Type the customer key {wanted} again to confirm the erasure.")
    settings = load_settings()

    async def work(engine: Any) -> dict[str, int]:
        async with open_checkpointer(settings) as saver:
            return await erase_customer(
                engine, wanted, settings.evals_dir, saver, actor=user.name, now=utcnow()
            )

    with open_records(settings) as records:
        return asyncio.run(work(records.queue.engine))


def link_identities(name: str, first: str, second: str, person: str) -> list[str]:
    """Link two identities as one person (joining the person either already belongs to);
    returns every identity now linked."""
    user = current_user(name, Permission.manage_privacy)
    keys = [customer_key(first), customer_key(second)]
    if keys[0] == keys[1]:
        raise ConfigError("Enter two different customer keys to link.")
    with open_records(load_settings()) as records:
        engine = records.queue.engine
        existing = links_of(engine, keys)
        label = person.strip() or (existing[0].person if existing else keys[0])
        link(engine, keys, label, user.name)
        return linked_keys(engine, keys[0])
