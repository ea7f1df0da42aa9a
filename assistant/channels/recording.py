"""The adapter for the recording fake channel (``recording_server``), over httpx: what
``ASSISTANT_CHANNEL_URL`` selects. Maps the fake's answers onto the adapter contract the way a
real platform adapter must: 429/5xx retry, 401 reconnect, other 4xx permanent, a timeout
after the request went out "maybe sent"."""

from __future__ import annotations

import asyncio
import weakref

import httpx

from assistant.channels.adapter import (
    OutboundReply,
    Reconciliation,
    SendOutcome,
    SendResult,
    SentCheck,
)


class RecordingChannelClient:
    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = httpx.Timeout(timeout_s)
        # One connection pool per event loop: a client cannot cross loops.
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient]
        self._clients = weakref.WeakKeyDictionary()

    def _client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
            client = httpx.AsyncClient(base_url=self.url, timeout=self.timeout, limits=limits)
            self._clients[loop] = client
        return client

    async def send(self, reply: OutboundReply) -> SendResult:
        body = {
            "idempotency_key": reply.idempotency_key,
            "customer_key": reply.customer_key,
            "text": reply.text,
            "reply_id": reply.reply_id,
        }
        try:
            answer = await self._client().post("/send", json=body)
        except httpx.ConnectError:  # never reached the channel
            return SendResult(SendOutcome.retry, reason="the channel could not be reached")
        except httpx.TransportError as exc:  # it may have arrived: reconcile before resending
            reason = f"no answer from the channel ({type(exc).__name__})"
            return SendResult(SendOutcome.retry, reason=reason, maybe_sent=True)
        status = answer.status_code
        if status == 200:
            return SendResult(SendOutcome.delivered, platform_id=str(answer.json()["id"]))
        reason = f"HTTP {status}: {_error(answer)}"
        if status == 429 or status >= 500:
            retry_after = _seconds(answer.headers.get("Retry-After"))
            return SendResult(SendOutcome.retry, retry_after=retry_after, reason=reason)
        if status == 401:
            return SendResult(SendOutcome.reconnect, reason=reason)
        return SendResult(SendOutcome.permanent, reason=reason)

    async def was_sent(self, reply: OutboundReply) -> Reconciliation:
        answer = await self._client().get(f"/sent/{reply.idempotency_key}")
        match answer.status_code:
            case 200:
                return Reconciliation(SentCheck.sent, platform_id=str(answer.json()["id"]))
            case 404:
                return Reconciliation(SentCheck.not_sent)
            case 501:
                return Reconciliation(SentCheck.unknown)
        answer.raise_for_status()  # anything else: ask again later
        return Reconciliation(SentCheck.unknown)


def _error(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("error", answer.reason_phrase))
    except ValueError:
        return answer.reason_phrase


def _seconds(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None
