"""Posts webhooks the way Meta does: the escaped-unicode body signed with the app secret,
events batched, a failed delivery retried with back-off, some delivered twice, batches in any
order."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from typing import Any

import httpx

from assistant.channels.meta.parse import WHATSAPP_OBJECT
from assistant.channels.meta.signature import HEADER, meta_json, sign


@dataclass
class Delivery:
    path: str
    status: int
    attempts: int


@dataclass
class WebhookSender:
    base_url: str
    secret: str
    http: httpx.AsyncClient
    retries: int = 4
    backoff_s: float = 0.2  # Meta waits longer; tests and the demo need not
    duplicate_ratio: float = 0.0
    shuffle: bool = False
    seed: int = 11
    log: list[Delivery] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    async def post(self, payload: dict[str, Any]) -> Delivery:
        """One body, retried until it gets a 200 or the retries run out."""
        path = "/webhooks/whatsapp" if payload["object"] == WHATSAPP_OBJECT else "/webhooks/meta"
        body = meta_json(payload)
        headers = {HEADER: sign(body, self.secret), "content-type": "application/json"}
        status, attempt = 0, 0
        for attempt in range(1, self.retries + 2):
            try:
                response = await self.http.post(self.base_url + path, content=body, headers=headers)
                status = response.status_code
            except httpx.TransportError:
                status = 0
            if status == 200:
                break
            await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1))
        delivery = Delivery(path, status, attempt)
        self.log.append(delivery)
        return delivery

    async def send_all(self, payloads: list[dict[str, Any]]) -> list[Delivery]:
        """Every payload, some twice, in shuffled order when asked (Meta's at-least-once)."""
        queue = list(payloads)
        queue += [p for p in payloads if self.random.random() < self.duplicate_ratio]
        if self.shuffle:
            self.random.shuffle(queue)
        return [await self.post(p) for p in queue]


def batch(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Payloads of the same object merged into one body with several entries, as Meta
    batches them."""
    merged: dict[str, dict[str, Any]] = {}
    for payload in payloads:
        target = merged.setdefault(payload["object"], {"object": payload["object"], "entry": []})
        target["entry"].extend(payload["entry"])
    return list(merged.values())
